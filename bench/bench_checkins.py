"""Benchmark: check-in reminders for 10,000 participants, and in-channel check-in throughput.

Runs the real bot (real discord.py client) against the local emulator. Prints numbers; no
assertions. Usage: python -m bench.bench_checkins [--people 10000] [--same-minute 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import load_settings
from bot.repositories import checkins as repo
from bot.runtime import build_bot
from bot.services.reminders import WORK_NAME, SendResult
from tests.emulator import Emulator
from tests.harness import Harness

NY = ZoneInfo("America/New_York")


class OffsetClock:
    """Real time shifted to a chosen instant, so a due minute arrives a few seconds from now."""

    def __init__(self, target: datetime, lead: float) -> None:
        self.retarget(target, lead)

    def retarget(self, target: datetime, lead: float) -> None:
        self._offset = target - datetime.now(UTC) - timedelta(seconds=lead)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


async def start(harness: Harness, ready_within: float = 300) -> None:
    """Harness.start with a longer ready timeout (10,000 members take a while to arrive)."""
    settings = load_settings(harness.config_path)
    bot = await build_bot(settings, harness.clock, guild_ready_timeout=0.1)
    harness.bot = bot
    harness._task = asyncio.create_task(bot.start(harness.emu.token))
    await asyncio.wait_for(bot.scheduler_started.wait(), ready_within)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(people: int, same_minute: int, throughput_n: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    async with Emulator() as emu:
        tmp = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
        harness = Harness(emu, tmp)
        t0 = time.perf_counter()
        ids = [emu.add_member(f"p{i}", roles=[harness.seed.participant_role]) for i in range(people)]
        print(f"seeded {people} members in the emulator in {time.perf_counter() - t0:.1f}s")

        # The shared due minute: 09:00 New York on Tue 2026-03-03 (14:00 UTC).
        due = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
        rss_before = rss_mb()
        # First start only migrates and seeds; the clock sits well before the due minute.
        harness.clock.set(due - timedelta(hours=1))
        await start(harness)
        bot = harness.running
        rows = []
        for i, uid in enumerate(ids):
            if i < same_minute:
                rows.append((uid, "09:00", "America/New_York", due))
            else:
                minute = 1 + (i % (24 * 60 - 2))  # spread over the rest of the day, never 09:00
                slot = due + timedelta(minutes=minute)
                rows.append((uid, slot.astimezone(NY).strftime("%H:%M"), "America/New_York", slot))
        await repo.set_reminders_bulk(bot.db, rows, harness.clock.now())
        await harness.stop()

        # Rebuild on start: the scheduler's catch-up pass + next_due(), measured directly...
        clock = OffsetClock(due, lead=3600.0)
        harness.clock = clock  # type: ignore[assignment]
        t_start = time.perf_counter()
        await start(harness)
        start_s = time.perf_counter() - t_start
        bot = harness.running
        service = bot.services.checkins.reminders
        t = time.perf_counter()
        for _ in range(100):
            await service.next_due()
        next_due_ms = (time.perf_counter() - t) / 100 * 1000
        t = time.perf_counter()
        await service.run_due(clock.now())  # nothing due yet: the catch-up scan
        catchup_ms = (time.perf_counter() - t) * 1000
        print(f"bot start (connect + sync + scheduler start) with {people} reminders: {start_s:.2f}s")
        print(f"schedule rebuild: next_due() {next_due_ms:.2f} ms, empty catch-up pass {catchup_ms:.2f} ms")
        print(f"RSS: {rss_before:.0f} MB before bot, {rss_mb():.0f} MB with the bot running")

        lateness: list[float] = []
        real_sender = service.sender
        assert real_sender is not None
        done = asyncio.Event()

        async def timed(user_id: int, local_date: date) -> SendResult:
            result = await real_sender(user_id, local_date)
            lateness.append((clock.now() - due).total_seconds())
            if len(lateness) >= same_minute:
                done.set()
            return result

        service.sender = timed
        clock.retarget(due, lead=3.0)  # the due minute now arrives 3 s from now
        bot.scheduler.poke(WORK_NAME)
        await asyncio.wait_for(done.wait(), timeout=300)
        print(
            f"{same_minute} reminders due the same minute: lateness p50 {pct(lateness, 0.5):.2f}s, "
            f"p99 {pct(lateness, 0.99):.2f}s, max {max(lateness):.2f}s "
            f"(mean {statistics.mean(lateness):.2f}s)"
        )
        print(f"RSS after sending: {rss_mb():.0f} MB")

        # In-channel check-in throughput: distinct people post in the check-in channel.
        channel = harness.seed.checkins
        base = await bot.db.fetch_value("SELECT COUNT(*) FROM checkins")
        t = time.perf_counter()
        for i in range(throughput_n):
            await emu.send_message(channel, ids[-1 - i], f"mood {1 + i % 10}/10 cravings {i % 5}")
        def reacted() -> int:
            return sum(1 for r in emu.requests if r.method == "PUT" and f"/channels/{channel}/" in r.path)

        async def recorded() -> int:
            return int(await bot.db.fetch_value("SELECT COUNT(*) FROM checkins")) - base

        while await recorded() < throughput_n or reacted() < throughput_n:  # noqa: ASYNC110 (polling the emulator)
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - t
        print(
            f"in-channel check-ins (recorded and reacted to): {throughput_n} in {elapsed:.2f}s "
            f"= {throughput_n / elapsed:.0f}/s"
        )
        await harness.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--same-minute", type=int, default=2_000)
    parser.add_argument("--checkins", type=int, default=1_000)
    args = parser.parse_args()
    asyncio.run(main(args.people, args.same_minute, args.checkins))
