"""Who is in a group: members, facilitators and join requests."""

from __future__ import annotations

import logging
import sqlite3

from bot.errors import DomainError, InvalidInput, NotAllowed, NotFound
from bot.permissions import HearthRole, Person
from bot.repositories import groups as repo
from bot.repositories.groups import GroupRow, JoinRequestRow
from bot.services.groups._core import _GroupsCore
from bot.services.groups.models import (
    FEATURE,
    Decision,
    shown,
)

log = logging.getLogger(__name__)


class _MembershipLayer(_GroupsCore):
    """Adding and removing members and facilitators; join requests decided once."""

    async def check_add(self, person: Person, group: GroupRow, member: Person, *, is_bot: bool = False) -> None:
        """Who may be added: a person (not a bot) with the participant or facilitator role."""
        await self.require_manager(person, group, "adding members")
        self._require_active(group)
        user_id = member.user_id
        if is_bot:
            raise InvalidInput("member", "choose a person, not a bot")
        if not member.has_any(HearthRole.PARTICIPANT, HearthRole.FACILITATOR):
            raise InvalidInput(
                "member", f"<@{user_id}> has neither the participant nor the facilitator role; only program "
                "participants and facilitators can be added to a group"
            )
        if await self.is_member(group.id, user_id):
            raise DomainError(f"<@{user_id}> is already a member of {shown(group.name)}.")

    async def add_member(self, person: Person, group: GroupRow, user_id: int) -> bool:
        """Record a membership (after the role was granted). False if already a member."""
        await self.require_manager(person, group, "adding members")
        return await self._add(group, user_id, actor_id=person.user_id, how="add")

    async def _add(self, group: GroupRow, user_id: int, *, actor_id: int, how: str) -> bool:
        self._require_active(group)
        now = self._clock.now()
        try:
            async with self._db.transaction() as tx:
                if await repo.current_member(tx, group.id, user_id) is not None:
                    return False
                await repo.add_member(tx, group.id, user_id, now)
        except sqlite3.IntegrityError:
            return False
        await self._audit.record(feature=FEATURE, action=how, actor_id=actor_id, target_id=user_id,
                                 subject_id=group.id)
        await self.memberships_changed.emit(user_id)
        return True

    async def check_remove(self, person: Person, group: GroupRow, user_id: int) -> None:
        await self.require_manager(person, group, "removing members")
        if not await self.is_member(group.id, user_id):
            raise DomainError(f"<@{user_id}> is not a member of {shown(group.name)}.")

    async def remove_member(self, person: Person, group: GroupRow, user_id: int) -> bool:
        await self.require_manager(person, group, "removing members")
        changed = await repo.end_membership(self._db, group.id, user_id, self._clock.now())
        if changed:
            await self._audit.record(feature=FEATURE, action="remove", actor_id=person.user_id,
                                     target_id=user_id, subject_id=group.id)
            await self.memberships_changed.emit(user_id)
        return changed > 0

    async def check_facilitator_change(
        self, person: Person, group: GroupRow, user_id: int, *, add: bool, is_bot: bool = False
    ) -> None:
        """Who may be made (or stop being) a facilitator, checked before any Discord permission changes."""
        self.require_staff(person, "choosing facilitators")
        if add:
            self._require_active(group)
            if is_bot:
                raise InvalidInput("member", "choose a person, not a bot")
            if await self.is_facilitator(group.id, user_id):
                raise DomainError(f"<@{user_id}> already facilitates {shown(group.name)}.")
        elif not await self.is_facilitator(group.id, user_id):
            raise DomainError(f"<@{user_id}> does not facilitate {shown(group.name)}.")

    async def add_facilitator(self, person: Person, group: GroupRow, user_id: int) -> bool:
        self.require_staff(person, "choosing facilitators")
        self._require_active(group)
        added = await repo.add_facilitator(self._db, group.id, user_id, self._clock.now())
        if added:
            await self._audit.record(feature=FEATURE, action="facilitator_add", actor_id=person.user_id,
                                     target_id=user_id, subject_id=group.id)
        return added

    async def remove_facilitator(self, person: Person, group: GroupRow, user_id: int) -> bool:
        self.require_staff(person, "choosing facilitators")
        removed = await repo.remove_facilitator(self._db, group.id, user_id)
        if removed:
            await self._audit.record(feature=FEATURE, action="facilitator_remove", actor_id=person.user_id,
                                     target_id=user_id, subject_id=group.id)
        return removed

    async def request_join(self, person: Person, group: GroupRow) -> tuple[JoinRequestRow, list[int]]:
        """A participant asks to join; returns the request and the facilitators to ask."""
        if not person.has_any(HearthRole.PARTICIPANT, HearthRole.FACILITATOR, HearthRole.STAFF):
            raise NotAllowed(
                "Sorry, joining a group is only for program participants. If you think you should have "
                "access, please ask a staff member."
            )
        self._require_active(group)
        if await self.is_member(group.id, person.user_id):
            raise DomainError(f"You are already a member of {shown(group.name)}.")
        if await repo.pending_request(self._db, group.id, person.user_id) is not None:
            raise DomainError(
                f"You already asked to join {shown(group.name)}; the facilitators will answer soon. "
                "I'll send you a DM with their answer."
            )
        try:
            request_id = await repo.insert_request(self._db, group.id, person.user_id, self._clock.now())
        except sqlite3.IntegrityError:
            raise DomainError(f"You already asked to join {shown(group.name)}.") from None
        request = await repo.get_request(self._db, request_id)
        assert request is not None
        return request, await repo.facilitators(self._db, group.id)

    async def note_request_message(
        self, request_id: int, recipient_id: int | None, channel_id: int, message_id: int
    ) -> None:
        await repo.add_request_message(self._db, request_id, recipient_id, channel_id, message_id)

    async def request_messages(self, request_id: int) -> list[tuple[int, int]]:
        return await repo.request_messages(self._db, request_id)

    async def get_request(self, request_id: int) -> JoinRequestRow:
        request = await repo.get_request(self._db, request_id)
        if request is None:
            raise NotFound("This request no longer exists (the person may have deleted their data).")
        return request

    async def check_decide(self, person: Person, request_id: int) -> tuple[JoinRequestRow, GroupRow]:
        request = await self.get_request(request_id)
        group = await self.get(request.group_id)
        await self.require_manager(person, group, "answering join requests")
        if request.status != "pending":
            raise DomainError(f"This request was already answered ({request.status}).")
        self._require_active(group)
        return request, group

    async def decide(self, person: Person, request_id: int, *, approve: bool) -> Decision:
        """Record the decision (exactly once) and, on approval, the membership."""
        request, group = await self.check_decide(person, request_id)
        status = "approved" if approve else "denied"
        if not await repo.decide_request(self._db, request.id, status, person.user_id, self._clock.now()):
            raise DomainError("Someone else answered this request a moment ago.")
        newly = False
        if approve:
            newly = await self._add(group, request.user_id, actor_id=person.user_id, how="join_approved")
        else:
            await self._audit.record(feature=FEATURE, action="join_denied", actor_id=person.user_id,
                                     target_id=request.user_id, subject_id=group.id)
        decided = await self.get_request(request.id)
        return Decision(request=decided, group=group, approved=approve, newly_added=newly)

    async def undo_approval(self, person: Person, decision: Decision) -> None:
        """The role could not be granted after the approval was recorded: the membership it added is ended and
        the request is pending again, so it can be answered once more (and a Deny can still win)."""
        request, group = decision.request, decision.group
        if decision.newly_added:
            await repo.end_membership(self._db, group.id, request.user_id, self._clock.now())
            await self.memberships_changed.emit(request.user_id)
        await repo.reopen_request(self._db, request.id, person.user_id)
        await self._audit.record(feature=FEATURE, action="join_approval_undone", actor_id=person.user_id,
                                 target_id=request.user_id, subject_id=group.id)

