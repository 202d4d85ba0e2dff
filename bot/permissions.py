"""Who is who: participant, facilitator, staff and on-call, decided from Discord role IDs.

This is the one place that maps role IDs to Hearth roles. Cogs build a ``Person`` from
the caller's role IDs and services check it server-side; a refusal is a ``NotAllowed``
error whose message is shown to the person as a plain-language, ephemeral reply.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from bot.config import RoleSettings
from bot.errors import NotAllowed


class HearthRole(enum.StrEnum):
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    STAFF = "staff"
    ON_CALL = "on_call"


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    roles: frozenset[HearthRole]

    @property
    def is_staff(self) -> bool:
        return HearthRole.STAFF in self.roles

    @property
    def is_facilitator(self) -> bool:
        return HearthRole.FACILITATOR in self.roles

    @property
    def is_participant(self) -> bool:
        return HearthRole.PARTICIPANT in self.roles

    def has_any(self, *roles: HearthRole) -> bool:
        return any(role in self.roles for role in roles)


class RoleMap:
    def __init__(self, settings: RoleSettings) -> None:
        self._by_id = {
            settings.participant: HearthRole.PARTICIPANT,
            settings.facilitator: HearthRole.FACILITATOR,
            settings.staff: HearthRole.STAFF,
            settings.on_call: HearthRole.ON_CALL,
        }
        self.settings = settings

    def person(self, user_id: int, role_ids: Iterable[int]) -> Person:
        return Person(user_id, frozenset(self._by_id[r] for r in role_ids if r in self._by_id))



_ROLE_WORDS = {
    HearthRole.PARTICIPANT: "program participants",
    HearthRole.FACILITATOR: "peer facilitators",
    HearthRole.STAFF: "program staff",
    HearthRole.ON_CALL: "on-call staff",
}


def require(person: Person, *allowed: HearthRole, action: str) -> None:
    """Refuse unless the person holds one of ``allowed`` (staff may always act)."""
    if person.is_staff or person.has_any(*allowed):
        return
    who = " or ".join(_ROLE_WORDS[r] for r in allowed) or "program staff"
    raise NotAllowed(
        f"Sorry, {action} is only for {who}. If you think you should have access, "
        "please ask a staff member."
    )
