"""SQL for per-person settings (the ``user_settings`` table)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db
from bot.db import Queryable


async def get_timezone(db: Queryable, user_id: int) -> str | None:
    value = await db.fetch_value("SELECT timezone FROM user_settings WHERE user_id = ?", (user_id,))
    return None if value is None else str(value)


async def set_timezone(db: Queryable, user_id: int, timezone: str, now: datetime) -> None:
    await db.execute(
        "INSERT INTO user_settings (user_id, timezone, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone, updated_at = excluded.updated_at",
        (user_id, timezone, to_db(now)),
    )


async def timezones_for(db: Queryable, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = await db.fetch_all(
        f"SELECT user_id, timezone FROM user_settings WHERE timezone IS NOT NULL AND user_id IN ({marks})",
        user_ids,
    )
    return {int(r["user_id"]): str(r["timezone"]) for r in rows}


async def export(db: Queryable, user_id: int) -> dict[str, object] | None:
    row = await db.fetch_one("SELECT * FROM user_settings WHERE user_id = ?", (user_id,))
    return None if row is None else dict(row)


async def delete(db: Queryable, user_id: int) -> int:
    return await db.execute("DELETE FROM user_settings WHERE user_id = ?", (user_id,))
