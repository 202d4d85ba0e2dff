"""SQL for what Hearth must still undo in Discord (messages about a person, alert excerpts); ids only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.db import Queryable, Row


@dataclass(frozen=True, slots=True)
class CleanupRow:
    id: int
    user_id: int | None
    action: str  # "delete" | "drop_excerpt"
    channel_id: int
    message_id: int
    attempts: int


async def queue(
    db: Queryable, user_id: int | None, action: str, messages: Iterable[tuple[int, int]], at: datetime
) -> None:
    """One row per message; a message already waiting for the same action is not queued twice."""
    await db.execute_many(
        "INSERT INTO discord_cleanup (user_id, action, channel_id, message_id, next_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, action) DO UPDATE SET next_at = excluded.next_at",
        [(user_id, action, channel_id, message_id, to_db(at), to_db(at)) for channel_id, message_id in messages],
    )


async def queue_alerts_of_purged(db: Queryable, closed_sql: str, params: tuple[object, ...], at: datetime) -> None:
    """The staff alerts (and their DM copies) of the incidents selected by ``closed_sql`` lose their excerpt.
    ``closed_sql`` is a fixed query from the crisis repository selecting incident ids."""
    await db.execute(
        "INSERT INTO discord_cleanup (user_id, action, channel_id, message_id, next_at, created_at)"
        " SELECT NULL, 'drop_excerpt', alert_channel_id, alert_message_id, ?, ? FROM crisis_incidents"
        f" WHERE id IN ({closed_sql}) AND alert_message_id IS NOT NULL AND alert_channel_id IS NOT NULL"
        " AND excerpt IS NOT NULL"
        " UNION SELECT NULL, 'drop_excerpt', o.channel_id, o.message_id, ?, ? FROM crisis_outbox o"
        " JOIN crisis_incidents i ON i.id = o.incident_id"
        f" WHERE o.incident_id IN ({closed_sql}) AND o.kind = 'alert_dm' AND o.message_id IS NOT NULL"
        " AND o.channel_id IS NOT NULL AND i.excerpt IS NOT NULL"
        " ON CONFLICT (message_id, action) DO NOTHING",
        (to_db(at), to_db(at), *params, to_db(at), to_db(at), *params),
    )


async def next_due(db: Queryable) -> datetime | None:
    value = await db.fetch_value("SELECT MIN(next_at) FROM discord_cleanup")
    return None if value is None else from_db(value)


def _row(r: Row) -> CleanupRow:
    return CleanupRow(r["id"], r["user_id"], r["action"], r["channel_id"], r["message_id"], r["attempts"])


async def due(db: Queryable, now: datetime, limit: int = 100) -> list[CleanupRow]:
    rows = await db.fetch_all(
        "SELECT * FROM discord_cleanup WHERE next_at <= ? ORDER BY next_at, id LIMIT ?", (to_db(now), limit)
    )
    return [_row(r) for r in rows]


async def of_user(db: Queryable, user_id: int) -> list[CleanupRow]:
    rows = await db.fetch_all("SELECT * FROM discord_cleanup WHERE user_id = ? ORDER BY id", (user_id,))
    return [_row(r) for r in rows]


async def done(db: Queryable, row_id: int) -> None:
    await db.execute("DELETE FROM discord_cleanup WHERE id = ?", (row_id,))


async def retry(db: Queryable, row_id: int, next_at: datetime) -> None:
    await db.execute(
        "UPDATE discord_cleanup SET attempts = attempts + 1, next_at = ? WHERE id = ?", (to_db(next_at), row_id)
    )
