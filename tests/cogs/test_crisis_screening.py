"""Who is screened, and as whom (issue 10 §B 11, §D 19): end to end through the emulator.

Negative checks are followed by a positive control in the same channel: screening is first in, first out, so
once the control's alert is out the earlier message was screened too.
"""

from __future__ import annotations

from tests.cogs.test_crisis import IMMINENT, alerts, text_of, wait_alert
from tests.harness import Harness


async def _only_alert_is_about(hearth: Harness, user_id: int) -> None:
    await wait_alert(hearth)
    await hearth.settle()
    found = alerts(hearth.emu, hearth.seed.staff_alerts)
    assert len(found) == 1 and f"<@{user_id}>" in text_of(found[0])


async def test_staff_and_on_call_are_not_screened_as_a_crisis_about_themselves(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.staff, "have you thought about killing yourself tonight?")
    await emu.send_message(seed.checkins, seed.on_call, IMMINENT)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)  # control
    await _only_alert_is_about(hearth, seed.participant)


async def test_quoted_lines_are_not_attributed_to_the_person_quoting(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, f"> {IMMINENT}\nthat line in the movie hit hard")
    await emu.send_message(seed.checkins, seed.participant2, f">>> {IMMINENT}\nwe talked about this in group")
    await emu.send_message(seed.checkins, seed.facilitator, IMMINENT)  # control, not staff
    await _only_alert_is_about(hearth, seed.facilitator)


async def test_help_now_always_answers(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    for _ in range(8):  # more than any cooldown used to allow
        handle = await emu.invoke_slash("help-now", user_id=seed.participant, channel_id=seed.general)
        await handle.wait_response()
        assert handle.ephemeral
        assert any("988" in text_of(m) for m in handle.all_messages())
