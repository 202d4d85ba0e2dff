"""SQL for group-scoped mutes."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_db, to_db
from bot.db import Queryable


async def start(db: Queryable, group_id: int, user_id: int, until: datetime, by: int) -> None:
    await db.execute(
        "INSERT INTO group_mutes (group_id, user_id, until, created_by, ended_at) VALUES (?, ?, ?, ?, NULL)"
        " ON CONFLICT (group_id, user_id) DO UPDATE SET until = excluded.until, created_by = excluded.created_by,"
        " ended_at = NULL",
        (group_id, user_id, to_db(until), by),
    )


async def next_end(db: Queryable) -> datetime | None:
    value = await db.fetch_value("SELECT MIN(until) FROM group_mutes WHERE ended_at IS NULL")
    return None if value is None else from_db(value)


async def due(db: Queryable, now: datetime) -> list[tuple[int, int]]:
    rows = await db.fetch_all(
        "SELECT group_id, user_id FROM group_mutes WHERE ended_at IS NULL AND until <= ? ORDER BY until",
        (to_db(now),),
    )
    return [(r["group_id"], r["user_id"]) for r in rows]


async def end(db: Queryable, group_id: int, user_id: int, at: datetime) -> None:
    await db.execute(
        "UPDATE group_mutes SET ended_at = ? WHERE group_id = ? AND user_id = ? AND ended_at IS NULL",
        (to_db(at), group_id, user_id),
    )


async def postpone(db: Queryable, group_id: int, user_id: int, until: datetime) -> None:
    await db.execute("UPDATE group_mutes SET until = ? WHERE group_id = ? AND user_id = ?",
                     (to_db(until), group_id, user_id))


async def of_user(db: Queryable, user_id: int) -> list[tuple[int, datetime, datetime | None]]:
    rows = await db.fetch_all("SELECT group_id, until, ended_at FROM group_mutes WHERE user_id = ?", (user_id,))
    return [(r["group_id"], from_db(r["until"]), None if r["ended_at"] is None else from_db(r["ended_at"]))
            for r in rows]


async def delete_for(db: Queryable, user_id: int) -> int:
    return await db.execute("DELETE FROM group_mutes WHERE user_id = ? OR created_by = ?", (user_id, user_id))
