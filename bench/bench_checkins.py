"""Benchmark: check-in reminders for 10,000 participants, and in-channel check-in throughput.

The bot runs as a real separate process (``python -m bot run --config PATH``, token from an
environment variable, the system clock); the emulator runs in this process and takes the
timings (see bench/_process.py):

- reminder lateness: 2,000 of 10,000 reminders are due at the same instant T, set a fixed time
  after the bot is launched (the rest are spread over the next day). Lateness of one reminder =
  arrival at the emulator of its DM POST /channels/{dm}/messages − T. Each reminder costs the
  bot a DM-channel create (POST /users/@me/channels) and the message POST.
- in-channel check-ins: N distinct participants post "mood x/10 cravings y" in the check-ins
  channel as fast as the emulator sends; throughput = N / (first gateway send → the N-th
  reaction PUT arrived at the emulator), with all N rows in the bot's database.
- schedule rebuild: ReminderService.next_due() and an empty catch-up pass, run in this process
  against the bot's database file (the same queries the bot's scheduler runs on start).

Prints numbers; no assertions.
Usage: python -m bench.bench_checkins [--people 10000] [--same-minute 2000] [--checkins 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench._process import BotProcess, loadavg, pct, stopping, time_requests
from bot.clock import SystemClock, to_db
from bot.config import load_settings
from bot.db import Database
from bot.services.people import PeopleService
from bot.services.reminders import ReminderService, SendResult
from tests.emulator import Emulator
from tests.harness import seed_guild

NY = ZoneInfo("America/New_York")


async def never_sends(user_id: int, local_date: date) -> SendResult:
    raise AssertionError("nothing is due in the catch-up measurement")


async def rebuild_timings(config: Path) -> tuple[float, float]:
    settings = load_settings(config)
    db = await Database.open(settings.database.path)
    try:
        clock = SystemClock()
        service = ReminderService(db, clock, PeopleService(db, clock, "America/New_York"), settings.checkins)
        service.sender = never_sends
        t = time.perf_counter()
        for _ in range(100):
            await service.next_due()
        next_due_ms = (time.perf_counter() - t) / 100 * 1000
        t = time.perf_counter()
        await service.run_due(clock.now())
        catchup_ms = (time.perf_counter() - t) * 1000
    finally:
        await db.close()
    return next_due_ms, catchup_ms


async def main(people: int, same_minute: int, throughput_n: int, lead: float, validate: bool) -> None:
    logging.basicConfig(level=logging.WARNING)
    emulator = Emulator() if validate else Emulator(openapi_path=None)
    async with emulator as emu:
        with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
            seed = seed_guild(emu)
            t0 = time.perf_counter()
            ids = [emu.add_member(f"p{i}", roles=[seed.participant_role]) for i in range(people)]
            print(f"seeded {people} members in the emulator in {time.perf_counter() - t0:.1f}s")
            guild_channels = set(emu.state.channels)
            bot = BotProcess(emu, seed, Path(tmp))
            await bot.migrate()

            # Reminders: the first `same_minute` people are due at T (set below), the rest spread
            # over the following day. Written straight into the bot's database before it starts.
            later = datetime.now(UTC) + timedelta(days=1)
            rows = []
            for i, uid in enumerate(ids):
                slot = later + timedelta(minutes=1 + i % (24 * 60 - 2))
                local = slot.astimezone(NY).strftime("%H:%M")
                rows.append([uid, local, "America/New_York", 1, to_db(slot), to_db(later)])
            with sqlite3.connect(bot.db_path) as conn:
                conn.executemany(
                    "INSERT INTO checkin_reminders (user_id, local_time, zone, enabled, next_due_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)", rows,
                )
            next_due_ms, catchup_ms = await rebuild_timings(bot.config_path)
            print(f"schedule rebuild ({people} reminders): next_due() {next_due_ms:.2f} ms, "
                  f"empty catch-up pass {catchup_ms:.2f} ms")

            due_wall = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lead)
            due_local = due_wall.astimezone(NY).strftime("%H:%M")
            with sqlite3.connect(bot.db_path) as conn:
                conn.executemany(
                    "UPDATE checkin_reminders SET local_time = ?, next_due_at = ? WHERE user_id = ?",
                    [(due_local, to_db(due_wall), uid) for uid in ids[:same_minute]],
                )
            due_perf = time.perf_counter() + (due_wall - datetime.now(UTC)).total_seconds()

            requests = time_requests(emu)
            dm_arrivals: list[float] = []
            dm_creates = 0

            def on_arrival(req: Any, at: float) -> None:
                nonlocal dm_creates
                if req.method == "POST" and req.path == "/users/@me/channels":
                    dm_creates += 1
                elif (
                    req.method == "POST" and req.path.startswith("/channels/") and req.path.endswith("/messages")
                    and int(req.path.split("/")[2]) not in guild_channels
                ):
                    dm_arrivals.append(at)

            requests.on_arrival = on_arrival
            async with stopping(bot):
                ready_s = await bot.start(ready_within=lead - 1)
                print(f"bot process start (launch → connected, {people} members loaded, commands synced, "
                      f"scheduler started): {ready_s:.1f}s; RSS {bot.rss_mb():.0f} MB")
                deadline = due_perf + 300
                while len(dm_arrivals) < same_minute and time.perf_counter() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                lateness = [at - due_perf for at in dm_arrivals[:same_minute]]
                spread = max(dm_arrivals) - min(dm_arrivals) if dm_arrivals else float("nan")
                print(
                    f"{len(lateness)} of {same_minute} reminders due at the same instant arrived: lateness "
                    f"p50 {pct(lateness, 0.5):.2f}s, p99 {pct(lateness, 0.99):.2f}s, max {max(lateness):.2f}s "
                    f"(mean {statistics.mean(lateness):.2f}s); {len(lateness) / (max(lateness)):.0f} DMs/s overall, "
                    f"{len(lateness) / spread:.0f} DMs/s first to last; DM channels created: {dm_creates}"
                )
                print(f"bot RSS after sending: {bot.rss_mb():.0f} MB; /proc/loadavg {loadavg()}")

                # In-channel check-in throughput: distinct people post in the check-in channel.
                channel = seed.checkins
                reactions: list[float] = []

                def on_reaction(req: Any, at: float) -> None:
                    on_arrival(req, at)
                    if req.method == "PUT" and req.path.startswith(f"/channels/{channel}/messages/"):
                        reactions.append(at)

                requests.on_arrival = on_reaction
                cpu0 = bot.cpu_seconds()
                t = time.perf_counter()
                for i in range(throughput_n):
                    await emu.send_message(channel, ids[-1 - i], f"mood {1 + i % 10}/10 cravings {i % 5}")
                sent_s = time.perf_counter() - t
                deadline = time.perf_counter() + 120
                while len(reactions) < throughput_n and time.perf_counter() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                elapsed = (reactions[-1] if reactions else time.perf_counter()) - t
                cpu = (bot.cpu_seconds() - cpu0) / max(elapsed, 1e-9)
                with sqlite3.connect(bot.db_path) as conn:
                    recorded = conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0]
                print(
                    f"in-channel check-ins: {throughput_n} sent in {sent_s:.2f}s; {len(reactions)} reacted to and "
                    f"{recorded} recorded in {elapsed:.2f}s = {len(reactions) / elapsed:.0f}/s "
                    f"(bot CPU {cpu * 100:.0f}% of one core); /proc/loadavg {loadavg()}"
                )
            problems = bot.problems()
            if problems:
                bot.save_log("/tmp/hearth-bench-checkins-bot.log")
                print(f"bot log had {len(problems)} ERROR/traceback line(s); first: {problems[0][:200]} "
                      "(whole log: /tmp/hearth-bench-checkins-bot.log)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--same-minute", type=int, default=2_000)
    parser.add_argument("--checkins", type=int, default=2_000)
    parser.add_argument("--lead", type=float, default=45.0, help="seconds from launch to the shared due instant")
    parser.add_argument(
        "--validate", action="store_true",
        help="validate every request against the OpenAPI spec (costs emulator CPU, not bot CPU)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.people, args.same_minute, args.checkins, args.lead, args.validate))
