"""The audit log as a service: features record actions; data rights see and explain it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.db import Database
from bot.privacy import DeletionResult
from bot.repositories import audit
from bot.repositories.audit import AuditEntry

# Scheduled work: audit records past the retention period promised in /privacy delete are removed daily.
RETENTION_WORK = "audit-retention"


class AuditService:
    feature = "audit_log"
    tables = ("audit_log",)

    def __init__(self, db: Database, clock: Clock, retention_days: int) -> None:
        self._db = db
        self._clock = clock
        self.retention_days = retention_days

    async def record(
        self,
        *,
        feature: str,
        action: str,
        actor_id: int | None,
        target_id: int | None = None,
        subject_id: int | None = None,
        reason: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> int:
        return await audit.record(
            self._db, at=self._clock.now(), feature=feature, action=action, actor_id=actor_id,
            target_id=target_id, subject_id=subject_id, reason=reason, detail=detail,
        )

    async def for_subject(self, feature: str, subject_id: int) -> list[AuditEntry]:
        return await audit.for_subject(self._db, feature, subject_id)

    async def purge_expired(self) -> int:
        cutoff = self._clock.now() - timedelta(days=self.retention_days)
        return await audit.purge_before(self._db, cutoff)

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        entries = await audit.involving(self._db, user_id)
        return {
            "entries": [
                {**asdict(e), "at": e.at.isoformat()} for e in entries
            ]
        }

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        entries = await audit.involving(self._db, user_id)
        kept: tuple[str, ...] = ()
        if entries:
            kept = (
                f"{len(entries)} audit record(s) of moderation or safety actions that involve you are kept "
                f"for {self.retention_days} days so the program can account for how it acted, "
                "then deleted automatically. They hold IDs and actions, not what you wrote.",
            )
        return DeletionResult(self.feature, 0, kept)
