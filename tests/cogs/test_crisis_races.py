"""Races in the crisis path, end to end against the emulator."""

from __future__ import annotations

from tests.cogs.test_crisis import CONCERN, IMMINENT, crisis_dms, wait_alert
from tests.harness import Harness


async def test_D18_two_messages_a_second_apart_give_one_resource_message(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    hearth.clock.advance(seconds=1)
    await emu.send_message(seed.checkins, seed.participant, CONCERN)
    await wait_alert(hearth)
    await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    await hearth.settle()
    assert len(crisis_dms(emu, seed.participant)) == 1
    incident = await hearth.running.services.crisis.get(1)
    assert incident.match_count == 2 and incident.person_notice_reserved_at is not None
