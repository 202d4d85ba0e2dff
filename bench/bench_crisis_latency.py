"""Benchmark: crisis message sent by Discord → staff alert request received by Discord, under load.

The bot runs as a real separate process (``python -m bot run --config PATH``, token from an
environment variable); the emulator and the load generator run in this process. While a load
task posts ordinary messages at a target rate (default 500/s) into #general (every cog's
on_message sees them and the crisis detector screens each) or, with ``--load-channel checkins``,
into the check-ins channel (every message is also a check-in: DB write + reaction), people post a
crisis message in the check-ins channel, one every 50 ms, each from a different person (so each
opens a new incident with one staff alert).

Measured at the emulator, so it covers gateway decoding, the bot's queues, the detector, the
SQLite outbox write and discord.py's HTTP client:
  t0: the emulator's websocket write of the crisis MESSAGE_CREATE frame to the bot returned;
  t1: the staff-alert POST /channels/{staff_alerts}/messages with nonce hearth-incident-N arrived
      at the emulator (the request line and body were read).
Incident N is matched to its message through crisis_incidents.message_id in the bot's database.

Prints numbers; no assertions.
Usage: python -m bench.bench_crisis_latency [--samples 200] [--rate 500] [--load-channel general|checkins]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._process import BotProcess, loadavg, pct, stopping, time_requests, watch_gateway_frames
from tests.emulator import Emulator
from tests.harness import seed_guild

CRISIS = "I am going to kill myself tonight"
ORDINARY = (
    "had a good day at group today, killing it",
    "mood 6 cravings 2 slept 7h",
    "dying laughing at the potluck stories",
    "one day at a time, grateful for this group",
    "this craving is killing me but I'm holding on",
)


async def run(samples: int, rate: int, where: str, validate: bool, loaders_n: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    emulator = Emulator() if validate else Emulator(openapi_path=None)
    async with emulator as emu:
        with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
            seed = seed_guild(emu)
            people = [emu.add_member(f"p{i}", roles=[seed.participant_role]) for i in range(samples)]
            loaders = [emu.add_member(f"load{i}", roles=[seed.participant_role]) for i in range(loaders_n)]
            bot = BotProcess(emu, seed, Path(tmp))
            requests = time_requests(emu)
            alert_arrived: dict[int, float] = {}

            def on_arrival(req: Any, at: float) -> None:
                if req.method == "POST" and req.path == f"/channels/{seed.staff_alerts}/messages":
                    nonce = str((req.json or {}).get("nonce", ""))
                    if nonce.startswith("hearth-incident-"):
                        alert_arrived.setdefault(int(nonce.rsplit("-", 1)[1]), at)

            requests.on_arrival = on_arrival
            async with stopping(bot):
                ready_s = await bot.start()
                frame_sent: dict[int, float] = {}
                watch_gateway_frames(emu, CRISIS, frame_sent)
                stop = asyncio.Event()
                ordinary_sent = 0
                load_channel = seed.general if where == "general" else seed.checkins

                async def load() -> None:
                    nonlocal ordinary_sent
                    interval = 0.01
                    per_tick = max(1, round(rate * interval))
                    next_tick = time.perf_counter()
                    i = 0
                    while not stop.is_set():
                        for _ in range(per_tick):
                            await emu.send_message(load_channel, loaders[i % len(loaders)], ORDINARY[i % len(ORDINARY)])
                            i += 1
                        ordinary_sent += per_tick
                        # Never burst to catch up: a bot that stalls the emulator's writes gets less load.
                        next_tick = max(next_tick + interval, time.perf_counter() - interval)
                        await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))

                load_task = asyncio.create_task(load()) if rate > 0 else None
                await asyncio.sleep(2.0)  # let the load reach a steady state
                cpu0, started, sent0 = bot.cpu_seconds(), time.perf_counter(), ordinary_sent
                dispatched: dict[int, float] = {}
                for person in people:
                    before = time.perf_counter()
                    msg = await emu.send_message(seed.checkins, person, CRISIS)
                    dispatched[int(msg["id"])] = before
                    await asyncio.sleep(0.05)
                crisis_done = time.perf_counter()
                deadline = crisis_done + 30
                while len(alert_arrived) < samples and time.perf_counter() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - started
                load_rate = (ordinary_sent - sent0) / elapsed  # the load runs until the last alert
                bot_cpu = (bot.cpu_seconds() - cpu0) / elapsed
                avg = loadavg()
                stop.set()
                if load_task is not None:
                    await load_task
            with sqlite3.connect(bot.db_path) as conn:
                message_of = dict(conn.execute("SELECT id, message_id FROM crisis_incidents").fetchall())
            problems = bot.problems()
            if problems:
                bot.save_log("/tmp/hearth-bench-crisis-bot.log")
    latencies: list[float] = []
    since_dispatch: list[float] = []
    for incident_id, t1 in alert_arrived.items():
        message_id = message_of.get(incident_id)
        if message_id in frame_sent:
            latencies.append((t1 - frame_sent[message_id]) * 1000)
        if message_id in dispatched:
            since_dispatch.append((t1 - dispatched[message_id]) * 1000)
    print(f"bot process ready (launch → scheduler started) in {ready_s:.1f} s; load in #{where}")
    print(
        f"ordinary load: {load_rate:.0f} messages/s sent (target {rate}/s) while {samples} crisis messages "
        f"went out, one per 50 ms (over {elapsed:.1f} s); bot process CPU {bot_cpu * 100:.0f}% of one core; "
        f"/proc/loadavg {avg}"
    )
    print(f"staff alerts received: {len(alert_arrived)} of {samples} within 30 s after the last crisis message")
    if latencies:
        print(
            f"gateway frame written → alert POST received: p50 {pct(latencies, 0.50):.1f} ms, "
            f"p99 {pct(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms (n={len(latencies)})"
        )
    if since_dispatch:
        print(
            f"(emulator creates the message → alert POST received: p50 {pct(since_dispatch, 0.5):.1f} ms, "
            f"p99 {pct(since_dispatch, 0.99):.1f} ms)"
        )
    if problems:
        print(f"bot log had {len(problems)} ERROR/traceback line(s); first: {problems[0][:200]} "
              "(whole log: /tmp/hearth-bench-crisis-bot.log)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument(
        "--load-channel", choices=("general", "checkins"), default="general",
        help="where the ordinary messages go (checkins also runs the check-in feature on each)",
    )
    parser.add_argument("--loaders", type=int, default=200, help="distinct authors of the ordinary messages")
    parser.add_argument(
        "--validate", action="store_true",
        help="validate every request against the OpenAPI spec (costs emulator CPU, not bot CPU)",
    )
    args = parser.parse_args()
    asyncio.run(run(args.samples, args.rate, args.load_channel, args.validate, args.loaders))


if __name__ == "__main__":
    main()
