"""The lenient in-channel parser over a table of real-world check-in formats.

FORMATS is (message, mood, cravings, sleep_hours); mood None means a note-only check-in.
The end-to-end test in tests/cogs/test_checkins_channel.py sends the same table through
the emulator.
"""

from __future__ import annotations

import pytest

from bot.services.checkin_parser import parse_checkin

FORMATS: list[tuple[str, int | None, int | None, float | None]] = [
    ("mood 6/10 cravings 2 rough day", 6, 2, None),
    ("Mood: 7, craving: 3", 7, 3, None),
    ("6/10 today", 6, None, None),
    ("feeling 4 out of 10", 4, None, None),
    ("mood=5 cravings=0 sleep=7.5", 5, 0, 7.5),
    ("Mood 8. Cravings 1. Slept 6 hrs", 8, 1, 6.0),
    ("mood: 6 | cravings: 2 | sleep: 8h", 6, 2, 8.0),
    ("Feeling like a 5 today", 5, None, None),
    ("i'm at a 6", 6, None, None),
    ("6 / 10", 6, None, None),
    ("7 outta 10, not bad", 7, None, None),
    ("six out of ten", 6, None, None),
    ("mood six", 6, None, None),
    ("Mood - 4", 4, None, None),
    ("MOOD 9!!!", 9, None, None),
    ("cravings 3 mood 5", 5, 3, None),
    ("craving: 10, mood: 2, slept 4 hours", 2, 10, 4.0),
    ("mood 7/10, urges 2/10", 7, 2, None),
    ("mood 6 sleep 7h cravings none", 6, 0, 7.0),
    ("mood: 5 cravings: 0 sleep: 6.5 hrs - tired but ok", 5, 0, 6.5),
    ("7/10 mood, 3/10 cravings", 7, 3, None),
    ("Today I'm a 4/10", 4, None, None),
    ("😊 8/10", 8, None, None),
    ("Check-in: mood 3, cravings 8, didn't sleep much", 3, 8, None),
    ("Mood: 7/10\nCravings: 3/10\nSleep: 8 hours\nNotes: good day", 7, 3, 8.0),
    ("mood:6;cravings:1", 6, 1, None),
    ("Mood 4 — craving 6 — sleep 5hrs", 4, 6, 5.0),
    ("Energy 5 mood 6", 6, None, None),
    ("Sleep 8h, mood 7", 7, None, 8.0),
    ("slept 6.5 hours, mood five", 5, None, 6.5),
    ("Slept 9 hrs. Mood 8/10. Cravings 0/10.", 8, 0, 9.0),
    ("I'm 30 days sober and feeling 7/10", 7, None, None),
    ("7", 7, None, None),
    ("8 hrs sleep, 9/10", 9, None, 8.0),
    ("mood 5.5", 6, None, None),
    ("it's a 5 out of 10 kind of day", 5, None, None),
    ("doing 4 today", 4, None, None),
    ("Mood ten, cravings zero", 10, 0, None),
    ("rough day", None, None, None),
    ("mood 11 lol", None, None, None),
    ("day 30!", None, None, None),
    ("cravings 9, can't say how I feel", None, 9, None),
]


@pytest.mark.parametrize(("text", "mood", "cravings", "sleep"), FORMATS)
def test_format(text: str, mood: int | None, cravings: int | None, sleep: float | None) -> None:
    parsed = parse_checkin(text)
    assert (parsed.mood, parsed.cravings, parsed.sleep_hours) == (mood, cravings, sleep)


def test_table_has_at_least_thirty_formats() -> None:
    assert len(FORMATS) >= 30
