"""Benchmark: resident memory (VmRSS) of the Hearth process, right after start and with 10,000 participants.

The bot runs as ``python -m bot run --config PATH`` against the in-process emulator (bench/_process.py).
  small:  the seeded community only (7 members), an empty database: RSS once the scheduler has started (+3 s).
  large:  ``--people`` participants (default 10,000) in the emulator's guild, and in the bot's database what a
          program that size holds: a time-zone setting and a reminder for each, and ``--days`` (default 30)
          check-ins each (written before the start; current streaks of 20 days, so no milestone is due).
          RSS after start (+3 s), then after ``--checkins`` of them (default 1,000) posted a check-in in the
          check-ins channel (the detector, the database and the member cache all in use).
The bare discord.py client of bench_gateway (same intents, nothing else) is measured in the same guilds for
reference: that part of the memory is discord.py's (its member cache grows with the guild). First, where the
Hearth process's memory goes at start, import by import, measured in a fresh interpreter. The large run's bot
log is kept in /tmp/hearth-bench-memory-bot.log.

Prints numbers; no assertions.
Usage: python -m bench.bench_memory [--people 10000] [--days 30] [--checkins 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench._process import REPO, BotProcess, stopping
from bench.bench_gateway import BareProcess, checkin_text, wait_quiet
from bot.clock import to_db
from tests.emulator import Emulator
from tests.harness import Seed, seed_guild

# Run in a fresh interpreter: RSS after each step of what ``python -m bot run`` loads before it connects.
BREAKDOWN = """
import importlib
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
steps = [("interpreter", None), ("discord.py", "discord"), ("numpy", "numpy"), ("scipy.sparse", "scipy.sparse"),
         ("scikit-learn (HashingVectorizer)", "sklearn.feature_extraction.text"), ("onnxruntime", "onnxruntime"),
         ("Hearth's modules and cogs", "bot.runtime")]
last = 0.0
for name, module in steps:
    if module:
        importlib.import_module(module)
    if module == "bot.runtime":
        for cog in ("cogs.core", "cogs.privacy", "cogs.groups", "cogs.checkins", "cogs.milestones", "cogs.crisis",
                    "cogs.oncall"):
            importlib.import_module(cog)
    now = rss()
    print(f"  {name:34s} +{now - last:5.0f} MB  ({now:.0f} MB)")
    last = now
from bot.crisis.model import load_model
model = load_model()
now = rss(); print(f"  {'detector weights (n-gram model)':34s} +{now - last:5.0f} MB  ({now:.0f} MB)"); last = now
model.encoder
now = rss(); print(f"  {'MiniLM ONNX session (int8 → fp32)':34s} +{now - last:5.0f} MB  ({now:.0f} MB)"); last = now
from bot.memory import release_free_memory
release_free_memory()
now = rss(); print(f"  {'malloc_trim (bot.memory)':34s} {now - last:+6.0f} MB  ({now:.0f} MB)")
"""


def status(pid: int) -> str:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) / 1024
    return f"VmRSS {fields['VmRSS']:.0f} MB (anonymous {fields['RssAnon']:.0f}, files {fields['RssFile']:.0f})"


def seed_rows(db_path: Path, ids: list[int], days: int) -> int:
    """Settings, reminders and ``days`` check-ins per person, as the bot would have written them."""
    now = datetime.now(UTC)
    today = now.date()
    later = now + timedelta(days=1)
    with sqlite3.connect(db_path) as conn:
        conn.executemany(
            "INSERT INTO user_settings (user_id, timezone, updated_at) VALUES (?, ?, ?)",
            [(uid, "America/New_York", to_db(now)) for uid in ids],
        )
        conn.executemany(
            "INSERT INTO checkin_reminders (user_id, local_time, zone, enabled, next_due_at, updated_at)"
            " VALUES (?, ?, ?, 1, ?, ?)",
            [(uid, "20:00", "America/New_York", to_db(later + timedelta(seconds=i)), to_db(now))
             for i, uid in enumerate(ids)],
        )
        rows = []
        # A day off 21 days ago: today's streaks are 20 days, no milestone (7, 30, ...) is due. A real program
        # celebrated its past milestones as they happened; seeded rows would otherwise make the start-up sweep
        # send 10,000 celebrations at once.
        for d in [d for d in range(1, days + 2) if d != 21][:days]:
            day: date = today - timedelta(days=d)
            at = to_db(now - timedelta(days=d))
            rows += [(uid, day.isoformat(), 5 + (i + d) % 4, (i + d) % 4, 7.0, None, "modal", at, at)
                     for i, uid in enumerate(ids)]
        conn.executemany(
            "INSERT INTO checkins (user_id, local_date, mood, cravings, sleep_hours, note, source, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows,
        )
    return len(rows)


async def measure_hearth(
    emu: Emulator, seed: Seed, label: str, ids: list[int], days: int, checkins: int
) -> None:
    with tempfile.TemporaryDirectory(prefix="hearth-bench-mem-") as tmp:
        bot = BotProcess(emu, seed, Path(tmp))
        if ids:
            await bot.migrate()
            n = seed_rows(bot.db_path, ids, days)
            print(f"{label}: database seeded with {len(ids)} settings, {len(ids)} reminders, {n} check-ins "
                  f"({bot.db_path.stat().st_size / 1e6:.0f} MB)")
        async with stopping(bot):
            ready_s = await bot.start()
            await asyncio.sleep(3.0)
            print(f"  Hearth, {label}, right after start ({ready_s:.1f} s to ready): {status(bot.pid)}")
            if checkins:
                for i, uid in enumerate(ids[:checkins]):
                    await emu.send_message(seed.checkins, uid, checkin_text(i))
                    if i % 50 == 49:
                        await asyncio.sleep(0.05)
                await wait_quiet(bot, 0.05)
                print(f"  Hearth, {label}, after {checkins} check-ins in the channel: {status(bot.pid)}")
            problems = bot.problems()
            if ids:
                bot.save_log("/tmp/hearth-bench-memory-bot.log")
        if problems:
            print(f"  log had {len(problems)} ERROR/traceback line(s); first: {problems[0][:200]}")


async def measure_bare(emu: Emulator, seed: Seed, label: str) -> None:
    with tempfile.TemporaryDirectory(prefix="hearth-bench-mem-bare-") as tmp:
        bare = BareProcess(emu, seed, Path(tmp))
        async with stopping(bare):
            await bare.start()
            await asyncio.sleep(3.0)
            print(f"  bare discord.Client, {label}: {status(bare.pid)}")


async def run(people: int, days: int, checkins: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    print("where the memory goes at start (imports and the detector, in a fresh interpreter):")
    sys.stdout.flush()
    breakdown = await asyncio.create_subprocess_exec(sys.executable, "-c", BREAKDOWN, cwd=REPO)
    await breakdown.wait()
    async with Emulator(openapi_path=None) as emu:
        seed = seed_guild(emu)
        small = f"{len(emu.state.members)} members"
        await measure_bare(emu, seed, small)
        await measure_hearth(emu, seed, small, [], days, 0)
        ids = [emu.add_member(f"p{i}", roles=[seed.participant_role]) for i in range(people)]
        large = f"{len(emu.state.members)} members"
        await measure_bare(emu, seed, large)
        await measure_hearth(emu, seed, large, ids, days, checkins)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30, help="check-ins per person already in the database")
    parser.add_argument("--checkins", type=int, default=1000, help="check-ins posted after the start")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.days, args.checkins))


if __name__ == "__main__":
    main()
