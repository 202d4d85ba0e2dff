"""The deletion log as a data hook: a person's deletion is remembered (their id and when, nothing else), so that
a restore of an older backup deletes their data again (``bot.backup.restore``)."""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.db import Database
from bot.privacy import DeletionResult
from bot.repositories import deletion_log as repo

KEPT = (
    "A note that you asked for deletion (your Discord ID and the time, nothing else) is kept, so that if the "
    "program ever restores an older backup, your data is deleted again before Hearth starts."
)


class DeletionLog:
    feature = "deletion_log"
    tables = ("deletion_log",)

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        at = await repo.of(self._db, user_id)
        return {"deletion_requested_at": None if at is None else at.isoformat()}

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        await repo.record(self._db, user_id, self._clock.now())
        return DeletionResult(self.feature, 0, (KEPT,))
