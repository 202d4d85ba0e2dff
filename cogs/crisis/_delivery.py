"""Turning crisis outbox rows into Discord messages, exactly once.

Every send carries a deterministic nonce with ``enforce_nonce`` (discord.py sets it
whenever a nonce is given), so when a send's outcome is unknown (the response was lost,
or the bot stopped between sending and recording) the retry gets the original message
back from Discord instead of posting a second one. Once a message id is stored it is
never sent again. For the staff alert, whose nonce may have expired after a long outage,
a retry also looks for the alert in the channel's recent history by its footer, but only
where the bot may read that history, and a refusal there never stops the send.

What counts as what (``classify``): 429, 5xx and network errors (``aiohttp.ClientError``,
``asyncio.TimeoutError``, ``OSError``) are transient and retried with backoff; any other
4xx means this destination refused for good.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.delivery import Delivered, DeliveryFailed, classify
from bot.services.crisis import Incident, OutboxItem, Report, nonce_for
from bot.ui import reply
from cogs.crisis import _embeds
from cogs.crisis._views import alert_view, person_view

if TYPE_CHECKING:
    from bot.app import HearthBot

log = logging.getLogger(__name__)

UNKNOWN_MESSAGE = 10008
HISTORY_SCAN = 50
MAX_ALERT_REPOSTS = 1
# What a Discord request can raise: HTTP errors, and network trouble (aiohttp, sockets, timeouts).
SEND_ERRORS = (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError)


@dataclass(frozen=True, slots=True)
class PersonReached:
    via: str  # dm, ephemeral, thread (a private thread when DMs are closed)
    channel_id: int | None
    message_id: int | None


class DiscordCourier:
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        # incident id → the interaction of the person's own request, while their first notice is being sent
        # (an ephemeral reply is a private way to reach them when their DMs are closed).
        self.interactions: dict[int, discord.Interaction[Any]] = {}

    @property
    def _staff_channel(self) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(
            self.bot.settings.channels.staff_alerts, guild_id=self.bot.guild_id, type=discord.ChannelType.text
        )

    def _roles(self, *role_ids: int) -> discord.AllowedMentions:
        return discord.AllowedMentions(
            everyone=False, users=False, roles=[discord.Object(r) for r in role_ids], replied_user=False
        )

    def _reference(self, incident: Incident) -> discord.MessageReference | None:
        if incident.alert_channel_id is None or incident.alert_message_id is None:
            return None
        return discord.MessageReference(
            message_id=incident.alert_message_id, channel_id=incident.alert_channel_id,
            guild_id=self.bot.guild_id, fail_if_not_exists=False,
        )

    def alert_url(self, incident: Incident) -> str | None:
        if incident.alert_channel_id is None or incident.alert_message_id is None:
            return None
        return f"https://discord.com/channels/{self.bot.guild_id}/{incident.alert_channel_id}/{incident.alert_message_id}"

    async def deliver(self, item: OutboxItem, incident: Incident) -> Delivered:
        try:
            return await self._deliver(item, incident)
        except Exception as exc:  # every Discord or network failure becomes a retry decision
            failure = classify(exc)
            if failure is exc:
                raise
            raise failure from exc

    async def _deliver(self, item: OutboxItem, incident: Incident) -> Delivered:
        settings = self.bot.settings
        on_call = settings.roles.on_call
        nonce = nonce_for(item)
        if item.kind == "alert":
            return await self._alert(item, incident, nonce)
        if item.kind == "alert_dm":
            assert item.target_id is not None
            dm = await self._dm(item.target_id)
            message = await dm.send(
                _embeds.alert_dm_content(incident), embed=_embeds.alert_embed(incident), view=alert_view(incident),
                allowed_mentions=discord.AllowedMentions.none(), nonce=nonce,
            )
            return Delivered(message.channel.id, message.id)
        if item.kind == "alert_edit":
            return await self._alert_edit(incident)
        if item.kind in ("repeat", "upgrade", "talk", "reminder"):
            escalation = tuple(settings.crisis.escalation_roles)
            if item.kind == "repeat":
                content = _embeds.repeat_content(
                    on_call, escalation, incident, item.round, settings.crisis.max_repeats
                )
                mentions = self._roles(on_call, *escalation)
            elif item.kind == "upgrade":
                content, mentions = _embeds.upgrade_content(on_call, incident), self._roles(on_call)
            elif item.kind == "talk":
                content, mentions = _embeds.talk_content(on_call, incident), self._roles(on_call)
            else:
                content = _embeds.reminder_content(incident)
                holder = incident.held_by or incident.acknowledged_by
                users = [discord.Object(holder)] if holder else False
                mentions = discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)
            message = await self._staff_channel.send(
                content, allowed_mentions=mentions, reference=self._reference(incident),  # type: ignore[arg-type]
                nonce=nonce,
            )
            return Delivered(message.channel.id, message.id)
        if item.kind == "staff_dm":
            assert item.target_id is not None
            dm = await self._dm(item.target_id)
            message = await dm.send(
                _embeds.staff_dm_content(incident, self.alert_url(incident)),
                allowed_mentions=discord.AllowedMentions.none(), nonce=nonce,
            )
            return Delivered(message.channel.id, message.id)
        if item.kind == "peer_concern":
            group_name = await self._group_name(incident)
            content = _embeds.peer_concern_content(incident, group_name)
            if item.target_id is None:  # nobody facilitates their group: staff channel, no ping
                message = await self._staff_channel.send(
                    content, allowed_mentions=discord.AllowedMentions.none(), nonce=nonce
                )
            else:
                dm = await self._dm(item.target_id)
                message = await dm.send(content, allowed_mentions=discord.AllowedMentions.none(), nonce=nonce)
            return Delivered(message.channel.id, message.id)
        if item.kind == "person_notice":
            reached = await self.reach_person(
                incident, _embeds.person_message(incident.staff_reached_at is not None), with_buttons=True,
                dm_nonce=nonce, note_nonce=f"hearth-note-{incident.id}",
                interaction=self.interactions.get(incident.id),
            )
            return Delivered(reached.channel_id, reached.message_id, via=reached.via)
        if item.kind == "person_followup":
            reached = await self.reach_person(
                incident, _embeds.PERSON_FOLLOWUP, with_buttons=False, dm_nonce=nonce,
                note_nonce=f"hearth-obn-{item.id}",
            )
            return Delivered(reached.channel_id, reached.message_id, via=reached.via)
        if item.kind == "support_thread":
            return await self._support_thread(item, incident, nonce)
        raise DeliveryFailed(f"unknown outbox kind {item.kind}", permanent=True)

    # ------------------------------------------------------------------ the staff alert
    async def _alert(self, item: OutboxItem, incident: Incident, nonce: str) -> Delivered:
        if incident.alert_message_id is not None:  # stored: it is out, whatever this row says
            return Delivered(incident.alert_channel_id, incident.alert_message_id)
        channel = self._staff_channel
        if item.attempts > 0 and self._may_read_history(channel.id):
            found = await self._find_alert(channel, incident.id)
            if found is not None:
                return found
        # The fixed nonce (enforce_nonce) returns the first message if an earlier attempt got through.
        message = await channel.send(
            _embeds.alert_content(self.bot.settings.roles.on_call, incident), embed=_embeds.alert_embed(incident),
            view=alert_view(incident), allowed_mentions=self._roles(self.bot.settings.roles.on_call), nonce=nonce,
        )
        return Delivered(message.channel.id, message.id)

    def _may_read_history(self, channel_id: int) -> bool:
        guild = self.bot.guild
        channel = guild.get_channel(channel_id) if guild is not None else None
        if guild is None or channel is None:
            return False
        permissions = channel.permissions_for(guild.me)
        return permissions.view_channel and permissions.read_message_history

    async def _find_alert(self, channel: discord.PartialMessageable, incident_id: int) -> Delivered | None:
        """After an attempt with an unknown outcome, look for the alert before sending again (best effort)."""
        marker = f"Hearth incident #{incident_id}"
        me = self.bot.user
        try:
            async for message in channel.history(limit=HISTORY_SCAN):
                if me is not None and message.author.id != me.id:
                    continue
                if any(e.footer and e.footer.text == marker for e in message.embeds):
                    log.info("crisis alert for incident %s was already posted as message %s", incident_id, message.id)
                    return Delivered(message.channel.id, message.id)
        except SEND_ERRORS as exc:
            reason = classify(exc).reason
            log.info("crisis alert for incident %s: history not readable (%s); relying on the nonce", incident_id,
                     reason)
        return None

    async def _alert_edit(self, incident: Incident) -> Delivered:
        if incident.alert_message_id is None or incident.alert_channel_id is None:
            return Delivered(None, None)  # the alert itself is not out yet; it will be sent current
        partial = self.bot.get_partial_messageable(incident.alert_channel_id, guild_id=self.bot.guild_id)
        try:
            # A degraded alert's words said it had no number yet; once written, they are the normal ones.
            # (An edit never pings again; the role stays in allowed_mentions so the message keeps its mention.)
            extra: dict[str, Any] = {}
            if incident.degraded_at is not None:
                on_call = self.bot.settings.roles.on_call
                extra = {"content": _embeds.alert_content(on_call, incident), "allowed_mentions": self._roles(on_call)}
            await partial.get_partial_message(incident.alert_message_id).edit(
                embed=_embeds.alert_embed(incident), view=alert_view(incident), **extra
            )
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_MESSAGE:
                raise
            if incident.alert_reposts >= MAX_ALERT_REPOSTS:
                raise DeliveryFailed("alert message deleted again after its re-post", permanent=True) from exc
            return await self._repost_alert(incident)
        return Delivered(incident.alert_channel_id, incident.alert_message_id)

    async def _repost_alert(self, incident: Incident) -> Delivered:
        """The alert message was deleted: post it again, once, in its current state."""
        on_call = self.bot.settings.roles.on_call
        mentions = self._roles(on_call) if incident.status == "open" else discord.AllowedMentions.none()
        message = await self._staff_channel.send(
            _embeds.reposted_content(on_call, incident), embed=_embeds.alert_embed(incident),
            view=alert_view(incident), allowed_mentions=mentions, nonce=f"hearth-repost-{incident.id}",
        )
        return Delivered(message.channel.id, message.id, replaced_alert=True)

    # ------------------------------------------------------------------ degraded path (database unavailable)
    async def degraded_alert(self, report: Report, *, excerpt: str | None, code: str) -> Delivered:
        """Post the alert although its incident could not be written; raises like any send."""
        on_call = self.bot.settings.roles.on_call
        content, embed = _embeds.degraded_alert(
            on_call, user_id=report.user_id, severity=str(report.severity), source=report.source,
            excerpt=excerpt, code=code, at=self.bot.clock.now(),
        )
        message = await self._staff_channel.send(
            content, embed=embed, allowed_mentions=self._roles(on_call), nonce=f"hearth-da-{code}",
        )
        return Delivered(message.channel.id, message.id)

    async def degraded_person_notice(self, report: Report, *, staff_reached: bool, code: str) -> str | None:
        """The person's resources without an incident (no buttons): by DM, else a mention-only channel note.
        Returns how they were reached, or None."""
        embed = _embeds.resources_embed(self.bot.settings.crisis.resources)
        try:
            dm = await self._dm(report.user_id)
            await dm.send(
                _embeds.person_message(staff_reached), embed=embed, allowed_mentions=discord.AllowedMentions.none(),
                nonce=f"hearth-dd-{code}",
            )
            return "dm"
        except SEND_ERRORS as exc:
            log.warning("degraded path: DM to user %s failed (%s)", report.user_id, classify(exc).reason)
        try:
            await self._private_thread_note(
                report.user_id, report.channel_id, f"Private support · {code}", _embeds.person_message(staff_reached),
                f"hearth-dn-{code}", embed=embed,
            )
            return "thread"
        except (DeliveryFailed, *SEND_ERRORS) as exc:
            log.warning("degraded path: private thread for user %s failed (%s)", report.user_id,
                        exc if isinstance(exc, DeliveryFailed) else classify(exc).reason)
        return None

    # ------------------------------------------------------------------ the person
    async def reach_person(
        self,
        incident: Incident,
        content: str,
        *,
        with_buttons: bool,
        dm_nonce: str,
        note_nonce: str,
        interaction: discord.Interaction[Any] | None = None,
    ) -> PersonReached:
        """Privately: a DM; if that is refused, an ephemeral reply or a mention-only note in the channel.

        A transient failure anywhere raises (the outbox retries the whole thing with the same nonces);
        if every way refused for good, raises a permanent ``DeliveryFailed``.
        """
        resources = self.bot.settings.crisis.resources
        kwargs: dict[str, Any] = {"embed": _embeds.resources_embed(resources)}
        if with_buttons:
            kwargs["view"] = person_view(incident.id)
        try:
            dm = await self._dm(incident.user_id)
            message = await dm.send(
                content, allowed_mentions=discord.AllowedMentions.none(), nonce=dm_nonce, **kwargs
            )
            return PersonReached("dm", message.channel.id, message.id)
        except Exception as exc:
            failure = classify(exc)
            if not failure.permanent:
                raise failure from exc
            log.info("crisis incident %s: DM to the person refused (%s); trying another private way",
                     incident.id, failure.reason)
        if interaction is not None and interaction.user.id == incident.user_id:
            try:
                await reply(interaction, content, **kwargs)
                return PersonReached("ephemeral", None, None)
            except Exception as exc:
                failure = classify(exc)
                log.info("crisis incident %s: ephemeral reply failed (%s); trying a private thread", incident.id,
                         failure.reason)
        thread_id, message_id = await self._private_thread_note(
            incident.user_id, incident.channel_id, f"Private support · {incident.id}", content, note_nonce, **kwargs
        )
        return PersonReached("thread", thread_id, message_id)

    async def _private_thread_note(
        self, user_id: int, channel_id: int | None, name: str, content: str, nonce: str, **kwargs: Any
    ) -> tuple[int, int]:
        """DMs closed and no interaction to answer: a private thread with the person and on-call staff only,
        under the channel they wrote in (or the check-ins channel), so peers see nothing. A retry finds the
        thread an earlier attempt created; the message's fixed nonce keeps it to one."""
        guild = self.bot.guild
        if guild is None or guild.get_member(user_id) is None:
            raise DeliveryFailed("DMs refused and the person is not in the server", permanent=True)
        parent = guild.get_channel(channel_id) if channel_id is not None else None
        if isinstance(parent, discord.Thread):
            parent = parent.parent
        if not isinstance(parent, discord.TextChannel):
            parent = guild.get_channel(self.bot.settings.channels.checkins)
        if not isinstance(parent, discord.TextChannel):
            raise DeliveryFailed("DMs refused and no channel to open a private thread in", permanent=True)
        thread = await self._find_thread(guild, parent.id, name)
        if thread is None:
            thread = await parent.create_thread(
                name=name, type=discord.ChannelType.private_thread, invitable=False, auto_archive_duration=1440,
            )
        for member_id in [user_id, *[m for m in self._on_call_members() if m != user_id]]:
            await thread.add_user(discord.Object(member_id))
        intro = _embeds.PRIVATE_THREAD_INTRO.format(mention=f"<@{user_id}>")
        message = await thread.send(
            f"{intro}\n\n{content}", allowed_mentions=mention_only(user_id), nonce=nonce, **kwargs
        )
        return thread.id, message.id

    # ------------------------------------------------------------------ the support thread
    async def _support_thread(self, item: OutboxItem, incident: Incident, nonce: str) -> Delivered:
        """A private thread (type 12) with the person and on-call staff; Delivered(None) means use DMs."""
        guild = self.bot.guild
        if guild is None or guild.get_member(incident.user_id) is None:
            return Delivered(None, None)
        parent = guild.get_channel(self.bot.settings.channels.checkins)
        if not isinstance(parent, discord.TextChannel):
            return Delivered(None, None)
        name = f"Support — incident {incident.id}"
        thread = await self._find_thread(guild, parent.id, name) if item.attempts > 0 else None
        if thread is None:
            thread = await parent.create_thread(
                name=name, type=discord.ChannelType.private_thread, invitable=False, auto_archive_duration=1440,
            )
        on_call = self._on_call_members()
        for user_id in [incident.user_id, *[m for m in on_call if m != incident.user_id]]:
            await thread.add_user(discord.Object(user_id))
        message = await thread.send(
            _embeds.SUPPORT_THREAD_GREETING.format(mention=f"<@{incident.user_id}>"),
            allowed_mentions=mention_only(incident.user_id), nonce=nonce,
        )
        return Delivered(thread.id, message.id)

    async def _find_thread(self, guild: discord.Guild, parent_id: int, name: str) -> discord.Thread | None:
        """A thread an earlier attempt may have created (best effort: a failure here never blocks)."""
        try:
            for thread in await guild.active_threads():
                if thread.parent_id == parent_id and thread.name == name:
                    return thread
        except SEND_ERRORS as exc:
            log.info("could not list active threads (%s); creating the support thread", classify(exc).reason)
        return None

    def _on_call_members(self) -> list[int]:
        guild = self.bot.guild
        role = guild.get_role(self.bot.settings.roles.on_call) if guild else None
        return [m.id for m in role.members if not m.bot] if role else []

    # ------------------------------------------------------------------ helpers
    async def _dm(self, user_id: int) -> discord.DMChannel:
        return await self.bot.dm_channel(user_id)

    async def _group_name(self, incident: Incident) -> str | None:
        groups = self.bot.services.crisis.groups
        if incident.group_id is None or groups is None:
            return None
        for ref in await groups.groups_of_member(incident.user_id):
            if ref.id == incident.group_id:
                return ref.name
        return None


def mention_only(user_id: int) -> discord.AllowedMentions:
    return discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)], replied_user=False)
