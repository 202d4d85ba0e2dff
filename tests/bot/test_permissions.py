from __future__ import annotations

import pytest

from bot.config import RoleSettings
from bot.errors import NotAllowed
from bot.permissions import HearthRole, RoleMap, require


def role_map() -> RoleMap:
    return RoleMap(RoleSettings(participant=10, facilitator=20, staff=30, on_call=40))


def test_roles_come_from_configured_ids_only() -> None:
    person = role_map().person(1, [10, 99, 40])
    assert person.roles == frozenset({HearthRole.PARTICIPANT, HearthRole.ON_CALL})
    assert not person.is_staff


def test_require_refuses_in_plain_language() -> None:
    participant = role_map().person(1, [10])
    with pytest.raises(NotAllowed, match="only for peer facilitators"):
        require(participant, HearthRole.FACILITATOR, action="moderating a group")


def test_staff_may_always_act() -> None:
    require(role_map().person(1, [30]), HearthRole.FACILITATOR, action="x")
