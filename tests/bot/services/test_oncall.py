"""The on-call rota's time arithmetic (DST-correct) and overrides, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import OncallSettings, OncallShift, parse_days
from bot.db import Database, migrate
from bot.errors import InvalidInput, NotAllowed
from bot.permissions import HearthRole, Person
from bot.services.oncall import OncallRota, windows

DAY, NIGHT = 11, 22
SETTINGS = OncallSettings(
    timezone="America/New_York",
    shifts=(
        OncallShift(days="daily", start="09:00", end="17:00", members=(DAY,)),
        OncallShift(days="daily", start="17:00", end="09:00", members=(NIGHT,)),
    ),
)
STAFF = Person(1, frozenset({HearthRole.STAFF}))


def test_days_parse() -> None:
    assert parse_days("mon-fri") == (0, 1, 2, 3, 4)
    assert parse_days("sat,sun") == (5, 6)
    assert parse_days("fri-mon") == (0, 4, 5, 6)
    with pytest.raises(ValueError, match="unknown day"):
        parse_days("someday")


def test_shifts_follow_local_time_across_both_dst_changes() -> None:
    # 2026-03-08: clocks go forward in New York; 2026-11-01: back.
    before = windows(SETTINGS, datetime(2026, 3, 7, 12, tzinfo=UTC), datetime(2026, 3, 7, 23, tzinfo=UTC))
    after = windows(SETTINGS, datetime(2026, 3, 9, 12, tzinfo=UTC), datetime(2026, 3, 9, 23, tzinfo=UTC))
    day_before = next(w for w in before if w.members == {DAY} and w.start.day == 7)
    day_after = next(w for w in after if w.members == {DAY} and w.start.day == 9)
    assert day_before.start.hour == 14 and day_after.start.hour == 13  # 09:00 local both days
    night = next(w for w in windows(SETTINGS, datetime(2026, 3, 7, 23, tzinfo=UTC), datetime(2026, 3, 8, 14,
                                                                                              tzinfo=UTC))
                 if w.members == {NIGHT} and w.start.day == 7)
    assert night.end - night.start == timedelta(hours=15)  # 17:00 to 09:00 across the lost hour
    fall = next(w for w in windows(SETTINGS, datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 1, 15,
                                                                                             tzinfo=UTC))
                if w.members == {NIGHT} and w.start.day == 31)
    assert fall.end - fall.start == timedelta(hours=17)  # and across the repeated hour


@pytest.fixture
async def rota(tmp_path: Path) -> AsyncIterator[tuple[OncallRota, ManualClock]]:
    db = await Database.open(tmp_path / "oncall.sqlite3")
    await migrate(db)
    clock = ManualClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))  # 10:00 in New York
    try:
        yield OncallRota(db, clock, SETTINGS), clock
    finally:
        await db.close()


async def test_who_is_on_call_and_when_it_changes(rota: tuple[OncallRota, ManualClock]) -> None:
    service, clock = rota
    now = clock.now()
    assert await service.on_call_at(now) == {DAY}
    assert await service.next_change(now) == datetime(2026, 3, 2, 22, 0, tzinfo=UTC)  # 17:00 local
    assert await service.on_call_at(datetime(2026, 3, 2, 23, tzinfo=UTC)) == {NIGHT}


async def test_overrides_add_someone_for_a_window_and_are_checked(rota: tuple[OncallRota, ManualClock]) -> None:
    service, clock = rota
    start, end = clock.now() + timedelta(hours=1), clock.now() + timedelta(hours=3)
    with pytest.raises(NotAllowed):
        await service.add_override(Person(5, frozenset({HearthRole.FACILITATOR})), 33, start, end)
    with pytest.raises(InvalidInput, match="after the start"):
        await service.add_override(STAFF, 33, end, start)
    await service.add_override(STAFF, 33, start, end)
    assert await service.on_call_at(start + timedelta(minutes=1)) == {DAY, 33}
    assert await service.next_change(clock.now()) == start
    assert await service.on_call_at(end) == {DAY}
