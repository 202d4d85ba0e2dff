"""Dev-only: write tests/bot/crisis/corpus/checkins.csv, everyday check-in lines labelled ``none``.

    python dev/checkin_corpus.py && python dev/build_corpus.py

Every message in the check-in channel is screened, and most of them are a few numbers and a short note
("six out of ten", "mood 7 cravings 2 slept 6h"). The writers' chat corpus has few messages that short, so
without these rows the model had no idea what a bare check-in looks like and could score one as risk.
The lines are generated from templates with a fixed seed, so the file is reproducible; the near-duplicate
filter in build_corpus.py keeps only the varied ones. Messages that are in themselves about risk are not
generated here: a low mood number is a check-in, not a crisis, and the detector must judge words, not scores.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "bot" / "crisis" / "corpus" / "checkins.csv"
WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
NOTES = [
    "", "", "", "rough day", "good day", "tired but ok", "went to a meeting", "long shift", "called my sponsor",
    "kids were a handful", "slept badly", "feeling steady", "work was stressful", "nice walk after group",
    "bit anxious about court next week", "day 12", "day 45!", "one year next month", "grateful today",
    "meh", "ok", "not bad", "could be better", "better than yesterday", "headache all day", "busy one",
    "cooked dinner for once", "group helped", "missed the bus lol", "cravings spiked after work but passed",
    "argued with my mom, calmer now", "first week back at work", "gym this morning", "lonely evening",
    "sad but hanging in", "low energy", "hard morning, better afternoon", "therapy tomorrow", "payday 🙌",
    "rainy and blah", "proud of myself", "nothing much to say", "same as usual", "stressed about rent",
]


def number(rng: random.Random, top: int = 10) -> str:
    n = rng.randint(0, top)
    style = rng.random()
    if style < 0.55:
        return str(n)
    if style < 0.8:
        return f"{n}/10"
    if style < 0.9:
        return f"{n} out of 10"
    return WORDS[n] if n < len(WORDS) else str(n)


def line(rng: random.Random) -> str:
    mood = rng.choice(["mood", "Mood", "MOOD", "feeling", "Feeling", "mood:", "Mood:", "m"])
    crave = rng.choice(["cravings", "Cravings", "craving", "urges", "cravings:", "c"])
    sleep = rng.choice(["slept", "sleep", "Sleep:", "slept about"])
    parts = [f"{mood} {number(rng)}"]
    if rng.random() < 0.6:
        parts.append(f"{crave} {number(rng)}")
    if rng.random() < 0.4:
        hours = rng.choice(["4", "5", "6", "6.5", "7", "7.5", "8", "9", "3"])
        parts.append(f"{sleep} {hours}{rng.choice(['h', ' hrs', ' hours', ''])}")
    rng.shuffle(parts)
    sep = rng.choice([" ", ", ", " | ", ". ", "\n", " - ", "; "])
    text = sep.join(parts)
    shape = rng.random()
    if shape < 0.15:
        text = rng.choice(["", "today ", "honestly ", "im at a ", "feeling like a "]) + number(rng)
        text += rng.choice(["", " today", " tbh", " kind of day", " lol", "!"])
    elif shape < 0.22:
        text = f"{WORDS[rng.randint(0, 10)]} out of ten"
    note = rng.choice(NOTES)
    if note:
        text = f"{text}{rng.choice([' ', ', ', ' - ', '. ', chr(10)])}{note}"
    return text.strip()


def main() -> None:
    rng = random.Random(20261205)
    seen: set[str] = set()
    rows: list[str] = []
    while len(rows) < 400:
        text = line(rng)
        if text.lower() not in seen:
            seen.add(text.lower())
            rows.append(text)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["text", "label", "category", "voice", "source"])
        writer.writerows([text, "none", "checkin", "checkin", "checkins"] for text in rows)
    print(f"wrote {len(rows)} lines to {OUT}")


if __name__ == "__main__":
    main()
