"""The groups service: listing, schedules, moderation, archive, repair, the directory for other features, data."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import DomainError, InvalidInput, NotAllowed, NotFound
from bot.permissions import HearthRole, Person
from bot.privacy import DeletionResult, PostedMessage
from bot.repositories import groups as repo
from bot.repositories.groups import GroupRow, SessionRow
from bot.services.contracts import GroupRef, MembershipRef
from bot.services.groups._membership import _MembershipLayer
from bot.services.groups.models import (
    DURATION_DEFAULT,
    DURATION_MAX,
    DURATION_MIN,
    FEATURE,
    REASON_MAX,
    TIMEOUT_MAX_MINUTES,
    WEEKDAYS,
    GroupInfo,
    GroupSummary,
    parse_date,
    parse_time,
    parse_weekday,
    shown,
)

log = logging.getLogger(__name__)


class GroupsService(_MembershipLayer):
    """Private IOP groups. Every permission check happens here, server-side, from a ``Person``."""

    async def watched_channel_ids(self) -> set[int]:
        """The text and voice channels of every group that is not archived (crisis screening watches them)."""
        found: set[int] = set()
        for g in await repo.all_groups(self._db, include_archived=False):
            found.update(c for c in (g.channel_id, g.voice_channel_id) if c is not None)
        return found

    async def list_for(self, person: Person) -> list[GroupSummary]:
        counts = await repo.member_counts(self._db)
        groups = await repo.all_groups(self._db)
        if not person.is_staff:
            mine = {g.id for _, g in await repo.memberships_of(self._db, person.user_id)
                    if await self.is_member(g.id, person.user_id)}
            mine |= set(await repo.groups_facilitated_by(self._db, person.user_id))
            groups = [g for g in groups if g.id in mine and not g.archived]
        return [
            GroupSummary(g, counts.get(g.id, 0), tuple(await repo.facilitators(self._db, g.id))) for g in groups
        ]

    async def visible_names(self, person: Person, query: str, *, manageable: bool = False) -> list[str]:
        """Group names for autocomplete: all for staff, else the person's own groups."""
        lowered = query.strip().casefold()
        names = []
        for g in await repo.all_groups(self._db, include_archived=person.is_staff):
            if not person.is_staff:
                facilitating = await repo.is_facilitator(self._db, g.id, person.user_id)
                if manageable and not facilitating:
                    continue
                if not manageable and not facilitating and not await self.is_member(g.id, person.user_id):
                    continue
            if lowered in g.name.casefold():
                names.append(g.name)
        return names[:25]

    async def joinable_names(self, person: Person, query: str) -> list[str]:
        """Groups this person could ask to join: open (not archived or locked), not theirs already, and not
        already asked for."""
        lowered = query.strip().casefold()
        names: list[str] = []
        for g in await repo.all_groups(self._db, include_archived=False):
            if g.locked or lowered not in g.name.casefold():
                continue
            if await self.is_member(g.id, person.user_id) or await repo.pending_request(
                self._db, g.id, person.user_id
            ) is not None:
                continue
            names.append(g.name)
            if len(names) == 25:
                break
        return names

    async def info(self, person: Person, group: GroupRow) -> GroupInfo:
        await self.require_manager(person, group, "seeing a group's details")
        members = await repo.current_members(self._db, group.id)
        skipped = sorted(d for _, d in await repo.skipped_dates(self._db, group.id))
        return GroupInfo(
            group=group,
            member_ids=tuple(m.user_id for m in members),
            facilitator_ids=tuple(await repo.facilitators(self._db, group.id)),
            sessions=tuple(await repo.sessions_of(self._db, group.id)),
            skipped=tuple(skipped),
        )

    async def member_ids(self, group_id: int) -> list[int]:
        return [m.user_id for m in await repo.current_members(self._db, group_id)]

    async def add_session(
        self, person: Person, group: GroupRow, *, weekday: str, start: str, duration_minutes: int | None
    ) -> SessionRow:
        await self.require_manager(person, group, "changing the schedule")
        self._require_active(group)
        day = parse_weekday(weekday)
        at = parse_time(start)
        duration = DURATION_DEFAULT if duration_minutes is None else duration_minutes
        if not (DURATION_MIN <= duration <= DURATION_MAX):
            raise InvalidInput("duration_minutes", f"use {DURATION_MIN} to {DURATION_MAX} minutes", got=str(duration))
        if await repo.session_at(self._db, group.id, day, at) is not None:
            raise DomainError(f"{shown(group.name)} already meets on {WEEKDAYS[day].capitalize()} at {at}.")
        session_id = await repo.insert_session(self._db, group.id, day, at, duration, self._clock.now())
        await self._audit.record(feature=FEATURE, action="schedule_add", actor_id=person.user_id,
                                 subject_id=group.id, detail={"weekday": day, "time": at, "duration": duration})
        sessions = {s.id: s for s in await repo.sessions_of(self._db, group.id)}
        self.wake_sessions()
        return sessions[session_id]

    async def remove_session(self, person: Person, group: GroupRow, *, weekday: str, start: str) -> SessionRow:
        await self.require_manager(person, group, "changing the schedule")
        day = parse_weekday(weekday)
        at = parse_time(start)
        session = await repo.session_at(self._db, group.id, day, at)
        if session is None:
            raise NotFound(f"{shown(group.name)} has no session on {WEEKDAYS[day].capitalize()} at {at}.")
        await repo.delete_session(self._db, session.id)
        await self._audit.record(feature=FEATURE, action="schedule_remove", actor_id=person.user_id,
                                 subject_id=group.id, detail={"weekday": day, "time": at})
        self.wake_sessions()
        return session

    async def skip_date(self, person: Person, group: GroupRow, *, on: str) -> tuple[date, list[SessionRow]]:
        """Mark a local date as having no session; returns the sessions it cancels."""
        await self.require_manager(person, group, "changing the schedule")
        self._require_active(group)
        day = parse_date(on)
        today = self._clock.now().astimezone(ZoneInfo(group.timezone)).date()
        if day < today:
            raise InvalidInput("date", f"use today ({today.isoformat()}) or a later date", got=day.isoformat())
        if day > today + timedelta(days=366):
            raise InvalidInput("date", "use a date within the next year", got=day.isoformat())
        await repo.add_skipped_date(self._db, group.id, day, self._clock.now())
        await self._audit.record(feature=FEATURE, action="schedule_skip", actor_id=person.user_id,
                                 subject_id=group.id, detail={"date": day.isoformat()})
        affected = [s for s in await repo.sessions_of(self._db, group.id) if s.weekday == day.weekday()]
        self.wake_sessions()
        return day, affected

    async def check_moderate(self, person: Person, group: GroupRow, action: str) -> None:
        await self.require_manager(person, group, action)
        self._require_active(group)

    async def check_timeout(self, person: Person, group: GroupRow, target: Person, minutes: int, reason: str) -> str:
        """A mute in this group's channels: of a member, never of a facilitator of the group, and never of staff
        or on-call by a facilitator."""
        await self.check_moderate(person, group, "timing out members")
        target_id = target.user_id
        if not (1 <= minutes <= TIMEOUT_MAX_MINUTES):
            raise InvalidInput("minutes", f"use 1 to {TIMEOUT_MAX_MINUTES} (7 days)", got=str(minutes))
        clean = reason.strip()
        if not clean:
            raise InvalidInput("reason", "say briefly why (it goes in the audit log)")
        if len(clean) > REASON_MAX:
            raise InvalidInput("reason", f"use at most {REASON_MAX} characters", got=f"{len(clean)} characters")
        if target_id == person.user_id:
            raise InvalidInput("member", "choose someone other than yourself")
        if not person.is_staff and target.has_any(HearthRole.STAFF, HearthRole.ON_CALL):
            raise NotAllowed("Staff and on-call members can't be muted by facilitators; please ask staff.")
        if not await self.is_member(group.id, target_id):
            raise DomainError(f"<@{target_id}> is not a member of {shown(group.name)}.")
        if await self.is_facilitator(group.id, target_id):
            raise DomainError("Facilitators of a group can't be timed out from it; please ask staff.")

        return clean

    async def record_moderation(
        self, person: Person, group: GroupRow, action: str, *, target_id: int | None = None,
        reason: str | None = None, detail: dict[str, Any] | None = None,
    ) -> None:
        if action == "lock":
            await repo.update_group(self._db, group.id, locked=True)
        elif action == "unlock":
            await repo.update_group(self._db, group.id, locked=False)
        elif action == "slowmode" and detail is not None:
            await repo.update_group(self._db, group.id, slowmode_seconds=int(detail["seconds"]))
        await self._audit.record(feature=FEATURE, action=action, actor_id=person.user_id, target_id=target_id,
                                 subject_id=group.id, reason=reason, detail=detail)

    async def moderation_log(self, group_id: int) -> list[Any]:
        return await self._audit.for_subject(FEATURE, group_id)

    async def archive(self, person: Person, group: GroupRow) -> list[int]:
        """Mark archived and end memberships; returns the former members (to take the role from)."""
        self.require_staff(person, "archiving a group")
        self._require_active(group)
        now = self._clock.now()
        members = await self.member_ids(group.id)
        async with self._db.transaction() as tx:
            await repo.update_group(tx, group.id, archived_at=now)
            await repo.end_all_memberships(tx, group.id, now)
            await repo.close_pending_requests(tx, group.id, now)
        await self._audit.record(feature=FEATURE, action="archive", actor_id=person.user_id, subject_id=group.id,
                                 detail={"members": len(members)})
        for member in members:
            await self.memberships_changed.emit(member)
        self.wake_sessions()
        return members

    async def set_discord_ids(
        self, group_id: int, *, channel_id: int | None = None, role_id: int | None = None,
        voice_channel_id: int | None = None,
    ) -> None:
        fields: dict[str, Any] = {}
        if channel_id is not None:
            fields["channel_id"] = channel_id
        if role_id is not None:
            fields["role_id"] = role_id
        if voice_channel_id is not None:
            fields["voice_channel_id"] = voice_channel_id
        if fields:
            try:
                await repo.update_group(self._db, group_id, **fields)
            finally:
                self._note_channels(channel_id, voice_channel_id)

    async def record_repair(self, person: Person, group: GroupRow, fixed: list[str]) -> None:
        await self._audit.record(feature=FEATURE, action="repair", actor_id=person.user_id, subject_id=group.id,
                                 detail={"fixed": fixed})
        self.wake_sessions()  # a recreated channel gets its session reminders

    async def channel_deleted(self, channel_id: int) -> list[int]:
        return await repo.clear_channel(self._db, channel_id)

    async def role_deleted(self, role_id: int) -> list[int]:
        return await repo.clear_role(self._db, role_id)

    @staticmethod
    def ref(group: GroupRow) -> GroupRef:
        return GroupRef(id=group.id, name=group.name, channel_id=group.channel_id, role_id=group.role_id,
                        timezone=group.timezone, archived=group.archived)

    async def groups_of_member(self, user_id: int) -> list[GroupRef]:
        return [
            self.ref(g) for m, g in await repo.memberships_of(self._db, user_id)
            if m.left_at is None and not g.archived
        ]

    async def group_by_channel(self, channel_id: int) -> GroupRef | None:
        if not await self._may_be_group_channel(channel_id):  # most messages: no database hop (bot.routing)
            return None
        group = await repo.group_by_channel(self._db, channel_id)
        return None if group is None else self.ref(group)

    async def facilitators_of_group(self, group_id: int) -> list[int]:
        return await repo.facilitators(self._db, group_id)

    async def members_of_group(self, group_id: int) -> list[int]:
        return await self.member_ids(group_id)

    async def memberships_of(self, user_id: int) -> list[MembershipRef]:
        return [
            MembershipRef(group_id=g.id, group_name=g.name, joined_at=m.joined_at, left_at=m.left_at)
            for m, g in await repo.memberships_of(self._db, user_id)
        ]

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return await repo.export_user(self._db, user_id)

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        """The group roles go in Discord before the memberships are forgotten: if Discord refuses, this raises, the
        memberships stay, and the deletion is retried (``DeletionRetries``) until the roles are gone."""
        before, _ = await repo.discord_traces(self._db, user_id)
        if before and self.role_remover is not None:
            await self.role_remover(user_id, tuple(before))
        async with self._db.transaction() as tx:
            roles, messages = await repo.discord_traces(tx, user_id)
            deleted = await repo.delete_user(tx, user_id)
        late = tuple(r for r in roles if r not in before)  # approved in between
        if late and self.role_remover is not None:
            try:
                await self.role_remover(user_id, late)
            except Exception:
                log.exception("could not take away group role(s) of user %s granted during their deletion", user_id)
        if deleted:
            await self.memberships_changed.emit(user_id)
        return DeletionResult(
            self.feature, deleted, posts=tuple(PostedMessage(c, m) for c, m in messages),
            roles=tuple(dict.fromkeys([*before, *roles])),
        )
