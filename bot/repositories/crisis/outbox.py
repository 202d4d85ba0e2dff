"""SQL for the crisis outbox, peer reports and the figures of /incident stats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import to_db
from bot.db import Queryable
from bot.repositories.crisis.rows import (
    OutboxItem,
    to_outbox_item,
)


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
    return None if row is None else to_outbox_item(row)


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
    return [to_outbox_item(r) for r in rows]


async def outbox_of(db: Queryable, incident_id: int) -> list[OutboxItem]:
    rows = await db.fetch_all("SELECT * FROM crisis_outbox WHERE incident_id = ? ORDER BY id", (incident_id,))
    return [to_outbox_item(r) for r in rows]


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
