"""Benchmark: kill -9 the bot during a burst of crisis messages, restart it, count what was lost or doubled.

Each trial starts a fresh emulator, seeded server and database, and the bot as a real process
(``python -m bot run``). A burst goes out: ``--crisis`` crisis messages, each from a different person
in the check-ins channel, mixed with ordinary chat, one message every 20 ms. At a random moment
during the burst the bot gets SIGKILL; the rest of the burst is still posted while it is down. The
bot is restarted on the same database and the trial waits until every expected alert and notice is
in or ``--settle`` seconds pass. Counted at the emulator, per crisis message:

* alert lost: no message in #staff-alerts for it; alert duplicated: more than one;
* person notice lost: the person got no DM from the bot; duplicated: more than one.

Messages posted while the bot was down are counted separately: Hearth only sees them if it screens
the channels' backlog on start.

Prints numbers; asserts nothing.
Usage: python -m bench.bench_crisis_faults [--trials 100] [--crisis 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench._process import BotProcess, pct
from tests.emulator import Emulator
from tests.harness import seed_guild

CRISIS = (
    "I am going to kill myself tonight",
    "took all my pills, this is goodbye",
    "i have the rope ready, tonight is the night",
    "im going to end my life after everyone leaves",
    "wrote my note, im doing it tonight",
)
ORDINARY = (
    "had a good day at group today",
    "mood 6 cravings 2 slept 7h",
    "one day at a time, grateful for this group",
    "running late to the meeting, save me a seat",
)


@dataclass
class Trial:
    sent_up: int = 0  # crisis messages posted while the bot was running
    sent_down: int = 0  # crisis messages posted after the kill, before the restart
    alerts: Counter[str] = field(default_factory=Counter)  # outcome -> count, per crisis message
    notices: Counter[str] = field(default_factory=Counter)
    down_alerted: int = 0
    recovery_s: float = 0.0


def _outcome(n: int) -> str:
    return "lost" if n == 0 else "once" if n == 1 else "duplicated"


async def trial(rng: random.Random, crisis_n: int, settle: float) -> Trial:
    result = Trial()
    async with Emulator(openapi_path=None) as emu:
        with tempfile.TemporaryDirectory(prefix="hearth-faults-") as tmp:
            seed = seed_guild(emu)
            people = [emu.add_member(f"p{i}", roles=[seed.participant_role]) for i in range(crisis_n)]
            bot = BotProcess(emu, seed, Path(tmp))
            await bot.start()
            plan: list[tuple[int, str] | None] = [(p, CRISIS[i % len(CRISIS)]) for i, p in enumerate(people)]
            plan += [None] * (crisis_n * 3)
            rng.shuffle(plan)
            kill_at = rng.randrange(len(plan))
            sent: list[tuple[int, int, bool]] = []  # (person, message id, bot was up)
            up = True
            for i, item in enumerate(plan):
                if item is None:
                    await emu.send_message(seed.checkins, seed.participant2, rng.choice(ORDINARY))
                else:
                    msg = await emu.send_message(seed.checkins, item[0], item[1])
                    sent.append((item[0], int(msg["id"]), up))
                if i == kill_at:
                    # Anywhere from "frame still in the socket" to "alert already sent".
                    await asyncio.sleep(rng.uniform(0.0, 0.03))
                    os.kill(bot.pid, signal.SIGKILL)
                    assert bot.process is not None
                    await bot.process.wait()
                    up = False
                else:
                    await asyncio.sleep(0.02)
            restarted = time.perf_counter()
            await bot.start()
            deadline = time.perf_counter() + settle

            def alerts_by_message() -> Counter[int]:
                with sqlite3.connect(bot.db_path) as conn:
                    incident_message = dict(conn.execute("SELECT id, message_id FROM crisis_incidents").fetchall())
                counts: Counter[int] = Counter()
                for m in emu.bot_messages(seed.staff_alerts):
                    nonce = str(m.get("nonce") or "")
                    if nonce.startswith("hearth-incident-"):
                        counts[incident_message.get(int(nonce.rsplit("-", 1)[1]), -1)] += 1
                return counts

            def notices(person: int) -> int:
                channel = emu.state.dm_channels.get(person)
                return len(emu.bot_messages(channel)) if channel is not None else 0

            recovered: float | None = None
            while time.perf_counter() < deadline:
                by_message = alerts_by_message()
                done = [by_message[mid] >= 1 and notices(p) >= 1 for p, mid, _ in sent]
                if recovered is None and all(d for d, (_, _, was_up) in zip(done, sent, strict=True) if was_up):
                    recovered = time.perf_counter() - restarted
                if all(done):
                    break
                await asyncio.sleep(0.2)
            result.recovery_s = recovered if recovered is not None else float("nan")
            await asyncio.sleep(1.0)  # anything sent twice would arrive now
            by_message = alerts_by_message()
            for person, mid, was_up in sent:
                if was_up:
                    result.sent_up += 1
                    result.alerts[_outcome(by_message[mid])] += 1
                    result.notices[_outcome(notices(person))] += 1
                else:
                    result.sent_down += 1
                    result.down_alerted += by_message[mid] >= 1
            await bot.stop()
    return result


async def run(trials: int, crisis_n: int, seed: int, settle: float) -> None:
    logging.basicConfig(level=logging.WARNING)
    rng = random.Random(seed)
    alerts: Counter[str] = Counter()
    notices: Counter[str] = Counter()
    sent_up = sent_down = down_alerted = 0
    recovery: list[float] = []
    for i in range(trials):
        t = await trial(rng, crisis_n, settle)
        alerts.update(t.alerts)
        notices.update(t.notices)
        sent_up += t.sent_up
        sent_down += t.sent_down
        down_alerted += t.down_alerted
        recovery.append(t.recovery_s)
        print(f"trial {i + 1}/{trials}: alerts {dict(t.alerts)} notices {dict(t.notices)} "
              f"down {t.down_alerted}/{t.sent_down} recovery {t.recovery_s:.1f} s", flush=True)
    print(f"{trials} trials, {sent_up} crisis messages the bot received before the kill:")
    print(f"  staff alerts: lost {alerts['lost']}, duplicated {alerts['duplicated']}, exactly once {alerts['once']}")
    print(f"  person notices: lost {notices['lost']}, duplicated {notices['duplicated']}, "
          f"exactly once {notices['once']}")
    print(f"  crisis messages posted while the bot was down: {sent_down}, alerted after restart: {down_alerted}")
    recovery = [r for r in recovery if r == r]
    if recovery:
        print(f"  restart → every alert and notice of the received messages in: p50 {pct(recovery, 0.5):.1f} s, "
              f"p99 {pct(recovery, 0.99):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--crisis", type=int, default=5, help="crisis messages per burst, one per person")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--settle", type=float, default=30.0, help="seconds to wait after the restart")
    args = parser.parse_args()
    asyncio.run(run(args.trials, args.crisis, args.seed, args.settle))


if __name__ == "__main__":
    main()
