"""Group-scoped mutes (``/group timeout``): a member cannot post in one group's channels until the mute ends.

The mute itself is a member permission overwrite on the group's channels (set by the groups extension); this
service keeps when it ends (scheduled work ``WORK_NAME``) and has the extension lift it then, retried on
failure. Mutes that ended while the bot was down are lifted on start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.db import Database
from bot.delivery import Delivered, DeliveryFailed
from bot.privacy import DeletionResult
from bot.repositories import group_mutes as repo
from bot.scheduler import nothing_to_wake

__all__ = ["WORK_NAME", "GroupMutes"]

log = logging.getLogger(__name__)

WORK_NAME = "group-mutes"
RETRY = timedelta(minutes=5)

# (group id, user id) → lift the overwrite in Discord.
Unmuter = Callable[[int, int], Awaitable[Delivered]]


class GroupMutes:
    feature = "group_mutes"
    tables = ("group_mutes",)

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self.unmute: Unmuter | None = None  # set by the groups extension
        self.wake = nothing_to_wake

    async def started(self, group_id: int, user_id: int, minutes: int, by: int) -> datetime:
        until = self._clock.now() + timedelta(minutes=minutes)
        await repo.start(self._db, group_id, user_id, until, by)
        self.wake()
        return until

    async def next_due(self) -> datetime | None:
        return None if self.unmute is None else await repo.next_end(self._db)

    async def run_due(self, now: datetime) -> None:
        if self.unmute is None:
            return
        for group_id, user_id in await repo.due(self._db, now):
            try:
                await self.unmute(group_id, user_id)
            except DeliveryFailed as failure:
                if not failure.permanent:
                    await repo.postpone(self._db, group_id, user_id, now + RETRY)
                    log.warning("lifting the mute of user %s in group %s failed (%s); retrying", user_id, group_id,
                                failure.reason)
                    continue
                log.warning("mute of user %s in group %s could not be lifted in Discord (%s)", user_id, group_id,
                            failure.reason)
            await repo.end(self._db, group_id, user_id, self._clock.now())
            log.info("mute of user %s in group %s ended", user_id, group_id)

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return {
            "group_mutes": [
                {"group_id": g, "until": until.isoformat(), "ended_at": ended.isoformat() if ended else None}
                for g, until, ended in await repo.of_user(self._db, user_id)
            ]
        }

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        return DeletionResult(self.feature, await repo.delete_for(self._db, user_id))
