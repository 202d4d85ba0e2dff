"""Benchmark the crisis detector (rules + MiniLM/TF-IDF model) on one core. No assertions.

Run: ``python bench/bench_detector.py [--repeats N] [--seconds S]``.

Reports, for ordinary recovery-community chat (a seeded generator: check-ins, greetings, logistics, idioms),
short risk messages, and the dev set (read in place from ``../shared/crisis-data/dev_messages.csv``):

* messages per second one at a time (``assess``) and in batches of 32 (``assess_batch``, what the screener does
  when several messages are waiting), best and median of ``--repeats`` runs;
* latency of one message, p50 and p99;
* model load time (ONNX session, weights) and the resident memory it adds.

The process is limited to one core for the measurement (ONNX Runtime with one intra-op thread, BLAS threads 1).
Every generated message is distinct, so no cache flatters the numbers.
"""

# ruff: noqa: E402  (thread limits must be set before numpy and onnxruntime are imported)
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import csv
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.crisis import CrisisDetector

DEV = ROOT.parent / "shared" / "crisis-data" / "dev_messages.csv"

_NAMES = ("sam", "jo", "alex", "mari", "dee", "chris", "pat", "nico", "tay", "ro", "kim", "lu")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EMOJI = ("", "", "", " 🙏", " 💪", " ❤️", " 😂", " ✅", " 🎉", " 😅", " 🙃", " ☕")
_TAIL = ("", "", "", "!", "!!", " lol", " tbh", " ngl", ".", " haha", " :)", " fr")

_CHAT: tuple[Callable[[random.Random], str], ...] = (
    lambda r: f"good {r.choice(('morning', 'morning', 'afternoon', 'evening', 'night'))} "
    f"{r.choice(('fam', 'everyone', 'yall', 'friends', 'all', 'team'))}",
    lambda r: f"mood {r.randint(2, 9)}/10, cravings {r.randint(0, 8)}/10",
    lambda r: f"check in: slept {r.randint(3, 9)} hrs, mood {r.randint(3, 9)}/10, "
    f"{r.choice(('went to a meeting', 'called my sponsor', 'journaled', 'took a walk', 'did my step work'))}",
    lambda r: f"day {r.randint(1, 400)} {r.choice(('sober', 'clean', 'no drinks', 'alcohol free'))}",
    lambda r: f"anyone going to {r.choice(('group', 'the meeting', 'the 7pm', 'family night'))} "
    f"{r.choice(('tonight', 'tomorrow', 'on ' + r.choice(_DAYS), 'later'))}?",
    lambda r: f"can someone {r.choice(('send', 'repost', 'pin'))} the "
    f"{r.choice(('zoom link', 'meeting link', 'schedule', 'address'))}",
    lambda r: f"running {r.randint(2, 20)} min late, {r.choice(('save me a seat', 'start without me', 'sorry'))}",
    lambda r: f"congrats {r.choice(_NAMES)} on {r.randint(2, 365)} days!!",
    lambda r: f"{r.choice(('proud of you', 'you got this', 'one day at a time', 'keep coming back'))} "
    f"{r.choice(_NAMES)}",
    lambda r: f"this {r.choice(('traffic', 'heat', 'weather', 'homework', 'commute', 'line'))} is killing me",
    lambda r: f"my {r.choice(('feet', 'knees', 'eyes', 'shoulders'))} are killing me after that "
    f"{r.choice(('shift', 'hike', 'class', 'workout'))}",
    lambda r: f"dead tired after {r.choice(('work', 'the double', 'my shift', 'moving day'))}",
    lambda r: f"i could kill for a {r.choice(('coffee', 'burrito', 'nap', 'hug'))} right now",
    lambda r: f"lol my {r.choice(('cat', 'dog', 'kid', 'roommate'))} just "
    f"{r.choice(('knocked my coffee over', 'stole my seat', 'woke me up at 5', 'ate my lunch'))}",
    lambda r: f"took my meds {r.choice(('', 'this morning', 'on time today', 'finally'))}".strip(),
    lambda r: f"feeling {r.choice(('kinda down', 'anxious', 'tired', 'good', 'hopeful', 'meh', 'grateful'))} today, "
    f"{r.choice(('missing my mom', 'work was a lot', 'but holding on', 'went for a run', 'therapy helped'))}",
    lambda r: f"cravings are {r.choice(('rough', 'loud', 'quiet', 'manageable'))} today "
    f"{r.choice(('but holding on', 'so i went to a meeting', 'tbh', 'ngl'))}",
    lambda r: f"thanks {r.choice(_NAMES)}, {r.choice(('that helped', 'needed that', 'see you thursday', 'ily'))}",
    lambda r: f"bye {r.choice(('guys', 'all', 'fam'))}, {r.choice(('heading to work', 'see you tmrw', 'gn'))}",
    lambda r: f"who's bringing {r.choice(('snacks', 'chairs', 'coffee', 'the sign-in sheet'))} "
    f"on {r.choice(_DAYS)}?",
    lambda r: f"i'm so tired of this {r.choice(('rain', 'job', 'bus', 'landlord', 'printer'))}",
    lambda r: f"step {r.randint(1, 12)} is {r.choice(('hard', 'humbling', 'a lot', 'going ok'))}",
    lambda r: f"my sponsor said {r.choice(('play the tape forward', 'hungry angry lonely tired', 'just for today'))}",
    lambda r: f"{r.choice(('ugh', 'bruh', 'omg', 'welp'))} "
    f"{r.choice(('forgot my keys', 'missed the bus', 'burnt the toast'))}",
)

_RISK: tuple[str, ...] = (
    "i want to die",
    "thinking about ending it again",
    "im gonna kms tonight for real",
    "i took all my pills",
    "everyone would be better off without me",
    "cut myself again last night",
    "wish i wouldnt wake up",
    "my friend said she wants to kill herself",
    "this is my final message. goodbye",
    "no quiero vivir",
    "i have a plan and a date",
    "s*icide tn",
)


def chat_corpus(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct, realistic ordinary chat messages."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        text = rng.choice(_CHAT)(rng) + rng.choice(_TAIL) + rng.choice(_EMOJI)
        if rng.random() < 0.3:
            text = text.capitalize()
        if text in seen:
            text = f"{text} #{len(out)}"
        seen.add(text)
        out.append(text)
    return out


def risk_corpus(n: int) -> list[str]:
    return [f"{_RISK[i % len(_RISK)]} {i}" for i in range(n)]


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rate(detector: CrisisDetector, texts: list[str], min_seconds: float, batch: int) -> float:
    done = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < min_seconds:
        if batch == 1:
            for t in texts:
                detector.assess(t)
        else:
            for i in range(0, len(texts), batch):
                detector.assess_batch(texts[i:i + batch])
        done += len(texts)
        elapsed = time.perf_counter() - start
    return done / elapsed


def _latency(detector: CrisisDetector, texts: list[str]) -> tuple[float, float]:
    times = []
    for t in texts:
        start = time.perf_counter()
        detector.assess(t)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def _report(name: str, detector: CrisisDetector, texts: list[str], repeats: int, seconds: float) -> None:
    for batch in (1, 32):
        rates = [_rate(detector, texts, seconds, batch) for _ in range(repeats)]
        print(f"{name:<30} batch {batch:>2}: best {max(rates):>7,.0f} msg/s   median "
              f"{statistics.median(rates):>7,.0f} msg/s")
    p50, p99 = _latency(detector, texts[:1000])
    print(f"{name:<30} one message: p50 {p50:.2f} ms   p99 {p99:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="minimum seconds per run")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cpus)")
    detector = CrisisDetector()
    detector.assess_rules("warm up the rules")  # the rules only: the model loads below, timed
    before = _rss_mb()
    start = time.perf_counter()
    detector.load()
    detector.assess("warm up the model")
    print(f"model load: {time.perf_counter() - start:.2f} s, resident memory added {_rss_mb() - before:.0f} MB "
          f"(process {_rss_mb():.0f} MB)")
    _report("(a) ordinary chat", detector, chat_corpus(2_000), args.repeats, args.seconds)
    _report("(b) short risk messages", detector, risk_corpus(1_000), args.repeats, args.seconds)
    if DEV.is_file():
        with DEV.open(newline="", encoding="utf-8") as fh:
            dev = [row["text"] for row in csv.DictReader(fh)]
        _report("(c) dev set", detector, dev, args.repeats, args.seconds)
    else:
        print(f"(c) dev set not found at {DEV}; skipped")
    print(f"resident memory after: {_rss_mb():.0f} MB")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
