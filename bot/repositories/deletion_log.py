"""SQL for the deletion log: who asked for deletion and when (no other data)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_db, to_db
from bot.db import Queryable


async def record(db: Queryable, user_id: int, at: datetime) -> None:
    await db.execute(
        "INSERT INTO deletion_log (user_id, deleted_at) VALUES (?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET deleted_at = excluded.deleted_at",
        (user_id, to_db(at)),
    )


async def entries(db: Queryable) -> list[tuple[int, datetime]]:
    rows = await db.fetch_all("SELECT user_id, deleted_at FROM deletion_log ORDER BY deleted_at")
    return [(r["user_id"], from_db(r["deleted_at"])) for r in rows]


async def of(db: Queryable, user_id: int) -> datetime | None:
    row = await db.fetch_one("SELECT deleted_at FROM deletion_log WHERE user_id = ?", (user_id,))
    return None if row is None else from_db(row["deleted_at"])
