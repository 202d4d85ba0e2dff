"""Benchmark: crisis MESSAGE_CREATE reaching the bot → staff alert request leaving it.

Runs the real bot (real discord.py client) against the local emulator while a second task
posts ordinary messages at a target rate (default 500/s) into a general channel (every
cog's on_message sees them; crisis screening runs the detector on each) or, with
--load-channel checkins, into the check-ins channel (the check-in feature handles each too). Each
crisis message comes from a different person, so each opens a new incident and one alert.

t0: discord.py's MESSAGE_CREATE parser is entered for the crisis message (the event has
    reached the bot; gateway decoding happened just before).
t1: discord.py's HTTP client starts the POST of the staff alert (nonce hearth-incident-N).

The emulator, the load generator and the bot share one event loop and one core, so the
numbers are an upper bound for a bot that has its core to itself. Prints numbers; no
assertions. Usage: python -m bench.bench_crisis_latency [--samples 200] [--rate 500]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.app import HearthBot
from tests.emulator import Emulator
from tests.harness import Harness

CRISIS = "I am going to kill myself tonight"
ORDINARY = (
    "had a good day at group today, killing it",
    "mood 6 cravings 2 slept 7h",
    "dying laughing at the potluck stories",
    "one day at a time, grateful for this group",
    "this craving is killing me but I'm holding on",
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def instrument(bot: HearthBot, staff_channel: int, received: dict[int, float], sent: dict[int, float]) -> None:
    parsers: dict[str, Any] = bot._connection.parsers
    original_parse = parsers["MESSAGE_CREATE"]

    def parse(data: dict[str, Any]) -> None:
        if data.get("content") == CRISIS:
            received[int(data["id"])] = time.perf_counter()
        original_parse(data)

    parsers["MESSAGE_CREATE"] = parse
    original_request = bot.http.request

    async def request(route: Any, **kwargs: Any) -> Any:
        is_post = route.method == "POST" and route.path == "/channels/{channel_id}/messages"
        if is_post and route.channel_id == staff_channel:
            payload = kwargs.get("json") or {}
            nonce = str(payload.get("nonce", ""))
            if nonce.startswith("hearth-incident-"):
                sent[int(nonce.rsplit("-", 1)[1])] = time.perf_counter()
        return await original_request(route, **kwargs)

    bot.http.request = request  # type: ignore[method-assign]


async def run(samples: int, rate: int, where: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    async with Emulator() as emu:
        with tempfile.TemporaryDirectory() as tmp:
            harness = Harness(emu, Path(tmp))
            seed = harness.seed
            people = [emu.add_member(f"p{i}", roles=[seed.participant_role]) for i in range(samples)]
            loaders = [emu.add_member(f"load{i}", roles=[seed.participant_role]) for i in range(20)]
            bot = await harness.start()
            received: dict[int, float] = {}
            sent: dict[int, float] = {}
            instrument(bot, seed.staff_alerts, received, sent)
            stop = asyncio.Event()
            ordinary_sent = 0
            load_channel = seed.general if where == "general" else seed.checkins

            async def load() -> None:
                nonlocal ordinary_sent
                interval = 0.01
                per_tick = max(1, int(rate * interval))
                next_tick = time.perf_counter()
                i = 0
                while not stop.is_set():
                    for _ in range(per_tick):
                        await emu.send_message(load_channel, loaders[i % len(loaders)], ORDINARY[i % len(ORDINARY)])
                        i += 1
                    ordinary_sent += per_tick
                    next_tick += interval
                    await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))

            load_task = asyncio.create_task(load()) if rate > 0 else None
            await asyncio.sleep(1.0)  # let the load reach a steady state
            started = time.perf_counter()
            emitted: dict[int, float] = {}
            original_build = emu.state.build_message

            def build(*args: Any, **kwargs: Any) -> Any:
                msg = original_build(*args, **kwargs)
                if kwargs.get("content") == CRISIS:
                    emitted[int(msg["id"])] = time.perf_counter()
                return msg

            emu.state.build_message = build  # type: ignore[method-assign]
            for person in people:
                await emu.send_message(seed.checkins, person, CRISIS)
                await asyncio.sleep(0.05)
            deadline = time.perf_counter() + 30
            while len(sent) < samples and time.perf_counter() < deadline:  # noqa: ASYNC110 - polling a dict
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            stop.set()
            if load_task is not None:
                await load_task
            service = bot.services.crisis
            latencies: list[float] = []
            gateway_lag: list[float] = []
            for incident_id, t1 in sent.items():
                incident = await service.get(incident_id)
                if incident.message_id in received:
                    latencies.append((t1 - received[incident.message_id]) * 1000)
                    if incident.message_id in emitted:
                        gateway_lag.append((received[incident.message_id] - emitted[incident.message_id]) * 1000)
            alerts = [m for m in emu.bot_messages(seed.staff_alerts) if m.get("embeds")]
            await harness.stop()
    print(f"crisis samples: {len(latencies)} of {samples}; staff alerts posted: {len(alerts)}")
    print(
        f"ordinary load in #{where}: {ordinary_sent / elapsed:.0f} messages/s sent (target {rate}/s) "
        f"over {elapsed:.1f} s"
    )
    if latencies:
        print(
            f"MESSAGE_CREATE → alert request: p50 {pct(latencies, 0.50):.1f} ms, "
            f"p99 {pct(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms"
        )
    if gateway_lag:
        print(
            f"(emulator dispatch → MESSAGE_CREATE parsed by the bot: p50 {pct(gateway_lag, 0.5):.1f} ms, "
            f"p99 {pct(gateway_lag, 0.99):.1f} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument(
        "--load-channel", choices=("general", "checkins"), default="general",
        help="where the ordinary messages go (checkins also runs the check-in feature on each)",
    )
    args = parser.parse_args()
    asyncio.run(run(args.samples, args.rate, args.load_channel))


if __name__ == "__main__":
    main()
