"""The demo community ``python -m bot sandbox`` starts with: roles, channels and the people you can act as."""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.emulator import Emulator
from bot.sandbox.launch import CommunityIds

VIEW_CHANNEL = 1 << 10
GUILD_CATEGORY = 4
GROUP_NAME = "Tuesday evening group"


@dataclass(frozen=True)
class Persona:
    user_id: int
    name: str
    role: str  # what the persona switcher shows, e.g. "participant" or "staff, on call"


@dataclass(frozen=True)
class Demo:
    ids: CommunityIds
    general: int
    personas: tuple[Persona, ...]

    def persona(self, name: str) -> Persona:
        return next(p for p in self.personas if p.name == name)


def seed_demo(emu: Emulator) -> Demo:
    participant = emu.add_role("participant")
    facilitator = emu.add_role("facilitator")
    staff = emu.add_role("staff")
    on_call = emu.add_role("on-call")
    # Only staff see staff-alerts, as on a real server.
    staff_only = [
        {"id": str(emu.guild_id), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
        {"id": str(staff), "type": 0, "allow": str(VIEW_CHANNEL), "deny": "0"},
    ]
    general = emu.add_channel("general", topic="Say hello")
    ids = CommunityIds(
        guild_id=emu.guild_id,
        participant_role=participant,
        facilitator_role=facilitator,
        staff_role=staff,
        on_call_role=on_call,
        checkins=emu.add_channel("check-ins", topic="Daily check-ins: post how you are, or use /checkin"),
        celebrations=emu.add_channel("celebrations"),
        staff_alerts=emu.add_channel("staff-alerts", overwrites=staff_only),
        groups_category=emu.add_channel("groups", type=GUILD_CATEGORY),
    )
    people = (
        ("Alice", "participant", [participant]),
        ("Ben", "participant", [participant]),
        ("Chloe", "participant", [participant]),
        ("Fran", "facilitator", [facilitator]),
        ("Sam", "staff, on call", [staff, on_call]),
        ("Priya", "staff", [staff]),
    )
    personas = tuple(Persona(emu.add_member(name, roles=roles), name, label) for name, label, roles in people)
    for persona in personas:
        emu.ensure_dm_channel(persona.user_id)
    return Demo(ids=ids, general=general, personas=personas)
