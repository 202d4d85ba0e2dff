from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.scheduler import Scheduler

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Ledger:
    """DueWork over an in-memory list standing in for a feature's table."""

    def __init__(self, clock: ManualClock, due: list[datetime]) -> None:
        self.clock = clock
        self.pending = sorted(due)
        self.handled: list[datetime] = []
        self.runs = 0

    async def next_due(self) -> datetime | None:
        return self.pending[0] if self.pending else None

    async def run_due(self, now: datetime) -> None:
        self.runs += 1
        while self.pending and self.pending[0] <= now:
            self.handled.append(self.pending.pop(0))


async def test_start_catches_up_on_what_came_due_while_down() -> None:
    clock = ManualClock(START)
    work = Ledger(clock, [START - timedelta(hours=2), START - timedelta(minutes=1), START + timedelta(hours=1)])
    scheduler = Scheduler(clock)
    scheduler.register("ledger", work)
    await scheduler.start()
    try:
        assert work.handled == [START - timedelta(hours=2), START - timedelta(minutes=1)]
        assert work.pending == [START + timedelta(hours=1)]
    finally:
        await scheduler.shutdown()


async def test_run_due_now_follows_the_injected_clock() -> None:
    clock = ManualClock(START)
    work = Ledger(clock, [START + timedelta(minutes=5)])
    scheduler = Scheduler(clock)
    scheduler.register("ledger", work)
    await scheduler.start()
    try:
        await scheduler.run_due_now()
        assert work.handled == []
        clock.advance(minutes=5)
        await scheduler.run_due_now("ledger")
        assert work.handled == [START + timedelta(minutes=5)]
    finally:
        await scheduler.shutdown()


async def test_timer_fires_by_itself_when_due() -> None:
    clock = ManualClock(START)
    work = Ledger(clock, [])
    scheduler = Scheduler(clock)
    scheduler.register("ledger", work)
    await scheduler.start()
    try:
        runs_after_start = work.runs
        work.pending.append(START)  # due now: a poke must arm a timer that runs it
        scheduler.poke("ledger")
        for _ in range(100):
            if work.handled:
                break
            await asyncio.sleep(0.02)
        assert work.handled == [START]
        assert work.runs > runs_after_start
    finally:
        await scheduler.shutdown()


async def test_failing_work_is_logged_not_lost(caplog: object) -> None:
    clock = ManualClock(START)

    class Broken:
        async def next_due(self) -> datetime | None:
            return None

        async def run_due(self, now: datetime) -> None:
            raise RuntimeError("boom")

    scheduler = Scheduler(clock)
    scheduler.register("broken", Broken())
    await scheduler.start()  # must not raise
    await scheduler.shutdown()


async def test_crisis_work_catches_up_first_on_start() -> None:
    """Issue 10 §A 4: undelivered alerts and overdue escalations run before reminders and celebrations."""
    clock = ManualClock(START)
    order: list[str] = []

    class Named(Ledger):
        def __init__(self, name: str) -> None:
            super().__init__(clock, [START - timedelta(minutes=5)])
            self.name = name

        async def run_due(self, now: datetime) -> None:
            order.append(self.name)
            await super().run_due(now)

    scheduler = Scheduler(clock)
    scheduler.register("reminders", Named("reminders"))
    scheduler.register("milestones", Named("milestones"))
    scheduler.register("crisis", Named("crisis"), priority=Scheduler.CRISIS)
    await scheduler.start()
    try:
        assert order == ["crisis", "reminders", "milestones"]
    finally:
        await scheduler.shutdown()


async def test_unregistered_work_is_never_run_again() -> None:
    clock = ManualClock(START)
    work = Ledger(clock, [START + timedelta(hours=1)])
    scheduler = Scheduler(clock)
    scheduler.register("ledger", work)
    await scheduler.start()
    try:
        runs = work.runs
        scheduler.unregister("ledger")
        scheduler.unregister("ledger")  # twice is harmless
        assert scheduler.names == ()
        clock.advance(hours=2)
        await scheduler.run_due_now()
        assert work.runs == runs and work.handled == []
        scheduler.register("ledger", work)  # and it can come back (an extension reload)
        await scheduler.run_due_now("ledger")
        assert work.handled == [START + timedelta(hours=1)]
    finally:
        await scheduler.shutdown()


class Blocking:
    """DueWork whose run waits until released: a delivery round in progress when the bot stops."""

    def __init__(self) -> None:
        self.due: datetime | None = None
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = False

    async def next_due(self) -> datetime | None:
        return self.due

    async def run_due(self, now: datetime) -> None:
        if self.due is None or self.due > now:
            return
        self.started.set()
        await self.release.wait()
        self.due = None
        self.finished = True


async def test_shutdown_lets_a_run_in_progress_finish_without_an_error(caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock(START)
    work = Blocking()
    scheduler = Scheduler(clock)
    scheduler.register("blocking", work)
    await scheduler.start()
    work.due = START
    scheduler.poke("blocking")
    await asyncio.wait_for(work.started.wait(), 5)  # fired by APScheduler's own timer, now mid-run
    stopping = asyncio.create_task(scheduler.shutdown())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # shutdown waits for the run instead of cancelling it
    work.release.set()
    await asyncio.wait_for(stopping, 5)
    assert work.finished
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
