"""Recovery counters, who sees their celebrations, and each person's time zone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import MilestoneSettings
from bot.db import Database
from bot.errors import InvalidInput, NotFound
from bot.repositories import milestones as repo
from bot.repositories.milestones import CounterRow, PendingRow
from bot.scheduler import nothing_to_wake
from bot.services.contracts import GroupDirectory, StreakSource
from bot.services.milestones.models import (
    DEFAULT_VISIBILITY,
    LABEL_MAX,
    MAX_COUNTERS,
    VISIBILITIES,
    CounterView,
    SetResult,
    announce_moment,
    clean_label,
    first_milestone_at_least,
    parse_local_date,
    recovery_totals,
    with_due,
)
from bot.services.people import PeopleService

log = logging.getLogger(__name__)


class _CounterLayer:
    """Recovery counters, who sees their celebrations, and each person's time zone."""

    feature = "milestones"
    tables = (
        "milestone_counters",
        "milestone_runs",
        "milestone_pending",
        "milestone_celebrations",
        "milestone_cheers",
        "milestone_encouragements",
        "milestone_preferences",
    )

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: MilestoneSettings,
        people: PeopleService,
        *,
        celebrations_channel_id: int,
        streaks: StreakSource | None = None,
        groups: GroupDirectory | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.settings = settings
        self._people = people
        self.celebrations_channel_id = celebrations_channel_id
        self.streaks = streaks
        self.groups = groups
        # Re-arms the celebrations timer after a write that plans or unplans one (set by bot.wiring).
        self.wake: Callable[[], None] = nothing_to_wake

    async def _today(self, user_id: int) -> tuple[date, ZoneInfo]:
        zone = await self._people.zone(user_id)
        return self._clock.now().astimezone(zone).date(), zone

    async def set_counter(self, user_id: int, date_text: str, label: str | None = None) -> SetResult:
        today, zone = await self._today(user_id)
        start = parse_local_date(date_text, field="date", today=today)
        shown, key = clean_label(label)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            existing = await repo.counter_by_label(tx, user_id, key)
            if existing is None:
                if await repo.count_counters(tx, user_id) >= MAX_COUNTERS:
                    raise InvalidInput(
                        "label",
                        f"you can keep up to {MAX_COUNTERS} counters; remove one with /milestone remove first",
                    )
                counter_id = await repo.insert_counter(tx, user_id, shown, key, start, now)
            else:
                counter_id = existing.id
                await repo.update_counter_start(tx, counter_id, start, now)
            counter = await repo.counter_by_id(tx, counter_id)
            assert counter is not None
            await self._plan_counter(tx, counter, zone, today, after=None)
        self.wake()
        log.info("milestone counter %s set for user %s", counter_id, user_id)
        return SetResult(await self._view(counter, today), created=existing is None)

    async def list_counters(self, user_id: int) -> list[CounterView]:
        today, _ = await self._today(user_id)
        return [await self._view(c, today) for c in await repo.counters_of(self._db, user_id)]

    async def reset_counter(self, user_id: int, label: str, date_text: str | None = None) -> CounterView:
        today, zone = await self._today(user_id)
        _, key = clean_label(label)
        reset = today if date_text is None else parse_local_date(date_text, field="date", today=today)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            counter = await self._require(tx, user_id, key, label)
            if reset < counter.start_date:
                raise InvalidInput(
                    "date", f"use a date on or after the counter's start, {counter.start_date.isoformat()}",
                    got=f"`{reset.isoformat()}`",
                )
            await repo.insert_run(tx, counter.id, user_id, counter.start_date, reset, now)
            await repo.update_counter_start(tx, counter.id, reset, now)
            fresh = await repo.counter_by_id(tx, counter.id)
            assert fresh is not None
            await self._plan_counter(tx, fresh, zone, today, after=None)
        self.wake()
        log.info("milestone counter %s reset for user %s", counter.id, user_id)
        return await self._view(fresh, today)

    async def remove_counter(self, user_id: int, label: str) -> str:
        _, key = clean_label(label)
        async with self._db.transaction() as tx:
            counter = await self._require(tx, user_id, key, label)
            await repo.delete_pending(tx, user_id, "counter", counter.id)
            await repo.delete_counter(tx, counter.id)  # runs go with it (ON DELETE CASCADE)
        self.wake()
        log.info("milestone counter %s removed for user %s", counter.id, user_id)
        return counter.label

    async def labels(self, user_id: int) -> list[str]:
        return [c.label for c in await repo.counters_of(self._db, user_id)]

    async def _require(self, db: Any, user_id: int, key: str, label: str) -> CounterRow:
        counter = await repo.counter_by_label(db, user_id, key)
        if counter is None:
            names = [c.label for c in await repo.counters_of(db, user_id)]
            have = (
                f" Your counters: {', '.join(names)}." if names
                else " You have no counters yet; start one with /milestone set."
            )
            raise NotFound(f"**label**: you have no counter called “{label.strip()[:LABEL_MAX]}”.{have}")
        return counter

    async def _view(self, counter: CounterRow, today: date) -> CounterView:
        runs = await repo.runs_of(self._db, counter.id)
        days = max(0, (today - counter.start_date).days)
        nxt = next(first_milestone_at_least(self.settings.days, days + 1))
        total, window = recovery_totals(counter.start_date, [(r.start_date, r.reset_date) for r in runs], today)
        return CounterView(
            label=counter.label, start_date=counter.start_date, days=days, next_milestone=nxt,
            next_date=counter.start_date + timedelta(days=nxt), days_in_recovery=total, window_days=window,
            resets=len(runs),
        )

    async def _plan_counter(
        self, db: Any, counter: CounterRow, zone: ZoneInfo, today: date, *, after: int | None
    ) -> None:
        """Precompute the counter's next celebration (from today on, or after ``after``)."""
        run_key = counter.start_date.isoformat()
        minimum = max(1, (today - counter.start_date).days) if after is None else after + 1
        for m in first_milestone_at_least(self.settings.days, minimum):
            if await repo.celebration_by_key(db, counter.user_id, "counter", counter.id, run_key, m) is None:
                break
        local = counter.start_date + timedelta(days=m)
        await repo.upsert_pending(db, PendingRow(
            user_id=counter.user_id, kind="counter", subject=counter.id, run_key=run_key, milestone=m,
            local_date=local, due_at=announce_moment(local, self.settings.announce_hour, zone),
        ))

    async def visibility(self, user_id: int) -> str:
        return await repo.get_visibility(self._db, user_id) or DEFAULT_VISIBILITY

    async def set_visibility(self, user_id: int, value: str) -> str:
        choice = value.strip().lower()
        if choice not in VISIBILITIES:
            raise InvalidInput("milestone_visibility", "choose private, group or community", got=f"`{value[:20]}`")
        await repo.set_visibility(self._db, user_id, choice, self._clock.now())
        return choice

    async def timezone_changed(self, user_id: int) -> int:
        """Move every pending celebration of the person to announce_hour of its day in the new zone."""
        zone = await self._people.zone(user_id)
        moved = 0
        async with self._db.transaction() as tx:
            for p in await repo.pending_of(tx, user_id):
                due = announce_moment(p.local_date, self.settings.announce_hour, zone)
                if due != p.due_at:
                    await repo.upsert_pending(tx, with_due(p, due))
                    moved += 1
        return moved
