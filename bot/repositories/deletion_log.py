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


async def queue_retry(db: Queryable, user_id: int, feature: str, at: datetime) -> None:
    await db.execute(
        "INSERT INTO deletion_retries (user_id, feature, attempts, next_at) VALUES (?, ?, 0, ?)"
        " ON CONFLICT (user_id, feature) DO UPDATE SET next_at = MIN(next_at, excluded.next_at)",
        (user_id, feature, to_db(at)),
    )


async def next_retry(db: Queryable) -> datetime | None:
    value = await db.fetch_value("SELECT MIN(next_at) FROM deletion_retries")
    return None if value is None else from_db(value)


async def due_retries(db: Queryable, now: datetime) -> list[tuple[int, str, int]]:
    rows = await db.fetch_all(
        "SELECT user_id, feature, attempts FROM deletion_retries WHERE next_at <= ? ORDER BY next_at", (to_db(now),)
    )
    return [(r["user_id"], r["feature"], r["attempts"]) for r in rows]


async def retry_failed(db: Queryable, user_id: int, feature: str, next_at: datetime) -> None:
    await db.execute(
        "UPDATE deletion_retries SET attempts = attempts + 1, next_at = ? WHERE user_id = ? AND feature = ?",
        (to_db(next_at), user_id, feature),
    )


async def retry_done(db: Queryable, user_id: int, feature: str) -> None:
    await db.execute("DELETE FROM deletion_retries WHERE user_id = ? AND feature = ?", (user_id, feature))


async def retries_of(db: Queryable, user_id: int) -> list[str]:
    rows = await db.fetch_all("SELECT feature FROM deletion_retries WHERE user_id = ? ORDER BY feature", (user_id,))
    return [r["feature"] for r in rows]
