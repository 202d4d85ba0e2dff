"""Groups' vocabulary: names and limits, parsing of what staff type, and the plain results the service returns."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from bot.errors import InvalidInput
from bot.repositories.groups import GroupRow, JoinRequestRow, SessionRow
from bot.text import neutralize_mentions

FEATURE = "groups"

# Discord limits, checked before any request is sent.
NAME_MAX = 80
CHANNEL_NAME_MAX = 100
TOPIC_MAX = 1024
GUIDELINES_MAX = 2000
SLOWMODE_MAX = 21600
TIMEOUT_MAX_MINUTES = 10080
DURATION_MIN, DURATION_MAX, DURATION_DEFAULT = 15, 480, 90
REASON_MAX = 400

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ----------------------------------------------------------------------------- pure helpers

def name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", " ".join(name.split())).casefold()


def slugify(name: str) -> str:
    """Discord channel name: lowercase ASCII letters, digits and hyphens, at most 100 characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    slug = slug[:CHANNEL_NAME_MAX].rstrip("-")
    return slug or "group"


def parse_weekday(value: str) -> int:
    lowered = value.strip().lower()
    for index, day in enumerate(WEEKDAYS):
        if lowered == day or (len(lowered) >= 3 and day.startswith(lowered)):
            return index
    raise InvalidInput("weekday", "use a day of the week, monday to sunday", got=f"`{value[:20]}`")


def parse_time(value: str) -> str:
    match = _TIME.match(value.strip())
    if not match:
        raise InvalidInput("time", "use 24-hour HH:MM, for example 18:30", got=f"`{value[:20]}`")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_date(value: str) -> date:
    text = value.strip()
    try:
        if not _DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("date", "use YYYY-MM-DD, for example 2026-07-04", got=f"`{text[:20]}`") from None


def shown(text: str) -> str:
    """User-provided text made safe to repeat."""
    return neutralize_mentions(text)


# ----------------------------------------------------------------------------- plain results

@dataclass(frozen=True, slots=True)
class GroupPlan:
    """A validated /group create, before anything is sent to Discord."""

    name: str
    key: str
    slug: str
    topic: str | None
    timezone: str
    voice: bool
    facilitator_id: int | None
    guidelines: str


@dataclass(frozen=True, slots=True)
class GroupSummary:
    group: GroupRow
    member_count: int
    facilitator_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class GroupInfo:
    group: GroupRow
    member_ids: tuple[int, ...]
    facilitator_ids: tuple[int, ...]
    sessions: tuple[SessionRow, ...]
    skipped: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    request: JoinRequestRow
    group: GroupRow
    approved: bool
    newly_added: bool


def session_label(session: SessionRow) -> str:
    return f"{WEEKDAYS[session.weekday].capitalize()} {session.start_time} ({session.duration_minutes} min)"
