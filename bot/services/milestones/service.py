"""Milestones as people use them: counters, celebrations, cheers and encouragement, data rights."""

from __future__ import annotations

import logging
from typing import Any

from bot.errors import InvalidInput, NotFound
from bot.permissions import HearthRole, Person, require
from bot.privacy import DeletionResult, PostedMessage
from bot.repositories import milestones as repo
from bot.services.milestones._celebrations import (
    _CelebrationLayer,
)
from bot.services.milestones.models import (
    CheerOutcome,
)

log = logging.getLogger(__name__)


class MilestoneService(_CelebrationLayer):
    """Milestones as people use them: counters, celebrations, cheers and encouragement, data rights."""

    # ------------------------------------------------------------- cheers & encouragement

    async def celebration(self, celebration_id: int) -> repo.CelebrationRow:
        row = await repo.celebration_by_id(self._db, celebration_id)
        if row is None or row.status != "sent" or row.visibility == "private":
            raise NotFound("This celebration is no longer available.")
        return row

    async def cheer(self, celebration_id: int, person: Person) -> CheerOutcome:
        require(person, HearthRole.PARTICIPANT, HearthRole.FACILITATOR, HearthRole.STAFF, action="cheering")
        user_id = person.user_id
        row = await self.celebration(celebration_id)
        if row.user_id == user_id:
            count = await repo.cheer_count(self._db, celebration_id)
            return CheerOutcome(own=True, added=False, count=count, recipient_id=row.user_id, may_encourage=False)
        added = await repo.add_cheer(self._db, celebration_id, user_id, self._clock.now())
        count = await repo.cheer_count(self._db, celebration_id)
        may = not await repo.has_encouraged(self._db, celebration_id, user_id)
        return CheerOutcome(own=False, added=added, count=count, recipient_id=row.user_id, may_encourage=may)

    async def cheer_count(self, celebration_id: int) -> int:
        return await repo.cheer_count(self._db, celebration_id)

    async def begin_encouragement(self, celebration_id: int, author: Person) -> int:
        """Reserve the author's one encouragement for this celebration; returns the recipient."""
        require(author, HearthRole.PARTICIPANT, HearthRole.FACILITATOR, HearthRole.STAFF,
                action="sending encouragement")
        author_id = author.user_id
        row = await self.celebration(celebration_id)
        if row.user_id == author_id:
            raise InvalidInput("encouragement", "this is your own milestone; encouragement is for others")
        if not await repo.record_encouragement(
            self._db, celebration_id, author_id, row.user_id, "held", self._clock.now()
        ):
            raise InvalidInput("encouragement", "you already sent encouragement for this milestone — thank you")
        # A cheer always comes with encouragement (counted once).
        await repo.add_cheer(self._db, celebration_id, author_id, self._clock.now())
        return row.user_id

    async def finish_encouragement(self, celebration_id: int, author_id: int, status: str) -> None:
        await repo.set_encouragement_status(self._db, celebration_id, author_id, status)

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return await repo.export(self._db, user_id)

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        async with self._db.transaction() as tx:
            posts = await repo.public_posts(tx, user_id)
            removed = await repo.delete_user(tx, user_id)
        return DeletionResult(
            self.feature, removed, posts=tuple(PostedMessage(channel, message) for channel, message in posts)
        )
