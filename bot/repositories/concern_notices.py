"""SQL for check-in concern notices queued per facilitator."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.clock import from_db, to_db
from bot.db import Queryable


async def queue(db: Queryable, concern_id: int, facilitator_ids: Iterable[int], at: datetime) -> None:
    await db.execute_many(
        "INSERT OR IGNORE INTO checkin_concern_notices (concern_id, facilitator_id, next_at) VALUES (?, ?, ?)",
        [(concern_id, fid, to_db(at)) for fid in facilitator_ids],
    )


async def next_due(db: Queryable) -> datetime | None:
    value = await db.fetch_value("SELECT MIN(next_at) FROM checkin_concern_notices WHERE next_at IS NOT NULL")
    return None if value is None else from_db(value)


async def due(db: Queryable, now: datetime, limit: int = 100) -> list[tuple[int, int, int, int, str]]:
    """(concern_id, facilitator_id, attempts, user_id, kind) of the notices due by ``now``."""
    rows = await db.fetch_all(
        "SELECT n.concern_id, n.facilitator_id, n.attempts, c.user_id, c.kind FROM checkin_concern_notices n"
        " JOIN checkin_concerns c ON c.id = n.concern_id WHERE n.next_at IS NOT NULL AND n.next_at <= ?"
        " ORDER BY n.next_at LIMIT ?",
        (to_db(now), limit),
    )
    return [(r["concern_id"], r["facilitator_id"], r["attempts"], r["user_id"], r["kind"]) for r in rows]


async def sent(db: Queryable, concern_id: int, facilitator_id: int, at: datetime, channel_id: int | None,
               message_id: int | None) -> None:
    await db.execute(
        "UPDATE checkin_concern_notices SET sent_at = ?, next_at = NULL, attempts = attempts + 1, channel_id = ?,"
        " message_id = ? WHERE concern_id = ? AND facilitator_id = ?",
        (to_db(at), channel_id, message_id, concern_id, facilitator_id),
    )


async def refused(db: Queryable, concern_id: int, facilitator_id: int, at: datetime) -> None:
    await db.execute(
        "UPDATE checkin_concern_notices SET failed_at = ?, next_at = NULL, attempts = attempts + 1"
        " WHERE concern_id = ? AND facilitator_id = ?",
        (to_db(at), concern_id, facilitator_id),
    )


async def retry(db: Queryable, concern_id: int, facilitator_id: int, next_at: datetime) -> None:
    await db.execute(
        "UPDATE checkin_concern_notices SET attempts = attempts + 1, next_at = ? WHERE concern_id = ? AND"
        " facilitator_id = ?",
        (to_db(next_at), concern_id, facilitator_id),
    )


async def messages_about(db: Queryable, user_id: int) -> list[tuple[int, int]]:
    """(channel_id, message_id) of the notices about a person that were sent (their deletion removes them)."""
    rows = await db.fetch_all(
        "SELECT n.channel_id, n.message_id FROM checkin_concern_notices n JOIN checkin_concerns c"
        " ON c.id = n.concern_id WHERE c.user_id = ? AND n.message_id IS NOT NULL",
        (user_id,),
    )
    return [(int(r["channel_id"]), int(r["message_id"])) for r in rows]


async def delete_for(db: Queryable, user_id: int) -> int:
    """Notices about the person, and the facilitator's own rows."""
    return await db.execute(
        "DELETE FROM checkin_concern_notices WHERE facilitator_id = ?"
        " OR concern_id IN (SELECT id FROM checkin_concerns WHERE user_id = ?)",
        (user_id, user_id),
    )
