"""SQL for the shared audit log: who did what to whom, and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, to_db
from bot.db import Queryable


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    feature: str
    action: str
    actor_id: int | None
    target_id: int | None
    subject_id: int | None
    reason: str | None
    detail: dict[str, Any]


async def record(
    db: Queryable,
    *,
    at: datetime,
    feature: str,
    action: str,
    actor_id: int | None,
    target_id: int | None = None,
    subject_id: int | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    return await db.insert(
        "INSERT INTO audit_log (at, feature, action, actor_id, target_id, subject_id, reason, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (to_db(at), feature, action, actor_id, target_id, subject_id, reason, json.dumps(detail or {})),
    )


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=from_db(row["at"]),
        feature=row["feature"],
        action=row["action"],
        actor_id=row["actor_id"],
        target_id=row["target_id"],
        subject_id=row["subject_id"],
        reason=row["reason"],
        detail=json.loads(row["detail"]),
    )


async def for_subject(db: Queryable, feature: str, subject_id: int) -> list[AuditEntry]:
    rows = await db.fetch_all(
        "SELECT * FROM audit_log WHERE feature = ? AND subject_id = ? ORDER BY at, id", (feature, subject_id)
    )
    return [_entry(r) for r in rows]


async def for_feature(db: Queryable, feature: str, limit: int = 100) -> list[AuditEntry]:
    rows = await db.fetch_all(
        "SELECT * FROM audit_log WHERE feature = ? ORDER BY at DESC, id DESC LIMIT ?", (feature, limit)
    )
    return [_entry(r) for r in rows]


async def involving(db: Queryable, user_id: int) -> list[AuditEntry]:
    rows = await db.fetch_all(
        "SELECT * FROM audit_log WHERE actor_id = ? OR target_id = ? ORDER BY at, id", (user_id, user_id)
    )
    return [_entry(r) for r in rows]


async def purge_before(db: Queryable, cutoff: datetime) -> int:
    """Delete audit rows older than ``cutoff``, except those of a crisis incident that still exists: the trail
    of an incident lives exactly as long as the incident (it is purged with it, see crisis.purge_closed_before)."""
    return await db.execute(
        "DELETE FROM audit_log WHERE at < ? AND NOT (feature = 'crisis' AND subject_id IN "
        "(SELECT id FROM crisis_incidents))",
        (to_db(cutoff),),
    )
