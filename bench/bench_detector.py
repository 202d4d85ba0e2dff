"""Benchmark the crisis detector: messages per second, single process. No assertions.

Run: ``python bench/bench_detector.py``. Reads the dev set in place from
``../shared/crisis-data/dev_messages.csv`` when it exists.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.crisis import CrisisDetector  # noqa: E402

DEV = ROOT.parent / "shared" / "crisis-data" / "dev_messages.csv"

SHORT_CHAT: tuple[str, ...] = (
    "good morning fam",
    "anyone going to group tonight?",
    "day 12 sober!!",
    "cravings are rough today but holding on",
    "lol my cat just knocked my coffee over",
    "feeling kinda down, missing my mom",
    "this traffic is killing me",
    "can someone send the zoom link",
    "took my meds ✅",
    "i'm so tired of this weather",
    "i want to die",
    "thinking about ending it again",
    "im gonna kms tonight for real",
    "call 988 if you need to talk",
    "2 years ago i tried to end my life, today im grateful",
    "im not suicidal just venting",
)


def _rate(detector: CrisisDetector, texts: list[str], min_seconds: float = 1.0) -> tuple[float, int]:
    done = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < min_seconds:
        for t in texts:
            detector.assess(t)
        done += len(texts)
        elapsed = time.perf_counter() - start
    return done / elapsed, done


def main() -> None:
    detector = CrisisDetector()
    # distinct strings so the normaliser's small caches do not flatter the numbers
    short = [f"{t} {i}" for i in range(200) for t in SHORT_CHAT]
    rate, n = _rate(detector, short)
    print(f"short chat messages: {rate:,.0f} messages/second ({n:,} assessed, single process)")
    if DEV.is_file():
        with DEV.open(newline="", encoding="utf-8") as fh:
            dev = [row["text"] for row in csv.DictReader(fh)]
        rate, n = _rate(detector, dev)
        print(f"dev set ({len(dev)} messages): {rate:,.0f} messages/second ({n:,} assessed)")
    else:
        print(f"dev set not found at {DEV}; skipped")


if __name__ == "__main__":
    main()
