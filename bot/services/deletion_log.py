"""The deletion log as a data hook: a person's deletion is remembered (their id and when, nothing else), so that
a restore of an older backup deletes their data again (``bot.backup.restore``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.db import Database
from bot.errors import new_incident_code
from bot.privacy import DataRights, DeletionResult
from bot.repositories import deletion_log as repo
from bot.repositories import discord_cleanup as cleanup_repo
from bot.scheduler import nothing_to_wake

log = logging.getLogger(__name__)

RETRY_WORK = "deletion-retries"
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)

KEPT = (
    "A note that you asked for deletion (your Discord ID and the time, nothing else) is kept, so that if the "
    "program ever restores an older backup, your data is deleted again before Hearth starts."
)


class DeletionLog:
    feature = "deletion_log"
    # discord_cleanup: messages about the person still to be removed from Discord (ids only; see
    # bot.services.discord_cleanup), kept until done like the retries.
    tables = ("deletion_log", "deletion_retries", "discord_cleanup")

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        at = await repo.of(self._db, user_id)
        return {
            "deletion_requested_at": None if at is None else at.isoformat(),
            "deletions_being_retried": await repo.retries_of(self._db, user_id),
            "discord_messages_still_to_remove": len(await cleanup_repo.of_user(self._db, user_id)),
        }

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        await repo.record(self._db, user_id, self._clock.now())
        return DeletionResult(self.feature, 0, (KEPT,))


class DeletionRetries:
    """Failed parts of a /privacy delete, retried with backoff (1 min doubling to 6 h) until they succeed.

    Scheduled work (``RETRY_WORK``): the table is the source of truth, so what was due while the bot was down
    runs on start. Queuing a retry wakes the work.
    """

    def __init__(self, db: Database, clock: Clock, rights: DataRights) -> None:
        self._db = db
        self._clock = clock
        self._rights = rights
        self.wake = nothing_to_wake
        rights.on_failed = self.queue

    async def queue(self, user_id: int, features: list[str]) -> None:
        at = self._clock.now() + FIRST_RETRY
        for feature in features:
            await repo.queue_retry(self._db, user_id, feature, at)
        log.warning("deletion of %s for user %s queued for retry", ", ".join(features), user_id)
        self.wake()

    async def next_due(self) -> datetime | None:
        return await repo.next_retry(self._db)

    async def run_due(self, now: datetime) -> None:
        for user_id, feature, attempts in await repo.due_retries(self._db, now):
            try:
                await self._rights.delete_feature(user_id, feature)
            except Exception:
                delay = min(FIRST_RETRY * 2 ** (attempts + 1), LONGEST_RETRY)
                await repo.retry_failed(self._db, user_id, feature, now + delay)
                log.exception("retry %d of deleting %s for user %s failed [%s]", attempts + 1, feature, user_id,
                              new_incident_code())
                continue
            await repo.retry_done(self._db, user_id, feature)
            log.info("deleting %s for user %s succeeded on retry %d", feature, user_id, attempts + 1)
