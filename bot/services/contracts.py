"""Interfaces one feature's service offers to another's.

Services depend on these Protocols, not on each other's classes, so each can be tested
with a real SQLite file and a small fake of the other; ``bot.wiring`` passes the real
implementations (GroupsService implements GroupDirectory, CheckinService StreakSource).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class GroupRef:
    id: int
    name: str
    channel_id: int | None
    role_id: int | None
    timezone: str
    archived: bool


@dataclass(frozen=True, slots=True)
class MembershipRef:
    group_id: int
    group_name: str
    joined_at: datetime
    left_at: datetime | None


class GroupDirectory(Protocol):
    async def groups_of_member(self, user_id: int) -> list[GroupRef]:
        """Active (not archived) groups the person currently belongs to, oldest membership first."""
        ...

    async def group_by_channel(self, channel_id: int) -> GroupRef | None:
        """The group whose text channel this is, archived or not."""
        ...

    async def facilitators_of_group(self, group_id: int) -> list[int]: ...

    async def members_of_group(self, group_id: int) -> list[int]:
        """Current members' user IDs (facilitators not included unless also members)."""
        ...

    async def memberships_of(self, user_id: int) -> list[MembershipRef]:
        """Every membership of the person, current and past, with dates."""
        ...


@dataclass(frozen=True, slots=True)
class Streak:
    current: int
    longest: int
    last_checkin: date | None


class StreakSource(Protocol):
    async def streak(self, user_id: int) -> Streak:
        """Consecutive local days with a check-in (paused days do not break it)."""
        ...

    async def checkin_dates(self, user_id: int, since: date) -> list[date]:
        """The person's local check-in dates on or after ``since``, ascending."""
        ...
