"""End to end: /group pulse and concern signals to facilitators (once per episode)."""

from __future__ import annotations

from tests.cogs.test_checkins import checkin, content_of, make_group, rows
from tests.harness import Harness


def concern_dms(hearth: Harness, facilitator: int) -> list[dict[str, object]]:
    channel = hearth.emu.state.dm_channels.get(facilitator)
    if channel is None:
        return []
    return [m for m in hearth.emu.bot_messages(channel) if "Check-in notice" in str(m["content"])]


async def low(hearth: Harness, uid: int, mood: int = 2, cravings: str = "") -> None:
    await checkin(hearth, uid, {"mood": str(mood), "cravings": cravings, "sleep": "", "note": ""})
    hearth.clock.advance(days=1)


async def test_low_mood_signal_fires_once_per_episode_and_records_outreach(hearth: Harness) -> None:
    seed = hearth.seed
    uid, fac = seed.participant, seed.facilitator
    await make_group(hearth, "Morning Circle", members=[uid], facilitator=fac)
    await low(hearth, uid)
    await low(hearth, uid)
    assert concern_dms(hearth, fac) == []
    await low(hearth, uid)
    notice = await hearth.emu.wait_for_dm(fac, lambda m: "Check-in notice" in m["content"])
    assert f"<@{uid}>" in notice["content"] and "3 check-ins in a row" in notice["content"]
    await low(hearth, uid)  # still the same episode
    await low(hearth, uid, mood=3)
    await hearth.settle()
    assert len(concern_dms(hearth, fac)) == 1
    concern_id = await hearth.running.db.fetch_value("SELECT id FROM checkin_concerns WHERE user_id = ?", (uid,))
    clicked = await hearth.emu.click_button(notice, f"hearth:checkins:reached:{concern_id}", user_id=fac)
    await clicked.wait_response()
    edited = hearth.emu.state.all_messages[int(notice["id"])]
    assert f"✅ <@{fac}> reached out" in edited["content"]
    outreach = await hearth.running.db.fetch_all("SELECT facilitator_id FROM checkin_outreach")
    assert [r[0] for r in outreach] == [fac]
    # The episode ends when mood recovers; a new run of low days is a new episode.
    await low(hearth, uid, mood=7)
    for _ in range(3):
        await low(hearth, uid)
    await hearth.emu.wait_for_dm(fac, lambda m: "Check-in notice" in m["content"] and m["id"] != notice["id"])
    assert len(concern_dms(hearth, fac)) == 2


async def test_high_craving_signal_and_others_cannot_record_outreach(hearth: Harness) -> None:
    seed = hearth.seed
    uid, fac = seed.participant, seed.facilitator
    await make_group(hearth, "Evening Group", members=[uid], facilitator=fac)
    await low(hearth, uid, mood=6, cravings="9")
    notice = await hearth.emu.wait_for_dm(fac, lambda m: "Check-in notice" in m["content"])
    assert "cravings" in notice["content"]
    await low(hearth, uid, mood=6, cravings="8")
    await hearth.settle()
    assert len(concern_dms(hearth, fac)) == 1
    concern_id = await hearth.running.db.fetch_value("SELECT id FROM checkin_concerns WHERE user_id = ?", (uid,))
    other = await hearth.emu.click_button(notice, f"hearth:checkins:reached:{concern_id}", user_id=seed.participant2)
    await other.wait_response()
    assert "Only this person's group facilitators" in content_of(other)
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM checkin_outreach") == 0


async def test_in_channel_checkins_raise_signals_too(hearth: Harness) -> None:
    seed = hearth.seed
    uid, fac = seed.participant, seed.facilitator
    await make_group(hearth, "Channel Group", members=[uid], facilitator=fac)
    await hearth.emu.send_message(seed.checkins, uid, "mood 5 cravings 10 really hard day")
    notice = await hearth.emu.wait_for_dm(fac, lambda m: "Check-in notice" in m["content"])
    assert "really hard day" not in notice["content"]


async def test_pulse_for_facilitator(hearth: Harness) -> None:
    seed = hearth.seed
    uid, quiet, fac = seed.participant, seed.participant2, seed.facilitator
    await make_group(hearth, "Pulse Group", members=[uid, quiet], facilitator=fac)
    await checkin(hearth, uid, {"mood": "6", "cravings": "", "sleep": "", "note": "private words"})
    checkin_id = (await rows(hearth, uid))[0]["id"]
    share = await hearth.emu.click_button(None, f"hearth:checkins:share:{checkin_id}", user_id=uid)
    await share.wait_response()
    handle = await hearth.emu.invoke_slash(
        "group", user_id=fac, subcommand="pulse", options={"group": "Pulse Group", "days": 7}
    )
    await handle.wait_followup()
    assert handle.ephemeral
    text = content_of(handle)
    assert f"Checked in today: <@{uid}>" in text
    assert "1 member(s) don't share" in text
    assert f"<@{quiet}>" not in text  # does not share with the group: never named, not even as silent
    assert "Average mood: not shown" in text  # fewer than 3 people: no average that could identify someone
    assert "private words" not in text


async def test_pulse_is_refused_to_participants(hearth: Harness) -> None:
    seed = hearth.seed
    await make_group(hearth, "Closed Group", members=[seed.participant], facilitator=seed.facilitator)
    handle = await hearth.emu.invoke_slash(
        "group", user_id=seed.participant, subcommand="pulse", options={"group": "Closed Group"}
    )
    await handle.wait_followup()
    assert "only for that group's facilitators" in content_of(handle)


async def test_pulse_reveals_nobody_who_does_not_share(hearth: Harness) -> None:
    """Issue 12 §5: averages and the silent list use sharing members only."""
    seed = hearth.seed
    fac = seed.facilitator
    extra = [hearth.emu.add_member(f"Member {i}", roles=[seed.participant_role]) for i in range(3)]
    sharers = [seed.participant, *extra[:2]]
    private = extra[2]
    await make_group(hearth, "Quiet Group", members=[*sharers, private], facilitator=fac)
    for uid, mood in zip(sharers, (4, 6, 8), strict=True):
        await checkin(hearth, uid, {"mood": str(mood), "cravings": "", "sleep": "", "note": ""})
        checkin_id = (await rows(hearth, uid))[0]["id"]
        share = await hearth.emu.click_button(None, f"hearth:checkins:share:{checkin_id}", user_id=uid)
        await share.wait_response()
    await checkin(hearth, private, {"mood": "1", "cravings": "", "sleep": "", "note": ""})
    handle = await hearth.emu.invoke_slash(
        "group", user_id=fac, subcommand="pulse", options={"group": "Quiet Group", "days": 7}
    )
    await handle.wait_followup()
    text = content_of(handle)
    assert "6.0" in text  # (4 + 6 + 8) / 3: the private member's 1 is not in it
    assert "4.8" not in text and "4.75" not in text
    assert f"<@{private}>" not in text


async def test_A6_concern_notices_are_queued_per_facilitator_and_retried(hearth: Harness) -> None:
    """A 5xx for one facilitator does not drop the others, and theirs comes once the retry succeeds."""
    emu, seed = hearth.emu, hearth.seed
    uid, fac, second = seed.participant, seed.facilitator, seed.staff
    await make_group(hearth, "Morning Circle", members=[uid], facilitator=fac)
    service = hearth.running.services.groups
    group = await service.find("Morning Circle")
    await service.add_facilitator(hearth.running.roles.person(seed.staff, [seed.staff_role]), group, second)
    failing_dm = int(emu.ensure_dm_channel(fac)["id"])
    emu.fail_next("POST", f"/channels/{failing_dm}/messages", status=503, times=1)
    for _ in range(3):
        await low(hearth, uid)
    await emu.wait_for_dm(second, lambda m: "Check-in notice" in m["content"])
    await hearth.settle()
    assert concern_dms(hearth, fac) == []
    rows_ = await hearth.running.db.fetch_all(
        "SELECT facilitator_id, attempts, sent_at FROM checkin_concern_notices ORDER BY facilitator_id"
    )
    state = {r["facilitator_id"]: (r["attempts"], r["sent_at"] is not None) for r in rows_}
    assert state == {fac: (1, False), second: (1, True)}
    hearth.clock.advance(seconds=31)
    await hearth.run_due("concern-notices")
    await emu.wait_for_dm(fac, lambda m: "Check-in notice" in m["content"])
    await hearth.run_due("concern-notices")
    await hearth.settle()
    assert len(concern_dms(hearth, fac)) == 1 and len(concern_dms(hearth, second)) == 1
