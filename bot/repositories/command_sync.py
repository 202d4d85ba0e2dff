"""SQL for the hashes of the application commands last synced to Discord."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db
from bot.db import Queryable


async def synced_hash(db: Queryable, scope: str) -> str | None:
    row = await db.fetch_one("SELECT payload_hash FROM command_sync WHERE scope = ?", (scope,))
    return None if row is None else str(row["payload_hash"])


async def record_sync(db: Queryable, scope: str, payload_hash: str, now: datetime) -> None:
    await db.execute(
        "INSERT INTO command_sync (scope, payload_hash, synced_at) VALUES (?, ?, ?)"
        " ON CONFLICT (scope) DO UPDATE SET payload_hash = excluded.payload_hash, synced_at = excluded.synced_at",
        (scope, payload_hash, to_db(now)),
    )
