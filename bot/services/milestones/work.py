"""The scheduler's work for milestones: due celebrations and a periodic sweep for streaks and group weeks."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.services.milestones.models import (
    CelebrationSender,
)
from bot.services.milestones.service import (
    MilestoneService,
)

log = logging.getLogger(__name__)



class MilestoneWork:
    """The scheduler's DueWork "milestones": due celebrations, plus a periodic sweep of the
    people ``candidates`` names for streak and group-week milestones."""

    SWEEP_INTERVAL = timedelta(hours=1)

    def __init__(
        self,
        service: MilestoneService,
        sender: CelebrationSender,
        candidates: Callable[[], Awaitable[list[int]]] | None = None,
    ) -> None:
        self.service = service
        self.sender = sender
        self.candidates = candidates
        self.last_sweep: datetime | None = None

    def _next_sweep(self) -> datetime | None:
        if self.candidates is None or (self.service.streaks is None and self.service.groups is None):
            return None
        if self.last_sweep is None:
            return datetime.min.replace(tzinfo=UTC)
        return self.last_sweep + self.SWEEP_INTERVAL

    async def next_due(self) -> datetime | None:
        due = [d for d in (await self.service.next_due(), self._next_sweep()) if d is not None]
        return min(due) if due else None

    async def run_due(self, now: datetime) -> None:
        # Deliver first so a late celebration planned before a restart is not replaced by the sweep.
        await self.service.deliver_due(now, self.sender)
        sweep_at = self._next_sweep()
        if sweep_at is not None and sweep_at <= now and self.candidates is not None:
            self.last_sweep = now
            await self.service.sweep(await self.candidates())
            await self.service.deliver_due(now, self.sender)
