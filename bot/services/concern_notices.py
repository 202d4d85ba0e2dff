"""Check-in concern notices to facilitators, one queued row per recipient (scheduled work ``WORK_NAME``).

A gentle-outreach signal (a low-mood run, high cravings) is written with one row per facilitator before
anything is sent; each row is sent on its own, retried with backoff through 429, 5xx and network errors, and
ended when a facilitator's DMs refuse for good. What was due while the bot was down is sent on start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.db import Database
from bot.delivery import Delivered, DeliveryFailed
from bot.repositories import concern_notices as repo
from bot.scheduler import nothing_to_wake
from bot.services.contracts import GroupDirectory

__all__ = ["WORK_NAME", "ConcernNotice", "ConcernNotices"]

log = logging.getLogger(__name__)

WORK_NAME = "concern-notices"
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 12
LOW_MOOD_RUN = 3  # check-ins in a row at or below the low-mood line that start a low-mood episode


@dataclass(frozen=True, slots=True)
class ConcernNotice:
    """A gentle-outreach signal about a person, as the facilitators are told it."""

    concern_id: int
    user_id: int
    kind: str  # "low_mood" | "high_craving"
    facilitator_ids: tuple[int, ...]
    group_names: tuple[str, ...]

    @property
    def reason(self) -> str:
        if self.kind == "low_mood":
            return f"mood at or below the low-mood line on {LOW_MOOD_RUN} check-ins in a row"
        return "cravings at or above the high-craving line on their latest check-in"


Sender = Callable[[int, ConcernNotice], Awaitable[Delivered]]


class ConcernNotices:
    def __init__(self, db: Database, clock: Clock, groups: GroupDirectory) -> None:
        self._db = db
        self._clock = clock
        self._groups = groups
        self.sender: Sender | None = None  # set by the check-ins extension
        self.wake = nothing_to_wake

    async def queue(self, concern_id: int, facilitator_ids: tuple[int, ...]) -> None:
        if facilitator_ids:
            await repo.queue(self._db, concern_id, facilitator_ids, self._clock.now())
            self.wake()

    async def next_due(self) -> datetime | None:
        return None if self.sender is None else await repo.next_due(self._db)

    async def run_due(self, now: datetime) -> None:
        if self.sender is None:
            return
        for concern_id, facilitator_id, attempts, user_id, kind in await repo.due(self._db, now):
            names = tuple(g.name for g in await self._groups.groups_of_member(user_id))
            notice = ConcernNotice(concern_id, user_id, kind, (facilitator_id,), names)
            try:
                delivered = await self.sender(facilitator_id, notice)
            except DeliveryFailed as failure:
                if failure.permanent or attempts + 1 >= MAX_ATTEMPTS:
                    await repo.refused(self._db, concern_id, facilitator_id, self._clock.now())
                    log.warning("concern notice %s to facilitator %s not delivered (%s)", concern_id,
                                facilitator_id, failure.reason)
                else:
                    delay = min(FIRST_RETRY * 2 ** attempts, LONGEST_RETRY)
                    await repo.retry(self._db, concern_id, facilitator_id, now + delay)
                    log.info("concern notice %s to facilitator %s failed (%s); retrying", concern_id,
                             facilitator_id, failure.reason)
                continue
            await repo.sent(self._db, concern_id, facilitator_id, self._clock.now(), delivered.channel_id,
                            delivered.message_id)
