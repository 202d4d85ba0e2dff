"""/group: private IOP group channels, membership, join requests, sessions and moderation.

Discord I/O only: every decision (who may do what, validation, what is stored) is made by
``bot.services.groups.GroupsService``. ``/group pulse`` asks the check-ins
service, since how a group is doing is told by its members' check-ins.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HearthBot, hearth_bot, person_of
from bot.errors import DomainError
from bot.services.group_mutes import WORK_NAME as GROUP_MUTES_WORK
from bot.services.group_sessions import SessionReminders, occurrences
from bot.services.groups import (
    NAME_MAX,
    SLOWMODE_MAX,
    TIMEOUT_MAX_MINUTES,
    WEEKDAYS,
    GroupRow,
)
from bot.ui import NO_MENTIONS, reply
from cogs.groups import _channels
from cogs.groups._embeds import info_embed, list_embed, pulse_text
from cogs.groups._views import DYNAMIC_ITEMS, join_request_view

log = logging.getLogger(__name__)

WEEKDAY_CHOICES = [app_commands.Choice(name=d.capitalize(), value=d) for d in WEEKDAYS]


async def _managed_groups(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    bot = hearth_bot(interaction)
    names = await bot.services.groups.visible_names(person_of(interaction), current, manageable=True)
    return [app_commands.Choice(name=n, value=n) for n in names]


async def _joinable_groups(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    names = await hearth_bot(interaction).services.groups.joinable_names(person_of(interaction), current)
    return [app_commands.Choice(name=n, value=n) for n in names]


async def _timezones(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    zones = hearth_bot(interaction).services.people.suggest_timezones(current)
    return [app_commands.Choice(name=z, value=z) for z in zones]


GroupName = app_commands.Range[str, 1, NAME_MAX]


@app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class Groups(
    commands.GroupCog,
    group_name="group",
    group_description="Private IOP groups: membership, sessions, moderation",
    group_extras={"audience": "participant"},
):
    facilitator = app_commands.Group(
        name="facilitator", description="Choose a group's peer facilitators", extras={"audience": "staff"}
    )
    schedule = app_commands.Group(
        name="schedule", description="A group's weekly sessions", extras={"audience": "facilitator"}
    )

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.service = bot.services.groups
        self.channels = _channels.GroupChannels(bot)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.reminders = SessionReminders(
            self.bot.db, self.bot.clock, self.channels, self.service.reminder_minutes_before
        )
        self.bot.scheduler.register(SessionReminders.NAME, self.reminders)
        self.bot.services.group_mutes.unmute = self.channels.lift_mute
        self.bot.scheduler.register(GROUP_MUTES_WORK, self.bot.services.group_mutes)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(SessionReminders.NAME)
        self.bot.scheduler.unregister(GROUP_MUTES_WORK)
        self.bot.services.group_mutes.unmute = None
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # ------------------------------------------------------------------ create
    @app_commands.command(name="create", description="Create a private group with its role and channel",
                          extras={"audience": "staff"})
    @app_commands.describe(
        name="The group's name, e.g. Tuesday evening substance-use group",
        facilitator="A peer facilitator who runs the group",
        topic="Shown at the top of the channel (at most 1024 characters)",
        timezone="Time zone of the group's sessions (default: the community's)",
        voice="Also create a private voice channel",
    )
    @app_commands.autocomplete(timezone=_timezones)
    async def create(
        self,
        interaction: discord.Interaction[HearthBot],
        name: GroupName,
        facilitator: discord.Member | None = None,
        topic: str | None = None,
        timezone: str | None = None,
        voice: bool = False,
    ) -> None:
        person = person_of(interaction)
        plan = await self.service.plan_group(
            person, name=name, topic=topic, timezone=timezone, voice=voice,
            facilitator_id=facilitator.id if facilitator else None,
        )
        if facilitator is not None and facilitator.bot:
            raise DomainError("**facilitator**: choose a person, not a bot.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = self.channels.guild()
        reason = f"/group create by {interaction.user.id}"
        try:
            created = await _channels.create_objects(
                guild, plan, category_id=self.bot.settings.channels.groups_category,
                staff_role_id=self.channels.staff_role_id, bot_id=self.channels.bot_id(), reason=reason,
            )
        except _channels.CreationFailed as failed:
            await reply(interaction, failed.message())
            return
        assert created.role is not None and created.channel is not None
        try:
            group = await self.service.register_group(
                plan, actor_id=interaction.user.id, channel_id=created.channel.id, role_id=created.role.id,
                voice_channel_id=created.voice.id if created.voice else None,
            )
        except BaseException:
            await _channels.rollback(created, f"{reason} (rolled back)")
            raise
        lines = [f"Created **{group.name}**: {created.channel.mention} with role {created.role.mention}."]
        if created.voice:
            lines.append(f"Voice channel: {created.voice.mention}.")
        if facilitator:
            lines.append(f"Facilitator: {facilitator.mention}.")
        lines.append(f"Time zone: {group.timezone}. Add sessions with `/group schedule add`, "
                     "members with `/group add`.")
        await reply(interaction, "\n".join(lines))

    # ------------------------------------------------------------------ membership
    @app_commands.command(name="add", description="Add a member to a group", extras={"audience": "facilitator"})
    @app_commands.describe(member="Who to add", group="The group")
    @app_commands.autocomplete(group=_managed_groups)
    async def add(self, interaction: discord.Interaction[HearthBot], member: discord.Member, group: GroupName) -> None:
        person = person_of(interaction)
        row = await self.service.find(group)
        await self.service.check_add(person, row, self.bot.person(member), is_bot=member.bot)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.channels.grant(row, member, f"/group add by {interaction.user.id}")
        await self.service.add_member(person, row, member.id)
        welcomed = await self.channels.welcome(row, member.id)
        note = "" if welcomed else " (their DMs are closed, so I couldn't send the welcome message)"
        await reply(interaction, f"Added {member.mention} to **{row.name}**{note}.")

    @app_commands.command(name="remove", description="Remove a member from a group",
                          extras={"audience": "facilitator"})
    @app_commands.describe(member="Who to remove", group="The group")
    @app_commands.autocomplete(group=_managed_groups)
    async def remove(
        self, interaction: discord.Interaction[HearthBot], member: discord.Member, group: GroupName
    ) -> None:
        person = person_of(interaction)
        row = await self.service.find(group)
        await self.service.check_remove(person, row, member.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        role = self.channels.guild().get_role(row.role_id) if row.role_id else None
        if role is not None and role in member.roles:
            try:
                await member.remove_roles(role, reason=f"/group remove by {interaction.user.id}")
            except discord.HTTPException as exc:
                raise self.channels.explain_http(exc, "taking the group role away", "Manage Roles") from exc
        await self.service.remove_member(person, row, member.id)
        await reply(interaction, f"Removed {member.mention} from **{row.name}**.")

    @facilitator.command(name="add", description="Make someone a facilitator of a group",
                         extras={"audience": "staff"})
    @app_commands.describe(member="The peer facilitator", group="The group")
    @app_commands.autocomplete(group=_managed_groups)
    async def facilitator_add(
        self, interaction: discord.Interaction[HearthBot], member: discord.Member, group: GroupName
    ) -> None:
        person = person_of(interaction)
        self.service.require_staff(person, "choosing facilitators")
        row = await self.service.find(group)
        await self.service.check_facilitator_change(person, row, member.id, add=True, is_bot=member.bot)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.channels.set_facilitator_overwrites(row, member, add=True)
        await self.service.add_facilitator(person, row, member.id)
        await reply(interaction, f"{member.mention} now facilitates **{row.name}**.")

    @facilitator.command(name="remove", description="Stop someone facilitating a group",
                         extras={"audience": "staff"})
    @app_commands.describe(member="The peer facilitator", group="The group")
    @app_commands.autocomplete(group=_managed_groups)
    async def facilitator_remove(
        self, interaction: discord.Interaction[HearthBot], member: discord.Member, group: GroupName
    ) -> None:
        person = person_of(interaction)
        self.service.require_staff(person, "choosing facilitators")
        row = await self.service.find(group)
        await self.service.check_facilitator_change(person, row, member.id, add=False)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.channels.set_facilitator_overwrites(row, member, add=False)
        await self.service.remove_facilitator(person, row, member.id)
        await reply(interaction, f"{member.mention} no longer facilitates **{row.name}**.")

    # ------------------------------------------------------------------ join requests
    @app_commands.command(name="join", description="Ask to join a group", extras={"audience": "participant"})
    @app_commands.describe(group="The group you'd like to join")
    @app_commands.autocomplete(group=_joinable_groups)
    async def join(self, interaction: discord.Interaction[HearthBot], group: GroupName) -> None:
        person = person_of(interaction)
        row = await self.service.find(group)
        request, facilitator_ids = await self.service.request_join(person, row)
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = (f"<@{person.user_id}> asks to join **{row.name}**. "
                "Approve to add them to the group; either way they'll get a DM with the answer.")
        delivered = 0
        for facilitator_id in facilitator_ids:
            message = await self.channels.dm(facilitator_id, text, join_request_view(request.id))
            if message is not None:
                delivered += 1
                await self.service.note_request_message(request.id, facilitator_id, message.channel.id, message.id)
        if delivered == 0:
            # No facilitator could be reached (none yet, or DMs closed): staff decide instead.
            channel = self.bot.get_channel(self.bot.settings.channels.staff_alerts)
            if isinstance(channel, discord.TextChannel):
                message = await channel.send(
                    text + " (No facilitator could be reached, so staff are asked.)",
                    view=join_request_view(request.id), allowed_mentions=NO_MENTIONS,
                )
                await self.service.note_request_message(request.id, None, channel.id, message.id)
        log.info("join request %s for group %s sent to %d facilitator(s)", request.id, row.id, delivered)
        await reply(interaction, f"I asked the facilitators of **{row.name}**. I'll send you a DM with their answer.")

    # ------------------------------------------------------------------ list / info
    @app_commands.command(name="list", description="Your groups (staff: all groups)",
                          extras={"audience": "participant"})
    @app_commands.describe(page="Which page, 25 groups each (default 1)")
    async def list_(
        self, interaction: discord.Interaction[HearthBot], page: app_commands.Range[int, 1, 1000] = 1
    ) -> None:
        person = person_of(interaction)
        summaries = await self.service.list_for(person)
        await reply(interaction, embed=list_embed(summaries, staff=person.is_staff, page=page))

    @app_commands.command(
        name="pulse", description="How a group is doing: today's check-ins, mood trend, who's been quiet",
        extras={"audience": "facilitator"},
    )
    @app_commands.describe(group="The group", days="How many days of mood trend (1–90, default 7)")
    @app_commands.autocomplete(group=_managed_groups)
    async def pulse(
        self, interaction: discord.Interaction[HearthBot], group: GroupName, days: app_commands.Range[int, 1, 90] = 7
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        row = await self.service.find(group)
        report = await self.bot.services.checkins.pulse(person_of(interaction), self.service.ref(row), days)
        await reply(interaction, pulse_text(report))

    @app_commands.command(name="info", description="Members, facilitators, schedule and health of a group",
                          extras={"audience": "facilitator"})
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=_managed_groups)
    async def info(self, interaction: discord.Interaction[HearthBot], group: GroupName) -> None:
        person = person_of(interaction)
        row = await self.service.find(group)
        details = await self.service.info(person, row)
        health = self.channels.health(row, list(details.facilitator_ids), list(details.member_ids))
        now = self.bot.clock.now()
        upcoming = []
        skipped = set(details.skipped)
        for occ in occurrences([(s, row) for s in details.sessions], now, 0, days_back=0, days_ahead=15):
            if occ.start > now and occ.local_date not in skipped:
                upcoming.append(occ.local_start.strftime("%a %Y-%m-%d %H:%M"))
            if len(upcoming) >= 3:
                break
        await reply(interaction, embed=info_embed(details, health, upcoming))

    # ------------------------------------------------------------------ schedule
    @schedule.command(name="add", description="Add a weekly session", extras={"audience": "facilitator"})
    @app_commands.describe(group="The group", weekday="Day of the week", time="Start time, 24-hour HH:MM",
                           duration_minutes="How long the session lasts (default 90)")
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    @app_commands.autocomplete(group=_managed_groups)
    async def schedule_add(
        self, interaction: discord.Interaction[HearthBot], group: GroupName, weekday: str,
        time: app_commands.Range[str, 1, 5], duration_minutes: app_commands.Range[int, 15, 480] | None = None,
    ) -> None:
        person = person_of(interaction)
        row = await self.service.find(group)
        session = await self.service.add_session(person, row, weekday=weekday, start=time,
                                                 duration_minutes=duration_minutes)
        minutes = self.service.reminder_minutes_before
        await reply(interaction, f"**{row.name}** now meets every {WEEKDAYS[session.weekday].capitalize()} at "
                    f"{session.start_time} ({row.timezone}) for {session.duration_minutes} minutes. A reminder is "
                    f"posted in the group channel {minutes} minutes before.")

    @schedule.command(name="remove", description="Remove a weekly session", extras={"audience": "facilitator"})
    @app_commands.describe(group="The group", weekday="Day of the week", time="Start time, 24-hour HH:MM")
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    @app_commands.autocomplete(group=_managed_groups)
    async def schedule_remove(
        self, interaction: discord.Interaction[HearthBot], group: GroupName, weekday: str,
        time: app_commands.Range[str, 1, 5],
    ) -> None:
        person = person_of(interaction)
        row = await self.service.find(group)
        session = await self.service.remove_session(person, row, weekday=weekday, start=time)
        await reply(interaction, f"Removed the {WEEKDAYS[session.weekday].capitalize()} {session.start_time} "
                    f"session of **{row.name}**.")

    @schedule.command(name="skip", description="No session on a date (holidays)", extras={"audience": "facilitator"})
    @app_commands.describe(group="The group", date="The date to skip, YYYY-MM-DD")
    @app_commands.autocomplete(group=_managed_groups)
    async def schedule_skip(
        self, interaction: discord.Interaction[HearthBot], group: GroupName, date: app_commands.Range[str, 1, 10]
    ) -> None:
        person = person_of(interaction)
        row = await self.service.find(group)
        day, affected = await self.service.skip_date(person, row, on=date)
        if affected:
            which = ", ".join(s.start_time for s in affected)
            text = f"No **{row.name}** session on {day:%A %Y-%m-%d} ({which}); no reminder will be posted."
        else:
            text = f"Noted: no **{row.name}** session on {day:%A %Y-%m-%d} (there is none scheduled that day anyway)."
        await reply(interaction, text)

    # ------------------------------------------------------------------ moderation
    async def _moderated(self, interaction: discord.Interaction[Any], group: str | None, action: str) -> GroupRow:
        row = await self.service.resolve(group, interaction.channel_id)
        await self.service.check_moderate(person_of(interaction), row, action)
        return row

    @app_commands.command(name="lock", description="Members can read but not send", extras={"audience": "facilitator"})
    @app_commands.describe(group="The group (default: the group of this channel)")
    @app_commands.autocomplete(group=_managed_groups)
    async def lock(self, interaction: discord.Interaction[HearthBot], group: GroupName | None = None) -> None:
        await self._set_lock(interaction, group, locked=True)

    @app_commands.command(name="unlock", description="Members can send again", extras={"audience": "facilitator"})
    @app_commands.describe(group="The group (default: the group of this channel)")
    @app_commands.autocomplete(group=_managed_groups)
    async def unlock(self, interaction: discord.Interaction[HearthBot], group: GroupName | None = None) -> None:
        await self._set_lock(interaction, group, locked=False)

    async def _set_lock(self, interaction: discord.Interaction[Any], group: str | None, *, locked: bool) -> None:
        row = await self._moderated(interaction, group, "locking the channel" if locked else "unlocking the channel")
        channel = self.channels.text_channel(row)
        role = self.channels.role(row)
        try:
            await channel.set_permissions(role, overwrite=_channels.member_allow(locked=locked),
                                          reason=f"/group {'lock' if locked else 'unlock'} by {interaction.user.id}")
        except discord.HTTPException as exc:
            raise self.channels.explain_http(exc, "changing the channel's permissions", "Manage Roles") from exc
        await self.service.record_moderation(person_of(interaction), row, "lock" if locked else "unlock")
        text = ("🔒 Locked: members can read but not send." if locked else "🔓 Unlocked: members can send again.")
        await reply(interaction, f"**{row.name}** — {text}")

    @app_commands.command(name="slowmode", description="Limit how often members can post",
                          extras={"audience": "facilitator"})
    @app_commands.describe(seconds="Seconds between messages, 0 to turn off (at most 21600 = 6 hours)",
                           group="The group (default: the group of this channel)")
    @app_commands.autocomplete(group=_managed_groups)
    async def slowmode(
        self, interaction: discord.Interaction[HearthBot], seconds: app_commands.Range[int, 0, SLOWMODE_MAX],
        group: GroupName | None = None,
    ) -> None:
        row = await self._moderated(interaction, group, "setting slowmode")
        channel = self.channels.text_channel(row)
        try:
            await channel.edit(slowmode_delay=seconds, reason=f"/group slowmode by {interaction.user.id}")
        except discord.HTTPException as exc:
            raise self.channels.explain_http(exc, "setting slowmode", "Manage Channels") from exc
        await self.service.record_moderation(person_of(interaction), row, "slowmode", detail={"seconds": seconds})
        text = "Slowmode is off." if seconds == 0 else f"Slowmode: one message every {seconds} seconds."
        await reply(interaction, f"**{row.name}** — {text}")

    @app_commands.command(name="timeout", description="Mute a member in this group's channels for a while",
                          extras={"audience": "facilitator"})
    @app_commands.describe(member="Who to mute", minutes="How long, 1 to 10080 (7 days)",
                           reason="Why (kept in the audit log)", group="The group (default: the group of this channel)")
    @app_commands.autocomplete(group=_managed_groups)
    async def timeout(
        self, interaction: discord.Interaction[HearthBot], member: discord.Member,
        minutes: app_commands.Range[int, 1, TIMEOUT_MAX_MINUTES], reason: app_commands.Range[str, 1, 400],
        group: GroupName | None = None,
    ) -> None:
        """A mute in the group's own text (and voice) channel through a member overwrite, lifted by the scheduler;
        not a server-wide Discord timeout, which would silence the person everywhere, support included."""
        person = person_of(interaction)
        row = await self.service.resolve(group, interaction.channel_id)
        clean = await self.service.check_timeout(person, row, self.bot.person(member), minutes, reason)
        muted = discord.PermissionOverwrite(
            send_messages=False, send_messages_in_threads=False, add_reactions=False,
            create_public_threads=False, create_private_threads=False, speak=False,
        )
        why = f"/group timeout by {interaction.user.id}"
        for channel_id in (row.channel_id, row.voice_channel_id):
            channel = self.channels.guild().get_channel(channel_id) if channel_id else None
            if not isinstance(channel, discord.abc.GuildChannel):
                continue
            try:
                await channel.set_permissions(member, overwrite=muted, reason=why)
            except discord.HTTPException as exc:
                raise self.channels.explain_http(exc, "the mute", "Manage Roles") from exc
        until = await self.bot.services.group_mutes.started(row.id, member.id, minutes, person.user_id)
        await self.service.record_moderation(person, row, "timeout", target_id=member.id, reason=clean,
                                             detail={"minutes": minutes})
        await reply(
            interaction,
            f"{member.mention} can't post in **{row.name}** until {discord.utils.format_dt(until, 'f')} "
            f"({minutes} minute(s)); everywhere else in the server they can. This is in the audit log.",
        )

    # ------------------------------------------------------------------ archive / repair
    @app_commands.command(name="archive", description="Make a group read-only and end its memberships",
                          extras={"audience": "staff"})
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=_managed_groups)
    async def archive(self, interaction: discord.Interaction[HearthBot], group: GroupName) -> None:
        person = person_of(interaction)
        self.service.require_staff(person, "archiving a group")
        row = await self.service.find(group)
        if row.archived:
            raise DomainError(f"**{row.name}** is already archived.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = self.channels.guild()
        reason = f"/group archive by {interaction.user.id}"
        role = guild.get_role(row.role_id) if row.role_id else None
        facilitators = await self.service.facilitators_of_group(row.id)
        channel = guild.get_channel(row.channel_id) if row.channel_id else None
        try:
            if isinstance(channel, discord.TextChannel) and role is not None:
                await channel.edit(overwrites=_channels.text_overwrites(
                    guild, role=role, staff_role_id=self.channels.staff_role_id, facilitator_ids=facilitators,
                    bot_id=self.channels.bot_id(), archived=True,
                ), reason=reason)
            voice = guild.get_channel(row.voice_channel_id) if row.voice_channel_id else None
            if isinstance(voice, discord.VoiceChannel) and role is not None:
                await voice.edit(overwrites=_channels.voice_overwrites(
                    guild, role=role, staff_role_id=self.channels.staff_role_id, facilitator_ids=facilitators,
                    bot_id=self.channels.bot_id(), archived=True,
                ), reason=reason)
        except discord.HTTPException as exc:
            raise self.channels.explain_http(exc, "making the channel read-only", "Manage Roles") from exc
        members = await self.service.archive(person, row)
        removed = 0
        if role is not None:
            for user_id in members:
                member = guild.get_member(user_id)
                if member is None or role not in member.roles:
                    continue
                try:
                    await member.remove_roles(role, reason=reason)
                    removed += 1
                except discord.HTTPException as exc:
                    log.warning("archive of group %s: could not remove role from %s: HTTP %s",
                                row.id, user_id, exc.status)
        await reply(interaction, f"**{row.name}** is archived: its channel is read-only and {removed} member(s) "
                    "lost the group role. Its records are kept as the retention settings say.")

    @app_commands.command(name="repair", description="Recreate a group's missing channel or role",
                          extras={"audience": "staff"})
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=_managed_groups)
    async def repair(self, interaction: discord.Interaction[HearthBot], group: GroupName) -> None:
        person = person_of(interaction)
        self.service.require_staff(person, "repairing a group")
        row = await self.service.find(group)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            fixed = await self.channels.repair(row, f"/group repair by {interaction.user.id}")
        except discord.HTTPException as exc:
            raise self.channels.explain_http(exc, "the repair", "Manage Roles and Manage Channels") from exc
        await self.service.record_repair(person, row, fixed)
        if fixed:
            await reply(interaction, f"Repaired **{row.name}**:\n" + "\n".join(f"• {f}" for f in fixed))
        else:
            await reply(interaction, f"**{row.name}** was already healthy; nothing needed fixing.")

    # ------------------------------------------------------------------ outside changes
    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        affected = await self.service.channel_deleted(channel.id)
        for group_id in affected:
            log.warning("channel %s of group %s was deleted outside the bot; /group repair recreates it",
                        channel.id, group_id)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        affected = await self.service.role_deleted(role.id)
        for group_id in affected:
            log.warning("role %s of group %s was deleted outside the bot; /group repair recreates it",
                        role.id, group_id)


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(Groups(bot))
