"""Crisis rows as the services see them: incidents, their matches, outbox items."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, maybe_from_db

OPEN_STATUSES = ("open", "acknowledged")
CLOSED_STATUSES = ("resolved", "false_alarm")
STATUSES = OPEN_STATUSES + CLOSED_STATUSES


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    user_id: int
    route: str
    origin: str
    severity: str
    status: str
    categories: tuple[str, ...]
    source: str
    guild_id: int | None
    channel_id: int | None
    message_id: int | None
    group_id: int | None
    excerpt: str | None
    match_count: int
    reported_by: int | None
    opened_at: datetime
    last_seen_at: datetime
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    closed_by: int | None
    closed_at: datetime | None
    safe_at: datetime | None
    talk_requested_at: datetime | None
    talk_thread_id: int | None
    person_notified_at: datetime | None
    person_notice_via: str | None
    escalations: int
    next_escalation_at: datetime | None
    resolve_reminder_at: datetime | None
    alert_channel_id: int | None
    alert_message_id: int | None
    staff_reached_at: datetime | None
    unreached_since: datetime | None
    alert_reposts: int
    person_notice_reserved_at: datetime | None = None
    posted_at: datetime | None = None
    degraded_at: datetime | None = None
    linked_incident_id: int | None = None
    drill: bool = False
    held_by: int | None = None
    held_since: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def jump_url(self) -> str | None:
        if self.channel_id is None or self.message_id is None:
            return None
        return f"https://discord.com/channels/{self.guild_id or '@me'}/{self.channel_id}/{self.message_id}"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    incident_id: int
    kind: str
    target_id: int | None
    round: int
    created_at: datetime
    due_at: datetime
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    cancelled_at: datetime | None
    channel_id: int | None
    message_id: int | None
    failed_at: datetime | None
    failure: str | None
    page_event: str | None = None  # pager rows: trigger, acknowledge or resolve

    @property
    def pending(self) -> bool:
        return self.sent_at is None and self.cancelled_at is None


@dataclass(frozen=True, slots=True)
class Match:
    id: int
    incident_id: int
    at: datetime
    source: str
    severity: str
    categories: tuple[str, ...]
    channel_id: int | None
    message_id: int | None


def to_incident(row: Any) -> Incident:
    return Incident(
        id=row["id"],
        user_id=row["user_id"],
        route=row["route"],
        origin=row["origin"],
        severity=row["severity"],
        status=row["status"],
        categories=tuple(json.loads(row["categories"])),
        source=row["source"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        group_id=row["group_id"],
        excerpt=row["excerpt"],
        match_count=row["match_count"],
        reported_by=row["reported_by"],
        opened_at=from_db(row["opened_at"]),
        last_seen_at=from_db(row["last_seen_at"]),
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=maybe_from_db(row["acknowledged_at"]),
        closed_by=row["closed_by"],
        closed_at=maybe_from_db(row["closed_at"]),
        safe_at=maybe_from_db(row["safe_at"]),
        talk_requested_at=maybe_from_db(row["talk_requested_at"]),
        talk_thread_id=row["talk_thread_id"],
        person_notified_at=maybe_from_db(row["person_notified_at"]),
        person_notice_via=row["person_notice_via"],
        escalations=row["escalations"],
        next_escalation_at=maybe_from_db(row["next_escalation_at"]),
        resolve_reminder_at=maybe_from_db(row["resolve_reminder_at"]),
        alert_channel_id=row["alert_channel_id"],
        alert_message_id=row["alert_message_id"],
        staff_reached_at=maybe_from_db(row["staff_reached_at"]),
        unreached_since=maybe_from_db(row["unreached_since"]),
        alert_reposts=row["alert_reposts"],
        person_notice_reserved_at=maybe_from_db(row["person_notice_reserved_at"]),
        posted_at=maybe_from_db(row["posted_at"]),
        degraded_at=maybe_from_db(row["degraded_at"]),
        linked_incident_id=row["linked_incident_id"],
        drill=bool(row["drill"]),
        held_by=row["held_by"],
        held_since=maybe_from_db(row["held_since"]),
    )


def to_outbox_item(row: Any) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        incident_id=row["incident_id"],
        kind=row["kind"],
        target_id=row["target_id"],
        round=row["round"],
        created_at=from_db(row["created_at"]),
        due_at=from_db(row["due_at"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        sent_at=maybe_from_db(row["sent_at"]),
        cancelled_at=maybe_from_db(row["cancelled_at"]),
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        failed_at=maybe_from_db(row["failed_at"]),
        failure=row["failure"],
        page_event=row["page_event"],
    )


def to_match(row: Any) -> Match:
    return Match(
        id=row["id"],
        incident_id=row["incident_id"],
        at=from_db(row["at"]),
        source=row["source"],
        severity=row["severity"],
        categories=tuple(json.loads(row["categories"])),
        channel_id=row["channel_id"],
        message_id=row["message_id"],
    )
