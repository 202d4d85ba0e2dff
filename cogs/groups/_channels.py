"""Discord objects of a group: its role, private text channel (and voice channel), overwrites.

Creation is all-or-nothing: every object created is remembered and removed again if a later
step fails, and the staff member learns which permission the bot is missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord

from bot.delivery import Delivered, classify
from bot.errors import DomainError
from bot.services.groups import GroupPlan, GroupRow, shown
from bot.ui import BRAND_COLOUR, NO_MENTIONS

if TYPE_CHECKING:
    from bot.app import HearthBot

log = logging.getLogger(__name__)

MISSING_PERMISSIONS = 50013


def member_allow(*, locked: bool) -> discord.PermissionOverwrite:
    if locked:
        return discord.PermissionOverwrite(view_channel=True, read_message_history=True, send_messages=False)
    return discord.PermissionOverwrite(view_channel=True, send_messages=True, read_message_history=True)


def facilitator_allow(*, archived: bool) -> discord.PermissionOverwrite:
    if archived:
        return discord.PermissionOverwrite(view_channel=True, read_message_history=True, send_messages=False)
    return discord.PermissionOverwrite(
        view_channel=True, send_messages=True, read_message_history=True, manage_messages=True
    )


def staff_allow() -> discord.PermissionOverwrite:
    return discord.PermissionOverwrite(view_channel=True, read_message_history=True)


def bot_allow() -> discord.PermissionOverwrite:
    return discord.PermissionOverwrite(
        view_channel=True, send_messages=True, read_message_history=True, manage_messages=True,
        embed_links=True, pin_messages=True,
    )


Target = discord.Role | discord.Member | discord.Object


def text_overwrites(
    guild: discord.Guild, *, role: discord.abc.Snowflake, staff_role_id: int, facilitator_ids: list[int],
    bot_id: int, locked: bool = False, archived: bool = False,
) -> dict[Any, discord.PermissionOverwrite]:
    """@everyone cannot view; the group role views/sends/reads history (read-only when locked or
    archived); facilitators also manage messages; staff view; the bot can run the channel."""
    out: dict[Any, discord.PermissionOverwrite] = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        role: member_allow(locked=locked or archived),
        _role_obj(guild, staff_role_id): staff_allow(),
    }
    for user_id in facilitator_ids:
        out[_member_obj(guild, user_id)] = facilitator_allow(archived=archived)
    out[_member_obj(guild, bot_id)] = bot_allow()
    return out


def voice_overwrites(
    guild: discord.Guild, *, role: discord.abc.Snowflake, staff_role_id: int, facilitator_ids: list[int],
    bot_id: int, archived: bool = False,
) -> dict[Any, discord.PermissionOverwrite]:
    out: dict[Any, discord.PermissionOverwrite] = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        role: discord.PermissionOverwrite(view_channel=True, connect=not archived, speak=not archived),
        _role_obj(guild, staff_role_id): discord.PermissionOverwrite(view_channel=True, connect=True),
    }
    for user_id in facilitator_ids:
        out[_member_obj(guild, user_id)] = discord.PermissionOverwrite(
            view_channel=True, connect=not archived, speak=not archived, mute_members=not archived
        )
    out[_member_obj(guild, bot_id)] = discord.PermissionOverwrite(view_channel=True, connect=True)
    return out


def _role_obj(guild: discord.Guild, role_id: int) -> discord.abc.Snowflake:
    return guild.get_role(role_id) or discord.Object(role_id, type=discord.Role)


def _member_obj(guild: discord.Guild, user_id: int) -> discord.abc.Snowflake:
    return guild.get_member(user_id) or discord.Object(user_id, type=discord.Member)


def guidelines_embed(group_name: str, guidelines: str) -> discord.Embed:
    return discord.Embed(
        title=f"Community guidelines — {group_name}",
        description=guidelines,
        colour=BRAND_COLOUR,
    )


class CreationFailed(Exception):
    """A step of creating a group failed; everything created before was removed (or listed in leftovers)."""

    def __init__(self, step: str, permission: str | None, status: int, leftovers: list[str]) -> None:
        super().__init__(step)
        self.step = step
        self.permission = permission
        self.status = status
        self.leftovers = leftovers

    def message(self) -> str:
        if self.permission is not None:
            text = (f"I couldn't create the group: Discord refused {self.step} because I am missing the "
                    f"**{self.permission}** permission. Please give my role that permission and try again.")
        else:
            text = (f"I couldn't create the group: Discord refused {self.step} (HTTP {self.status}). "
                    "Please try again in a moment.")
        if self.leftovers:
            text += ("\n\nI could not remove everything I had created; please delete these by hand: "
                     + ", ".join(self.leftovers) + ".")
        else:
            text += "\nNothing was left behind: everything I had created was removed again."
        return text


@dataclass
class Created:
    role: discord.Role | None = None
    channel: discord.TextChannel | None = None
    voice: discord.VoiceChannel | None = None
    guidelines: discord.Message | None = None
    objects: list[discord.abc.GuildChannel | discord.Role] = field(default_factory=list)


async def rollback(created: Created, reason: str) -> list[str]:
    """Delete what was created, newest first. Returns descriptions of what could not be removed."""
    leftovers = []
    for obj in reversed(created.objects):
        try:
            await obj.delete(reason=reason)
        except discord.NotFound:
            continue
        except discord.HTTPException as exc:
            kind = "role" if isinstance(obj, discord.Role) else "channel"
            log.warning("rollback could not delete %s %s: HTTP %s", kind, obj.id, exc.status)
            leftovers.append(f"{kind} {obj.mention}")
    return leftovers


STEP_PERMISSIONS = {
    "creating the group's role": "Manage Roles",
    "creating the private channel": "Manage Channels (and Manage Roles, to set who can see it)",
    "creating the voice channel": "Manage Channels (and Manage Roles, to set who can see it)",
    "posting the guidelines": "Send Messages",
    "pinning the guidelines": "Pin Messages",
}


async def create_objects(
    guild: discord.Guild, plan: GroupPlan, *, category_id: int, staff_role_id: int, bot_id: int,
    reason: str,
) -> Created:
    """Create role, channel(s), post and pin the guidelines. On failure undo and raise CreationFailed."""
    created = Created()
    step = "creating the group's role"
    try:
        created.role = await guild.create_role(name=plan.name, mentionable=False, reason=reason)
        created.objects.append(created.role)
        category = guild.get_channel(category_id)
        parent = category if isinstance(category, discord.CategoryChannel) else None
        facilitators = [plan.facilitator_id] if plan.facilitator_id is not None else []
        step = "creating the private channel"
        created.channel = await guild.create_text_channel(
            plan.slug, category=parent, topic=plan.topic or discord.utils.MISSING,
            overwrites=text_overwrites(guild, role=created.role, staff_role_id=staff_role_id,
                                       facilitator_ids=facilitators, bot_id=bot_id),
            reason=reason,
        )
        created.objects.append(created.channel)
        if plan.voice:
            step = "creating the voice channel"
            created.voice = await guild.create_voice_channel(
                plan.slug, category=parent,
                overwrites=voice_overwrites(guild, role=created.role, staff_role_id=staff_role_id,
                                            facilitator_ids=facilitators, bot_id=bot_id),
                reason=reason,
            )
            created.objects.append(created.voice)
        step = "posting the guidelines"
        created.guidelines = await created.channel.send(
            embed=guidelines_embed(plan.name, plan.guidelines), allowed_mentions=NO_MENTIONS
        )
        step = "pinning the guidelines"
        await created.guidelines.pin(reason=reason)
    except discord.HTTPException as exc:
        permission = STEP_PERMISSIONS[step] if exc.code == MISSING_PERMISSIONS or exc.status == 403 else None
        log.warning("group creation failed while %s: HTTP %s code %s; rolling back", step, exc.status, exc.code)
        leftovers = await rollback(created, f"{reason} (rolled back)")
        raise CreationFailed(step, permission, exc.status, leftovers) from exc
    return created


def overwrites_match(
    channel: discord.abc.GuildChannel, expected: dict[Any, discord.PermissionOverwrite]
) -> bool:
    actual = {t.id: ow.pair() for t, ow in channel.overwrites.items()}
    wanted = {t.id: ow.pair() for t, ow in expected.items()}
    return actual == wanted


def group_text_overwrites(
    guild: discord.Guild, group: GroupRow, role: discord.abc.Snowflake, *, staff_role_id: int,
    facilitator_ids: list[int], bot_id: int,
) -> dict[Any, discord.PermissionOverwrite]:
    return text_overwrites(guild, role=role, staff_role_id=staff_role_id, facilitator_ids=facilitator_ids,
                           bot_id=bot_id, locked=group.locked, archived=group.archived)


def group_voice_overwrites(
    guild: discord.Guild, group: GroupRow, role: discord.abc.Snowflake, *, staff_role_id: int,
    facilitator_ids: list[int], bot_id: int,
) -> dict[Any, discord.PermissionOverwrite]:
    return voice_overwrites(guild, role=role, staff_role_id=staff_role_id, facilitator_ids=facilitator_ids,
                            bot_id=bot_id, archived=group.archived)


class GroupChannels:
    """A group's Discord objects as they are now: lookups that explain what is missing, health, repair, mutes."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.service = bot.services.groups

    @property
    def staff_role_id(self) -> int:
        return self.bot.settings.roles.staff

    def guild(self) -> discord.Guild:
        guild = self.bot.guild
        if guild is None:
            raise DomainError("The program's server is not available right now; please try again in a minute.")
        return guild

    def bot_id(self) -> int:
        assert self.bot.user is not None
        return self.bot.user.id

    def role(self, group: GroupRow) -> discord.Role:
        role = self.guild().get_role(group.role_id) if group.role_id else None
        if role is None:
            raise DomainError(
                f"The Discord role of {shown(group.name)} is missing. A staff member can fix this with "
                "`/group repair`."
            )
        return role

    def text_channel(self, group: GroupRow) -> discord.TextChannel:
        channel = self.guild().get_channel(group.channel_id) if group.channel_id else None
        if not isinstance(channel, discord.TextChannel):
            raise DomainError(
                f"The channel of {shown(group.name)} is missing. A staff member can fix this with `/group repair`."
            )
        return channel

    async def member(self, user_id: int) -> discord.Member | None:
        guild = self.guild()
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:
                return None
        return member

    def explain_http(self, exc: discord.HTTPException, doing: str, permission: str) -> DomainError:
        if exc.status == 403:
            return DomainError(f"Discord refused {doing}: I am missing the **{permission}** permission "
                               "(or my role is below the group's role). Nothing was changed.")
        return DomainError(f"Discord refused {doing} (HTTP {exc.status}). Nothing was changed; please try again.")

    async def grant(self, group: GroupRow, member: discord.Member, reason: str) -> None:
        role = self.role(group)
        if role in member.roles:
            return
        try:
            await member.add_roles(role, reason=reason)
        except discord.HTTPException as exc:
            raise self.explain_http(exc, "giving the group role", "Manage Roles") from exc

    async def set_facilitator_overwrites(self, group: GroupRow, member: discord.Member, *, add: bool) -> None:
        guild = self.guild()
        targets: list[tuple[int | None, discord.PermissionOverwrite]] = [
            (group.channel_id, facilitator_allow(archived=group.archived)),
            (group.voice_channel_id, discord.PermissionOverwrite(
                view_channel=True, connect=True, speak=True, mute_members=True)),
        ]
        for channel_id, overwrite in targets:
            channel = guild.get_channel(channel_id) if channel_id else None
            if channel is None:
                continue
            try:
                await channel.set_permissions(
                    member, overwrite=overwrite if add else None, reason=f"group {group.id} facilitators"
                )
            except discord.HTTPException as exc:
                raise self.explain_http(exc, "changing who can see the channel", "Manage Roles") from exc

    def health(self, group: GroupRow, facilitator_ids: list[int], member_ids: list[int]) -> list[str]:
        guild = self.guild()
        lines = []
        role = guild.get_role(group.role_id) if group.role_id else None
        channel = guild.get_channel(group.channel_id) if group.channel_id else None
        lines.append("✅ role exists" if role else "❌ role missing — run `/group repair`")
        if channel is None:
            lines.append("❌ channel missing — run `/group repair`")
        elif role is not None:
            expected = group_text_overwrites(
                guild, group, role, staff_role_id=self.staff_role_id, facilitator_ids=facilitator_ids,
                bot_id=self.bot_id(),
            )
            ok = overwrites_match(channel, expected)
            lines.append("✅ channel and permissions as expected" if ok
                         else "⚠️ channel permissions differ from what they should be — run `/group repair`")
        if group.wants_voice:
            voice = guild.get_channel(group.voice_channel_id) if group.voice_channel_id else None
            lines.append("✅ voice channel exists" if voice else "❌ voice channel missing — run `/group repair`")
        if role is not None and not group.archived:
            holders = {m.id for m in role.members}
            missing = [i for i in member_ids if i not in holders and guild.get_member(i) is not None]
            extra = holders - set(member_ids)
            if missing:
                lines.append(f"⚠️ {len(missing)} member(s) without the role — run `/group repair`")
            if extra:
                lines.append(f"⚠️ {len(extra)} role holder(s) who are not members")
        return lines

    async def lift_mute(self, group_id: int, user_id: int) -> Delivered:
        """The mute ended (GroupMutes): the member's overwrite on the group's channels goes."""
        row = await self.service.get(group_id)
        try:
            for channel_id in (row.channel_id, row.voice_channel_id):
                if channel_id:
                    await self.bot.http.delete_channel_permissions(channel_id, user_id, reason="group mute ended")
        except discord.NotFound:
            pass  # the channel or the overwrite is gone already
        except Exception as exc:
            raise classify(exc) from exc
        return Delivered(row.channel_id, None)

    async def repair(self, group: GroupRow, reason: str) -> list[str]:
        guild = self.guild()
        fixed: list[str] = []
        facilitators = await self.service.facilitators_of_group(group.id)
        members = await self.service.member_ids(group.id)
        role = guild.get_role(group.role_id) if group.role_id else None
        if role is None:
            role = await guild.create_role(name=group.name, mentionable=False, reason=reason)
            await self.service.set_discord_ids(group.id, role_id=role.id)
            fixed.append(f"recreated the role {role.mention}")
        category = guild.get_channel(self.bot.settings.channels.groups_category)
        parent = category if isinstance(category, discord.CategoryChannel) else None
        expected = group_text_overwrites(guild, group, role, staff_role_id=self.staff_role_id,
                                                   facilitator_ids=facilitators, bot_id=self.bot_id())
        channel = guild.get_channel(group.channel_id) if group.channel_id else None
        if not isinstance(channel, discord.TextChannel):
            channel = await guild.create_text_channel(
                group.slug, category=parent, topic=group.topic or discord.utils.MISSING, overwrites=expected,
                slowmode_delay=group.slowmode_seconds, reason=reason,
            )
            await self.service.set_discord_ids(group.id, channel_id=channel.id)
            message = await channel.send(
                embed=guidelines_embed(group.name, self.service.guidelines), allowed_mentions=NO_MENTIONS
            )
            await message.pin(reason=reason)
            fixed.append(f"recreated the channel {channel.mention} and pinned the guidelines")
        elif not overwrites_match(channel, expected):
            await channel.edit(overwrites=expected, reason=reason)
            fixed.append(f"restored the permissions of {channel.mention}")
        if group.wants_voice:
            voice_expected = group_voice_overwrites(
                guild, group, role, staff_role_id=self.staff_role_id, facilitator_ids=facilitators,
                bot_id=self.bot_id(),
            )
            voice = guild.get_channel(group.voice_channel_id) if group.voice_channel_id else None
            if not isinstance(voice, discord.VoiceChannel):
                voice = await guild.create_voice_channel(group.slug, category=parent, overwrites=voice_expected,
                                                         reason=reason)
                await self.service.set_discord_ids(group.id, voice_channel_id=voice.id)
                fixed.append(f"recreated the voice channel {voice.mention}")
            elif not overwrites_match(voice, voice_expected):
                await voice.edit(overwrites=voice_expected, reason=reason)
                fixed.append(f"restored the permissions of {voice.mention}")
        if not group.archived:
            restored = 0
            for user_id in members:
                member = guild.get_member(user_id)
                if member is not None and role not in member.roles:
                    await member.add_roles(role, reason=reason)
                    restored += 1
            if restored:
                fixed.append(f"gave the group role back to {restored} member(s)")
        return fixed

    async def welcome(self, group: GroupRow, user_id: int) -> bool:
        where = f" Your group's private channel is <#{group.channel_id}>." if group.channel_id else ""
        try:
            await self.bot.send_dm(
                user_id,
                f"Welcome to **{group.name}**! 🌱{where} Your facilitators and group are glad you're here. "
                "What is shared in the group stays in the group.",
            )
        except discord.HTTPException as exc:
            log.info("welcome DM to user %s not delivered: HTTP %s code %s", user_id, exc.status, exc.code)
            return False
        return True

    async def dm(self, user_id: int, text: str, view: discord.ui.View | None = None) -> discord.Message | None:
        try:
            return await self.bot.send_dm(user_id, text, view=view)
        except discord.HTTPException as exc:
            log.info("DM to user %s not delivered: HTTP %s code %s", user_id, exc.status, exc.code)
            return None

    async def post_reminder(self, channel_id: int, text: str) -> Delivered:
        """A session reminder in the group's channel (``SessionReminders``' sender)."""
        channel = self.bot.get_channel(channel_id)
        target = channel if isinstance(channel, discord.TextChannel) else self.bot.get_partial_messageable(
            channel_id
        )
        try:
            message = await target.send(text, allowed_mentions=NO_MENTIONS)
        except Exception as exc:
            raise classify(exc) from exc
        return Delivered(channel_id, message.id)
