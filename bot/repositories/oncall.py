"""SQL for on-call overrides."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_db, to_db
from bot.db import Queryable


async def add(db: Queryable, user_id: int, starts: datetime, ends: datetime, by: int, now: datetime) -> int:
    return await db.insert(
        "INSERT INTO oncall_overrides (user_id, starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
        (user_id, to_db(starts), to_db(ends), by, to_db(now)),
    )


async def current_and_future(db: Queryable, now: datetime) -> list[tuple[int, datetime, datetime]]:
    rows = await db.fetch_all(
        "SELECT user_id, starts_at, ends_at FROM oncall_overrides WHERE ends_at > ? ORDER BY starts_at", (to_db(now),)
    )
    return [(r["user_id"], from_db(r["starts_at"]), from_db(r["ends_at"])) for r in rows]


async def of_user(db: Queryable, user_id: int) -> list[tuple[datetime, datetime]]:
    rows = await db.fetch_all("SELECT starts_at, ends_at FROM oncall_overrides WHERE user_id = ?", (user_id,))
    return [(from_db(r["starts_at"]), from_db(r["ends_at"])) for r in rows]


async def delete_for(db: Queryable, user_id: int) -> int:
    return await db.execute("DELETE FROM oncall_overrides WHERE user_id = ? OR created_by = ?", (user_id, user_id))
