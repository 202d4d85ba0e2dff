"""Group channels: private IOP groups, their members, facilitators, sessions and moderation.

Pure domain logic (no Discord): cogs/groups does the Discord I/O and calls in here for every
decision. Every permission check happens here, server-side, from a ``Person``.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db import Database
from bot.errors import DomainError, InvalidInput, NotAllowed, NotFound
from bot.permissions import HearthRole, Person
from bot.privacy import DeletionResult, PostedMessage
from bot.repositories import groups as repo
from bot.repositories.groups import GroupRow, JoinRequestRow, SessionRow
from bot.scheduler import nothing_to_wake
from bot.services.audit import AuditService
from bot.services.contracts import GroupRef, MembershipRef
from bot.services.people import PeopleService
from bot.signals import UserSignal
from bot.text import neutralize_mentions

log = logging.getLogger(__name__)

FEATURE = "groups"

# Discord limits, checked before any request is sent.
NAME_MAX = 80
CHANNEL_NAME_MAX = 100
TOPIC_MAX = 1024
GUIDELINES_MAX = 2000
SLOWMODE_MAX = 21600
TIMEOUT_MAX_MINUTES = 10080
DURATION_MIN, DURATION_MAX, DURATION_DEFAULT = 15, 480, 90
REASON_MAX = 400

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ----------------------------------------------------------------------------- pure helpers

def name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", " ".join(name.split())).casefold()


def slugify(name: str) -> str:
    """Discord channel name: lowercase ASCII letters, digits and hyphens, at most 100 characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    slug = slug[:CHANNEL_NAME_MAX].rstrip("-")
    return slug or "group"


def parse_weekday(value: str) -> int:
    lowered = value.strip().lower()
    for index, day in enumerate(WEEKDAYS):
        if lowered == day or (len(lowered) >= 3 and day.startswith(lowered)):
            return index
    raise InvalidInput("weekday", "use a day of the week, monday to sunday", got=f"`{value[:20]}`")


def parse_time(value: str) -> str:
    match = _TIME.match(value.strip())
    if not match:
        raise InvalidInput("time", "use 24-hour HH:MM, for example 18:30", got=f"`{value[:20]}`")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_date(value: str) -> date:
    text = value.strip()
    try:
        if not _DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("date", "use YYYY-MM-DD, for example 2026-07-04", got=f"`{text[:20]}`") from None


def shown(text: str) -> str:
    """User-provided text made safe to repeat."""
    return neutralize_mentions(text)


# ----------------------------------------------------------------------------- plain results

@dataclass(frozen=True, slots=True)
class GroupPlan:
    """A validated /group create, before anything is sent to Discord."""

    name: str
    key: str
    slug: str
    topic: str | None
    timezone: str
    voice: bool
    facilitator_id: int | None
    guidelines: str


@dataclass(frozen=True, slots=True)
class GroupSummary:
    group: GroupRow
    member_count: int
    facilitator_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class GroupInfo:
    group: GroupRow
    member_ids: tuple[int, ...]
    facilitator_ids: tuple[int, ...]
    sessions: tuple[SessionRow, ...]
    skipped: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    request: JoinRequestRow
    group: GroupRow
    approved: bool
    newly_added: bool


def session_label(session: SessionRow) -> str:
    return f"{WEEKDAYS[session.weekday].capitalize()} {session.start_time} ({session.duration_minutes} min)"


class GroupsService:
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

    # ------------------------------------------------------------------------- lookups
    async def find(self, name: str) -> GroupRow:
        group = await repo.group_by_key(self._db, name_key(name))
        if group is None:
            raise NotFound(f"There is no group called “{shown(name[:NAME_MAX])}”. `/group list` shows the groups.")
        return group

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

    # ------------------------------------------------------------------------- permissions
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

    # ------------------------------------------------------------------------- create
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
        await self._audit.record(
            feature=FEATURE, action="create", actor_id=actor_id, subject_id=group_id,
            target_id=plan.facilitator_id, detail={"channel_id": channel_id, "role_id": role_id},
        )
        log.info("group %s created by %s (channel %s, role %s)", group_id, actor_id, channel_id, role_id)
        return await self.get(group_id)

    # ------------------------------------------------------------------------- membership
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

    # ------------------------------------------------------------------------- join requests
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

    # ------------------------------------------------------------------------- listing
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

    # ------------------------------------------------------------------------- schedule
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

    # ------------------------------------------------------------------------- moderation
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

    # ------------------------------------------------------------------------- archive / repair
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
            await repo.update_group(self._db, group_id, **fields)

    async def record_repair(self, person: Person, group: GroupRow, fixed: list[str]) -> None:
        await self._audit.record(feature=FEATURE, action="repair", actor_id=person.user_id, subject_id=group.id,
                                 detail={"fixed": fixed})
        self.wake_sessions()  # a recreated channel gets its session reminders

    async def channel_deleted(self, channel_id: int) -> list[int]:
        return await repo.clear_channel(self._db, channel_id)

    async def role_deleted(self, role_id: int) -> list[int]:
        return await repo.clear_role(self._db, role_id)

    # ------------------------------------------------------------------------- GroupDirectory
    @staticmethod
    def _ref(group: GroupRow) -> GroupRef:
        return GroupRef(id=group.id, name=group.name, channel_id=group.channel_id, role_id=group.role_id,
                        timezone=group.timezone, archived=group.archived)

    async def groups_of_member(self, user_id: int) -> list[GroupRef]:
        return [
            self._ref(g) for m, g in await repo.memberships_of(self._db, user_id)
            if m.left_at is None and not g.archived
        ]

    async def group_by_channel(self, channel_id: int) -> GroupRef | None:
        group = await repo.group_by_channel(self._db, channel_id)
        return None if group is None else self._ref(group)

    async def facilitators_of_group(self, group_id: int) -> list[int]:
        return await repo.facilitators(self._db, group_id)

    async def members_of_group(self, group_id: int) -> list[int]:
        return await self.member_ids(group_id)

    async def memberships_of(self, user_id: int) -> list[MembershipRef]:
        return [
            MembershipRef(group_id=g.id, group_name=g.name, joined_at=m.joined_at, left_at=m.left_at)
            for m, g in await repo.memberships_of(self._db, user_id)
        ]

    # ------------------------------------------------------------------------- data rights
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
