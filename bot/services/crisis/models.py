"""The crisis service's vocabulary: what a report is, what came of it, the ports it sends through."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.clock import from_db
from bot.crisis.detector import Severity
from bot.delivery import Delivered
from bot.repositories.crisis import Incident, Match, OutboxItem

log = logging.getLogger(__name__)

# Scheduled work the crisis service owns (registered by the crisis extension, woken by the service itself).
WORK_NAME = "crisis"
RETENTION_WORK = "crisis-retention"
CURSORS_WORK = "crisis-screening-cursors"

FEATURE = "crisis"
EXCERPT_LIMIT = 300
# Kinds of outbox rows that only make sense while nobody has acknowledged.
ESCALATION_KINDS = ("repeat", "staff_dm", "alert_dm")
# Messages about the person removed from Discord once their incident is closed and they asked for deletion: notes
# to facilitators, "would like to talk" pings naming them, the support thread's greeting.
ABOUT_THE_PERSON = ("peer_concern", "talk", "support_thread")
# Their resources, when they went to a private thread with on-call staff (DMs closed) rather than to their DMs.
THREAD_NOTES = ("person_notice", "person_followup")
# The alert itself: in the staff alerts channel, or by DM to one staff member when that channel refuses.
ALERT_KINDS = ("alert", "alert_dm")
# Sends that reach staff: once one of them is delivered, a staff member has been told.
STAFF_KINDS = ("alert", "alert_dm", "repeat", "staff_dm", "upgrade", "talk", "reminder")
# Sends to the person the incident is about.
PERSON_KINDS = ("person_notice", "person_followup")
MAX_BACKOFF = timedelta(minutes=5)


def nonce_for(item: OutboxItem) -> str:
    """Deterministic per outbox row; at most 25 characters as Discord requires."""
    if item.kind == "alert":
        return f"hearth-incident-{item.incident_id}"
    if item.kind == "person_notice":
        return person_nonce(item.incident_id)
    return f"hearth-ob-{item.id}"


def person_nonce(incident_id: int) -> str:
    """The person's resources: the first attempt and every retry share it, so they get them once."""
    return f"hearth-person-{incident_id}"


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... capped at 5 minutes."""
    return min(timedelta(seconds=5 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


class Courier(Protocol):
    async def deliver(self, item: OutboxItem, incident: Incident) -> Delivered: ...


class StaffDirectory(Protocol):
    def on_call_members(self) -> list[int]: ...

    def staff_members(self) -> list[int]:
        """Every member of the on-call and the staff roles (the alert's fallback by DM)."""
        ...


class Pager(Protocol):
    """Pagers beyond Discord (bot.paging): which destinations join at which escalation round, and delivery."""

    def rounds(self) -> dict[str, int]: ...

    async def deliver(self, item: OutboxItem, incident: Incident) -> Delivered: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)


class Report:
    """One reason to open or extend an incident. ``text`` is used only for the excerpt."""

    user_id: int
    severity: Severity
    categories: tuple[str, ...]
    source: str
    origin: str = "detector"
    text: str | None = None
    guild_id: int | None = None
    channel_id: int | None = None
    message_id: int | None = None
    group_id: int | None = None
    reported_by: int | None = None
    # When the message was written, if known (a backlog message screened on start may be hours old).
    posted_at: datetime | None = None
    # Sent on the degraded path before this report could be written (the database was unavailable).
    degraded: DegradedSend | None = None
    # A practice incident (/incident drill): every staff-side step, no participant, apart in the figures.
    drill: bool = False


@dataclass(frozen=True, slots=True)


class DegradedSend:
    """What went out while the incident could not be written: the alert message, and how the person was reached."""

    at: datetime
    alert_channel_id: int | None
    alert_message_id: int | None
    person_via: str | None


@dataclass(frozen=True, slots=True)


class ReportOutcome:
    incident: Incident
    created: bool
    # The same Discord message was already screened; nothing changed.
    duplicate: bool
    # Send the person resources now (outside the cooldown).
    notify_person: bool
    # Staff-side rows to send now (the person's notice is not among them: see person_notice_id).
    outbox_ids: tuple[int, ...]
    # What happened, in words a reply can use: opened, updated, raised (severity raised by hand), reopened (a
    # new incident for a message whose incident was closed), unchanged (already open at that severity or
    # higher), duplicate (the message was already screened).
    action: str = "opened"
    # The person's resources, an outbox row like every crisis send; the caller delivers it at once so that it
    # can use the interaction (an ephemeral reply) when the person's DMs are closed.
    person_notice_id: int | None = None


@dataclass(frozen=True, slots=True)


class IncidentFigures:
    """/incident stats for one kind (real incidents or drills): counts and times only."""

    days: int
    total: int
    by_severity: dict[str, int]
    by_status: dict[str, int]
    ack_p50: timedelta | None
    ack_p90: timedelta | None
    ack_longest: timedelta | None
    escalated: int  # incidents that reached at least one unacknowledged re-ping
    pages_sent: int
    pages_refused: int
    pages_waiting: int

    @classmethod
    def of(cls, rows: Sequence[Any], pages: Any, days: int) -> IncidentFigures:
        waits = sorted(
            from_db(r["acknowledged_at"]) - from_db(r["opened_at"]) for r in rows if r["acknowledged_at"] is not None
        )

        def pct(q: float) -> timedelta | None:
            return waits[min(len(waits) - 1, int(q * len(waits)))] if waits else None

        severities: dict[str, int] = {}
        statuses: dict[str, int] = {}
        for r in rows:
            severities[r["severity"]] = severities.get(r["severity"], 0) + 1
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        return cls(
            days=days, total=len(rows), by_severity=severities, by_status=statuses, ack_p50=pct(0.5),
            ack_p90=pct(0.9), ack_longest=waits[-1] if waits else None,
            escalated=sum(1 for r in rows if r["escalations"] > 0),
            pages_sent=int(pages["sent"] or 0) if pages else 0,
            pages_refused=int(pages["refused"] or 0) if pages else 0,
            pages_waiting=int(pages["waiting"] or 0) if pages else 0,
        )


@dataclass(frozen=True, slots=True)


class IncidentDetail:
    incident: Incident
    matches: list[Match]
    outbox: list[OutboxItem]
    audit: list[Any]
