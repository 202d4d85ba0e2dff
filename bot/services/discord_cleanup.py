"""What Hearth must still undo in Discord, retried until done (scheduled work ``WORK_NAME``).

After a person's /privacy delete, the messages the bot posted about them (shared check-ins, celebrations, DMs to
facilitators about them, DMs-closed notes and support-thread messages of their closed crisis incidents) are
deleted, or edited to "Removed at the person's request." where Discord refuses the deletion. When the crisis
retention purge forgets an incident, its staff alert loses the excerpt. The rows (ids only) are written before
anything is done in Discord, so nothing is forgotten across a failure or a restart: what was due while the bot
was down runs on start. Pure Python: the privacy extension supplies the ``executor`` that talks to Discord.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.db import Database
from bot.delivery import DeliveryFailed
from bot.errors import new_incident_code
from bot.privacy import PostedMessage
from bot.repositories import discord_cleanup as repo
from bot.repositories.discord_cleanup import CleanupRow
from bot.scheduler import nothing_to_wake

__all__ = ["DELETE", "DROP_EXCERPT", "REMOVED_TEXT", "WORK_NAME", "CleanupReport", "CleanupRow", "DiscordCleanup"]

log = logging.getLogger(__name__)

WORK_NAME = "discord-cleanup"
DELETE = "delete"
DROP_EXCERPT = "drop_excerpt"
REMOVED_TEXT = "Removed at the person's request."
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# About a week of tries at the longest interval; then the row is given up with an ERROR for staff to act on.
MAX_ATTEMPTS = 40

# What the executor did: "deleted", "redacted" (edited to REMOVED_TEXT), "edited" (excerpt dropped),
# "gone" (nothing left to do). It raises DeliveryFailed when it could do nothing (permanent or not).
Executor = Callable[[CleanupRow], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class CleanupReport:
    """What happened to one person's messages in one run (for the /privacy delete reply)."""

    deleted: int = 0
    redacted: int = 0
    waiting: int = 0  # still queued: retried automatically


class DiscordCleanup:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self.executor: Executor | None = None  # set by the privacy extension
        self.wake = nothing_to_wake
        # People whose /privacy delete is running: their rows are done by ``run_for`` (which reports them), not by
        # the scheduled work that a queued row wakes.
        self._reporting: set[int] = set()

    async def queue_posts(self, user_id: int, posts: Iterable[PostedMessage]) -> None:
        """Messages the bot posted about the person: deleted (or edited to ``REMOVED_TEXT``)."""
        await self.queue(user_id, DELETE, [(p.channel_id, p.message_id) for p in posts])

    async def queue(self, user_id: int | None, action: str, messages: list[tuple[int, int]]) -> None:
        if messages:
            await repo.queue(self._db, user_id, action, messages, self._clock.now())
            self.wake()

    async def waiting_for(self, user_id: int) -> int:
        return len(await repo.of_user(self._db, user_id))

    async def next_due(self) -> datetime | None:
        return None if self.executor is None else await repo.next_due(self._db)

    async def run_due(self, now: datetime) -> None:
        rows = [r for r in await repo.due(self._db, now) if r.user_id not in self._reporting]
        await self._run(rows, now)

    @contextlib.asynccontextmanager
    async def reporting(self, user_id: int) -> AsyncIterator[None]:
        """Around a /privacy delete: what its hooks queue is left to ``run_for``, whose outcome the reply tells."""
        self._reporting.add(user_id)
        try:
            yield
        finally:
            self._reporting.discard(user_id)

    async def run_for(self, user_id: int) -> CleanupReport:
        """Everything waiting about one person, now (the /privacy delete reply reports the outcome)."""
        outcomes = await self._run(await repo.of_user(self._db, user_id), self._clock.now())
        return CleanupReport(
            deleted=outcomes["deleted"] + outcomes["gone"], redacted=outcomes["redacted"],
            waiting=await self.waiting_for(user_id),
        )

    async def _run(self, rows: list[CleanupRow], now: datetime) -> Counter[str]:
        outcomes: Counter[str] = Counter()
        if self.executor is None:
            return outcomes
        for row in rows:
            try:
                outcome = await self.executor(row)
            except DeliveryFailed as failure:
                if row.attempts + 1 >= MAX_ATTEMPTS:
                    await repo.done(self._db, row.id)
                    log.error("gave up on %s of message %s in channel %s after %d attempts (%s) [%s]", row.action,
                              row.message_id, row.channel_id, row.attempts + 1, failure.reason, new_incident_code())
                    continue
                delay = min(FIRST_RETRY * 2 ** row.attempts, LONGEST_RETRY)
                await repo.retry(self._db, row.id, now + delay)
                log.warning("%s of message %s in channel %s failed (%s); retrying", row.action, row.message_id,
                            row.channel_id, failure.reason)
                continue
            await repo.done(self._db, row.id)
            outcomes[outcome] += 1
            log.info("%s of message %s in channel %s: %s", row.action, row.message_id, row.channel_id, outcome)
        return outcomes
