"""Manual escalation does what it says, end to end against the emulator."""

from __future__ import annotations

from typing import Any

from tests.cogs.test_crisis import CONCERN, JSON, alerts, click, custom_ids, wait_alert
from tests.harness import Harness
from tests.helpers import message_text


async def escalate(hearth: Harness, message: JSON, severity: str) -> str:
    emu, seed = hearth.emu, hearth.seed
    handle = await emu.invoke_message_command("Escalate to staff", user_id=seed.facilitator, message=message)
    await handle.wait_response()
    prompt = handle.all_messages()[0]
    select_id = next(c for c in custom_ids(prompt) if c.startswith("hearth:crisis:escalate:"))
    chosen: Any = await emu.select(prompt, select_id, [severity], user_id=seed.facilitator)
    await chosen.wait_response()
    await hearth.settle()
    return message_text(chosen.all_messages()[-1])


def pings(hearth: Harness) -> list[JSON]:
    """Messages in the staff channel that mention the on-call role."""
    role = str(hearth.seed.on_call_role)
    return [m for m in hearth.emu.bot_messages(hearth.seed.staff_alerts) if role in (m.get("mention_roles") or [])]


async def test_C15_escalating_a_message_of_an_open_concern_raises_it_and_pings_again(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    message = await emu.send_message(seed.checkins, seed.participant, CONCERN)
    await wait_alert(hearth)
    service = hearth.running.services.crisis
    before = await service.get(1)
    assert before.severity == "concern"
    pinged = len(pings(hearth))

    said = await escalate(hearth, message, "imminent")
    assert "raised to **imminent**" in said and "#1" in said
    after = await service.get(1)
    assert after.severity == "imminent"
    assert after.next_escalation_at is not None
    assert after.next_escalation_at == hearth.clock.now() + service.ack_timeout("imminent")
    await emu._wait_until(lambda: len(pings(hearth)) == pinged + 1, 10)
    assert len(alerts(emu, seed.staff_alerts)) == 1

    said = await escalate(hearth, message, "concern")
    assert "already in open incident #1" in said and "nothing changed" in said
    assert len(pings(hearth)) == pinged + 1


async def test_C15_escalating_a_message_of_a_closed_incident_opens_a_new_linked_one(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    message = await emu.send_message(seed.checkins, seed.participant, CONCERN)
    alert = await wait_alert(hearth)
    await click(hearth, alert, "hearth:crisis:false:", seed.on_call)
    service = hearth.running.services.crisis
    assert (await service.get(1)).status == "false_alarm"

    said = await escalate(hearth, message, "concern")
    assert "earlier incident #1 was closed" in said and "new incident #2" in said
    second = await service.get(2)
    assert second.is_open and second.linked_incident_id == 1 and second.origin == "manual"
    await wait_alert(hearth, 2)
