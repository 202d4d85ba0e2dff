"""Check-ins' vocabulary: inputs, outcomes, progress and pulse reports, validation and streak arithmetic."""

from __future__ import annotations

import asyncio
import itertools
import math
from dataclasses import dataclass
from datetime import date, timedelta

from bot.errors import InvalidInput
from bot.repositories import checkins as repo
from bot.repositories.checkins import CheckinRow
from bot.services.checkin_parser import ParsedCheckin
from bot.services.concern_notices import ConcernNotice
from bot.services.contracts import GroupRef, Streak

NOTE_LIMIT = 1000
# Groups smaller than this never get a day's average mood shown: with two people, an
# average reveals each person's mood to the other's facilitator.
MIN_TREND_SAMPLE = 3
# At most this many queued check-ins share one transaction (group commit, see CheckinService._write).
WRITE_BATCH = 64
GATHER_SECONDS = 0.003


@dataclass(frozen=True, slots=True)
class CheckinInput:
    mood: int | None
    cravings: int | None
    sleep_hours: float | None
    note: str | None


@dataclass(frozen=True, slots=True)
class CheckinOutcome:
    checkin_id: int
    local_date: date
    updated: bool
    streak: Streak
    last_30_days: int
    streak_restarted: bool  # they had checked in before, but the streak had lapsed
    has_mood: bool
    concerns: tuple[ConcernNotice, ...]


@dataclass(frozen=True, slots=True)
class MessageOutcome:
    outcome: CheckinOutcome
    parsed: ParsedCheckin
    send_format_hint: bool


@dataclass(frozen=True, slots=True)
class ProgressPoint:
    day: date
    mood: int | None
    cravings: int | None
    sleep_hours: float | None


@dataclass(frozen=True, slots=True)
class Progress:
    first_day: date
    last_day: date
    points: tuple[ProgressPoint, ...]
    streak: Streak
    count: int


@dataclass(frozen=True, slots=True)
class ShareDraft:
    checkin_id: int
    group: GroupRef
    channel_id: int
    checkin: CheckinRow
    with_note: bool


@dataclass(frozen=True, slots=True)
class TrendPoint:
    day: date
    average: float | None  # None when fewer than MIN_TREND_SAMPLE people checked in
    count: int


@dataclass(frozen=True, slots=True)
class PulseReport:
    group: GroupRef
    days: int
    sharing_checked_in: tuple[int, ...]
    sharing_not_yet: tuple[int, ...]
    not_sharing: int
    trend: tuple[TrendPoint, ...]
    silent: tuple[tuple[int, date | None], ...]  # (user_id, last check-in) for gentle outreach
    silent_days: int


_Queued = tuple[repo.CheckinWrite, "asyncio.Future[tuple[repo.RecordedCheckin, bool]]"]


def _fail(items: list[_Queued], exc: BaseException) -> None:
    for _, future in items:
        if future.done():
            continue
        if isinstance(exc, Exception):
            future.set_exception(exc)
        else:
            future.cancel()


def _parse_int(field: str, raw: str | None, low: int, high: int, *, required: bool) -> int | None:
    text = (raw or "").strip()
    if not text:
        if required:
            raise InvalidInput(field, f"enter a whole number from {low} to {high}")
        return None
    try:
        value = int(text)
    except ValueError:
        raise InvalidInput(field, f"enter a whole number from {low} to {high}", got=f"`{text[:20]}`") from None
    if not low <= value <= high:
        raise InvalidInput(field, f"enter a whole number from {low} to {high}", got=f"`{value}`")
    return value


def validate_modal(mood: str | None, cravings: str | None, sleep: str | None, note: str | None) -> CheckinInput:
    """Check the modal's raw text. Raises InvalidInput naming the field; nothing is stored."""
    mood_value = _parse_int("Mood", mood, 1, 10, required=True)
    cravings_value = _parse_int("Cravings", cravings, 0, 10, required=False)
    sleep_text = (sleep or "").strip().replace(",", ".").removesuffix("h").removesuffix("hours").strip()
    sleep_value: float | None = None
    if sleep_text:
        try:
            sleep_value = float(sleep_text)
        except ValueError:
            raise InvalidInput(
                "Sleep hours", "enter a number of hours from 0 to 24, decimals allowed (e.g. 7.5)",
                got=f"`{(sleep or '')[:20]}`",
            ) from None
        if not math.isfinite(sleep_value) or not 0 <= sleep_value <= 24:
            raise InvalidInput(
                "Sleep hours", "enter a number of hours from 0 to 24, decimals allowed (e.g. 7.5)",
                got=f"`{sleep_text[:20]}`",
            )
    note_value = note if note and note.strip() else None
    if note_value is not None and len(note_value) > NOTE_LIMIT:
        raise InvalidInput(
            "Anything you want to share?", f"at most {NOTE_LIMIT} characters", got=f"{len(note_value)} characters"
        )
    return CheckinInput(mood_value, cravings_value, sleep_value, note_value)


def compute_streak(dates: list[date], pauses: list[tuple[date, date]], today: date) -> Streak:
    """Consecutive days with a check-in up to today; paused days neither break nor count.

    Today without a check-in (yet) does not break the streak: the day is not over.
    """
    if not dates:
        return Streak(0, 0, None)
    have = set(dates)

    def paused(day: date) -> bool:
        return any(start <= day <= end for start, end in pauses)

    day = today if today in have else today - timedelta(days=1)
    current = 0
    first = dates[0]
    while day >= first:
        if day in have:
            current += 1
        elif not paused(day):
            break
        day -= timedelta(days=1)

    ordered = sorted(have)
    longest = run = 1
    for previous, this in itertools.pairwise(ordered):
        gap = (this - previous).days
        bridged = all(paused(previous + timedelta(days=k)) for k in range(1, gap))
        run = run + 1 if bridged else 1
        longest = max(longest, run)
    return Streak(current=current, longest=max(longest, current), last_checkin=ordered[-1])
