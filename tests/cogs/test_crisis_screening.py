"""Who is screened, and as whom: end to end through the emulator.

Negative checks are followed by a positive control in the same channel: screening is first in, first out, so
once the control's alert is out the earlier message was screened too.
"""

from __future__ import annotations

from tests.cogs.test_crisis import IMMINENT, alerts, wait_alert
from tests.harness import Harness
from tests.helpers import message_text


async def _only_alert_is_about(hearth: Harness, user_id: int) -> None:
    await wait_alert(hearth)
    await hearth.settle()
    found = alerts(hearth.emu, hearth.seed.staff_alerts)
    assert len(found) == 1 and f"<@{user_id}>" in message_text(found[0])


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
        assert any("988" in message_text(m) for m in handle.all_messages())


async def test_flagged_checkin_message_gets_the_crisis_response_only(hearth: Harness) -> None:
    """Issue 10 §B 12: no 📝, no format tip; still stored as that day's note."""
    emu, seed = hearth.emu, hearth.seed
    message = await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await wait_alert(hearth)
    # A later ordinary check-in by someone else is reacted to: the flagged one was handled before it.
    control = await emu.send_message(seed.checkins, seed.participant2, "rough day but i went to a meeting")
    await emu._wait_until(lambda: int(control["id"]) in emu.state.reactions, 10)
    await hearth.settle()
    assert int(message["id"]) not in emu.state.reactions
    dm_channel = emu.state.dm_channels[seed.participant]
    tips = [m for m in emu.bot_messages(dm_channel) if "only send this tip once" in (m.get("content") or "")]
    assert tips == []
    row = await hearth.running.db.fetch_one("SELECT note FROM checkins WHERE user_id = ?", (seed.participant,))
    assert row is not None and row["note"] == IMMINENT


async def test_attachment_only_messages_are_not_checkins(hearth: Harness) -> None:
    """Issue 10 §B 13: an attachment-, sticker- or forward-only message records nothing and gets no tip."""
    emu, seed = hearth.emu, hearth.seed
    photo = {"id": "1", "filename": "sunrise.jpg", "size": 1000, "url": "https://cdn.example/1", "proxy_url":
             "https://cdn.example/1"}
    await emu.send_message(seed.checkins, seed.participant, "", attachments=[photo])
    await emu.send_message(seed.checkins, seed.participant, "", sticker_items=[{"id": "5", "name": "hi",
                                                                               "format_type": 1}])
    control = await emu.send_message(seed.checkins, seed.participant2, "mood 6/10")
    await emu._wait_until(lambda: int(control["id"]) in emu.state.reactions, 10)
    await hearth.settle()
    count = await hearth.running.db.fetch_value(
        "SELECT COUNT(*) FROM checkins WHERE user_id = ?", (seed.participant,)
    )
    assert count == 0
    assert seed.participant not in emu.state.dm_channels or emu.bot_messages(
        emu.state.dm_channels[seed.participant]
    ) == []


async def test_voice_channel_text_chat_is_screened_like_the_group_channel(hearth: Harness) -> None:
    """Issue 10 §B 11: the text chat of a group's voice channel is a group channel."""
    from tests.cogs.test_groups import create_group

    emu, seed = hearth.emu, hearth.seed
    made = await create_group(hearth, name="Young Adults MH", voice=True)
    voice = made["group"].voice_channel_id
    assert voice is not None
    await emu.send_message(voice, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    assert f"<@{seed.participant}>" in message_text(alert)
    incident = await hearth.running.services.crisis.get(1)
    assert incident.group_id == made["group"].id


async def test_router_hands_messages_to_screening_first(hearth: Harness) -> None:
    from bot.routing import FEATURES, SCREENING

    router = hearth.running.router
    assert router.names == ["crisis screening", "check-ins"]
    assert SCREENING < FEATURES


SPLIT_GOODBYE = ("my sister can have my guitar", "wrote some stuff for my mom", "its almost time")


async def test_a_goodbye_split_over_three_messages_gives_one_alert(hearth: Harness) -> None:
    """Issue 9 §1: the author's previous messages in the channel (10 minutes) are screened with the new one."""
    from bot.crisis import CrisisDetector

    detector = CrisisDetector()
    # The premise: no part alone is a risk, the three together are.
    assert [detector.assess(t).is_risk for t in SPLIT_GOODBYE] == [False, False, False]
    assert detector.assess("\n".join(SPLIT_GOODBYE)).is_risk
    emu, seed = hearth.emu, hearth.seed
    # Another person's messages in between do not join this person's context.
    await emu.send_message(seed.checkins, seed.participant, SPLIT_GOODBYE[0])
    await emu.send_message(seed.checkins, seed.participant2, "good morning fam")
    await emu.send_message(seed.checkins, seed.participant, SPLIT_GOODBYE[1])
    await emu.send_message(seed.checkins, seed.participant, SPLIT_GOODBYE[2])
    alert = await wait_alert(hearth)
    assert f"<@{seed.participant}>" in message_text(alert)
    assert "with earlier messages" in message_text(alert)
    await hearth.settle()
    assert len(alerts(emu, seed.staff_alerts)) == 1
