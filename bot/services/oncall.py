"""The on-call rota: weekly shifts in one time zone plus overrides; Hearth keeps ``roles.on_call`` equal to it.

Pure time arithmetic in ``windows`` (DST-correct through ``zoneinfo``: a shift is "09:00 to 17:00 local" on each
of its days, whatever the UTC offset that day). ``OncallRota`` is scheduled work (``WORK_NAME``): at every shift
change, and on start (catching up whatever changed while the bot was down), it has the extension make the role
match whoever is on call now and say so in the staff alerts channel.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import OncallSettings, parse_days
from bot.db import Database
from bot.errors import InvalidInput
from bot.permissions import HearthRole, Person, require
from bot.privacy import DeletionResult
from bot.repositories import oncall as repo
from bot.scheduler import nothing_to_wake

__all__ = ["WORK_NAME", "OncallRota", "RoleSync", "Window", "windows"]

log = logging.getLogger(__name__)

WORK_NAME = "oncall-rota"
MAX_OVERRIDE = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime  # UTC
    end: datetime
    members: frozenset[int]
    override: bool = False


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    # A wall-clock time that does not exist (the spring-forward gap) moves to the first moment after it.
    moment = datetime.combine(day, at, tzinfo=zone)
    return moment.astimezone(ZoneInfo("UTC")).astimezone(zone)


def windows(settings: OncallSettings, start: datetime, end: datetime) -> list[Window]:
    """Every shift window that overlaps [start, end), in UTC."""
    zone = ZoneInfo(settings.timezone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found: list[Window] = []
    day = first
    while day <= last:
        for shift in settings.shifts:
            if day.weekday() not in parse_days(shift.days):
                continue
            begins, finishes = _hhmm(shift.start), _hhmm(shift.end)
            local_start = _local(day, begins, zone)
            local_end = _local(day + timedelta(days=1) if finishes <= begins else day, finishes, zone)
            window = Window(local_start.astimezone(ZoneInfo("UTC")), local_end.astimezone(ZoneInfo("UTC")),
                            frozenset(shift.members))
            if window.end > start and window.start < end:
                found.append(window)
        day += timedelta(days=1)
    return sorted(found, key=lambda w: (w.start, w.end))


# The extension: make the role hold exactly these people; returns (added, removed).
RoleSync = Callable[[frozenset[int]], Awaitable[tuple[list[int], list[int]]]]
Announce = Callable[[str], Awaitable[None]]


class OncallRota:
    feature = "oncall_overrides"
    tables = ("oncall_overrides",)

    def __init__(self, db: Database, clock: Clock, settings: OncallSettings) -> None:
        self._db = db
        self._clock = clock
        self.settings = settings
        self.sync: RoleSync | None = None  # set by the on-call extension
        self.announce: Announce | None = None
        self.wake = nothing_to_wake
        self._synced = False
        self._warned_gaps: set[datetime] = set()

    @property
    def enabled(self) -> bool:
        return bool(self.settings.shifts)

    async def all_windows(self, start: datetime, end: datetime) -> list[Window]:
        found = windows(self.settings, start, end)
        for user_id, begins, finishes in await repo.current_and_future(self._db, start):
            if begins < end:
                found.append(Window(begins, finishes, frozenset({user_id}), override=True))
        return sorted(found, key=lambda w: (w.start, w.end))

    async def on_call_at(self, moment: datetime) -> frozenset[int]:
        members: set[int] = set()
        for window in await self.all_windows(moment - timedelta(days=2), moment + timedelta(seconds=1)):
            if window.start <= moment < window.end:
                members |= window.members
        return frozenset(members)

    async def next_change(self, after: datetime) -> datetime | None:
        edges = [edge for w in await self.all_windows(after, after + timedelta(days=8)) for edge in (w.start, w.end)
                 if edge > after]
        return min(edges) if edges else None

    # ------------------------------------------------------------------ scheduled work
    async def next_due(self) -> datetime | None:
        if not self.enabled or self.sync is None:
            return None
        now = self._clock.now()
        return now if not self._synced else await self.next_change(now)

    async def run_due(self, now: datetime) -> None:
        if not self.enabled or self.sync is None:
            return
        desired = await self.on_call_at(now)
        added, removed = await self.sync(desired)
        self._synced = True
        if added or removed:
            log.info("on-call rota: role given to %d, taken from %d", len(added), len(removed))
            if self.announce is not None:
                who = ", ".join(f"<@{u}>" for u in sorted(desired)) or "nobody (the rota has a gap)"
                await self.announce(f"On call now: {who}.")
        await self._warn_gaps(now)

    async def _warn_gaps(self, now: datetime) -> None:
        """A shift in the next 24 hours with nobody on it is said once, in the staff alerts channel."""
        gaps = [w for w in windows(self.settings, now, now + timedelta(days=1)) if not w.members and w.end > now]
        for gap in gaps:
            if gap.start in self._warned_gaps:
                continue
            self._warned_gaps.add(gap.start)
            log.warning("on-call rota: the shift starting %s has nobody on it", gap.start.isoformat())
            if self.announce is not None:
                await self.announce(
                    f"The on-call shift from <t:{int(gap.start.timestamp())}:f> to <t:{int(gap.end.timestamp())}:t> "
                    "has nobody on it. Add people to it in the config, or use /oncall override."
                )

    # ------------------------------------------------------------------ overrides
    async def add_override(self, actor: Person, user_id: int, starts: datetime, ends: datetime) -> None:
        require(actor, HearthRole.STAFF, action="changing who is on call")
        if not self.enabled:
            raise InvalidInput("oncall", "no rota is configured ([oncall] shifts in the config)")
        if ends <= starts:
            raise InvalidInput("end", "must be after the start")
        if ends - starts > MAX_OVERRIDE:
            raise InvalidInput("end", "an override lasts at most 31 days")
        if ends <= self._clock.now():
            raise InvalidInput("end", "must be in the future")
        await repo.add(self._db, user_id, starts, ends, actor.user_id, self._clock.now())
        log.info("on-call override for user %s by %s", user_id, actor.user_id)
        self.wake()

    # ------------------------------------------------------------------ data rights
    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return {"oncall_overrides": [{"starts_at": s.isoformat(), "ends_at": e.isoformat()}
                                     for s, e in await repo.of_user(self._db, user_id)]}

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        return DeletionResult(self.feature, await repo.delete_for(self._db, user_id))
