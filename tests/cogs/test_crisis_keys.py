"""Screening keys are per author and submission, end to end against the emulator."""

from __future__ import annotations

from tests.cogs.test_crisis import IMMINENT, alerts, wait_alert
from tests.cogs.test_milestones import celebrate_id, celebrations_in, milestone, settings
from tests.harness import Harness


async def test_B10_two_peoples_crisis_encouragements_on_one_celebration_are_two_incidents(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await settings(hearth, seed.participant, milestone_visibility="community")
    await milestone(hearth, "set", date="2026-03-01")
    await hearth.run_due("milestones")
    [post] = celebrations_in(emu, seed.celebrations)
    for author in (seed.participant2, seed.facilitator):
        cheer = await emu.click_button(post, celebrate_id(post), user_id=author)
        await cheer.wait_response()
        submitted = await emu.submit_modal(cheer.modal["custom_id"], {"words": IMMINENT}, user_id=author)
        await submitted.wait_response()
    await wait_alert(hearth, 2)
    service = hearth.running.services.crisis
    assert {(await service.get(n)).user_id for n in (1, 2)} == {seed.participant2, seed.facilitator}
    assert len(alerts(emu, seed.staff_alerts)) == 2
