"""Crisis escalation: screening, private resources for the person, staff alerts and escalation.

Discord I/O only; decisions and state live in ``bot.services.crisis.CrisisService``.
Listens to messages in the check-ins channel, in group channels and in DMs to the bot,
and (as ``bot.crisis_screen``) to free text other features accept in modals.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import replace
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HearthBot, person_of
from bot.crisis.backlog import snowflake_at
from bot.crisis.detector import Assessment, Severity
from bot.crisis.screening import own_words
from bot.delivery import Delivered, classify
from bot.errors import new_incident_code
from bot.permissions import HearthRole, require
from bot.routing import SCREENING, Place, Routed
from bot.scheduler import PeriodicWork
from bot.screening import ScreenRequest, UnscreenedText
from bot.services.crisis import CURSORS_WORK, RETENTION_WORK, WORK_NAME, DegradedSend, Report, ReportOutcome
from bot.ui import reply
from cogs.crisis import _embeds
from cogs.crisis._delivery import DiscordCourier
from cogs.crisis._incidents import Incidents
from cogs.crisis._views import (
    AcknowledgeButton,
    EscalateSelect,
    FalseAlarmButton,
    ResolveButton,
    SafeButton,
    TalkButton,
    help_now_view,
)

log = logging.getLogger(__name__)

ROUTE_NAME = "crisis screening"

DYNAMIC_ITEMS = (AcknowledgeButton, ResolveButton, FalseAlarmButton, SafeButton, TalkButton, EscalateSelect)
CURSOR_FLUSH = timedelta(seconds=5)



class Crisis(commands.Cog):
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.service = bot.services.crisis
        self.courier = DiscordCourier(bot)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._menus = (
            app_commands.ContextMenu(
                name="Escalate to staff", callback=self.escalate_menu, extras={"audience": "facilitator"}
            ),
            app_commands.ContextMenu(
                name="I'm worried about this person", callback=self.worried_menu,
                extras={"audience": "participant"},
            ),
        )
        for menu in self._menus:
            menu.allowed_contexts = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)

    # ------------------------------------------------------------------ lifecycle
    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        for menu in self._menus:
            self.bot.tree.add_command(menu)
        self.service.attach(self.courier, self)
        self.bot.scheduler.register(WORK_NAME, self.service, priority=self.bot.scheduler.CRISIS)
        self.bot.scheduler.register(
            RETENTION_WORK, PeriodicWork(self.service.purge_expired, timedelta(hours=6), self.bot.clock)
        )
        self.bot.scheduler.register(
            CURSORS_WORK, PeriodicWork(self.service.cursors.flush, CURSOR_FLUSH, self.bot.clock)
        )
        self.bot.crisis_screen = self
        self.bot.router.add(
            ROUTE_NAME, SCREENING, {Place.CHECKINS, Place.GROUP, Place.DM}, self.on_routed_message
        )
        # Load the detector's model now, off the event loop, so the first message is not the one that waits.
        await asyncio.to_thread(self.service.detector.load)
        # The coroutine is the task itself, so cancelling it before it ran (a quick unload) leaves nothing behind.
        backlog = asyncio.get_running_loop().create_task(self._screen_backlog_when_ready())
        self._tasks.add(backlog)
        backlog.add_done_callback(self._tasks.discard)

    async def cog_unload(self) -> None:
        self.bot.router.remove(ROUTE_NAME)
        self.bot.scheduler.unregister(WORK_NAME)
        self.bot.scheduler.unregister(RETENTION_WORK)
        self.bot.scheduler.unregister(CURSORS_WORK)
        self.bot.crisis_screen = UnscreenedText()
        self.service.detach()
        await self.service.screener.close()
        if self.service.pager is not None:
            await self.service.pager.close()
        for menu in self._menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        for task in list(self._tasks):
            task.cancel()  # the backlog screening of this load; the next load starts its own
        try:
            await self.service.cursors.flush()
        except Exception:
            log.exception("could not save the screening cursors at shutdown; a few messages will be screened again")

    def kick_delivery(self) -> None:
        """Deliver whatever is due now (e.g. an embed refresh) without waiting for the timer."""
        self.bot.spawn("crisis delivery", self.service.deliver_pending(self.bot.clock.now()))

    # StaffDirectory
    def on_call_members(self) -> list[int]:
        return self._role_members(self.bot.settings.roles.on_call)

    def staff_members(self) -> list[int]:
        roles = self.bot.settings.roles
        return list(dict.fromkeys(self._role_members(roles.on_call) + self._role_members(roles.staff)))

    def _role_members(self, role_id: int) -> list[int]:
        guild = self.bot.guild
        role = guild.get_role(role_id) if guild else None
        return [m.id for m in role.members if not m.bot] if role else []

    # ------------------------------------------------------------------ screening (bot.crisis_screen)
    async def screen(
        self, request: ScreenRequest, interaction: discord.Interaction[Any] | None = None
    ) -> bool:
        if request.source == "dm" and request.channel_id is not None:
            assessment = await self.service.assess_message(
                request.text, author_id=request.user_id, channel_id=request.channel_id
            )
        else:
            assessment = await self.service.assess(request.text)
        if not assessment.is_risk:
            return False
        group_id = None
        if request.channel_id is not None and request.source != "dm":
            group_id = await self.service.group_for_channel(request.channel_id)
        await self._handle_risk(request, assessment, group_id, interaction)
        return True

    async def _handle_risk(
        self,
        request: ScreenRequest,
        assessment: Assessment,
        group_id: int | None,
        interaction: discord.Interaction[Any] | None,
    ) -> ReportOutcome | None:
        return await self.open_incident(
            Report(
                user_id=request.user_id, severity=assessment.severity, categories=assessment.categories,
                source=request.source, text=request.text, guild_id=request.guild_id,
                channel_id=request.channel_id, message_id=request.message_id, group_id=group_id,
                posted_at=request.posted_at,
            ),
            interaction=interaction,
        )

    async def _report_with_retries(self, report: Report) -> ReportOutcome | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.bot.settings.crisis.db_retry_seconds
        delay = 0.25
        while True:
            try:
                return await self.service.report(report)
            except (sqlite3.Error, OSError) as exc:
                left = deadline - loop.time()
                if left <= 0:
                    return None
                log.warning("crisis incident for user %s not written (%s); retrying", report.user_id,
                            type(exc).__name__)
                await asyncio.sleep(min(delay, left))
                delay = min(delay * 2, 8.0)

    async def _degraded(self, report: Report, interaction: discord.Interaction[Any] | None) -> None:
        """The database did not answer: alert and resources now, the incident when it answers."""
        code = new_incident_code()
        log.error(
            "crisis incident for user %s could NOT be written (database unavailable); sending the alert and the "
            "person's resources without it (degraded) [%s]", report.user_id, code,
        )
        alert: Delivered | None = None
        try:
            alert = await self.courier.degraded_alert(report, excerpt=self.service.excerpt(report.text), code=code)
        except Exception as exc:
            log.error("degraded alert for user %s failed too (%s) [%s]", report.user_id, classify(exc).reason, code)
        via = await self.courier.degraded_person_notice(report, staff_reached=alert is not None, code=code)
        sent = DegradedSend(
            at=self.bot.clock.now(), alert_channel_id=alert.channel_id if alert else None,
            alert_message_id=alert.message_id if alert else None, person_via=via,
        )
        self.bot.spawn("crisis degraded write", self._write_when_possible(replace(report, degraded=sent), code))

    async def _write_when_possible(self, report: Report, code: str) -> None:
        delay = 1.0
        while True:
            try:
                outcome = await self.service.report(report)
                break
            except (sqlite3.Error, OSError) as exc:
                log.error("degraded crisis incident for user %s still not written (%s) [%s]", report.user_id,
                          type(exc).__name__, code)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        log.warning("degraded crisis alert [%s] is now incident %s", code, outcome.incident.id)
        await self._send_now(outcome, None)

    async def open_incident(
        self, report: Report, *, interaction: discord.Interaction[Any] | None
    ) -> ReportOutcome | None:
        """Write first (outbox), then send the staff alert and the person's resources side by side.

        If the database cannot take the write (busy, locked, I/O error) for ``crisis.db_retry_seconds``, the
        alert and the resources go out without it (degraded path) and the incident is written as soon as the
        database answers; the returned outcome is then None-like (``incident`` is not yet known).
        """
        outcome = await self._report_with_retries(report)
        if outcome is None:
            await self._degraded(report, interaction)
            return None
        if outcome.duplicate:
            return outcome
        await self._send_now(outcome, interaction)
        return outcome

    async def _send_now(self, outcome: ReportOutcome, interaction: discord.Interaction[Any] | None) -> None:
        """The staff rows in the background; the person's resources right here (their row of the outbox), so
        the interaction can carry an ephemeral reply if their DMs are closed. Anything that fails is retried
        by the outbox (same nonces, so never twice); if every private way refuses, staff are shown that the
        person must be contacted directly."""
        incident_id = outcome.incident.id
        if outcome.person_notice_id is not None and interaction is not None:
            self.courier.interactions[incident_id] = interaction  # whichever pass sends the row can use it
        if outcome.outbox_ids:
            self.bot.spawn("crisis alert delivery", self.service.deliver(outcome.outbox_ids))
        if outcome.person_notice_id is not None:
            try:
                await self.service.deliver([outcome.person_notice_id])  # its follow-ups go in the same pass
            finally:
                self.courier.interactions.pop(incident_id, None)

    # ------------------------------------------------------------------ listening (bot.router, first)
    async def on_routed_message(self, routed: Routed) -> None:
        message = routed.message
        self.service.cursors.seen(
            message.channel.id, message.id, dm_user_id=message.author.id if routed.place is Place.DM else None
        )
        if not message.content:
            return
        if routed.place is Place.DM:
            routed.flagged = await self._on_dm(message, edited=routed.edited or routed.replayed)
            return
        assert message.guild is not None
        roles = {r.id for r in getattr(message.author, "roles", ())}
        text = own_words(message.content)
        if not text or not self.service.screens_author(roles):
            return
        channel_id = message.channel.id
        if routed.edited:  # the new version alone: its earlier words are already in the context
            assessment = await self.service.assess(text)
        else:
            assessment = await self.service.assess_message(text, author_id=message.author.id, channel_id=channel_id)
        if not assessment.is_risk:
            return
        routed.flagged = True
        source = "checkin_message" if routed.place is Place.CHECKINS else "group_message"
        request = ScreenRequest(
            user_id=message.author.id, text=message.content, source=source, guild_id=message.guild.id,
            channel_id=channel_id, message_id=message.id, posted_at=message.created_at,
        )
        await self._handle_risk(request, assessment, routed.group_id, None)

    async def _on_dm(self, message: discord.Message, *, edited: bool = False) -> bool:
        request = ScreenRequest(
            user_id=message.author.id, text=message.content, source="dm", channel_id=message.channel.id,
            message_id=message.id, posted_at=message.created_at,
        )
        if await self.screen(request):
            return True
        if edited:
            return False  # they had the guidance when they first wrote
        await message.channel.send(_embeds.DM_GUIDANCE, allowed_mentions=discord.AllowedMentions.none())
        return False

    # ------------------------------------------------------------------ backlog (messages posted while down)
    async def _screen_backlog_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        try:
            await self.screen_backlog()
        except Exception:
            log.exception("screening the backlog failed [%s]", new_incident_code())

    async def screen_backlog(self) -> int:
        """Screen, oldest first, what was posted in watched channels while Hearth was not running.

        Bounded by ``crisis.backlog_hours`` and ``crisis.backlog_messages`` per channel. Returns how many
        messages were screened. Runs before anything else Hearth does after connecting, apart from what the
        scheduler starts (crisis work first).
        """
        settings = self.bot.settings.crisis
        if settings.backlog_hours <= 0 or settings.backlog_messages <= 0:
            return 0
        watched = {self.bot.settings.channels.checkins} | await self.bot.services.groups.watched_channel_ids()
        plan = await self.service.cursors.start_points(
            watched, window=timedelta(hours=settings.backlog_hours), max_dm_channels=settings.backlog_dm_channels
        )
        screened = 0
        for channel_id, after in [*plan.guild_channels.items(), *plan.dm_channels.items()]:
            screened += await self._screen_channel_backlog(channel_id, after, settings.backlog_messages)
        if screened:
            log.info("screened %d message(s) posted while Hearth was not running", screened)
        # Every watched channel gets a cursor now (its newest message, as the gateway told us), so that a crash
        # before anything is posted there still leaves a point to screen from on the next start.
        for channel_id in watched - set(plan.guild_channels):
            channel = self.bot.get_channel(channel_id)
            newest = getattr(channel, "last_message_id", None)
            self.service.cursors.seen(channel_id, newest or snowflake_at(self.bot.clock.now()))
        await self.service.cursors.flush()
        return screened

    async def _screen_channel_backlog(self, channel_id: int, after: int, limit: int) -> int:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except (discord.HTTPException, OSError) as exc:
                log.warning("backlog of channel %s not screened: %s", channel_id, getattr(exc, "status", exc))
                return 0
        if not isinstance(channel, discord.abc.Messageable):
            return 0
        count = 0
        try:
            async for message in channel.history(limit=limit, after=discord.Object(after), oldest_first=True):
                routed = await self.bot.router.classify(message)
                if routed is None or routed.place is Place.OTHER:
                    continue
                routed.replayed = True
                await self.on_routed_message(routed)
                count += 1
        except (discord.HTTPException, OSError) as exc:
            log.warning("backlog of channel %s cut short after %d message(s): %s",
                        channel_id, count, getattr(exc, "status", exc))
        return count

    # ------------------------------------------------------------------ /help-now
    @app_commands.command(
        name="help-now", description="Support right now: crisis lines and a person to talk to",
        extras={"audience": "everyone"},
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def help_now(self, interaction: discord.Interaction[HearthBot]) -> None:
        resources = self.bot.settings.crisis.resources
        await reply(
            interaction, _embeds.HELP_NOW_MESSAGE, embed=_embeds.resources_embed(resources), view=help_now_view()
        )

    async def talk_to_someone(self, user_id: int, incident_id: int | None) -> str:
        incident, new = await self.service.request_talk(user_id, incident_id)
        danger = " If you might be in danger right now, call or text 988, or call 911."
        if new:
            # Send now what this request needs (the thread, and the alert if the incident is new), so the
            # reply says what actually happened; anything that fails is retried through the outbox.
            await self.service.deliver_incident(incident.id)
            self.kick_delivery()
            incident = await self.service.get(incident.id)
            told = incident.staff_reached_at is not None
            if incident.talk_thread_id:
                staff = "" if told else " I'm contacting them now."
                return (
                    "Thank you for reaching out. I've opened a private thread with on-call staff: "
                    f"<#{incident.talk_thread_id}>.{staff} Someone will be with you as soon as they can.{danger}"
                )
            staff = "On-call staff have been told" if told else "I'm contacting on-call staff now"
            outbox = await self.service.outbox(incident.id)
            if any(o.kind == "support_thread" and o.pending for o in outbox):  # Discord did not answer yet
                return (
                    f"Thank you for reaching out. {staff}, and I'm setting up a private thread for you with them; "
                    f"it will appear in your channel list shortly.{danger}"
                )
            return (
                f"Thank you for reaching out. {staff} and someone will message you directly as soon as they can."
                f"{danger}"
            )
        where = f" Your private thread: <#{incident.talk_thread_id}>." if incident.talk_thread_id else ""
        staff = "on-call staff have been told" if incident.staff_reached_at else "I'm still contacting on-call staff"
        return (
            f"You've already asked, and {staff}; someone will be with you as soon as they can.{where}{danger}"
        )

    # ------------------------------------------------------------------ context menus
    async def escalate_menu(self, interaction: discord.Interaction[HearthBot], message: discord.Message) -> None:
        require(person_of(interaction), HearthRole.FACILITATOR, HearthRole.ON_CALL, action="escalating to staff")
        if message.author.bot:
            await reply(interaction, "That message was posted by a bot; choose a message a person wrote.")
            return
        view = discord.ui.View(timeout=None)
        view.add_item(EscalateSelect(message.channel.id, message.id, message.author.id))
        await reply(
            interaction,
            f"Escalate <@{message.author.id}>'s message to on-call staff. How urgent is it?",
            view=view,
        )

    async def worried_menu(self, interaction: discord.Interaction[HearthBot], message: discord.Message) -> None:
        person = person_of(interaction)
        require(person, HearthRole.PARTICIPANT, HearthRole.FACILITATOR, action="raising a concern")
        if message.author.bot:
            await reply(interaction, "That message was posted by a bot; choose a message a person wrote.")
            return
        if message.author.id == interaction.user.id:
            await reply(
                interaction, _embeds.HELP_NOW_MESSAGE,
                embed=_embeds.resources_embed(self.bot.settings.crisis.resources), view=help_now_view(),
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self.service.claim_peer_report(interaction.user.id, message.author.id):
            await reply(
                interaction,
                "Thank you — your report about them from earlier today is already with their group's facilitators. "
                "If you think someone is in immediate danger, call 911.",
            )
            return
        outcome = await self.open_incident(
            Report(
                user_id=message.author.id, severity=Severity.CONCERN,
                categories=("peer_concern",), source="peer", origin="peer", text=message.content,
                guild_id=interaction.guild_id, channel_id=message.channel.id, message_id=None,
                group_id=await self.service.group_for_channel(message.channel.id),
                reported_by=interaction.user.id,
            ),
            interaction=None,
        )
        if outcome is None:  # degraded: sent to staff without a record
            await reply(
                interaction,
                "Thank you for looking out for them. I've passed this on to the staff team; your name is not shared "
                "with them. If you think someone is in immediate danger, call 911.",
            )
            return
        log.info("peer concern recorded as incident %s", outcome.incident.id)
        await reply(
            interaction,
            "Thank you for looking out for them. Their group's facilitators have been told; your name is not "
            "shared with them. If you think someone is in immediate danger, call 911.",
        )

    async def fetch_text(self, channel_id: int, message_id: int) -> str | None:
        try:
            channel = self.bot.get_partial_messageable(channel_id, guild_id=self.bot.guild_id)
            return (await channel.fetch_message(message_id)).content
        except discord.HTTPException:
            return None


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(Crisis(bot))
    await bot.add_cog(Incidents(bot))
