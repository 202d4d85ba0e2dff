"""SQL for screening cursors: per watched channel, the newest message id crisis screening has seen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.db import Queryable, Row


@dataclass(frozen=True, slots=True)
class Cursor:
    channel_id: int
    user_id: int | None  # the person, for a DM channel
    last_message_id: int
    updated_at: datetime


async def save(db: Queryable, rows: Iterable[tuple[int, int | None, int]], now: datetime) -> None:
    """Move cursors forward (never back): rows of (channel_id, user_id or None, message_id)."""
    await db.execute_many(
        "INSERT INTO screening_cursors (channel_id, user_id, last_message_id, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (channel_id) DO UPDATE SET"
        " last_message_id = MAX(last_message_id, excluded.last_message_id),"
        " user_id = COALESCE(excluded.user_id, user_id), updated_at = excluded.updated_at",
        [(channel_id, user_id, message_id, to_db(now)) for channel_id, user_id, message_id in rows],
    )


def _cursor(row: Row) -> Cursor:
    return Cursor(
        channel_id=row["channel_id"], user_id=row["user_id"], last_message_id=row["last_message_id"],
        updated_at=from_db(row["updated_at"]),
    )


async def all_cursors(db: Queryable) -> list[Cursor]:
    rows = await db.fetch_all(
        "SELECT channel_id, user_id, last_message_id, updated_at FROM screening_cursors ORDER BY updated_at DESC"
    )
    return [_cursor(r) for r in rows]


async def for_user(db: Queryable, user_id: int) -> list[Cursor]:
    rows = await db.fetch_all(
        "SELECT channel_id, user_id, last_message_id, updated_at FROM screening_cursors WHERE user_id = ?",
        (user_id,),
    )
    return [_cursor(r) for r in rows]


async def delete_for_user(db: Queryable, user_id: int) -> int:
    return await db.execute("DELETE FROM screening_cursors WHERE user_id = ?", (user_id,))
