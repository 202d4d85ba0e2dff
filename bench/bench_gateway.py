"""Benchmark: the bot process's CPU per gateway MESSAGE_CREATE, Hearth against a bare discord.py client.

Two processes, one after the other, against the same in-process emulator (a guild of 300 members):
  bare:   ``python -m bench._bare_client`` — a ``discord.Client`` with Hearth's intents, no message cache (as
          Hearth) and an empty ``on_message``, nothing else (bench/_bare_client.py);
  hearth: ``python -m bot run --config PATH``, exactly as in production (bench/_process.py).
Each is fed the same stream of messages, at the same paced rate, in two phases:
  general:  ordinary chat in #general, a channel Hearth does not watch;
  checkins: ordinary check-ins ("mood 6/10 cravings 2", …) in the check-ins channel, which Hearth screens
            for crisis, records (one per person per local day, later ones update it) and reacts to.
CPU time of the bot process = utime + stime from /proc/<pid>/stat, read before the first message of a
phase and after the process has gone quiet again (no more than its idle CPU over 0.5 s); the process's
idle CPU rate (measured for 3 s before the phases) times that interval is subtracted. Per event = that
CPU ÷ messages. The emulator and the load generator run in this process (their CPU is not counted).

Prints numbers and the ratio bare ÷ Hearth per phase (1.0 = Hearth costs no more than discord.py
itself); no assertions. ``--rounds N`` repeats bare/hearth N times and also prints the medians.
Usage: python -m bench.bench_gateway [--events 3000] [--rate 500] [--members 300] [--rounds 1]
       [--phases general,checkins] [--profile PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._process import TOKEN_ENV, BotProcess, loadavg, stopping, time_requests
from bot.app import hearth_intents
from tests.emulator import Emulator
from tests.harness import Seed, seed_guild

CHAT = (
    "anyone watching the game tonight?",
    "good morning everyone",
    "the potluck was so much fun, thanks for organising",
    "does anyone know when the art group meets?",
    "lol that meme is killing me",
    "just got back from a walk, the weather is lovely",
    "one day at a time",
    "thanks for the recipe, I'll try it this weekend",
    "my cat knocked my coffee over again",
    "who's coming to the Thursday meeting?",
    "I'm done with work for the day, finally",
    "congrats on the new job!!",
)
PHASES = ("general", "checkins")


class ProfiledBotProcess(BotProcess):
    """Hearth under cProfile (``--profile PATH``): the stats are written when it exits after SIGTERM."""

    profile_path = "/tmp/hearth-gateway.prof"

    def argv(self) -> list[str]:
        return [sys.executable, "-m", "cProfile", "-o", self.profile_path, *super().argv()[1:]]


class BareProcess(BotProcess):
    """The reference client in its own process, configured like the bot (same config file)."""

    ready_marker = "bare client ready"

    def argv(self) -> list[str]:
        return [
            sys.executable, "-m", "bench._bare_client", "--intents", str(hearth_intents().value),
            "--api-base", self.emu.api_base, "--gateway-url", self.emu.gateway_url, "--token-env", TOKEN_ENV,
        ]


def checkin_text(i: int) -> str:
    # Moods 5–8 and cravings 0–3: ordinary days, no concern signal (low mood ≤ 3, high craving ≥ 8).
    mood, cravings = 5 + i % 4, i % 4
    forms = (
        f"mood {mood}/10 cravings {cravings}",
        f"Mood: {mood}, craving: {cravings}",
        f"feeling {mood} out of 10 today, cravings {cravings}, slept 7h",
        f"{mood}/10 today, cravings {cravings}. grateful for group",
    )
    return forms[i % len(forms)]


async def wait_quiet(bot: BotProcess, idle_rate: float) -> None:
    """Until the process has used no more than its idle CPU (plus one clock tick) over 0.5 s (at most 120 s)."""
    deadline = time.perf_counter() + 120
    previous = bot.cpu_seconds()
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.5)
        now = bot.cpu_seconds()
        if now - previous <= idle_rate * 0.5 + 0.011:
            return
        previous = now
    raise TimeoutError("the bot process did not go quiet")


async def feed(emu: Emulator, channel: int, authors: list[int], texts: list[str], rate: int) -> float:
    """Post the messages paced at ``rate`` per second (no bursting to catch up); returns seconds taken."""
    interval = 0.01
    per_tick = max(1, round(rate * interval))
    started = next_tick = time.perf_counter()
    for start in range(0, len(texts), per_tick):
        for i in range(start, min(start + per_tick, len(texts))):
            await emu.send_message(channel, authors[i % len(authors)], texts[i])
        next_tick = max(next_tick + interval, time.perf_counter() - interval)
        await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))
    return time.perf_counter() - started


async def measure(
    kind: str, emu: Emulator, seed: Seed, authors: list[int], events: int, rate: int, phases: list[str],
    reactions: list[Any],
) -> dict[str, float]:
    """CPU ms per event for each phase, for one fresh process of ``kind``."""
    with tempfile.TemporaryDirectory(prefix=f"hearth-bench-gw-{kind}-") as tmp:
        kinds = {"bare": BareProcess, "hearth": BotProcess, "profile": ProfiledBotProcess}
        bot = kinds[kind](emu, seed, Path(tmp))
        async with stopping(bot):
            ready_s = await bot.start()
            await asyncio.sleep(3.0)  # start-up work (self-check, backlog screening, catch-up passes)
            await wait_quiet(bot, 0.0 if kind == "bare" else 0.02)
            cpu0, t0 = bot.cpu_seconds(), time.perf_counter()
            await asyncio.sleep(3.0)
            idle_rate = (bot.cpu_seconds() - cpu0) / (time.perf_counter() - t0)
            print(f"{kind}: ready in {ready_s:.1f} s; idle CPU {idle_rate * 100:.2f}% of a core; "
                  f"RSS {bot.rss_mb():.0f} MB")
            result: dict[str, float] = {}
            for phase in phases:
                if phase == "general":
                    channel, texts = seed.general, [CHAT[i % len(CHAT)] for i in range(events)]
                else:
                    channel, texts = seed.checkins, [checkin_text(i) for i in range(events)]
                reacted0 = len(reactions)
                cpu0, t0 = bot.cpu_seconds(), time.perf_counter()
                sent_s = await feed(emu, channel, authors, texts, rate)
                await wait_quiet(bot, idle_rate)
                elapsed = time.perf_counter() - t0
                cpu = bot.cpu_seconds() - cpu0 - idle_rate * elapsed
                result[phase] = cpu / events * 1000
                extra = f"; {len(reactions) - reacted0} reactions" if phase == "checkins" else ""
                print(f"  {phase:8s}: {events} messages in {sent_s:.1f} s ({events / sent_s:.0f}/s), quiet after "
                      f"{elapsed:.1f} s; CPU {cpu:.2f} s = {result[phase]:.3f} ms per message{extra}; "
                      f"/proc/loadavg {loadavg()}")
            problems = bot.problems()
        if problems:
            print(f"  {kind} log had {len(problems)} ERROR/traceback line(s); first: {problems[0][:200]}")
    return result


async def run(events: int, rate: int, members: int, rounds: int, phases: list[str], profile: str | None) -> None:
    logging.basicConfig(level=logging.WARNING)
    async with Emulator(openapi_path=None) as emu:
        seed = seed_guild(emu)
        people = [seed.participant, seed.participant2, seed.facilitator, seed.staff, seed.on_call]
        people += [emu.add_member(f"p{i}", roles=[seed.participant_role]) for i in range(members - len(people) - 1)]
        print(f"guild: {len(emu.state.members)} members (incl. the bot); {events} messages per phase "
              f"at {rate}/s from {len(people)} authors")
        requests = time_requests(emu)
        reactions: list[Any] = []
        requests.on_arrival = lambda req, at: (
            reactions.append(at) if req.method == "PUT" and "/reactions/" in req.path else None
        )
        if profile is not None:
            ProfiledBotProcess.profile_path = profile
            await measure("profile", emu, seed, people, events, rate, phases, reactions)
            print(f"cProfile stats of the Hearth process: {profile} (python -m pstats {profile})")
            return
        runs: dict[str, list[dict[str, float]]] = {"bare": [], "hearth": []}
        for _ in range(rounds):
            for kind in ("bare", "hearth"):
                runs[kind].append(await measure(kind, emu, seed, people, events, rate, phases, reactions))
    print("CPU per message (ms), median over rounds:")
    for phase in phases:
        bare = statistics.median(r[phase] for r in runs["bare"])
        hearth = statistics.median(r[phase] for r in runs["hearth"])
        print(f"  {phase:8s}: bare {bare:.3f}, Hearth {hearth:.3f}, ratio bare ÷ Hearth {bare / hearth:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=3000, help="messages per phase")
    parser.add_argument("--rate", type=int, default=500, help="messages per second")
    parser.add_argument("--members", type=int, default=300, help="guild members, the bot included")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated: general, checkins")
    parser.add_argument(
        "--profile", metavar="PATH",
        help="instead: run only Hearth, under cProfile, and write its stats to PATH (timings are then inflated)",
    )
    args = parser.parse_args()
    phases = [p for p in args.phases.split(",") if p]
    if any(p not in PHASES for p in phases):
        parser.error(f"--phases: choose from {', '.join(PHASES)}")
    asyncio.run(run(args.events, args.rate, args.members, args.rounds, phases, args.profile))


if __name__ == "__main__":
    main()
