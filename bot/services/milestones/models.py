"""Milestones' vocabulary: limits, plain results, and the date arithmetic of counters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.delivery import Delivered
from bot.errors import InvalidInput
from bot.repositories.milestones import PendingRow
from bot.text import has_markdown_or_mentions

WORK_NAME = "milestones"  # the scheduler work that delivers celebrations


MAX_COUNTERS = 5
LABEL_MAX = 40
DEFAULT_LABEL = "recovery"
VISIBILITIES = ("private", "group", "community")
DEFAULT_VISIBILITY = "private"
EARLIEST = date(1900, 1, 1)
MAX_ATTEMPTS = 5
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ============================================================== plain results


@dataclass(frozen=True, slots=True)
class CounterView:
    label: str
    start_date: date
    days: int
    next_milestone: int
    next_date: date
    days_in_recovery: int  # including earlier runs
    window_days: int  # days since the first run started
    resets: int


@dataclass(frozen=True, slots=True)
class SetResult:
    counter: CounterView
    created: bool


@dataclass(frozen=True, slots=True)
class DueCelebration:
    """One celebration to deliver now. ``channel_id`` None means a DM to the person."""

    id: int
    user_id: int
    kind: str  # counter | streak | group
    milestone: int
    local_date: date
    days_late: int
    visibility: str  # private | group | community (what is actually used)
    channel_id: int | None
    label: str | None  # counter label
    group_name: str | None


class CelebrationSender(Protocol):
    async def deliver(self, celebration: DueCelebration) -> Delivered:
        """Send it, or raise ``DeliveryFailed``: permanent (DMs closed, channel gone) ends it as failed; otherwise
        the celebration stays claimed and is retried."""
        ...


@dataclass(frozen=True, slots=True)
class CheerOutcome:
    own: bool
    added: bool
    count: int
    recipient_id: int
    may_encourage: bool


# ============================================================== pure helpers


def milestone_sequence(configured: tuple[int, ...]) -> Iterator[int]:
    """The configured milestones, then every 365 days after the last one."""
    values = sorted(set(configured)) or [365]
    yield from values
    last = values[-1]
    while True:
        last += 365
        yield last


def first_milestone_at_least(configured: tuple[int, ...], minimum: int) -> Iterator[int]:
    for m in milestone_sequence(configured):
        if m >= minimum:
            yield m


def announce_moment(local_date: date, hour: int, zone: ZoneInfo) -> datetime:
    """``hour``:00 on ``local_date`` in ``zone``, as UTC (a skipped DST hour maps forward)."""
    return datetime.combine(local_date, time(hour), tzinfo=zone).astimezone(UTC)


def parse_local_date(text: str, *, field: str, today: date) -> date:
    value = text.strip()
    if not _DATE.match(value):
        raise InvalidInput(field, "use the form YYYY-MM-DD, for example 2025-01-31", got=f"`{value[:20]}`")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, "that is not a real calendar date; use YYYY-MM-DD", got=f"`{value}`") from None
    if parsed < EARLIEST:
        raise InvalidInput(field, "use a date in 1900 or later", got=f"`{value}`")
    if parsed > today:
        raise InvalidInput(
            field, f"the date can't be in the future (today is {today.isoformat()} in your time zone)",
            got=f"`{value}`",
        )
    return parsed


def clean_label(text: str | None) -> tuple[str, str]:
    label = " ".join((text or DEFAULT_LABEL).split())
    if not label:
        raise InvalidInput("label", "give the counter a name, for example alcohol-free")
    if len(label) > LABEL_MAX:
        raise InvalidInput("label", f"use at most {LABEL_MAX} characters", got=f"{len(label)} characters")
    if has_markdown_or_mentions(label):
        raise InvalidInput(
            "label", "use plain words without @mentions or formatting characters such as * _ ` ~ | > # [ ] ( )"
        )
    return label, label.casefold()


def recovery_totals(start: date, runs: list[tuple[date, date]], today: date) -> tuple[int, int]:
    """(days in recovery, days since the first run began).

    A reset on date D ends the previous run the day before (the slip day is not counted);
    so one reset costs one day: "78 of the last 79 days".
    """
    current = max(0, (today - start).days)
    earlier = sum(max(0, (reset - begun).days - 1) for begun, reset in runs)
    first = min([start, *(begun for begun, _ in runs)])
    return current + earlier, max(0, (today - first).days)


# ============================================================== the service


def with_due(p: PendingRow, due: datetime) -> PendingRow:
    return PendingRow(
        user_id=p.user_id, kind=p.kind, subject=p.subject, run_key=p.run_key, milestone=p.milestone,
        local_date=p.local_date, due_at=due,
    )
