"""SQL for crisis incidents and their matches."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.clock import maybe_from_db, to_db
from bot.db import Database, Queryable
from bot.repositories import discord_cleanup
from bot.repositories.crisis.rows import (
    Incident,
    Match,
    to_incident,
    to_match,
)


async def get(db: Queryable, incident_id: int) -> Incident | None:
    row = await db.fetch_one("SELECT * FROM crisis_incidents WHERE id = ?", (incident_id,))
    return None if row is None else to_incident(row)


async def open_for(db: Queryable, user_id: int, route: str) -> Incident | None:
    row = await db.fetch_one(
        "SELECT * FROM crisis_incidents WHERE user_id = ? AND route = ? AND status IN ('open', 'acknowledged') "
        "ORDER BY id DESC LIMIT 1",
        (user_id, route),
    )
    return None if row is None else to_incident(row)


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
    return None if row is None else to_incident(row)


async def matches_of(db: Queryable, incident_id: int) -> list[Match]:
    rows = await db.fetch_all("SELECT * FROM crisis_matches WHERE incident_id = ? ORDER BY at, id", (incident_id,))
    return [to_match(r) for r in rows]


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
    return [to_incident(r) for r in rows]


async def due_reminders(db: Queryable, now: datetime) -> list[Incident]:
    rows = await db.fetch_all(
        "SELECT * FROM crisis_incidents WHERE resolve_reminder_at IS NOT NULL AND resolve_reminder_at <= ? "
        "AND status = 'acknowledged' ORDER BY resolve_reminder_at",
        (to_db(now),),
    )
    return [to_incident(r) for r in rows]


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
    return [to_incident(r) for r in rows]


async def about(db: Queryable, user_id: int) -> list[Incident]:
    rows = await db.fetch_all("SELECT * FROM crisis_incidents WHERE user_id = ? ORDER BY id", (user_id,))
    return [to_incident(r) for r in rows]


async def sent_to(db: Queryable, user_id: int) -> list[dict[str, Any]]:
    """What the crisis outbox sent to this person directly (as a staff member reached by DM)."""
    rows = await db.fetch_all(
        "SELECT id, incident_id, kind, sent_at FROM crisis_outbox WHERE target_id = ? ORDER BY id", (user_id,)
    )
    return [dict(r) for r in rows]


async def reported_by(db: Queryable, user_id: int) -> list[Incident]:
    rows = await db.fetch_all(
        "SELECT * FROM crisis_incidents WHERE reported_by = ? AND user_id != ? ORDER BY id", (user_id, user_id)
    )
    return [to_incident(r) for r in rows]


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
