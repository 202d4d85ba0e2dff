"""Benchmark: milestone scheduling at scale, service level with a real SQLite file. No assertions.

Creates N people with 5 counters each (default 2,000 → 10,000 counters), then measures
/milestone set latency, the scheduler's next_due query, and delivering every celebration
due on one busy morning through a no-op sender.
Usage: python -m bench.bench_milestones [--people 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.config import MilestoneSettings
from bot.db import Database, migrate
from bot.delivery import Delivered
from bot.services.milestones import DueCelebration, MilestoneService
from bot.services.people import PeopleService


class NullSender:
    def __init__(self) -> None:
        self.count = 0

    async def deliver(self, celebration: DueCelebration) -> Delivered:
        self.count += 1
        return Delivered(1, self.count)


async def main(people: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        await migrate(db)
        clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
        service = MilestoneService(
            db, clock, MilestoneSettings(), PeopleService(db, clock, "America/New_York"),
            celebrations_channel_id=1,
        )
        latencies = []
        today = date(2026, 3, 2)
        for user in range(1, people + 1):
            for i in range(5):
                start = today - timedelta(days=(user * 7 + i * 13) % 400 + 1)
                t0 = time.perf_counter()
                await service.set_counter(user, start.isoformat(), f"counter {i}")
                latencies.append(time.perf_counter() - t0)
        latencies.sort()
        print(f"{people * 5} counters: /milestone set median {statistics.median(latencies) * 1000:.2f} ms, "
              f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.2f} ms")
        t0 = time.perf_counter()
        for _ in range(100):
            await service.next_due()
        print(f"next_due over {people * 5} pending rows: {(time.perf_counter() - t0) * 10:.3f} ms per call")
        sender = NullSender()
        clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
        t0 = time.perf_counter()
        delivered = await service.deliver_due(clock.now(), sender)
        elapsed = time.perf_counter() - t0
        print(f"delivered {delivered} celebrations due on one morning in {elapsed:.2f} s "
              f"({delivered / elapsed if elapsed else 0:.0f}/s, excluding Discord)")
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    asyncio.run(main(parser.parse_args().people))
