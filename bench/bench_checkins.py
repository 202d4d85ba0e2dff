"""Benchmark: check-in reminders for 10,000 participants, and in-channel check-in throughput.

The bot runs as a real separate process (``python -m bot run --config PATH``, token from an
environment variable, the system clock); the emulator runs in this process and takes the
timings (see bench/_process.py):

- reminder lateness: 2,000 of 10,000 reminders are due at the same instant T, set a fixed time
  after the bot is launched (the rest are spread over the next day). Lateness of one reminder =
  arrival at the emulator of its DM POST /channels/{dm}/messages − T. Each reminder costs the
  bot a DM-channel create (POST /users/@me/channels) and the message POST.
- crisis alerts during the burst: while those reminders go out, ``--crisis`` people (default 40) post a
  crisis message in the check-ins channel, one every 100 ms from T on; latency = the crisis
  MESSAGE_CREATE frame written to the bot's socket → its staff-alert POST arrived (nonce
  ``hearth-incident-N``). This is the number that says whether a bulk send can hold up an alert.
- in-channel check-ins: N distinct participants post "mood x/10 cravings y" in the check-ins
  channel as fast as the emulator sends. Two rates: (a) recorded = N / (first gateway send →
  all N rows committed in the bot's database, polled read-only every 5 ms from this process);
  (b) recorded and reacted = N / (first send → the N-th reaction PUT arrived at the emulator).
- schedule rebuild: ReminderService.next_due() and an empty catch-up pass, run in this process
  against the bot's database file (the same queries the bot's scheduler runs on start).

Prints numbers; no assertions.
Usage: python -m bench.bench_checkins [--people 10000] [--same-minute 2000] [--checkins 2000] [--skip-reminders]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench._process import (
    BotProcess,
    TimedRequests,
    loadavg,
    pct,
    stopping,
    time_requests,
    watch_gateway_frames,
)
from bot.clock import SystemClock, from_db, to_db
from bot.config import load_settings
from bot.db import Database
from bot.delivery import Delivered
from bot.services.people import PeopleService
from bot.services.reminders import ReminderService
from tests.emulator import Emulator
from tests.harness import seed_guild

NY = ZoneInfo("America/New_York")
CRISIS = "I am going to kill myself tonight"


async def never_sends(user_id: int, local_date: date) -> Delivered:
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


class RecordedWatcher:
    """Counts the check-in rows COMMITTED in the bot's database, from a read-only connection
    in this process (a COUNT over an index: well under a millisecond per poll)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.base = self.count()

    def count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


async def measure_checkins(
    emu: Emulator, bot: BotProcess, channel: int, ids: list[int], n: int, requests: TimedRequests,
    on_arrival: Callable[[Any, float], None],
) -> None:
    """N distinct participants post a check-in in the check-ins channel as fast as the emulator sends.

    (a) recorded/s: N / (first send → the poll that first saw all N rows committed; polled
        every 5 ms). Cross-checked with the last row's created_at (the bot's clock, taken just
        before its write) against the wall clock at the first send.
    (b) recorded and reacted/s: N / (first send → the N-th reaction PUT arrived at the emulator).
    """
    reactions: list[float] = []

    def on_reaction(req: Any, at: float) -> None:
        on_arrival(req, at)
        if req.method == "PUT" and req.path.startswith(f"/channels/{channel}/messages/"):
            reactions.append(at)

    requests.on_arrival = on_reaction
    watcher = RecordedWatcher(bot.db_path)
    recorded_at: float | None = None
    cpu0, own0 = bot.cpu_seconds(), time.process_time()
    wall0 = datetime.now(UTC)
    t = time.perf_counter()
    for i in range(n):
        await emu.send_message(channel, ids[-1 - i], f"mood {1 + i % 10}/10 cravings {i % 5}")
    sent_s = time.perf_counter() - t
    deadline = time.perf_counter() + 120
    while (len(reactions) < n or recorded_at is None) and time.perf_counter() < deadline:
        if recorded_at is None and watcher.count() - watcher.base >= n:
            recorded_at = time.perf_counter()
        await asyncio.sleep(0.005)
    reacted_s = (reactions[-1] if len(reactions) >= n else time.perf_counter()) - t
    cpu = (bot.cpu_seconds() - cpu0) / max(reacted_s, 1e-9)
    own = (time.process_time() - own0) / max(reacted_s, 1e-9)
    recorded = watcher.count() - watcher.base
    watcher.close()
    with sqlite3.connect(bot.db_path) as conn:
        last_created = conn.execute("SELECT MAX(created_at) FROM checkins WHERE source = 'message'").fetchone()[0]
    recorded_s = (recorded_at if recorded_at is not None else time.perf_counter()) - t
    by_created = (from_db(last_created) - wall0).total_seconds() if last_created else float("nan")
    print(f"in-channel check-ins: {n} sent in {sent_s:.2f}s; bot CPU {cpu * 100:.0f}% of one core "
          f"({cpu * reacted_s / max(len(reactions), 1) * 1000:.2f} ms CPU per check-in), "
          f"emulator + load generator process {own * 100:.0f}%; /proc/loadavg {loadavg()}")
    print(f"  (a) recorded: {recorded} rows committed in {recorded_s:.2f}s = {recorded / recorded_s:.0f}/s "
          f"(last created_at {by_created:.2f}s after the first send = {recorded / by_created:.0f}/s)")
    print(f"  (b) recorded and reacted: {len(reactions)} reactions in {reacted_s:.2f}s = "
          f"{len(reactions) / reacted_s:.0f}/s")


async def main(
    people: int, same_minute: int, throughput_n: int, lead: float, validate: bool, skip_reminders: bool,
    crisis_n: int = 40,
) -> None:
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
                    [(due_local, to_db(due_wall), uid) for uid in ids[:0 if skip_reminders else same_minute]],
                )
            due_perf = time.perf_counter() + (due_wall - datetime.now(UTC)).total_seconds()

            requests = time_requests(emu)
            dm_arrivals: list[float] = []
            dm_creates = 0
            alert_arrived: dict[int, float] = {}

            def on_arrival(req: Any, at: float) -> None:
                nonlocal dm_creates
                if req.method == "POST" and req.path == f"/channels/{seed.staff_alerts}/messages":
                    nonce = str((req.json or {}).get("nonce", ""))
                    if nonce.startswith("hearth-incident-"):
                        alert_arrived.setdefault(int(nonce.rsplit("-", 1)[1]), at)
                elif req.method == "POST" and req.path == "/users/@me/channels":
                    dm_creates += 1
                elif (
                    req.method == "POST" and req.path.startswith("/channels/") and req.path.endswith("/messages")
                    and int(req.path.split("/")[2]) not in guild_channels
                ):
                    dm_arrivals.append(at)

            requests.on_arrival = on_arrival
            async with stopping(bot):
                ready_s = await bot.start(ready_within=lead - 1)
                if skip_reminders:
                    print(f"bot process start: {ready_s:.1f}s; reminders skipped (--skip-reminders)")
                    await asyncio.sleep(10)
                    await measure_checkins(emu, bot, seed.checkins, ids, throughput_n, requests, on_arrival)
                    bot.save_log("/tmp/hearth-bench-checkins-bot.log")
                    return
                print(f"bot process start (launch → connected, {people} members loaded, commands synced, "
                      f"scheduler started): {ready_s:.1f}s; RSS {bot.rss_mb():.0f} MB")
                frame_sent: dict[int, float] = {}
                watch_gateway_frames(emu, CRISIS, frame_sent)
                crisis_people = ids[same_minute:same_minute + crisis_n]

                async def crisis_during_burst() -> None:
                    await asyncio.sleep(max(0.0, due_perf - time.perf_counter()))
                    for person in crisis_people:
                        await emu.send_message(seed.checkins, person, CRISIS)
                        await asyncio.sleep(0.1)

                crisis_task = asyncio.create_task(crisis_during_burst())
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
                await crisis_task
                alerts_by = time.perf_counter() + 30
                while len(alert_arrived) < len(crisis_people) and time.perf_counter() < alerts_by:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                with sqlite3.connect(bot.db_path) as conn:
                    message_of = dict(conn.execute("SELECT id, message_id FROM crisis_incidents").fetchall())
                alert_ms = [
                    (at - frame_sent[message_of[n]]) * 1000
                    for n, at in alert_arrived.items() if message_of.get(n) in frame_sent
                ]
                if alert_ms:
                    print(
                        f"crisis alerts while the reminders went out: {len(alert_ms)} of {len(crisis_people)}; "
                        f"frame → alert POST p50 {pct(alert_ms, 0.5):.0f} ms, p99 {pct(alert_ms, 0.99):.0f} ms, "
                        f"max {max(alert_ms):.0f} ms"
                    )

                await measure_checkins(emu, bot, seed.checkins, ids, throughput_n, requests, on_arrival)
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
    parser.add_argument("--crisis", type=int, default=40, help="crisis messages posted during the reminder burst")
    parser.add_argument("--lead", type=float, default=45.0, help="seconds from launch to the shared due instant")
    parser.add_argument(
        "--validate", action="store_true",
        help="validate every request against the OpenAPI spec (costs emulator CPU, not bot CPU)",
    )
    parser.add_argument(
        "--skip-reminders", action="store_true",
        help="measure only the in-channel check-ins (for quick iterations; the reminders stay far in the future)",
    )
    args = parser.parse_args()
    asyncio.run(main(
        args.people, args.same_minute, args.checkins, args.lead, args.validate, args.skip_reminders, args.crisis
    ))
