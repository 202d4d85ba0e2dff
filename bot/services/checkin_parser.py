"""A lenient parser for check-ins typed as ordinary messages.

People write check-ins the way they talk: "mood 6/10 cravings 2 rough day", "Mood: 7,
craving: 3", "6/10 today", "feeling 4 out of 10", "slept 5 hrs, mood six". The parser
looks for labelled values first (mood/feeling, cravings/urges, sleep/slept), then for an
unlabelled "N/10" or "N out of 10" as the mood, then for a message that is only a number.
A value outside its range is treated as not found, never clamped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_WORDS = {
    "zero": "0", "none": "0", "nil": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}
_WORDS = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")

NUM = r"(\d{1,2}(?:[.,]\d+)?)"
OUT_OF = r"\s*(?:/|out\s+of|outta|of)\s*10\b"
SEP = r"\s*(?:[:=\-–—]|\bis\b|\bat\b|\bwas\b|\baround\b|\babout\b|\blike\b|\ba\b|\s)*\s*"

_MOOD_LABEL = r"(?:mood|feeling|feelin|feel|rating|overall|vibe|score)"
_WEAK_MOOD_LABEL = r"(?:i'?m|im|i\s+am|doing|today)"
_CRAVE_LABEL = r"(?:cravings?|craving\s+level|urges?|cravin|using\s+urges?)"
_SLEEP_LABEL = r"(?:sleep|slept|sleeping)"
_HOURS = r"\s*(?:h|hr|hrs|hour|hours)\b"

_CRAVE_AFTER = re.compile(rf"\b{_CRAVE_LABEL}\b{SEP}{NUM}(?:{OUT_OF})?")
_CRAVE_BEFORE = re.compile(rf"\b{NUM}{OUT_OF}\s*(?:for\s+)?{_CRAVE_LABEL}\b")
_SLEEP_AFTER = re.compile(rf"\b{_SLEEP_LABEL}\b{SEP}(?:for\s+)?{NUM}(?:{_HOURS})?")
_SLEEP_BEFORE = re.compile(rf"\b{NUM}{_HOURS}\s*(?:of\s+)?(?:sleep|slept)\b")
_MOOD_AFTER = re.compile(rf"\b{_MOOD_LABEL}\b{SEP}{NUM}(?:{OUT_OF})?")
_MOOD_BEFORE = re.compile(rf"\b{NUM}{OUT_OF}\s*(?:for\s+)?(?:mood|overall)\b")
_NOT_A_DURATION = r"(?![\d.]|\s*(?:days?|weeks?|months?|years?|hours?|hrs?|h)\b)"
_WEAK_MOOD = re.compile(rf"\b{_WEAK_MOOD_LABEL}{SEP}{NUM}(?:{OUT_OF})?{_NOT_A_DURATION}")
_ANY_OUT_OF = re.compile(rf"(?<![\d.])\b{NUM}{OUT_OF}")
_ONLY_NUMBER = re.compile(rf"^\W*{NUM}\W*$")


@dataclass(frozen=True, slots=True)
class ParsedCheckin:
    mood: int | None
    cravings: int | None
    sleep_hours: float | None

    @property
    def has_mood(self) -> bool:
        return self.mood is not None


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _normalise(text: str) -> str:
    lowered = text.lower().replace("’", "'")
    lowered = re.sub(r"<a?:\w+:\d+>", " ", lowered)  # custom emoji
    return _WORDS.sub(lambda m: _NUMBER_WORDS[m.group(1)], lowered)


def _blank(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1]:]


def _round(value: float) -> int:
    return int(value + 0.5)  # 6.5 -> 7: people who write halves usually lean up


def _first(work: str, patterns: tuple[re.Pattern[str], ...], low: float, high: float) -> tuple[float | None, str]:
    """The first in-range value any pattern finds (patterns in order); its text is blanked."""
    for pattern in patterns:
        for match in pattern.finditer(work):
            value = _number(match.group(1))
            if low <= value <= high:
                return value, _blank(work, match.span())
    return None, work


def parse_checkin(text: str) -> ParsedCheckin:
    work = _normalise(text)
    crave, work = _first(work, (_CRAVE_AFTER, _CRAVE_BEFORE), 0, 10)
    sleep, work = _first(work, (_SLEEP_AFTER, _SLEEP_BEFORE), 0, 24)
    mood, _ = _first(work, (_MOOD_AFTER, _MOOD_BEFORE, _ANY_OUT_OF, _WEAK_MOOD, _ONLY_NUMBER), 1, 10)
    return ParsedCheckin(
        mood=None if mood is None else _round(mood),
        cravings=None if crave is None else _round(crave),
        sleep_hours=sleep,
    )
