"""Scheduling: one APScheduler timer per kind of work, rebuilt from the database.

Like RoboDanny's single timer dispatcher, APScheduler holds nothing that matters: each
feature registers a ``DueWork`` that can say when its next item is due (a query on its
own tables) and can handle everything due at a given moment. The scheduler keeps one
``DateTrigger`` job per registered work, armed at that next due time. On start every
work first runs once with the current time, which is how anything that came due while
the bot was down is handled; then it is armed. After a feature changes its tables it
calls ``poke(name)`` so the timer is re-armed from the new data.

Time comes from the injected clock. The delay until the next item is computed in that
clock and then slept in real time, so tests that move a ``ManualClock`` call
``run_due_now()`` instead of waiting.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock
from bot.errors import new_incident_code

log = logging.getLogger(__name__)


class DueWork(Protocol):
    async def next_due(self) -> datetime | None:
        """When the earliest pending item is due (aware UTC), or None if nothing is pending."""
        ...

    async def run_due(self, now: datetime) -> None:
        """Handle every item due at or before ``now``. Must be idempotent."""
        ...


@dataclass
class PeriodicWork:
    """Idempotent housekeeping (such as retention purges): once on start, then every interval."""

    action: Callable[[], Awaitable[object]]
    interval: timedelta
    clock: Clock
    _last_run: datetime | None = None

    async def next_due(self) -> datetime | None:
        return self.clock.now() if self._last_run is None else self._last_run + self.interval

    async def run_due(self, now: datetime) -> None:
        self._last_run = now
        await self.action()


def nothing_to_wake() -> None:
    """The default waker of a service built without a scheduler (unit tests, CLI tools)."""


class Scheduler:
    # A timer never sleeps longer than this, so a missed poke or a clock jump costs at most
    # this much delay; each wake-up is one indexed query per feature.
    MAX_SLEEP = timedelta(minutes=5)
    # When work is still due right after running (a delivery failed and will be retried),
    # wait at least this long so a persistent failure never becomes a busy loop.
    RETRY_DELAY = timedelta(seconds=2)

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._works: dict[str, DueWork] = {}
        self._priority: dict[str, int] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._aps: AsyncIOScheduler | None = None
        self._arming: set[asyncio.Task[None]] = set()
        # Runs in progress. APScheduler cancels its jobs at shutdown; a run is shielded from that, so a delivery
        # round is never cut off half-way, and shutdown() waits for it instead.
        self._runs: set[asyncio.Task[None]] = set()
        # Names with a poke's re-arm queued but not started: a burst of pokes (500 check-ins
        # a second each poke milestones) costs one next_due() query, not one each.
        self._poked: set[str] = set()

    # Catch-up order on start: crisis work (undelivered alerts, overdue escalations) before bulk sends.
    CRISIS = 0
    NORMAL = 10

    def register(self, name: str, work: DueWork, *, priority: int = NORMAL) -> None:
        if name in self._works:
            raise ValueError(f"scheduled work {name!r} is already registered")
        self._works[name] = work
        self._priority[name] = priority
        self._locks[name] = asyncio.Lock()
        if self.running:
            self.poke(name)

    def unregister(self, name: str) -> None:
        """Forget a work (its extension is unloading); a run in progress finishes, nothing is armed again."""
        if self._works.pop(name, None) is None:
            return
        self._priority.pop(name, None)
        self._locks.pop(name, None)
        self._poked.discard(name)
        if self._aps is not None and self._aps.get_job(f"hearth:{name}") is not None:
            self._aps.remove_job(f"hearth:{name}")

    @property
    def running(self) -> bool:
        return self._aps is not None and self._aps.running

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._works)

    async def start(self) -> None:
        """Catch up on everything that came due while stopped, then arm every timer."""
        if self.running:
            return
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._aps.start()
        for name in sorted(self._works, key=lambda n: self._priority[n]):
            await self._fire(name)

    async def shutdown(self) -> None:
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps = None
        for task in list(self._arming):
            task.cancel()
        await asyncio.gather(*self._arming, return_exceptions=True)
        self._poked.clear()
        # Let any run in progress finish so nothing is half-delivered at shutdown.
        await asyncio.gather(*self._runs, return_exceptions=True)
        for lock in self._locks.values():
            async with lock:
                pass

    def waker(self, name: str) -> Callable[[], None]:
        """What a service calls after it writes something due: re-arms ``name``'s timer at once.

        As RoboDanny's ``create_timer`` re-arms its dispatcher: the service that writes owns the wake-up, so no
        caller has to remember it.
        """
        return functools.partial(self.poke, name)

    def poke(self, name: str | None = None) -> None:
        """Re-arm a timer (or all) after its tables changed."""
        if not self.running:
            return
        for key in [name] if name is not None else list(self._works):
            if key not in self._works:
                continue  # that feature's extension is not loaded
            if key in self._poked:
                continue  # a re-arm that has not read next_due() yet will see this change too
            self._poked.add(key)
            task = asyncio.get_running_loop().create_task(self._rearm(key))
            self._arming.add(task)
            task.add_done_callback(self._arming.discard)

    async def _rearm(self, name: str) -> None:
        # Pokes that arrive from here on start a new re-arm: this one may read too early.
        self._poked.discard(name)
        await self._arm(name)

    async def run_due_now(self, name: str | None = None) -> None:
        """Run due work immediately with the clock's current time (tests, and on start)."""
        for key in [name] if name is not None else list(self._works):
            await self._fire(key)

    async def _fire(self, name: str) -> None:
        run = asyncio.get_running_loop().create_task(self._run(name), name=f"hearth: scheduled {name}")
        self._runs.add(run)
        run.add_done_callback(self._runs.discard)
        try:
            await asyncio.shield(run)
        except asyncio.CancelledError:
            if not run.done() and self.running:
                raise  # cancelled by something other than the scheduler's own shutdown
            # The scheduler is stopping: shutdown() waits for the run; nothing to report.

    async def _run(self, name: str) -> None:
        work = self._works.get(name)
        lock = self._locks.get(name)
        if work is None or lock is None:
            return  # unregistered while its timer was pending
        async with lock:
            now = self._clock.now()
            try:
                await work.run_due(now)
            except Exception:
                log.exception("scheduled work %s failed [%s]", name, new_incident_code())
        await self._arm(name, just_ran=True)

    async def _arm(self, name: str, *, just_ran: bool = False) -> None:
        work = self._works.get(name)
        if self._aps is None or not self._aps.running or work is None:
            return
        try:
            due = await work.next_due()
        except Exception:
            log.exception("could not compute next due time for %s [%s]", name, new_incident_code())
            due = None
        now = self._clock.now()
        delay = self.MAX_SLEEP if due is None else min(max(due - now, timedelta(0)), self.MAX_SLEEP)
        if just_ran and delay < self.RETRY_DELAY and due is not None and due <= now:
            delay = self.RETRY_DELAY
        run_at = datetime.now(UTC) + delay
        self._aps.add_job(
            self._fire,
            trigger=DateTrigger(run_date=run_at, timezone=UTC),
            args=[name],
            id=f"hearth:{name}",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
