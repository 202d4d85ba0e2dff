"""What every part of the groups service shares: lookups, permission checks, creating a group."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable

from bot.clock import Clock
from bot.db import Database
from bot.errors import DomainError, InvalidInput, NotAllowed, NotFound
from bot.permissions import Person
from bot.repositories import groups as repo
from bot.repositories.groups import GroupRow
from bot.scheduler import nothing_to_wake
from bot.services.audit import AuditService
from bot.services.groups.models import (
    FEATURE,
    GUIDELINES_MAX,
    NAME_MAX,
    TOPIC_MAX,
    GroupPlan,
    name_key,
    shown,
    slugify,
)
from bot.services.people import PeopleService
from bot.signals import UserSignal

log = logging.getLogger(__name__)


class _GroupsCore:
    """Collaborators, lookups and the checks every action starts with."""

    feature = FEATURE
    # Person data: members, facilitators, join requests (and where their copies were sent). The other
    # tables hold no data about a person; they are claimed here so the coverage test sees them owned.
    tables = (
        "group_members", "group_facilitators", "group_join_requests", "group_join_request_messages",
        "groups", "group_sessions", "group_skipped_dates", "group_reminder_deliveries",
    )

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        people: PeopleService,
        audit: AuditService,
        community_timezone: str,
        guidelines: str,
        reminder_minutes_before: int,
    ) -> None:
        self._db = db
        self._clock = clock
        self._people = people
        self._audit = audit
        # Re-arms the session reminders' timer after a schedule changes (set by bot.wiring).
        self.wake_sessions: Callable[[], None] = nothing_to_wake
        # Emitted after a person joins or leaves a group (milestones plan group weeks).
        self.memberships_changed = UserSignal("memberships_changed")
        # Takes group roles away in Discord (set by the privacy extension); raises if Discord refused.
        self.role_remover: Callable[[int, tuple[int, ...]], Awaitable[None]] | None = None
        self.community_timezone = community_timezone
        self.guidelines = guidelines
        self.reminder_minutes_before = reminder_minutes_before
        # Every channel ID a group has had as its text or voice channel since it was loaded (a superset: an ID a
        # group no longer uses stays), so a message in any other channel is answered without a database hop.
        # Loaded on first use; every write of a group's channel IDs goes through this service (_note_channels).
        self._group_channels: set[int] | None = None
        self._channel_writes = 0

    async def find(self, name: str) -> GroupRow:
        group = await repo.group_by_key(self._db, name_key(name))
        if group is None:
            raise NotFound(f"There is no group called “{shown(name[:NAME_MAX])}”. `/group list` shows the groups.")
        return group

    def _note_channels(self, *channel_ids: int | None) -> None:
        """After a group's channel IDs were written (created, recreated by a repair)."""
        self._channel_writes += 1
        if self._group_channels is not None:
            self._group_channels.update(c for c in channel_ids if c is not None)

    async def _may_be_group_channel(self, channel_id: int) -> bool:
        """False only when no group has (or, since the set was loaded, had) this channel: one set lookup."""
        known = self._group_channels
        if known is None:
            writes = self._channel_writes
            loaded = await repo.group_channel_ids(self._db)
            if writes != self._channel_writes:  # written while loading: ask the database this time
                return True
            self._group_channels = known = loaded
        return channel_id in known

    async def get(self, group_id: int) -> GroupRow:
        group = await repo.get_group(self._db, group_id)
        if group is None:
            raise NotFound("That group no longer exists.")
        return group

    async def group_of_channel(self, channel_id: int | None) -> GroupRow:
        group = None if channel_id is None else await repo.group_by_channel(self._db, channel_id)
        if group is None:
            raise InvalidInput("group", "name the group, or use this command in the group's channel")
        return group

    async def resolve(self, name: str | None, channel_id: int | None) -> GroupRow:
        return await self.find(name) if name else await self.group_of_channel(channel_id)

    async def is_facilitator(self, group_id: int, user_id: int) -> bool:
        return await repo.is_facilitator(self._db, group_id, user_id)

    async def is_member(self, group_id: int, user_id: int) -> bool:
        return await repo.current_member(self._db, group_id, user_id) is not None

    def require_staff(self, person: Person, action: str) -> None:
        if not person.is_staff:
            raise NotAllowed(
                f"Sorry, {action} is only for program staff. If you think you should have access, "
                "please ask a staff member."
            )

    async def require_manager(self, person: Person, group: GroupRow, action: str) -> None:
        """Staff, or a facilitator of this very group."""
        if person.is_staff or await repo.is_facilitator(self._db, group.id, person.user_id):
            return
        raise NotAllowed(
            f"Sorry, {action} is only for the facilitators of {shown(group.name)} and program staff."
        )

    async def can_view(self, person: Person, group: GroupRow) -> bool:
        return (
            person.is_staff
            or await repo.is_facilitator(self._db, group.id, person.user_id)
            or await repo.current_member(self._db, group.id, person.user_id) is not None
        )

    @staticmethod
    def _require_active(group: GroupRow) -> None:
        if group.archived:
            raise DomainError(f"{shown(group.name)} is archived; nothing can be changed in it any more.")

    def validate_timezone(self, value: str | None) -> str:
        if value is None or not value.strip():
            return self.community_timezone
        return self._people.validate_timezone(value)

    async def plan_group(
        self,
        person: Person,
        *,
        name: str,
        topic: str | None = None,
        timezone: str | None = None,
        voice: bool = False,
        facilitator_id: int | None = None,
    ) -> GroupPlan:
        self.require_staff(person, "creating a group")
        clean = " ".join(name.split())
        if not (2 <= len(clean) <= NAME_MAX):
            raise InvalidInput("name", f"use 2 to {NAME_MAX} characters", got=f"{len(clean)} characters")
        if "@" in clean or "<" in clean or "#" in clean or "`" in clean:
            raise InvalidInput("name", "use letters, digits, spaces and simple punctuation (no @, #, < or `)")
        topic_clean = topic.strip() if topic else None
        if topic_clean is not None and len(topic_clean) > TOPIC_MAX:
            raise InvalidInput("topic", f"use at most {TOPIC_MAX} characters", got=f"{len(topic_clean)} characters")
        if len(self.guidelines) > GUIDELINES_MAX:
            raise InvalidInput(
                "groups.guidelines", f"use at most {GUIDELINES_MAX} characters", got=f"{len(self.guidelines)}"
            )
        zone = self.validate_timezone(timezone)
        key = name_key(clean)
        if await repo.group_by_key(self._db, key) is not None:
            raise InvalidInput("name", "choose a name no other group uses (names are compared ignoring case)",
                               got=f"“{shown(clean)}” is taken")
        return GroupPlan(
            name=clean, key=key, slug=slugify(clean), topic=topic_clean, timezone=zone, voice=voice,
            facilitator_id=facilitator_id, guidelines=self.guidelines,
        )

    async def register_group(
        self,
        plan: GroupPlan,
        *,
        actor_id: int,
        channel_id: int,
        role_id: int,
        voice_channel_id: int | None,
    ) -> GroupRow:
        """Store a group whose Discord objects exist. Raises InvalidInput if the name was taken meanwhile."""
        now = self._clock.now()
        try:
            async with self._db.transaction() as tx:
                group_id = await repo.insert_group(
                    tx, name=plan.name, name_key=plan.key, slug=plan.slug, topic=plan.topic,
                    timezone=plan.timezone, channel_id=channel_id, voice_channel_id=voice_channel_id,
                    role_id=role_id, wants_voice=plan.voice, now=now,
                )
                if plan.facilitator_id is not None:
                    await repo.add_facilitator(tx, group_id, plan.facilitator_id, now)
        except sqlite3.IntegrityError:
            raise InvalidInput("name", "choose a name no other group uses (names are compared ignoring case)",
                               got=f"“{shown(plan.name)}” is taken") from None
        finally:
            self._note_channels(channel_id, voice_channel_id)
        await self._audit.record(
            feature=FEATURE, action="create", actor_id=actor_id, subject_id=group_id,
            target_id=plan.facilitator_id, detail={"channel_id": channel_id, "role_id": role_id},
        )
        log.info("group %s created by %s (channel %s, role %s)", group_id, actor_id, channel_id, role_id)
        return await self.get(group_id)

