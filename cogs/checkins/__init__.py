"""Daily check-ins: /checkin, in-channel check-ins, /reminders and /progress (/group pulse is in the groups cog).

Discord I/O only; the rules live in bot.services.checkins and bot.services.reminders.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
from datetime import date
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HearthBot, person_of
from bot.delivery import Delivered, classify
from bot.routing import FEATURES, Place, Routed
from bot.services.concern_notices import WORK_NAME as CONCERN_NOTICES_WORK
from bot.services.reminders import WORK_NAME
from bot.ui import reply
from cogs.checkins import _embeds
from cogs.checkins._views import (
    CheckinModal,
    OpenCheckinButton,
    ReachedOutButton,
    ShareButton,
    send_concern_notice,
)

log = logging.getLogger(__name__)

ROUTE_NAME = "check-ins"

DYNAMIC_ITEMS = (ShareButton, OpenCheckinButton, ReachedOutButton)
RECORDED = "✅"
NOTE_ONLY = "📝"
IN_FLIGHT = 64


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class Reminders(app_commands.Group, name="reminders", description="Daily check-in reminders by DM"):
    def __init__(self, bot: HearthBot) -> None:
        super().__init__(extras={"audience": "participant"})
        self.bot = bot

    @property
    def service(self) -> Any:
        return self.bot.services.checkins.reminders

    @app_commands.command(name="set", description="Get a DM at this local time on days you haven't checked in")
    @app_commands.describe(time="Local time as HH:MM, for example 09:30 or 20:00")
    async def set_(self, interaction: discord.Interaction[HearthBot], time: app_commands.Range[str, 1, 10]) -> None:
        self.bot.services.checkins.require_participant(person_of(interaction))
        status = await self.service.set_time(interaction.user.id, time)
        await reply(interaction, "Done. " + _embeds.reminder_status_text(status))

    @app_commands.command(name="off", description="Stop check-in reminders")
    async def off(self, interaction: discord.Interaction[HearthBot]) -> None:
        changed = await self.service.turn_off(interaction.user.id)
        await reply(interaction, "Reminders are off." if changed else "You had no reminders set, so nothing changed.")

    @app_commands.command(
        name="pause", description="Pause reminders for a holiday; paused days don't break your streak"
    )
    @app_commands.describe(days="How many days, starting today (1–30)")
    async def pause(self, interaction: discord.Interaction[HearthBot], days: app_commands.Range[int, 1, 30]) -> None:
        self.bot.services.checkins.require_participant(person_of(interaction))
        last = await self.service.pause(interaction.user.id, days)
        status = await self.service.status(interaction.user.id)
        text = f"Paused through **{last:%A %b %d}**. Paused days don't break your check-in streak. Enjoy the break."
        if status.dm_closed_at is not None:
            text += "\n" + _embeds.reminder_status_text(status).split("\n")[-1]
        await reply(interaction, text)

    @app_commands.command(name="status", description="Your reminder time, pauses, and whether reminders reach you")
    async def status(self, interaction: discord.Interaction[HearthBot]) -> None:
        await reply(interaction, _embeds.reminder_status_text(await self.service.status(interaction.user.id)))


class Checkins(commands.Cog):
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.reminders_group = Reminders(bot)
        # In-channel check-ins handled at once (record + reaction). discord.py starts a task per
        # message; under a burst hundreds would otherwise run side by side and every other handler,
        # a crisis message's included, would wait behind all of their steps on the one event loop.
        # 64 is enough because the writes are group-committed: the waiting ones share one transaction
        # (CheckinService._write) instead of each taking its own trips to the database thread.
        self._slots = asyncio.Semaphore(IN_FLIGHT)

    async def cog_load(self) -> None:
        self.bot.router.add(ROUTE_NAME, FEATURES, {Place.CHECKINS}, self.on_routed_message)
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.tree.add_command(self.reminders_group)
        service = self.bot.services.checkins.reminders
        service.sender = self.send_reminder
        self.bot.scheduler.register(WORK_NAME, service)
        notices = self.bot.services.checkins.concern_notices
        notices.sender = functools.partial(send_concern_notice, self.bot)
        self.bot.scheduler.register(CONCERN_NOTICES_WORK, notices)

    async def cog_unload(self) -> None:
        self.bot.router.remove(ROUTE_NAME)
        self.bot.scheduler.unregister(WORK_NAME)
        self.bot.scheduler.unregister(CONCERN_NOTICES_WORK)
        self.bot.services.checkins.concern_notices.sender = None
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.tree.remove_command("reminders")

    # ------------------------------------------------------------------ /checkin
    @app_commands.command(
        name="checkin", description="Your daily check-in: mood, cravings, sleep, a note",
        extras={"audience": "participant"},
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def checkin(self, interaction: discord.Interaction[HearthBot]) -> None:
        self.bot.services.checkins.require_participant(person_of(interaction))
        await interaction.response.send_modal(CheckinModal())

    # ------------------------------------------------------------------ /progress
    @app_commands.command(
        name="progress", description="A private chart of your mood and cravings over time",
        extras={"audience": "participant"},
    )
    @app_commands.describe(days="How many days to show (7–365, default 30)")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def progress(
        self, interaction: discord.Interaction[HearthBot], days: app_commands.Range[int, 7, 365] = 30
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        progress = await self.bot.services.checkins.progress(interaction.user.id, days)
        # Imported on first use: matplotlib costs tens of MB that a bot nobody asks for a chart never needs.
        from cogs.checkins._chart import render_progress_png

        png = await asyncio.to_thread(render_progress_png, progress)
        file = discord.File(io.BytesIO(png), filename="progress.png", description=_embeds.chart_alt_text(progress))
        await reply(interaction, _embeds.progress_text(progress), file=file)

    # ------------------------------------------------------------------ in-channel check-ins
    async def on_routed_message(self, routed: Routed) -> None:
        """A message in the check-ins channel, after crisis screening (bot.routing)."""
        message = routed.message
        if message.channel.id != self.bot.settings.channels.checkins or not message.content.strip():
            return  # threads, and attachment-, sticker- or forward-only messages, are not check-ins
        person = self.bot.person(message.author)
        if not (person.is_participant or person.is_facilitator or person.is_staff):
            return
        if routed.edited:
            # The stored check-in follows the edit; no new reaction or tip (a flagged edit got the crisis
            # response from screening, which ran first).
            try:
                await self.bot.services.checkins.record_edit(person, message.content, message_id=message.id)
            except Exception:
                log.exception("edit of in-channel check-in %s by user %s failed", message.id, message.author.id)
            return
        async with self._slots:
            try:
                result = await self.bot.services.checkins.record_message(
                    person, message.content, channel_id=message.channel.id, message_id=message.id,
                    flagged=routed.flagged,
                )
            except Exception:
                log.exception("in-channel check-in %s by user %s failed", message.id, message.author.id)
                return
            if routed.flagged:
                return  # the person gets the crisis response only: no reaction, no format tip
            try:
                await message.add_reaction(RECORDED if result.parsed.has_mood else NOTE_ONLY)
            except discord.HTTPException as exc:
                log.warning("could not react to check-in %s: %s", message.id, exc.status)
        if result.send_format_hint:
            self.bot.spawn("check-in format hint", self._send_format_hint(message.author.id))

    async def _send_format_hint(self, user_id: int) -> None:
        try:
            await self.bot.send_dm(user_id, _embeds.format_hint_text())
        except discord.HTTPException as exc:
            log.info("could not DM user %s the check-in format hint (code %s)", user_id, exc.code)

    # ------------------------------------------------------------------ reminders
    async def send_reminder(self, user_id: int, local_date: date) -> Delivered:
        view = discord.ui.View(timeout=None)
        view.add_item(OpenCheckinButton(user_id))
        try:
            message = await self.bot.send_dm(user_id, _embeds.reminder_dm_text(local_date), view=view)
        except Exception as exc:
            failure = classify(exc)
            log.log(logging.INFO if failure.permanent else logging.WARNING, "reminder DM to user %s failed (%s)%s",
                    user_id, failure.reason, "" if failure.permanent else "; will retry")
            raise failure from exc
        finally:
            view.stop()
        return Delivered(message.channel.id, message.id)


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(Checkins(bot))
