"""What crisis screening has seen, so that messages posted while Hearth was down are screened on start.

Every message handed to screening moves its channel's cursor forward (in memory; written to the database by
``flush``, which the crisis extension runs every few seconds and on shutdown). On start, :meth:`start_points`
says, per channel, from which message id to screen again: after the cursor, but never older than the backlog
window. A crash loses at most the last few seconds of cursor moves; those messages are screened a second time,
which alerts nobody twice (incidents are keyed by message id).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.db import Database
from bot.privacy import DeletionResult
from bot.repositories import screening as repo

__all__ = ["BacklogPlan", "ScreeningCursors", "snowflake_at", "snowflake_time"]

log = logging.getLogger(__name__)

DISCORD_EPOCH_MS = 1_420_070_400_000


def snowflake_at(when: datetime) -> int:
    """The smallest Discord id of a message created at ``when`` (for "after this moment" queries)."""
    return max(0, int(when.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22


def snowflake_time(snowflake: int) -> float:
    """Seconds since the Unix epoch at which a Discord id was made."""
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


@dataclass(frozen=True, slots=True)
class BacklogPlan:
    """Where to screen again on start: channel id → screen messages with an id above this."""

    guild_channels: dict[int, int]
    dm_channels: dict[int, int]


class ScreeningCursors:
    feature = "screening_cursors"
    tables = ("screening_cursors",)

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._pending: dict[int, tuple[int | None, int]] = {}

    def seen(self, channel_id: int, message_id: int, *, dm_user_id: int | None = None) -> None:
        """Screening handled this message (remembered in memory until the next flush)."""
        previous = self._pending.get(channel_id)
        if previous is None or previous[1] < message_id:
            self._pending[channel_id] = (dm_user_id, message_id)

    async def flush(self) -> int:
        pending, self._pending = self._pending, {}
        if not pending:
            return 0
        try:
            await repo.save(self._db, [(c, u, m) for c, (u, m) in pending.items()], self._clock.now())
        except Exception:
            for channel_id, (user_id, message_id) in pending.items():  # kept for the next flush
                self.seen(channel_id, message_id, dm_user_id=user_id)
            raise
        return len(pending)

    async def start_points(
        self, watched: set[int], *, window: timedelta, max_dm_channels: int
    ) -> BacklogPlan:
        """Per channel, the id after which to screen again on start.

        ``watched``: guild channels screening watches now (check-ins, group channels). A watched channel with
        no cursor yet is screened from the moment screening last wrote any cursor (when Hearth was last seen
        running); on a database with no cursors at all (a first start) there is no backlog. DM channels are
        those screening has seen before, newest first, at most ``max_dm_channels``.
        """
        cursors = await repo.all_cursors(self._db)
        if not cursors:
            return BacklogPlan({}, {})
        floor = snowflake_at(self._clock.now() - window)
        last_alive = snowflake_at(max(c.updated_at for c in cursors))
        by_channel = {c.channel_id: c for c in cursors}
        guild = {
            channel_id: max(floor, by_channel[channel_id].last_message_id if channel_id in by_channel else last_alive)
            for channel_id in watched
        }
        dms = [c for c in cursors if c.user_id is not None][:max_dm_channels]
        return BacklogPlan(guild, {c.channel_id: max(floor, c.last_message_id) for c in dms})

    # ------------------------------------------------------------------ data rights (ids only)
    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return {
            "dm_channels_screened": [
                {"channel_id": c.channel_id, "last_message_id": c.last_message_id} for c in await repo.for_user(
                    self._db, user_id
                )
            ]
        }

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        self._pending = {c: v for c, v in self._pending.items() if v[0] != user_id}
        return DeletionResult(self.feature, await repo.delete_for_user(self._db, user_id))
