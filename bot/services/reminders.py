"""Daily check-in reminders in each person's own time zone.

Each reminder row stores ``next_due_at``, the UTC moment of its next local slot, so the
scheduler's ``next_due()`` (and the rebuild on start) is one MIN() over a partial index.
Handling a slot first claims the (person, local date) delivery row, so a reminder is
delivered at most once per local day even if the bot stops between sending and recording.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import CheckinSettings
from bot.db import Database
from bot.delivery import Delivered, DeliveryFailed
from bot.errors import InvalidInput
from bot.repositories import checkins as checkins_repo
from bot.repositories import reminders as repo
from bot.repositories.reminders import ReminderRow
from bot.scheduler import nothing_to_wake
from bot.services.people import PeopleService

log = logging.getLogger(__name__)

WORK_NAME = "checkin-reminders"
# A slot handled later than this counts as missed (bot was down): it is only caught up
# before checkins.quiet_hour.
ON_TIME_GRACE = timedelta(minutes=15)
RETRY_AFTER = timedelta(minutes=5)
BATCH = 500
_TIME = re.compile(r"^\s*(\d{1,2})(?::|\.|h)?(\d{2})?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)


class ReminderSender(Protocol):
    async def __call__(self, user_id: int, local_date: date) -> Delivered:
        """Send the reminder DM; raises ``DeliveryFailed`` (permanent: DMs closed; otherwise retried later)."""
        ...


@dataclass(frozen=True, slots=True)
class ReminderStatus:
    enabled: bool
    local_time: str | None
    zone: str
    paused_until: date | None
    next_due_at: datetime | None
    dm_closed_at: datetime | None


def parse_local_time(text: str) -> time:
    match = _TIME.match(text)
    allowed = "a time of day as HH:MM in 24-hour form, for example 09:30 or 20:00"
    if not match:
        raise InvalidInput("time", allowed, got=f"`{text[:20]}`")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower().replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            raise InvalidInput("time", allowed, got=f"`{text[:20]}`")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidInput("time", allowed, got=f"`{text[:20]}`")
    return time(hour, minute)


def slot_at(local_day: date, local_time: time, zone: ZoneInfo) -> datetime:
    """The UTC moment of a local wall time. In a spring-forward gap this is the moment the
    clock would have shown it (02:30 → 03:30 DST); on a fall-back day, the first 01:30."""
    return datetime.combine(local_day, local_time, tzinfo=zone).astimezone(UTC)


def next_slot(local_time: time, zone: ZoneInfo, after: datetime) -> tuple[date, datetime]:
    """The first slot strictly after ``after``, as (local date, UTC moment)."""
    day = after.astimezone(zone).date()
    moment = slot_at(day, local_time, zone)
    while moment <= after:
        day += timedelta(days=1)
        moment = slot_at(day, local_time, zone)
    return day, moment


class ReminderService:
    """The settings side (/reminders) and the scheduled side (a ``DueWork``)."""

    def __init__(self, db: Database, clock: Clock, people: PeopleService, settings: CheckinSettings) -> None:
        self._db = db
        self._clock = clock
        self._people = people
        self.settings = settings
        self.sender: ReminderSender | None = None
        # Re-arms this service's timer after a write that changes what is due (set by bot.wiring).
        self.wake: Callable[[], None] = nothing_to_wake
        # Sends in flight at once. Each is a DM-channel create and a message POST; discord.py
        # waits out 429s (per-route and global) itself, so this bounds memory, not the rate.
        self.concurrency = 64

    # ------------------------------------------------------------------ settings
    async def set_time(self, user_id: int, text: str) -> ReminderStatus:
        local_time = parse_local_time(text)
        zone = await self._people.zone(user_id)
        now = self._clock.now()
        day, due = next_slot(local_time, zone, now)
        # Today's slot already handled (sent or skipped)? Then start tomorrow.
        if await repo.delivery_status(self._db, user_id, day) is not None:
            day, due = next_slot(local_time, zone, due)
        await repo.set_reminder(self._db, user_id, local_time.strftime("%H:%M"), zone.key, due, now)
        self.wake()
        log.info("reminder set for user %s", user_id)
        return await self.status(user_id)

    async def timezone_changed(self, user_id: int) -> None:
        """Move an enabled reminder to the same local time in the person's new zone."""
        row = await repo.get_reminder(self._db, user_id)
        if row is None or not row.enabled:
            return
        zone = await self._people.zone(user_id)
        if zone.key == row.zone:
            return
        local_time = parse_local_time(row.local_time)
        now = self._clock.now()
        day, due = next_slot(local_time, zone, now)
        if await repo.delivery_status(self._db, user_id, day) is not None:
            day, due = next_slot(local_time, zone, due)
        await repo.move_reminder(self._db, user_id, zone.key, due, now)
        self.wake()
        log.info("reminder for user %s moved to a new time zone", user_id)

    async def turn_off(self, user_id: int) -> bool:
        changed = await repo.disable_reminder(self._db, user_id, self._clock.now())
        self.wake()
        return changed

    async def pause(self, user_id: int, days: int) -> date:
        if not 1 <= days <= 30:
            raise InvalidInput("days", "a whole number from 1 to 30", got=str(days))
        today = await self._people.local_today(user_id)
        last = today + timedelta(days=days - 1)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await checkins_repo.add_pause(tx, user_id, today, last, now)
            await repo.set_paused_until(tx, user_id, last, now)
        log.info("reminders paused for user %s for %d day(s)", user_id, days)
        return last

    async def status(self, user_id: int) -> ReminderStatus:
        row = await repo.get_reminder(self._db, user_id)
        zone = (await self._people.timezone_name(user_id)).name
        today = await self._people.local_today(user_id)
        if row is None:
            return ReminderStatus(False, None, zone, None, None, None)
        paused = row.paused_until if row.paused_until is not None and row.paused_until >= today else None
        return ReminderStatus(row.enabled, row.local_time, zone, paused, row.next_due_at, row.dm_closed_at)

    # ------------------------------------------------------------------ DueWork
    async def next_due(self) -> datetime | None:
        return await repo.next_due(self._db)

    async def run_due(self, now: datetime) -> None:
        if self.sender is None:
            return
        while True:
            rows = await repo.due_reminders(self._db, now, BATCH)
            if not rows:
                return
            zones = await self._people.zones_for([r.user_id for r in rows])
            semaphore = asyncio.Semaphore(self.concurrency)
            await asyncio.gather(*(self._guarded(semaphore, r, zones[r.user_id], now) for r in rows))

    async def _guarded(self, semaphore: asyncio.Semaphore, row: ReminderRow, zone: ZoneInfo, now: datetime) -> None:
        async with semaphore:
            try:
                await self._handle(row, zone, now)
            except Exception:
                # One person's failure must not stop everyone else's reminder; retry later.
                log.exception("reminder for user %s failed", row.user_id)
                await repo.reschedule(self._db, row.user_id, zone.key, now + RETRY_AFTER)

    async def _handle(self, row: ReminderRow, zone: ZoneInfo, now: datetime) -> None:
        assert row.next_due_at is not None and self.sender is not None
        local_time = time.fromisoformat(row.local_time)
        due = row.next_due_at
        if zone.key != row.zone:
            # The person moved (/settings timezone): today's slot in the new zone, if passed.
            day, due = next_slot(local_time, zone, now - timedelta(days=1))
            if due > now:
                await repo.reschedule(self._db, row.user_id, zone.key, due)
                return
        day = due.astimezone(zone).date()
        today = now.astimezone(zone).date()
        if day < today:
            # A slot from an earlier day (the bot was down): never sent late; move on.
            await repo.reschedule(self._db, row.user_id, zone.key, slot_at(day + timedelta(days=1), local_time, zone))
            return
        status = await self._skip_reason(row.user_id, day, due, now, zone)
        if status is not None:
            await repo.claim_delivery(self._db, row.user_id, day, status, now)
        elif await repo.claim_delivery(self._db, row.user_id, day, "sending", now):
            status = "sent"
            try:
                await self.sender(row.user_id, day)
            except DeliveryFailed as failure:
                if not failure.permanent:  # 5xx, network: retried later the same day
                    await repo.release_delivery(self._db, row.user_id, day)
                    await repo.reschedule(self._db, row.user_id, zone.key, now + RETRY_AFTER)
                    return
                status = "dm_closed"
            await repo.set_delivery_status(self._db, row.user_id, day, status, self._clock.now())
            if status == "dm_closed":
                await repo.mark_dm_closed(self._db, row.user_id, now)
                log.info("reminder for user %s not delivered: DMs closed", row.user_id)
            elif row.dm_closed_at is not None:
                await repo.clear_dm_closed(self._db, row.user_id)
        _, following = next_slot(local_time, zone, max(now, slot_at(day, local_time, zone)))
        await repo.reschedule(self._db, row.user_id, zone.key, following)

    async def _skip_reason(self, user_id: int, day: date, due: datetime, now: datetime, zone: ZoneInfo) -> str | None:
        if any(start <= day <= end for start, end in await checkins_repo.pauses(self._db, user_id)):
            return "skipped_paused"
        if await checkins_repo.get_checkin(self._db, user_id, day) is not None:
            return "skipped_checked_in"
        if now - due > ON_TIME_GRACE and now.astimezone(zone).hour >= self.settings.quiet_hour:
            return "skipped_quiet"
        return None

