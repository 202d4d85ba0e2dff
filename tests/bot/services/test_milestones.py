"""MilestoneService against a real SQLite file, with fakes for streaks, groups and delivery."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import MilestoneSettings
from bot.db import Database, migrate
from bot.delivery import Delivered, DeliveryFailed
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.permissions import HearthRole, Person
from bot.services.contracts import GroupRef, MembershipRef, Streak
from bot.services.milestones import (
    DueCelebration,
    MilestoneService,
    MilestoneWork,
    announce_moment,
    milestone_sequence,
    recovery_totals,
)
from bot.services.people import PeopleService

USER = 101
OTHER = 202


def person(user_id: int) -> Person:
    return Person(user_id, frozenset({HearthRole.PARTICIPANT}))
NY = "America/New_York"


class FakeStreaks:
    def __init__(self) -> None:
        self.streaks: dict[int, Streak] = {}

    async def streak(self, user_id: int) -> Streak:
        return self.streaks.get(user_id, Streak(0, 0, None))

    async def checkin_dates(self, user_id: int, since: date) -> list[date]:
        return []


class FakeGroups:
    def __init__(self) -> None:
        self.groups: dict[int, list[GroupRef]] = {}
        self.memberships: dict[int, list[MembershipRef]] = {}

    async def groups_of_member(self, user_id: int) -> list[GroupRef]:
        return self.groups.get(user_id, [])

    async def group_by_channel(self, channel_id: int) -> GroupRef | None:
        return None

    async def facilitators_of_group(self, group_id: int) -> list[int]:
        return []

    async def members_of_group(self, group_id: int) -> list[int]:
        return []

    async def memberships_of(self, user_id: int) -> list[MembershipRef]:
        return self.memberships.get(user_id, [])


@dataclass
class FakeSender:
    sent: list[DueCelebration] = field(default_factory=list)
    fail_times: int = 0
    permanent: bool = False

    async def deliver(self, celebration: DueCelebration) -> Delivered:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise DeliveryFailed("http 503")
        if self.permanent:
            raise DeliveryFailed("http 403 code 50007", permanent=True, code=50007)
        self.sent.append(celebration)
        return Delivered(celebration.channel_id or 9, 1000 + len(self.sent))


@dataclass
class Env:
    db: Database
    clock: ManualClock
    people: PeopleService
    service: MilestoneService
    streaks: FakeStreaks
    groups: FakeGroups
    sender: FakeSender

    async def run(self) -> int:
        return await self.service.deliver_due(self.clock.now(), self.sender)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    db = await Database.open(tmp_path / "m.sqlite3")
    await migrate(db)
    # 10:00 in New York on Monday 2026-03-02 (UTC-5).
    clock = ManualClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    people = PeopleService(db, clock, NY)
    streaks, groups = FakeStreaks(), FakeGroups()
    service = MilestoneService(
        db, clock, MilestoneSettings(), people, celebrations_channel_id=555, streaks=streaks, groups=groups
    )
    try:
        yield Env(db, clock, people, service, streaks, groups, FakeSender())
    finally:
        await db.close()


# ------------------------------------------------------------------ pure helpers


def test_sequence_continues_every_365_days() -> None:
    seq = milestone_sequence((1, 7, 365))
    assert [next(seq) for _ in range(5)] == [1, 7, 365, 730, 1095]


def test_recovery_totals_one_reset_costs_one_day() -> None:
    start = date(2026, 1, 1)
    reset = date(2026, 2, 1)
    today = reset + timedelta(days=47)
    total, window = recovery_totals(reset, [(start, reset)], today)
    assert (total, window) == ((reset - start).days - 1 + 47, (today - start).days)
    assert window - total == 1


def test_announce_moment_on_dst_day_uses_the_new_offset() -> None:
    from zoneinfo import ZoneInfo

    # 2026-03-08: New York springs forward at 02:00; 09:00 is EDT (UTC-4).
    assert announce_moment(date(2026, 3, 8), 9, ZoneInfo(NY)) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    assert announce_moment(date(2026, 3, 7), 9, ZoneInfo(NY)) == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)


# ------------------------------------------------------------------ counters


async def test_set_and_list(env: Env) -> None:
    result = await env.service.set_counter(USER, "2026-02-23", "alcohol-free")
    assert result.created
    view = result.counter
    assert (view.label, view.days, view.next_milestone, view.next_date) == (
        "alcohol-free", 7, 14, date(2026, 3, 9)
    )
    [listed] = await env.service.list_counters(USER)
    assert listed == view


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2026-03-03", "future"),
        ("1899-12-31", "1900"),
        ("03/02/2026", "YYYY-MM-DD"),
        ("2026-02-30", "real calendar date"),
    ],
)
async def test_bad_dates_name_the_field(env: Env, text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await env.service.set_counter(USER, text)
    assert caught.value.field == "date"
    assert fragment in caught.value.message
    assert await env.service.list_counters(USER) == []


@pytest.mark.parametrize("label", ["x" * 41, "@everyone free", "**bold**", "<@123>", "a_b"])
async def test_bad_labels_name_the_field(env: Env, label: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await env.service.set_counter(USER, "2026-01-01", label)
    assert caught.value.field == "label"
    assert await env.service.list_counters(USER) == []


async def test_sixth_counter_is_refused(env: Env) -> None:
    for i in range(5):
        await env.service.set_counter(USER, "2026-01-01", f"counter {i}")
    with pytest.raises(InvalidInput, match="up to 5"):
        await env.service.set_counter(USER, "2026-01-01", "one more")
    # Correcting an existing one is still fine.
    result = await env.service.set_counter(USER, "2026-01-02", "Counter 1")
    assert not result.created
    assert len(await env.service.list_counters(USER)) == 5


async def test_reset_keeps_history_and_totals(env: Env) -> None:
    await env.service.set_counter(USER, "2025-12-13")
    view = await env.service.reset_counter(USER, "recovery", "2026-01-01")
    # 2025-12-13 → 2026-01-01 is 19 days, one lost; then 60 days to 2026-03-02.
    assert view.days == 60
    assert (view.days_in_recovery, view.window_days) == (18 + 60, 79)
    assert view.resets == 1
    with pytest.raises(InvalidInput, match="on or after"):
        await env.service.reset_counter(USER, "recovery", "2025-12-31")
    with pytest.raises(NotFound):
        await env.service.reset_counter(USER, "nope")


async def test_remove_cancels_pending(env: Env) -> None:
    await env.service.set_counter(USER, "2026-03-01")  # day 1 is today
    assert await env.service.next_due() is not None
    assert await env.service.remove_counter(USER, "RECOVERY") == "recovery"
    assert await env.service.next_due() is None
    env.clock.advance(days=1)
    assert await env.run() == 0


# ------------------------------------------------------------------ celebrations


async def test_due_on_the_day_at_announce_hour_and_only_once(env: Env) -> None:
    await env.service.set_counter(USER, "2026-02-24")  # 7 days on 2026-03-03
    due = await env.service.next_due()
    assert due == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    env.clock.set(due - timedelta(minutes=1))
    assert await env.run() == 0
    env.clock.set(due)
    assert await env.run() == 1
    [c] = env.sender.sent
    assert (c.kind, c.milestone, c.days_late, c.visibility, c.channel_id) == ("counter", 7, 0, "private", None)
    assert await env.run() == 0
    # Next one is planned: 14 days on 2026-03-10 (EDT by then).
    assert await env.service.next_due() == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


async def test_late_within_grace_then_skip_after(env: Env) -> None:
    await env.service.set_counter(USER, "2026-02-24")  # 7 days on 03-03, 14 days on 03-10
    env.clock.set(datetime(2026, 3, 5, 15, 0, tzinfo=UTC))  # two days late: inside the grace window
    assert await env.run() == 1
    assert env.sender.sent[0].days_late == 2
    env.clock.set(datetime(2026, 3, 13, 15, 0, tzinfo=UTC))  # three days late for day 14: skipped
    assert await env.run() == 0
    assert await env.service.next_due() == datetime(2026, 3, 26, 13, 0, tzinfo=UTC)  # 30 days


async def test_transient_failure_retries_without_duplicates(env: Env) -> None:
    await env.service.set_counter(USER, "2026-03-01")
    env.clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    env.sender.fail_times = 1
    assert await env.run() == 0
    assert await env.service.next_due() is not None
    assert await env.run() == 1
    assert await env.run() == 0
    assert len(env.sender.sent) == 1


async def test_time_zone_change_moves_the_celebration(env: Env) -> None:
    await env.service.set_counter(USER, "2026-02-24")  # 7 days on 03-03
    assert await env.service.next_due() == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    await env.people.set_timezone(USER, "Asia/Tokyo")
    assert await env.service.timezone_changed(USER) == 1
    assert await env.service.next_due() == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 09:00 JST


async def test_time_zone_change_without_notice_is_caught_at_fire_time(env: Env) -> None:
    await env.service.set_counter(USER, "2026-02-24")
    await env.people.set_timezone(USER, "America/Los_Angeles")  # 09:00 PST = 17:00 UTC
    env.clock.set(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))
    assert await env.run() == 0
    assert await env.service.next_due() == datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    env.clock.set(datetime(2026, 3, 3, 17, 0, tzinfo=UTC))
    assert await env.run() == 1


async def test_visibility_targets(env: Env) -> None:
    with pytest.raises(InvalidInput):
        await env.service.set_visibility(USER, "everyone")
    assert await env.service.visibility(USER) == "private"
    await env.service.set_visibility(USER, "group")
    await env.service.set_counter(USER, "2026-03-01")
    env.clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    await env.run()
    assert (env.sender.sent[-1].visibility, env.sender.sent[-1].channel_id) == ("private", None)  # no group
    env.groups.groups[USER] = [GroupRef(7, "Tuesday IOP", 777, None, NY, False)]
    await env.service.set_visibility(USER, "group")
    await env.service.set_counter(USER, "2026-02-24", "second")  # 6 days; 7 days tomorrow
    env.clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    await env.run()
    assert (env.sender.sent[-1].visibility, env.sender.sent[-1].channel_id) == ("group", 777)
    await env.service.set_visibility(USER, "community")
    await env.service.set_counter(USER, "2026-02-20", "third")  # 14 days on 03-06
    env.clock.set(datetime(2026, 3, 6, 15, 0, tzinfo=UTC))
    await env.run()
    assert (env.sender.sent[-1].visibility, env.sender.sent[-1].channel_id) == ("community", 555)


async def test_streak_celebration_from_sweep(env: Env) -> None:
    work = MilestoneWork(env.service, env.sender, candidates=_people([USER, OTHER]))
    env.streaks.streaks[USER] = Streak(6, 6, date(2026, 3, 2))
    env.streaks.streaks[OTHER] = Streak(7, 7, date(2026, 3, 2))
    await work.run_due(env.clock.now())
    assert [(c.user_id, c.kind, c.milestone) for c in env.sender.sent] == [(OTHER, "streak", 7)]
    # The same streak is never celebrated twice, however often it is swept.
    work.last_sweep = None
    await work.run_due(env.clock.now())
    assert len(env.sender.sent) == 1


async def test_group_weeks(env: Env) -> None:
    joined = datetime(2026, 2, 2, 18, 0, tzinfo=UTC)  # 13:00 in New York
    env.groups.memberships[USER] = [MembershipRef(7, "Tuesday IOP", joined, None)]
    await env.service.memberships_changed(USER)
    assert await env.service.next_due() == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 4 weeks: today
    assert await env.run() == 1
    c = env.sender.sent[0]
    assert (c.kind, c.milestone, c.group_name) == ("group", 4, "Tuesday IOP")
    assert await env.service.next_due() == datetime(2026, 3, 30, 13, 0, tzinfo=UTC)  # 8 weeks
    env.groups.memberships[USER] = [MembershipRef(7, "Tuesday IOP", joined, datetime(2026, 3, 3, tzinfo=UTC))]
    await env.service.memberships_changed(USER)
    assert await env.service.next_due() is None


# ------------------------------------------------------------------ cheers, data rights


async def _public_celebration(env: Env) -> int:
    await env.service.set_visibility(USER, "community")
    await env.service.set_counter(USER, "2026-03-01")
    await env.run()
    return env.sender.sent[-1].id


async def test_cheers_count_once_and_never_own(env: Env) -> None:
    cid = await _public_celebration(env)
    own = await env.service.cheer(cid, person(USER))
    assert own.own and own.count == 0
    first = await env.service.cheer(cid, person(OTHER))
    again = await env.service.cheer(cid, person(OTHER))
    assert (first.added, first.count, again.added, again.count) == (True, 1, False, 1)
    assert await env.service.begin_encouragement(cid, person(OTHER)) == USER
    with pytest.raises(InvalidInput):
        await env.service.begin_encouragement(cid, person(OTHER))
    with pytest.raises(InvalidInput):
        await env.service.begin_encouragement(cid, person(USER))
    assert not (await env.service.cheer(cid, person(OTHER))).may_encourage
    with pytest.raises(NotAllowed):
        await env.service.cheer(cid, Person(303, frozenset()))  # no program role


async def test_export_and_delete(env: Env) -> None:
    cid = await _public_celebration(env)
    await env.service.reset_counter(USER, "recovery")
    await env.service.cheer(cid, person(OTHER))
    await env.service.begin_encouragement(cid, person(OTHER))
    exported = await env.service.export_user_data(USER)
    json.dumps(exported)
    assert exported["counters"][0]["label"] == "recovery"
    assert len(exported["earlier_runs"]) == 1
    assert len(exported["celebrations"]) == 1
    assert len(exported["cheers_received"]) == 1
    assert exported["settings"][0]["visibility"] == "community"
    given = await env.service.export_user_data(OTHER)
    assert len(given["cheers_given"]) == 1 and len(given["encouragements_sent"]) == 1
    result = await env.service.delete_user_data(USER)
    assert result.rows_deleted > 0
    for table in env.service.tables:
        column = {"milestone_cheers": "celebration_id", "milestone_encouragements": "recipient_id"}.get(
            table, "user_id"
        )
        if column == "celebration_id":
            assert await env.db.fetch_value(f"SELECT COUNT(*) FROM {table}") == 0
        else:
            assert await env.db.fetch_value(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (USER,)) == 0


def _people(ids: list[int]):  # type: ignore[no-untyped-def]
    async def candidates() -> list[int]:
        return ids

    return candidates
