"""CheckinService and ReminderService against a real SQLite file, with a fake group directory."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.config import CheckinSettings
from bot.db import Database, migrate
from bot.delivery import Delivered, DeliveryFailed
from bot.errors import InvalidInput, NotAllowed
from bot.permissions import HearthRole, Person
from bot.repositories import checkins as checkins_repo
from bot.services.checkins import CheckinInput, CheckinService, compute_streak, validate_modal
from bot.services.contracts import GroupRef, MembershipRef
from bot.services.people import PeopleService
from bot.services.reminders import next_slot, parse_local_time

NY = ZoneInfo("America/New_York")


class FakeGroups:
    def __init__(self) -> None:
        self.group = GroupRef(1, "Circle", 500, None, "America/New_York", False)
        self.members: list[int] = [1, 2]
        self.facilitators: list[int] = [9]

    async def groups_of_member(self, user_id: int) -> list[GroupRef]:
        return [self.group] if user_id in self.members else []

    async def group_by_channel(self, channel_id: int) -> GroupRef | None:
        return self.group if channel_id == 500 else None

    async def facilitators_of_group(self, group_id: int) -> list[int]:
        return list(self.facilitators)

    async def members_of_group(self, group_id: int) -> list[int]:
        return list(self.members)

    async def memberships_of(self, user_id: int) -> list[MembershipRef]:
        return []


P1 = Person(1, frozenset({HearthRole.PARTICIPANT}))
NOBODY = Person(3, frozenset())


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[CheckinService, ManualClock, Database]]:
    db = await Database.open(tmp_path / "c.sqlite3")
    await migrate(db)
    clock = ManualClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    people = PeopleService(db, clock, "America/New_York")
    service = CheckinService(db, clock, people, FakeGroups(), CheckinSettings())
    try:
        yield service, clock, db
    finally:
        await db.close()


def d(day: int) -> date:
    return date(2026, 3, day)


def test_streak_today_not_yet_does_not_break() -> None:
    assert compute_streak([d(1), d(2)], [], d(3)).current == 2
    assert compute_streak([d(1), d(2)], [], d(4)).current == 0
    assert compute_streak([d(1), d(2)], [], d(4)).longest == 2


def test_paused_days_bridge_a_streak() -> None:
    streak = compute_streak([d(1), d(2), d(6)], [(d(3), d(5))], d(6))
    assert (streak.current, streak.longest) == (3, 3)


def test_validate_modal_names_fields() -> None:
    with pytest.raises(InvalidInput, match="Mood"):
        validate_modal("0", "", "", "")
    with pytest.raises(InvalidInput, match="Sleep hours"):
        validate_modal("5", "", "nan", "")
    assert validate_modal("5", "0", "7,5", "🙂") == CheckinInput(5, 0, 7.5, "🙂")


def test_slots_across_dst() -> None:
    # 02:30 does not exist on Mar 8 2026 in New York; the reminder comes at 03:30 EDT.
    day, moment = next_slot(time(2, 30), NY, datetime(2026, 3, 8, 5, 0, tzinfo=UTC))
    assert day == d(8) and moment == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    _, autumn = next_slot(time(9, 0), NY, datetime(2026, 11, 1, 5, 0, tzinfo=UTC))
    assert autumn == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)
    assert parse_local_time("9:05 pm") == time(21, 5)


async def test_one_checkin_per_local_day_and_role_check(env: tuple[CheckinService, ManualClock, Database]) -> None:
    service, _clock, _ = env
    first = await service.record(P1, CheckinInput(6, None, None, None))
    again = await service.record(P1, CheckinInput(4, 1, None, None))
    assert not first.updated and again.updated and again.checkin_id == first.checkin_id
    with pytest.raises(NotAllowed):
        await service.record(NOBODY, CheckinInput(6, None, None, None))
    assert await service.checkin_dates(1, d(1)) == [d(2)]


def spy_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of the batches handed to record_checkins_sync."""
    sizes: list[int] = []
    real = checkins_repo.record_checkins_sync

    def spy(conn: sqlite3.Connection, writes: list[checkins_repo.CheckinWrite]) -> Any:
        sizes.append(len(writes))
        return real(conn, writes)

    monkeypatch.setattr(checkins_repo, "record_checkins_sync", spy)
    return sizes


async def test_concurrent_checkins_share_a_transaction_in_arrival_order(
    env: tuple[CheckinService, ManualClock, Database], monkeypatch: pytest.MonkeyPatch,
) -> None:
    service, _clock, db = env
    people = [Person(uid, frozenset({HearthRole.PARTICIPANT})) for uid in range(100, 110)]
    batches = spy_batches(monkeypatch)
    for p in people:
        await service.streak(p.user_id)  # zones known: every check-in is queued before the writer runs
    outcomes = await asyncio.gather(
        *(service.record_message(p, f"mood {1 + i}/10", channel_id=7, message_id=1000 + i)
          for i, p in enumerate(people)),
        # The same person twice in the same burst: the second one updates the first.
        service.record_message(people[0], "mood 9/10 cravings 2", channel_id=7, message_id=2000),
        # A note with no mood claims the one-time format hint, once.
        service.record_message(people[1], "long day", channel_id=7, message_id=2001),
        service.record_message(people[1], "still here", channel_id=7, message_id=2002),
    )
    assert batches == [13]
    assert [o.outcome.updated for o in outcomes] == [False] * 10 + [True, True, True]
    assert outcomes[10].outcome.checkin_id == outcomes[0].outcome.checkin_id
    assert [o.send_format_hint for o in outcomes[10:]] == [False, True, False]
    assert all(o.outcome.streak.current == 1 for o in outcomes)
    row = await db.fetch_one("SELECT mood, cravings, note, message_id FROM checkins WHERE user_id = 100")
    assert row is not None and tuple(row) == (9, 2, "mood 9/10 cravings 2", 2000)
    row = await db.fetch_one("SELECT mood, note, message_id FROM checkins WHERE user_id = 101")
    assert row is not None and tuple(row) == (2, "still here", 2002)  # note-only keeps the earlier mood


async def test_one_failing_checkin_does_not_fail_the_others_in_its_batch(
    env: tuple[CheckinService, ManualClock, Database], monkeypatch: pytest.MonkeyPatch,
) -> None:
    service, _clock, db = env
    real = checkins_repo.record_checkin_sync

    def failing_for_user_5(conn: sqlite3.Connection, **kwargs: Any) -> checkins_repo.RecordedCheckin:
        if kwargs["user_id"] == 5:
            raise sqlite3.IntegrityError("boom")
        return real(conn, **kwargs)

    monkeypatch.setattr(checkins_repo, "record_checkin_sync", failing_for_user_5)
    batches = spy_batches(monkeypatch)
    people = [Person(uid, frozenset({HearthRole.PARTICIPANT})) for uid in (4, 5, 6)]
    for p in people:
        await service.streak(p.user_id)
    results = await asyncio.gather(
        *(service.record(p, CheckinInput(5, None, None, None)) for p in people), return_exceptions=True
    )
    assert batches == [3, 1, 1, 1]  # the batch failed as a whole, then each was written on its own
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert not isinstance(results[0], BaseException) and not isinstance(results[2], BaseException)
    users = [r[0] for r in await db.fetch_all("SELECT user_id FROM checkins ORDER BY user_id")]
    assert users == [4, 6]


async def test_listeners_see_the_same_streak_as_the_database(env: tuple[CheckinService, ManualClock, Database]) -> None:
    service, clock, _ = env
    seen: list[tuple[int, int]] = []

    async def listener(user_id: int) -> None:
        seen.append((user_id, (await service.streak(user_id)).current))

    service.recorded.connect(listener)
    for _ in range(3):
        await service.record(P1, CheckinInput(6, None, None, None))
        clock.advance(days=1)
    assert seen == [(1, 1), (1, 2), (1, 3)]
    assert (await service.streak(1)).current == 3  # from the database, nothing left over


async def test_concern_episode_once(env: tuple[CheckinService, ManualClock, Database]) -> None:
    service, clock, _ = env
    notices = []
    for mood in (2, 3, 1, 2, 8, 2, 2, 2):
        notices.append(await service.record(P1, CheckinInput(mood, None, None, None)))
        clock.advance(days=1)
    fired = [i for i, o in enumerate(notices) if o.concerns]
    assert fired == [2, 7]
    assert notices[2].concerns[0].facilitator_ids == (9,)


async def test_reminders_run_due_once_per_day(env: tuple[CheckinService, ManualClock, Database]) -> None:
    service, clock, _ = env
    reminders = service.reminders
    sent: list[tuple[int, date]] = []

    async def sender(user_id: int, local_date: date) -> Delivered:
        sent.append((user_id, local_date))
        return Delivered(1, 2)

    reminders.sender = sender
    await reminders.set_time(1, "11:00")  # 10:00 EST now
    assert await reminders.next_due() == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    await reminders.run_due(clock.now())
    await reminders.run_due(clock.now())
    assert sent == [(1, d(2))]
    assert await reminders.next_due() == datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    # Re-setting the same time the same day does not send a second one today.
    await reminders.set_time(1, "11:30")
    clock.set(datetime(2026, 3, 2, 16, 30, tzinfo=UTC))
    await reminders.run_due(clock.now())
    assert sent == [(1, d(2))]


async def test_transient_failure_is_retried_later(env: tuple[CheckinService, ManualClock, Database]) -> None:
    service, clock, _ = env
    outcomes: list[DeliveryFailed | None] = [DeliveryFailed("http 503"), None]

    async def sender(user_id: int, local_date: date) -> Delivered:
        failure = outcomes.pop(0)
        if failure is not None:
            raise failure
        return Delivered(1, 2)

    service.reminders.sender = sender
    await service.reminders.set_time(1, "11:00")
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    await service.reminders.run_due(clock.now())
    assert await service.reminders.next_due() == datetime(2026, 3, 2, 16, 5, tzinfo=UTC)
    clock.set(datetime(2026, 3, 2, 16, 5, tzinfo=UTC))
    await service.reminders.run_due(clock.now())
    assert outcomes == []


async def test_export_and_delete(env: tuple[CheckinService, ManualClock, Database]) -> None:
    service, _, db = env
    await service.record(P1, CheckinInput(2, 9, 5.0, "note"))
    await service.reminders.set_time(1, "09:00")
    await service.reminders.pause(1, 3)
    exported = await service.export_user_data(1)
    assert exported["checkins"][0]["note"] == "note"
    assert exported["checkin_reminders"] and exported["checkin_pauses"] and exported["checkin_concerns"]
    result = await service.delete_user_data(1)
    assert result.rows_deleted >= 4
    for table in service.tables:
        assert await db.fetch_value(f"SELECT COUNT(*) FROM {table}") == 0
