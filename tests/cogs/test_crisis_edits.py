"""Edited messages are screened, end to end against the emulator."""

from __future__ import annotations

from tests.cogs.test_crisis import IMMINENT, alerts, crisis_dms, wait_alert
from tests.harness import Harness


async def test_B7_checkin_edited_into_a_crisis_message_opens_an_incident_and_the_note_follows(
    hearth: Harness,
) -> None:
    emu, seed = hearth.emu, hearth.seed
    posted = await emu.send_message(seed.checkins, seed.participant, "mood 7/10")
    await emu._wait_until(lambda: bool(emu.state.reactions.get(int(posted["id"]))), 10)
    db = hearth.running.db
    assert await db.fetch_value("SELECT mood FROM checkins WHERE user_id = ?", (seed.participant,)) == 7

    await emu.edit_user_message(seed.checkins, int(posted["id"]), IMMINENT)
    await wait_alert(hearth)
    await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    incident = await hearth.running.services.crisis.get(1)
    assert incident.user_id == seed.participant and incident.message_id == int(posted["id"])
    for _ in range(100):  # the check-ins handler runs after screening has answered the person
        row = await db.fetch_one("SELECT mood, note FROM checkins WHERE user_id = ?", (seed.participant,))
        if row is not None and row["note"] == IMMINENT:
            break
        await hearth.settle(rounds=1)
    assert row is not None and row["mood"] is None and row["note"] == IMMINENT

    # Editing it again (or Discord re-sending it) does not alert twice.
    await emu.edit_user_message(seed.checkins, int(posted["id"]), IMMINENT + " tonight")
    await hearth.settle()
    assert len(alerts(emu, seed.staff_alerts)) == 1
    assert len(crisis_dms(emu, seed.participant)) == 1


async def test_B7_edited_dm_is_screened_and_an_ordinary_edit_gets_no_second_guidance(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    first = await emu.send_dm(seed.participant2, "where is group tonight")
    await emu.wait_for_dm(seed.participant2, lambda m: "/checkin" in (m.get("content") or ""))
    channel_id = int(first["channel_id"])
    guidance = len(emu.bot_messages(channel_id))
    await emu.edit_user_message(channel_id, int(first["id"]), "where is group tonight, is it at 7?")
    await hearth.settle()
    assert len(emu.bot_messages(channel_id)) == guidance

    await emu.edit_user_message(channel_id, int(first["id"]), IMMINENT)
    await wait_alert(hearth)
    assert (await hearth.running.services.crisis.get(1)).source == "dm"
