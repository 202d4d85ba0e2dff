"""Group session reminders: one post in the group's channel before each weekly session, on the group's local day.

Scheduled work (``SessionReminders.NAME``); the groups service wakes it when sessions change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db import Database
from bot.delivery import Delivered, DeliveryFailed
from bot.repositories import groups as repo
from bot.repositories.groups import GroupRow, SessionRow

log = logging.getLogger(__name__)

# A reminder posted this long after its time is "late" and worded so.
LATE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Occurrence:
    session: SessionRow
    group: GroupRow
    local_date: date
    start: datetime
    end: datetime
    remind_at: datetime

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.group.timezone))

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(ZoneInfo(self.group.timezone))


def session_start(session: SessionRow, local_day: date, zone: ZoneInfo) -> datetime:
    """The session's start on a local date as aware UTC. A wall time that does not exist on the
    day clocks spring forward (02:30) resolves to the same instant as an hour later (03:30)."""
    hour, minute = (int(p) for p in session.start_time.split(":"))
    return datetime.combine(local_day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def occurrences(
    sessions: Iterable[tuple[SessionRow, GroupRow]], now: datetime, minutes_before: int,
    *, days_back: int = 2, days_ahead: int = 22,
) -> list[Occurrence]:
    out = []
    for session, group in sessions:
        zone = ZoneInfo(group.timezone)
        today = now.astimezone(zone).date()
        for offset in range(-days_back, days_ahead):
            day = today + timedelta(days=offset)
            if day.weekday() != session.weekday:
                continue
            start = session_start(session, day, zone)
            remind_at = start - timedelta(minutes=minutes_before)
            if remind_at < session.created_at:
                continue  # the session did not exist yet when this reminder was due
            out.append(Occurrence(session, group, day, start, start + timedelta(minutes=session.duration_minutes),
                                  remind_at))
    out.sort(key=lambda o: (o.remind_at, o.session.id))
    return out


def reminder_text(occ: Occurrence, now: datetime, minutes_before: int, voice_channel_id: int | None) -> str:
    start = occ.local_start.strftime("%H:%M")
    end = occ.local_end.strftime("%H:%M")
    tz = occ.group.timezone
    where = f" Voice: <#{voice_channel_id}>." if voice_channel_id else ""
    if now >= occ.start:
        return (f"🕰️ Today's **{occ.group.name}** session started at {start} ({tz}) — there's still time to "
                f"join; it runs until {end}.{where}")
    minutes_left = max(1, round((occ.start - now).total_seconds() / 60))
    if now >= occ.remind_at + LATE_AFTER:
        return (f"⏰ Heads-up, a little late: today's **{occ.group.name}** session starts at {start} ({tz}), "
                f"in {minutes_left} minutes.{where}")
    return (f"⏰ Reminder: today's **{occ.group.name}** session starts at {start} ({tz}), "
            f"in {minutes_left} minutes. See you there!{where}")


class ReminderSender(Protocol):
    async def post_reminder(self, channel_id: int, text: str) -> Delivered:
        """Post in a group channel, or raise ``DeliveryFailed`` (permanent: the channel refuses for good)."""
        ...


class SessionReminders:
    """DueWork ``group_sessions``: one reminder per session and local date, never twice."""

    NAME = "group-sessions"

    def __init__(self, db: Database, clock: Clock, sender: ReminderSender, minutes_before: int) -> None:
        self._db = db
        self._clock = clock
        self._sender = sender
        self.minutes_before = minutes_before

    async def _pending(self, now: datetime) -> list[Occurrence]:
        sessions = [(s, g) for s, g in await repo.active_sessions(self._db) if g.channel_id is not None]
        if not sessions:
            return []
        occs = occurrences(sessions, now, self.minutes_before)
        if not occs:
            return []
        skipped = await repo.skipped_dates(self._db)
        first = min(o.local_date for o in occs)
        last = max(o.local_date for o in occs)
        done = await repo.deliveries_between(self._db, first, last)
        return [
            o for o in occs
            if o.end > now and (o.group.id, o.local_date) not in skipped and (o.session.id, o.local_date) not in done
        ]

    async def next_due(self) -> datetime | None:
        pending = await self._pending(self._clock.now())
        return min((o.remind_at for o in pending), default=None)

    async def run_due(self, now: datetime) -> None:
        for occ in await self._pending(now):
            if occ.remind_at > now:
                continue
            late = now >= occ.remind_at + LATE_AFTER
            if not await repo.claim_delivery(self._db, occ.session.id, occ.local_date, late, now):
                continue
            channel_id = occ.group.channel_id
            assert channel_id is not None
            text = reminder_text(occ, now, self.minutes_before, occ.group.voice_channel_id)
            try:
                delivered = await self._sender.post_reminder(channel_id, text)
            except DeliveryFailed as exc:
                if exc.permanent:
                    await repo.finish_delivery(self._db, occ.session.id, occ.local_date, "failed", None)
                    log.warning("reminder for session %s on %s could not be posted in channel %s",
                                occ.session.id, occ.local_date, channel_id)
                else:
                    await repo.release_delivery(self._db, occ.session.id, occ.local_date)
                continue
            await repo.finish_delivery(self._db, occ.session.id, occ.local_date, "sent", delivered.message_id)
            log.info("posted %sreminder for session %s on %s (group %s)",
                     "late " if late else "", occ.session.id, occ.local_date, occ.group.id)
