"""Milestone celebrations: recovery counters, check-in streaks and weeks in a group.

Design:
- Counters hold a start date in the person's *local* calendar. Milestone N of a counter
  falls on ``start + N days``; it is celebrated at ``announce_hour`` on that local date.
- ``milestone_pending`` holds, per counter / streak / group membership, the next
  celebration with its UTC ``due_at`` (indexed), recomputed whenever an input changes
  (set, reset, remove, time zone change) and after each delivery. ``MilestoneWork`` is
  the scheduler's DueWork: ``next_due`` is one indexed MIN query.
- ``milestone_celebrations`` has a UNIQUE key (person, kind, subject, run, milestone);
  a celebration is claimed there *before* it is sent, so it is delivered at most once
  across restarts and retried only while still marked ``sending``.
- Streaks and group weeks belong to other features. The work sweeps the people the
  cog names (guild members) at most once per ``SWEEP_INTERVAL`` through the
  StreakSource / GroupDirectory protocols; ``checkin_recorded`` lets the check-ins
  feature ask for an immediate look after a check-in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import MilestoneSettings
from bot.db import Database
from bot.delivery import Delivered, DeliveryFailed
from bot.errors import InvalidInput, NotFound
from bot.permissions import HearthRole, Person, require
from bot.privacy import DeletionResult, PostedMessage
from bot.repositories import milestones as repo
from bot.repositories.milestones import CounterRow, PendingRow
from bot.scheduler import nothing_to_wake
from bot.services.contracts import GroupDirectory, StreakSource
from bot.services.people import PeopleService
from bot.text import has_markdown_or_mentions

WORK_NAME = "milestones"  # the scheduler work that delivers celebrations

log = logging.getLogger(__name__)

MAX_COUNTERS = 5
LABEL_MAX = 40
DEFAULT_LABEL = "recovery"
VISIBILITIES = ("private", "group", "community")
DEFAULT_VISIBILITY = "private"
EARLIEST = date(1900, 1, 1)
MAX_ATTEMPTS = 5
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ============================================================== plain results


@dataclass(frozen=True, slots=True)
class CounterView:
    label: str
    start_date: date
    days: int
    next_milestone: int
    next_date: date
    days_in_recovery: int  # including earlier runs
    window_days: int  # days since the first run started
    resets: int


@dataclass(frozen=True, slots=True)
class SetResult:
    counter: CounterView
    created: bool


@dataclass(frozen=True, slots=True)
class DueCelebration:
    """One celebration to deliver now. ``channel_id`` None means a DM to the person."""

    id: int
    user_id: int
    kind: str  # counter | streak | group
    milestone: int
    local_date: date
    days_late: int
    visibility: str  # private | group | community (what is actually used)
    channel_id: int | None
    label: str | None  # counter label
    group_name: str | None


class CelebrationSender(Protocol):
    async def deliver(self, celebration: DueCelebration) -> Delivered:
        """Send it, or raise ``DeliveryFailed``: permanent (DMs closed, channel gone) ends it as failed; otherwise
        the celebration stays claimed and is retried."""
        ...


@dataclass(frozen=True, slots=True)
class CheerOutcome:
    own: bool
    added: bool
    count: int
    recipient_id: int
    may_encourage: bool


# ============================================================== pure helpers


def milestone_sequence(configured: tuple[int, ...]) -> Iterator[int]:
    """The configured milestones, then every 365 days after the last one."""
    values = sorted(set(configured)) or [365]
    yield from values
    last = values[-1]
    while True:
        last += 365
        yield last


def first_milestone_at_least(configured: tuple[int, ...], minimum: int) -> Iterator[int]:
    for m in milestone_sequence(configured):
        if m >= minimum:
            yield m


def announce_moment(local_date: date, hour: int, zone: ZoneInfo) -> datetime:
    """``hour``:00 on ``local_date`` in ``zone``, as UTC (a skipped DST hour maps forward)."""
    return datetime.combine(local_date, time(hour), tzinfo=zone).astimezone(UTC)


def parse_local_date(text: str, *, field: str, today: date) -> date:
    value = text.strip()
    if not _DATE.match(value):
        raise InvalidInput(field, "use the form YYYY-MM-DD, for example 2025-01-31", got=f"`{value[:20]}`")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, "that is not a real calendar date; use YYYY-MM-DD", got=f"`{value}`") from None
    if parsed < EARLIEST:
        raise InvalidInput(field, "use a date in 1900 or later", got=f"`{value}`")
    if parsed > today:
        raise InvalidInput(
            field, f"the date can't be in the future (today is {today.isoformat()} in your time zone)",
            got=f"`{value}`",
        )
    return parsed


def clean_label(text: str | None) -> tuple[str, str]:
    label = " ".join((text or DEFAULT_LABEL).split())
    if not label:
        raise InvalidInput("label", "give the counter a name, for example alcohol-free")
    if len(label) > LABEL_MAX:
        raise InvalidInput("label", f"use at most {LABEL_MAX} characters", got=f"{len(label)} characters")
    if has_markdown_or_mentions(label):
        raise InvalidInput(
            "label", "use plain words without @mentions or formatting characters such as * _ ` ~ | > # [ ] ( )"
        )
    return label, label.casefold()


def recovery_totals(start: date, runs: list[tuple[date, date]], today: date) -> tuple[int, int]:
    """(days in recovery, days since the first run began).

    A reset on date D ends the previous run the day before (the slip day is not counted);
    so one reset costs one day: "78 of the last 79 days".
    """
    current = max(0, (today - start).days)
    earlier = sum(max(0, (reset - begun).days - 1) for begun, reset in runs)
    first = min([start, *(begun for begun, _ in runs)])
    return current + earlier, max(0, (today - first).days)


# ============================================================== the service


class MilestoneService:
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

    # ------------------------------------------------------------- counters

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

    # ------------------------------------------------------------- visibility & time zones

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
                    await repo.upsert_pending(tx, _with_due(p, due))
                    moved += 1
        return moved

    # ------------------------------------------------------------- streaks & groups

    async def checkin_recorded(self, user_id: int) -> bool:
        """Called after a check-in (or by the sweep): schedule a streak celebration if one was reached.

        Returns True when a celebration was newly planned (so the scheduler needs re-arming).
        """
        if self.streaks is None:
            return False
        today, zone = await self._today(user_id)
        streak = await self.streaks.streak(user_id)
        if streak.last_checkin is None or streak.current not in self.settings.checkin_streaks:
            return False
        if (today - streak.last_checkin).days > self.settings.late_grace_days:
            return False
        run_key = streak.last_checkin.isoformat()
        async with self._db.transaction() as tx:
            if await repo.pending_one(tx, user_id, "streak", 0) is not None:
                return False
            if await repo.celebration_by_key(tx, user_id, "streak", 0, run_key, streak.current) is not None:
                return False
            await repo.upsert_pending(tx, PendingRow(
                user_id=user_id, kind="streak", subject=0, run_key=run_key, milestone=streak.current,
                local_date=streak.last_checkin,
                due_at=announce_moment(streak.last_checkin, self.settings.announce_hour, zone),
            ))
        return True

    async def memberships_changed(self, user_id: int) -> None:
        """Plan group-week celebrations for current memberships; drop those of groups left."""
        if self.groups is None:
            return
        today, zone = await self._today(user_id)
        memberships = [m for m in await self.groups.memberships_of(user_id) if m.left_at is None]
        current = {m.group_id for m in memberships}
        async with self._db.transaction() as tx:
            for subject in await repo.pending_subjects(tx, user_id, "group"):
                if subject not in current:
                    await repo.delete_pending(tx, user_id, "group", subject)
            for m in memberships:
                run_key = m.joined_at.isoformat()
                existing = await repo.pending_one(tx, user_id, "group", m.group_id)
                if existing is not None and existing.run_key == run_key:
                    continue
                joined = m.joined_at.astimezone(zone).date()
                await self._plan_group(tx, user_id, m.group_id, run_key, joined, zone, today, after=None)

    async def _plan_group(
        self, db: Any, user_id: int, group_id: int, run_key: str, joined: date, zone: ZoneInfo, today: date,
        *, after: int | None,
    ) -> None:
        for weeks in self.settings.group_weeks:
            local = joined + timedelta(weeks=weeks)
            if after is not None and weeks <= after:
                continue
            if after is None and local < today:
                continue
            if await repo.celebration_by_key(db, user_id, "group", group_id, run_key, weeks) is not None:
                continue
            await repo.upsert_pending(db, PendingRow(
                user_id=user_id, kind="group", subject=group_id, run_key=run_key, milestone=weeks,
                local_date=local, due_at=announce_moment(local, self.settings.announce_hour, zone),
            ))
            return
        await repo.delete_pending(db, user_id, "group", group_id)

    async def sweep(self, user_ids: list[int]) -> None:
        for user_id in user_ids:
            try:
                await self.checkin_recorded(user_id)
                await self.memberships_changed(user_id)
            except Exception:
                log.exception("milestone sweep failed for user %s", user_id)

    # ------------------------------------------------------------- delivery

    async def next_due(self) -> datetime | None:
        return await repo.earliest_due(self._db)

    async def deliver_due(self, now: datetime, sender: CelebrationSender) -> int:
        """Handle every pending celebration due at ``now``. Returns how many were delivered."""
        delivered = 0
        failed: set[tuple[int, str, int]] = set()
        for _ in range(1000):  # bounded: each pass advances or parks every row it saw
            rows = [p for p in await repo.due_pending(self._db, now) if (p.user_id, p.kind, p.subject) not in failed]
            if not rows:
                break
            for p in rows:
                outcome = await self._process(p, now, sender)
                if outcome == "retry":
                    failed.add((p.user_id, p.kind, p.subject))
                elif outcome == "sent":
                    delivered += 1
        return delivered

    async def _process(self, p: PendingRow, now: datetime, sender: CelebrationSender) -> str:
        zone = await self._people.zone(p.user_id)
        due = announce_moment(p.local_date, self.settings.announce_hour, zone)
        if due > now:  # the time zone changed since it was planned: not yet its moment there
            await repo.upsert_pending(self._db, _with_due(p, due))
            return "moved"
        label: str | None = None
        group_name: str | None = None
        if p.kind == "counter":
            counter = await repo.counter_by_id(self._db, p.subject)
            if counter is None or counter.start_date.isoformat() != p.run_key:
                await repo.delete_pending(self._db, p.user_id, p.kind, p.subject)
                return "cancelled"
            label = counter.label
        days_late = (now.astimezone(zone).date() - p.local_date).days
        existing = await repo.celebration_by_key(self._db, p.user_id, p.kind, p.subject, p.run_key, p.milestone)
        if existing is None:
            if days_late > self.settings.late_grace_days:
                await repo.claim_celebration(self._db, p, status="skipped", visibility=None, late=True, now=now)
                log.info("milestone %s/%s for user %s skipped: %d days late", p.kind, p.milestone, p.user_id,
                         days_late)
                await self._replan(p, zone, now)
                return "skipped"
            visibility = await self.visibility(p.user_id)
            await repo.claim_celebration(
                self._db, p, status="sending", visibility=visibility, late=days_late > 0, now=now
            )
            existing = await repo.celebration_by_key(self._db, p.user_id, p.kind, p.subject, p.run_key, p.milestone)
            assert existing is not None
        if existing.status != "sending":
            await self._replan(p, zone, now)
            return "done"
        if days_late > self.settings.late_grace_days:  # claimed earlier, never confirmed, now too late
            await repo.finish_celebration(
                self._db, existing.id, status="skipped", channel_id=None, message_id=None, now=now
            )
            await self._replan(p, zone, now)
            return "skipped"
        visibility, channel_id, group_name = await self._target(p, existing.visibility or DEFAULT_VISIBILITY)
        due_item = DueCelebration(
            id=existing.id, user_id=p.user_id, kind=p.kind, milestone=p.milestone, local_date=p.local_date,
            days_late=max(0, days_late), visibility=visibility, channel_id=channel_id, label=label,
            group_name=group_name,
        )
        result: Delivered | None = None
        try:
            result = await sender.deliver(due_item)
        except DeliveryFailed as failure:
            if not failure.permanent:
                attempts = await repo.mark_attempt(self._db, existing.id)
                log.warning("milestone celebration %s could not be sent (attempt %s: %s)", existing.id, attempts,
                            failure.reason)
                if int(attempts) < MAX_ATTEMPTS:
                    return "retry"
            else:
                log.warning("milestone celebration %s refused for good (%s)", existing.id, failure.reason)
        status = "sent" if result is not None else "failed"
        await repo.finish_celebration(
            self._db, existing.id, status=status, channel_id=result.channel_id if result else None,
            message_id=result.message_id if result else None, now=self._clock.now(),
        )
        log.info("milestone celebration %s for user %s: %s (%s)", existing.id, p.user_id, status, visibility)
        await self._replan(p, zone, now)
        return status

    async def _target(self, p: PendingRow, visibility: str) -> tuple[str, int | None, str | None]:
        group_name: str | None = None
        groups = await self.groups.groups_of_member(p.user_id) if self.groups is not None else []
        if p.kind == "group":
            group_name = next((g.name for g in groups if g.id == p.subject), None)
            if group_name is None and self.groups is not None:
                group_name = next(
                    (m.group_name for m in await self.groups.memberships_of(p.user_id) if m.group_id == p.subject),
                    None,
                )
        if visibility == "community":
            return "community", self.celebrations_channel_id, group_name
        if visibility == "group":
            ordered = sorted(groups, key=lambda g: g.id != p.subject) if p.kind == "group" else groups
            channel = next((g.channel_id for g in ordered if g.channel_id is not None and not g.archived), None)
            if channel is not None:
                return "group", channel, group_name
        return "private", None, group_name

    async def _replan(self, p: PendingRow, zone: ZoneInfo, now: datetime) -> None:
        async with self._db.transaction() as tx:
            current = await repo.pending_one(tx, p.user_id, p.kind, p.subject)
            if current is None or (current.run_key, current.milestone) != (p.run_key, p.milestone):
                return  # replaced meanwhile (reset, set, sweep)
            today = now.astimezone(zone).date()
            if p.kind == "counter":
                counter = await repo.counter_by_id(tx, p.subject)
                if counter is None:
                    await repo.delete_pending(tx, p.user_id, p.kind, p.subject)
                else:
                    await self._plan_counter(tx, counter, zone, today, after=p.milestone)
            elif p.kind == "group":
                joined = datetime.fromisoformat(p.run_key).astimezone(zone).date()
                await self._plan_group(tx, p.user_id, p.subject, p.run_key, joined, zone, today, after=p.milestone)
            else:
                await repo.delete_pending(tx, p.user_id, p.kind, p.subject)

    # ------------------------------------------------------------- cheers & encouragement

    async def celebration(self, celebration_id: int) -> repo.CelebrationRow:
        row = await repo.celebration_by_id(self._db, celebration_id)
        if row is None or row.status != "sent" or row.visibility == "private":
            raise NotFound("This celebration is no longer available.")
        return row

    async def cheer(self, celebration_id: int, person: Person) -> CheerOutcome:
        require(person, HearthRole.PARTICIPANT, HearthRole.FACILITATOR, HearthRole.STAFF, action="cheering")
        user_id = person.user_id
        row = await self.celebration(celebration_id)
        if row.user_id == user_id:
            count = await repo.cheer_count(self._db, celebration_id)
            return CheerOutcome(own=True, added=False, count=count, recipient_id=row.user_id, may_encourage=False)
        added = await repo.add_cheer(self._db, celebration_id, user_id, self._clock.now())
        count = await repo.cheer_count(self._db, celebration_id)
        may = not await repo.has_encouraged(self._db, celebration_id, user_id)
        return CheerOutcome(own=False, added=added, count=count, recipient_id=row.user_id, may_encourage=may)

    async def cheer_count(self, celebration_id: int) -> int:
        return await repo.cheer_count(self._db, celebration_id)

    async def begin_encouragement(self, celebration_id: int, author: Person) -> int:
        """Reserve the author's one encouragement for this celebration; returns the recipient."""
        require(author, HearthRole.PARTICIPANT, HearthRole.FACILITATOR, HearthRole.STAFF,
                action="sending encouragement")
        author_id = author.user_id
        row = await self.celebration(celebration_id)
        if row.user_id == author_id:
            raise InvalidInput("encouragement", "this is your own milestone; encouragement is for others")
        if not await repo.record_encouragement(
            self._db, celebration_id, author_id, row.user_id, "held", self._clock.now()
        ):
            raise InvalidInput("encouragement", "you already sent encouragement for this milestone — thank you")
        # A cheer always comes with encouragement (counted once).
        await repo.add_cheer(self._db, celebration_id, author_id, self._clock.now())
        return row.user_id

    async def finish_encouragement(self, celebration_id: int, author_id: int, status: str) -> None:
        await repo.set_encouragement_status(self._db, celebration_id, author_id, status)

    # ------------------------------------------------------------- data rights

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return await repo.export(self._db, user_id)

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        async with self._db.transaction() as tx:
            posts = await repo.public_posts(tx, user_id)
            removed = await repo.delete_user(tx, user_id)
        return DeletionResult(
            self.feature, removed, posts=tuple(PostedMessage(channel, message) for channel, message in posts)
        )


def _with_due(p: PendingRow, due: datetime) -> PendingRow:
    return PendingRow(
        user_id=p.user_id, kind=p.kind, subject=p.subject, run_key=p.run_key, milestone=p.milestone,
        local_date=p.local_date, due_at=due,
    )


class MilestoneWork:
    """The scheduler's DueWork "milestones": due celebrations, plus a periodic sweep of the
    people ``candidates`` names for streak and group-week milestones."""

    SWEEP_INTERVAL = timedelta(hours=1)

    def __init__(
        self,
        service: MilestoneService,
        sender: CelebrationSender,
        candidates: Callable[[], Awaitable[list[int]]] | None = None,
    ) -> None:
        self.service = service
        self.sender = sender
        self.candidates = candidates
        self.last_sweep: datetime | None = None

    def _next_sweep(self) -> datetime | None:
        if self.candidates is None or (self.service.streaks is None and self.service.groups is None):
            return None
        if self.last_sweep is None:
            return datetime.min.replace(tzinfo=UTC)
        return self.last_sweep + self.SWEEP_INTERVAL

    async def next_due(self) -> datetime | None:
        due = [d for d in (await self.service.next_due(), self._next_sweep()) if d is not None]
        return min(due) if due else None

    async def run_due(self, now: datetime) -> None:
        # Deliver first so a late celebration planned before a restart is not replaced by the sweep.
        await self.service.deliver_due(now, self.sender)
        sweep_at = self._next_sweep()
        if sweep_at is not None and sweep_at <= now and self.candidates is not None:
            self.last_sweep = now
            await self.service.sweep(await self.candidates())
            await self.service.deliver_due(now, self.sender)
