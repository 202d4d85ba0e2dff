"""SQL for crisis incidents, their matches and the crisis outbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, maybe_from_db, to_db
from bot.db import Database, Queryable
from bot.repositories import discord_cleanup

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


def _incident(row: Any) -> Incident:
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


def _outbox(row: Any) -> OutboxItem:
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


def _match(row: Any) -> Match:
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


# ------------------------------------------------------------------ incidents


async def get(db: Queryable, incident_id: int) -> Incident | None:
    row = await db.fetch_one("SELECT * FROM crisis_incidents WHERE id = ?", (incident_id,))
    return None if row is None else _incident(row)


async def open_for(db: Queryable, user_id: int, route: str) -> Incident | None:
    row = await db.fetch_one(
        "SELECT * FROM crisis_incidents WHERE user_id = ? AND route = ? AND status IN ('open', 'acknowledged') "
        "ORDER BY id DESC LIMIT 1",
        (user_id, route),
    )
    return None if row is None else _incident(row)


async def insert_incident(
    db: Queryable,
    *,
    user_id: int,
    route: str,
    origin: str,
    severity: str,
    categories: tuple[str, ...],
    source: str,
    guild_id: int | None,
    channel_id: int | None,
    message_id: int | None,
    group_id: int | None,
    excerpt: str | None,
    reported_by: int | None,
    at: datetime,
    next_escalation_at: datetime | None,
    posted_at: datetime | None = None,
    degraded_at: datetime | None = None,
    linked_incident_id: int | None = None,
    drill: bool = False,
) -> int:
    return await db.insert(
        "INSERT INTO crisis_incidents (user_id, route, origin, severity, status, categories, source, guild_id, "
        "channel_id, message_id, group_id, excerpt, reported_by, opened_at, last_seen_at, next_escalation_at, "
        "posted_at, degraded_at, linked_incident_id, drill)"
        " VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user_id, route, origin, severity, json.dumps(list(categories)), source, guild_id, channel_id,
            message_id, group_id, excerpt, reported_by, to_db(at), to_db(at),
            None if next_escalation_at is None else to_db(next_escalation_at),
            None if posted_at is None else to_db(posted_at), None if degraded_at is None else to_db(degraded_at),
            linked_incident_id, int(drill),
        ),
    )


async def fold_match(
    db: Queryable,
    incident_id: int,
    *,
    severity: str,
    categories: tuple[str, ...],
    source: str,
    guild_id: int | None,
    channel_id: int | None,
    message_id: int | None,
    excerpt: str | None,
    at: datetime,
    next_escalation_at: datetime | None,
) -> None:
    """A later match for an open incident: count, last seen, newest place, stronger severity."""
    await db.execute(
        "UPDATE crisis_incidents SET match_count = match_count + 1, last_seen_at = ?, severity = ?, "
        "categories = ?, source = ?, guild_id = COALESCE(?, guild_id), channel_id = COALESCE(?, channel_id), "
        "message_id = COALESCE(?, message_id), excerpt = COALESCE(?, excerpt), next_escalation_at = ? "
        "WHERE id = ?",
        (
            to_db(at), severity, json.dumps(list(categories)), source, guild_id, channel_id, message_id, excerpt,
            None if next_escalation_at is None else to_db(next_escalation_at), incident_id,
        ),
    )


async def add_match(
    db: Queryable,
    incident_id: int,
    *,
    at: datetime,
    source: str,
    severity: str,
    categories: tuple[str, ...],
    channel_id: int | None,
    message_id: int | None,
) -> bool:
    """Record one match; False if this Discord message was already recorded."""
    changed = await db.execute(
        "INSERT OR IGNORE INTO crisis_matches (incident_id, at, source, severity, categories, channel_id, message_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (incident_id, to_db(at), source, severity, json.dumps(list(categories)), channel_id, message_id),
    )
    return changed > 0


async def incident_of_message(db: Queryable, message_id: int) -> Incident | None:
    row = await db.fetch_one(
        "SELECT i.* FROM crisis_incidents i JOIN crisis_matches m ON m.incident_id = i.id WHERE m.message_id = ?"
        " ORDER BY i.id DESC LIMIT 1",
        (message_id,),
    )
    return None if row is None else _incident(row)


async def matches_of(db: Queryable, incident_id: int) -> list[Match]:
    rows = await db.fetch_all("SELECT * FROM crisis_matches WHERE incident_id = ? ORDER BY at, id", (incident_id,))
    return [_match(r) for r in rows]


async def last_person_notice(db: Queryable, user_id: int) -> datetime | None:
    """When the person was last sent (or had reserved) crisis resources."""
    value = await db.fetch_value(
        "SELECT MAX(COALESCE(person_notice_reserved_at, person_notified_at)) FROM crisis_incidents"
        " WHERE user_id = ?",
        (user_id,),
    )
    return maybe_from_db(value)


async def set_fields(db: Queryable, incident_id: int, **fields: Any) -> int:
    """Update named columns (names come from code, never from input)."""
    allowed = {
        "status", "acknowledged_by", "acknowledged_at", "closed_by", "closed_at", "safe_at", "talk_requested_at",
        "talk_thread_id", "person_notified_at", "person_notice_via", "escalations", "next_escalation_at",
        "resolve_reminder_at", "alert_channel_id", "alert_message_id", "unreached_since",
        "person_notice_reserved_at", "degraded_at", "held_by", "held_since",
    }
    names = list(fields)
    if not names or any(n not in allowed for n in names):
        raise ValueError(f"unknown incident fields: {names}")
    values = [to_db(v) if isinstance(v, datetime) else v for v in fields.values()]
    assignments = ", ".join(f"{n} = ?" for n in names)
    return await db.execute(f"UPDATE crisis_incidents SET {assignments} WHERE id = ?", (*values, incident_id))


async def mark_unreached(db: Queryable, incident_id: int, *, at: datetime) -> bool:
    """Compare-and-set: the first pass that finds every destination refused marks it (and tells the person)."""
    changed = await db.execute(
        "UPDATE crisis_incidents SET unreached_since = ? WHERE id = ? AND unreached_since IS NULL",
        (to_db(at), incident_id),
    )
    return changed > 0


async def mark_staff_reached(db: Queryable, incident_id: int, *, at: datetime) -> bool:
    """The first time any alert reached a staff member; False if that was already recorded."""
    changed = await db.execute(
        "UPDATE crisis_incidents SET staff_reached_at = ? WHERE id = ? AND staff_reached_at IS NULL",
        (to_db(at), incident_id),
    )
    return changed > 0


async def replace_alert(db: Queryable, incident_id: int, *, channel_id: int, message_id: int) -> bool:
    """The alert was re-posted (the old message was deleted): point at the new one, count the re-post."""
    changed = await db.execute(
        "UPDATE crisis_incidents SET alert_channel_id = ?, alert_message_id = ?, alert_reposts = alert_reposts + 1 "
        "WHERE id = ? AND alert_message_id IS NOT ?",
        (channel_id, message_id, incident_id, message_id),
    )
    return changed > 0


async def transition(
    db: Queryable, incident_id: int, *, from_statuses: tuple[str, ...], **fields: Any
) -> bool:
    """Change status-related fields only if the incident is still in one of ``from_statuses``."""
    names = list(fields)
    values = [to_db(v) if isinstance(v, datetime) else v for v in fields.values()]
    assignments = ", ".join(f"{n} = ?" for n in names)
    marks = ", ".join("?" for _ in from_statuses)
    changed = await db.execute(
        f"UPDATE crisis_incidents SET {assignments} WHERE id = ? AND status IN ({marks})",
        (*values, incident_id, *from_statuses),
    )
    return changed > 0


async def advance_round(
    db: Queryable, incident_id: int, *, from_round: int, next_escalation_at: datetime | None
) -> bool:
    """Compare-and-set: move an open incident from escalation round ``from_round`` to the next, only if it is
    still at that round (a second worker that read the same round changes nothing and sends nothing)."""
    changed = await db.execute(
        "UPDATE crisis_incidents SET escalations = ?, next_escalation_at = ? "
        "WHERE id = ? AND status = 'open' AND escalations = ?",
        (from_round + 1, None if next_escalation_at is None else to_db(next_escalation_at), incident_id, from_round),
    )
    return changed > 0


async def due_escalations(db: Queryable, now: datetime) -> list[Incident]:
    rows = await db.fetch_all(
        "SELECT * FROM crisis_incidents WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= ? "
        "AND status = 'open' ORDER BY next_escalation_at",
        (to_db(now),),
    )
    return [_incident(r) for r in rows]


async def due_reminders(db: Queryable, now: datetime) -> list[Incident]:
    rows = await db.fetch_all(
        "SELECT * FROM crisis_incidents WHERE resolve_reminder_at IS NOT NULL AND resolve_reminder_at <= ? "
        "AND status = 'acknowledged' ORDER BY resolve_reminder_at",
        (to_db(now),),
    )
    return [_incident(r) for r in rows]


async def next_timer(db: Queryable) -> datetime | None:
    value = await db.fetch_value(
        "SELECT MIN(t) FROM ("
        " SELECT MIN(next_escalation_at) AS t FROM crisis_incidents WHERE status = 'open'"
        " UNION ALL SELECT MIN(resolve_reminder_at) FROM crisis_incidents WHERE status = 'acknowledged'"
        " UNION ALL SELECT MIN(due_at) FROM crisis_outbox WHERE sent_at IS NULL AND cancelled_at IS NULL)"
    )
    return maybe_from_db(value)


async def listing(db: Queryable, status: str | None, limit: int = 25) -> list[Incident]:
    if status is None:
        rows = await db.fetch_all("SELECT * FROM crisis_incidents ORDER BY id DESC LIMIT ?", (limit,))
    elif status == "open_any":
        rows = await db.fetch_all(
            "SELECT * FROM crisis_incidents WHERE status IN ('open', 'acknowledged') ORDER BY id DESC LIMIT ?",
            (limit,),
        )
    else:
        rows = await db.fetch_all(
            "SELECT * FROM crisis_incidents WHERE status = ? ORDER BY id DESC LIMIT ?", (status, limit)
        )
    return [_incident(r) for r in rows]


async def about(db: Queryable, user_id: int) -> list[Incident]:
    rows = await db.fetch_all("SELECT * FROM crisis_incidents WHERE user_id = ? ORDER BY id", (user_id,))
    return [_incident(r) for r in rows]


async def reported_by(db: Queryable, user_id: int) -> list[Incident]:
    rows = await db.fetch_all(
        "SELECT * FROM crisis_incidents WHERE reported_by = ? AND user_id != ? ORDER BY id", (user_id, user_id)
    )
    return [_incident(r) for r in rows]


async def purge_closed_before(db: Database, cutoff: datetime, *, now: datetime) -> int:
    """Delete closed incidents past retention together with their audit trail; their staff alerts (and DM copies)
    are queued to lose the excerpt in Discord (``discord_cleanup``), in the same transaction."""
    closed = "SELECT id FROM crisis_incidents WHERE status IN ('resolved', 'false_alarm') AND closed_at < ?"
    async with db.transaction() as tx:
        await discord_cleanup.queue_alerts_of_purged(tx, closed, (to_db(cutoff),), now)
        await tx.execute(f"DELETE FROM audit_log WHERE feature = 'crisis' AND subject_id IN ({closed})",
                         (to_db(cutoff),))
        return await tx.execute(f"DELETE FROM crisis_incidents WHERE id IN ({closed})", (to_db(cutoff),))


async def forget_excerpts(db: Queryable, incident_ids: Sequence[int]) -> list[int]:
    """Drop the excerpt (the only text an incident holds) of these incidents; returns those that had one."""
    had: list[int] = []
    for incident_id in incident_ids:
        if await db.execute(
            "UPDATE crisis_incidents SET excerpt = NULL WHERE id = ? AND excerpt IS NOT NULL", (incident_id,)
        ):
            had.append(incident_id)
    return had


async def sent_messages(db: Queryable, incident_ids: Sequence[int], kinds: Sequence[str]) -> list[tuple[str, int, int]]:
    """(kind, channel_id, message_id) of the outbox rows of these kinds that were sent as a Discord message."""
    rows: list[tuple[str, int, int]] = []
    marks = ", ".join("?" for _ in kinds)
    for incident_id in incident_ids:
        found = await db.fetch_all(
            f"SELECT kind, channel_id, message_id FROM crisis_outbox WHERE incident_id = ? AND kind IN ({marks})"
            " AND channel_id IS NOT NULL AND message_id IS NOT NULL ORDER BY id",
            (incident_id, *kinds),
        )
        rows.extend((r["kind"], int(r["channel_id"]), int(r["message_id"])) for r in found)
    return rows


# ------------------------------------------------------------------ outbox


async def enqueue(
    db: Queryable,
    incident_id: int,
    kind: str,
    *,
    at: datetime,
    target_id: int | None = None,
    round: int = 0,
    page_event: str | None = None,
) -> int:
    return await db.insert(
        "INSERT INTO crisis_outbox (incident_id, kind, target_id, round, created_at, due_at, page_event)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (incident_id, kind, target_id, round, to_db(at), to_db(at), page_event),
    )


async def outbox_item(db: Queryable, item_id: int) -> OutboxItem | None:
    row = await db.fetch_one("SELECT * FROM crisis_outbox WHERE id = ?", (item_id,))
    return None if row is None else _outbox(row)


async def pending(db: Queryable, due_by: datetime | None) -> list[OutboxItem]:
    """Unsent rows due by ``due_by`` (all unsent rows when None), the staff alert first."""
    if due_by is None:
        rows = await db.fetch_all(
            "SELECT * FROM crisis_outbox WHERE sent_at IS NULL AND cancelled_at IS NULL "
            "ORDER BY kind != 'alert', due_at, id"
        )
    else:
        rows = await db.fetch_all(
            "SELECT * FROM crisis_outbox WHERE sent_at IS NULL AND cancelled_at IS NULL AND due_at <= ? "
            "ORDER BY kind != 'alert', due_at, id",
            (to_db(due_by),),
        )
    return [_outbox(r) for r in rows]


async def outbox_of(db: Queryable, incident_id: int) -> list[OutboxItem]:
    rows = await db.fetch_all("SELECT * FROM crisis_outbox WHERE incident_id = ? ORDER BY id", (incident_id,))
    return [_outbox(r) for r in rows]


async def mark_sent(
    db: Queryable, item_id: int, *, at: datetime, channel_id: int | None, message_id: int | None
) -> bool:
    changed = await db.execute(
        "UPDATE crisis_outbox SET sent_at = ?, channel_id = ?, message_id = ?, last_error = NULL "
        "WHERE id = ? AND sent_at IS NULL",
        (to_db(at), channel_id, message_id, item_id),
    )
    return changed > 0


async def mark_failed(db: Queryable, item_id: int, *, error: str, retry_at: datetime) -> None:
    await db.execute(
        "UPDATE crisis_outbox SET last_error = ?, due_at = ? WHERE id = ? AND sent_at IS NULL",
        (error[:100], to_db(retry_at), item_id),
    )


async def mark_refused(db: Queryable, item_id: int, *, at: datetime, failure: str) -> None:
    """This destination refused for good (a 4xx); the first refusal's time is kept."""
    await db.execute(
        "UPDATE crisis_outbox SET failed_at = COALESCE(failed_at, ?), failure = ? WHERE id = ?",
        (to_db(at), failure[:200], item_id),
    )


async def mark_attempt(db: Queryable, item_id: int) -> None:
    """Counted before a send, so a crash mid-send leaves evidence that a send may have happened."""
    await db.execute("UPDATE crisis_outbox SET attempts = attempts + 1 WHERE id = ?", (item_id,))


async def cancel(db: Queryable, item_id: int, *, at: datetime, reason: str) -> None:
    await db.execute(
        "UPDATE crisis_outbox SET cancelled_at = ?, last_error = ? WHERE id = ? AND sent_at IS NULL",
        (to_db(at), reason[:100], item_id),
    )


async def cancel_refused(db: Queryable, incident_id: int, kinds: tuple[str, ...], *, at: datetime) -> int:
    """Stop retrying destinations that refused for good once the incident reached someone another way."""
    marks = ", ".join("?" for _ in kinds)
    return await db.execute(
        f"UPDATE crisis_outbox SET cancelled_at = ?, last_error = 'refused; staff were reached another way' "
        f"WHERE incident_id = ? AND kind IN ({marks}) AND failed_at IS NOT NULL AND sent_at IS NULL "
        f"AND cancelled_at IS NULL",
        (to_db(at), incident_id, *kinds),
    )


async def cancel_kinds(db: Queryable, incident_id: int, kinds: tuple[str, ...], *, at: datetime) -> int:
    marks = ", ".join("?" for _ in kinds)
    return await db.execute(
        f"UPDATE crisis_outbox SET cancelled_at = ?, last_error = 'no longer needed' "
        f"WHERE incident_id = ? AND kind IN ({marks}) AND sent_at IS NULL AND cancelled_at IS NULL",
        (to_db(at), incident_id, *kinds),
    )


async def anonymise_reporter(db: Queryable, user_id: int) -> int:
    return await db.execute(
        "UPDATE crisis_incidents SET reported_by = NULL WHERE reported_by = ? AND user_id != ?", (user_id, user_id)
    )


async def claim_peer_report(db: Queryable, reporter_id: int, user_id: int, *, at: datetime, since: datetime) -> bool:
    """Record a peer report unless this reporter already reported this person since ``since``."""
    existing = await db.fetch_value(
        "SELECT 1 FROM crisis_peer_reports WHERE reporter_id = ? AND user_id = ? AND at >= ? LIMIT 1",
        (reporter_id, user_id, to_db(since)),
    )
    if existing:
        return False
    await db.execute(
        "INSERT INTO crisis_peer_reports (reporter_id, user_id, at) VALUES (?, ?, ?)",
        (reporter_id, user_id, to_db(at)),
    )
    return True


async def delete_peer_reports(db: Queryable, user_id: int) -> int:
    return await db.execute(
        "DELETE FROM crisis_peer_reports WHERE reporter_id = ? OR user_id = ?", (user_id, user_id)
    )


async def figures_since(db: Queryable, since: datetime) -> list[Any]:
    """Staff-route incidents opened since ``since``: what /incident stats counts (no text, no people)."""
    return await db.fetch_all(
        "SELECT id, severity, status, opened_at, acknowledged_at, escalations, drill FROM crisis_incidents"
        " WHERE route = 'staff' AND opened_at >= ?",
        (to_db(since),),
    )


async def page_counts(db: Queryable, since: datetime) -> list[Any]:
    """Pager rows of those incidents: (drill, sent, refused, waiting) counts."""
    return await db.fetch_all(
        "SELECT i.drill AS drill, SUM(o.sent_at IS NOT NULL) AS sent, SUM(o.failed_at IS NOT NULL) AS refused,"
        " SUM(o.sent_at IS NULL AND o.cancelled_at IS NULL) AS waiting FROM crisis_outbox o"
        " JOIN crisis_incidents i ON i.id = o.incident_id WHERE o.kind LIKE 'page_%' AND i.opened_at >= ?"
        " GROUP BY i.drill",
        (to_db(since),),
    )
