"""Crisis escalation end to end: the real bot through the emulator.

Time moves only through the ManualClock and ``harness.run_due``; nothing here sleeps on
wall time or asserts on durations.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.emulator import Emulator
from tests.harness import Harness
from tests.helpers import message_text

IMMINENT = "I am going to kill myself tonight"
CONCERN = "honestly everyone would be better off without me"
ORDINARY = "had a good day at group today, killing it"

JSON = dict[str, Any]


def alerts(emu: Emulator, channel_id: int) -> list[JSON]:
    """Bot messages in the staff channel that carry an incident embed (the alerts themselves)."""
    return [
        m for m in emu.bot_messages(channel_id)
        if any("incident #" in (e.get("footer") or {}).get("text", "") for e in m.get("embeds") or [])
    ]




def custom_ids(message: JSON) -> list[str]:
    found = []
    for row in message.get("components") or []:
        for comp in row.get("components") or []:
            if "custom_id" in comp:
                found.append(comp["custom_id"])
    return found


def crisis_dms(emu: Emulator, user_id: int) -> list[JSON]:
    """DMs from the bot that carry the crisis resources (other features may DM tips)."""
    channel = emu.state.dm_channels.get(user_id)
    messages = [] if channel is None else emu.bot_messages(channel)
    return [m for m in messages if any(c.startswith("hearth:crisis:safe:") for c in custom_ids(m))]


async def wait_alert(hearth: Harness, n: int = 1) -> JSON:
    seed = hearth.seed
    await hearth.emu._wait_until(lambda: len(alerts(hearth.emu, seed.staff_alerts)) >= n, 10)
    return alerts(hearth.emu, seed.staff_alerts)[n - 1]


@pytest.fixture
async def drill(harness_factory: Harness) -> AsyncIterator[Harness]:
    """Hearth with tier-2 escalation roles and short, decimal timeouts."""
    seed = harness_factory.seed
    harness_factory.write_config(
        f"""
[crisis]
escalation_roles = [{seed.escalation_role}]
max_repeats = 2
cooldown_minutes = 30
resolve_reminder_minutes = 60

[crisis.ack_timeout_minutes]
imminent = 0.5
concern = 10
"""
    )
    await harness_factory.start()
    try:
        yield harness_factory
    finally:
        await harness_factory.stop()


async def test_crisis_message_in_checkins_gives_dm_and_staff_alert_with_role_ping(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    dm = await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))

    # The person: warm, private, resources, no quote of their words, the two buttons.
    body = message_text(dm)
    assert "staff member" in body and "988" in body and "741741" in body and "833-773-2445" in body
    assert IMMINENT.lower() not in body.lower() and "kill" not in body.lower()
    assert any(cid.startswith("hearth:crisis:safe:") for cid in custom_ids(dm))
    assert any(cid.startswith("hearth:crisis:talk:") for cid in custom_ids(dm))
    assert dm["mention_roles"] == [] and dm["mentions"] == []

    # Staff: role ping only for on-call, embed with the person, severity, jump link, excerpt.
    assert f"<@&{seed.on_call_role}>" in alert["content"]
    assert alert["mention_roles"] == [str(seed.on_call_role)]
    assert alert["mentions"] == [] and not alert["mention_everyone"]
    text = message_text(alert)
    assert f"<@{seed.participant}>" in text and "IMMINENT" in text
    assert f"/channels/{seed.guild_id}/{seed.checkins}/" in text
    assert "kill myself" in text  # include_excerpt defaults to true
    assert {c.split(":")[2] for c in custom_ids(alert)} == {"ack", "resolve", "false"}
    # The alert request carried a deterministic nonce with enforce_nonce.
    post = await emu.wait_for_request(
        lambda r: r.method == "POST" and r.path == f"/channels/{seed.staff_alerts}/messages"
    )
    assert post.json["nonce"].startswith("hearth-incident-") and post.json["enforce_nonce"] is True
    assert len(post.json["nonce"]) <= 25
    # Nothing was said in the public channel.
    assert emu.bot_messages(seed.checkins) == []


async def test_ordinary_messages_and_other_channels_are_left_alone(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, ORDINARY)
    await emu.send_message(seed.general, seed.participant, IMMINENT)  # not a listened channel
    await hearth.settle()
    assert alerts(emu, seed.staff_alerts) == []
    assert crisis_dms(emu, seed.participant) == []


def staff_texts(emu: Emulator, channel_id: int) -> list[str]:
    return [m.get("content") or "" for m in emu.bot_messages(channel_id)]


async def click(hearth: Harness, message: JSON | None, prefix: str, user_id: int) -> Any:
    if message is None:
        raise AssertionError("no message to click on")
    current = hearth.emu.state.all_messages.get(int(message["id"]), message)
    custom_id = next(c for c in custom_ids(current) if c.startswith(prefix))
    handle = await hearth.emu.click_button(current, custom_id, user_id=user_id)
    await handle.wait_response()
    return handle


def private_threads(emu: Emulator, parent_id: int) -> list[JSON]:
    return [
        c for c in emu.state.channels.values() if c.get("type") == 12 and int(c.get("parent_id") or 0) == parent_id
    ]


async def test_D20_dms_closed_fallback_is_a_private_thread_peers_cannot_see(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    emu.closed_dms.add(seed.participant)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await wait_alert(hearth)
    await emu._wait_until(lambda: len(private_threads(emu, seed.checkins)) == 1, 10)
    [thread] = private_threads(emu, seed.checkins)
    note = await emu.wait_for_message(int(thread["id"]))
    assert f"<@{seed.participant}>" in note["content"] and "Only you and the on-call staff" in note["content"]
    assert "988" in message_text(note) and any(c.startswith("hearth:crisis:safe:") for c in custom_ids(note))
    assert "kill" not in note["content"].lower()
    assert [u["id"] for u in note["mentions"]] == [str(seed.participant)]
    assert note["mention_roles"] == [] and not note["mention_everyone"]
    members = set(emu.state.thread_members.get(int(thread["id"]), set())) - {emu.bot_user_id}
    assert members == {seed.participant, seed.on_call}
    assert emu.bot_messages(seed.checkins) == []  # nothing in the channel itself: peers see nothing
    assert crisis_dms(emu, seed.participant) == []
    await hearth.settle()
    incident = await hearth.running.services.crisis.get(1)
    assert incident.person_notice_via == "thread"


async def test_dms_closed_in_a_modal_gives_an_ephemeral_reply(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    emu.closed_dms.add(seed.participant)
    opened = await emu.invoke_slash("checkin", user_id=seed.participant, channel_id=seed.checkins)
    await opened.wait_response()
    handle = await emu.submit_modal(
        "hearth:checkins:modal", {"mood": "2", "cravings": "", "sleep": "", "note": IMMINENT},
        user_id=seed.participant,
    )
    await handle.wait_response()
    await handle.wait_followup()  # the check-in's own (brief) reply comes after the resources
    await wait_alert(hearth)
    texts = [message_text(m) for m in handle.all_messages()]
    assert any("staff member" in t and "988" in t for t in texts), texts
    assert handle.ephemeral
    assert emu.bot_messages(seed.checkins) == []  # nothing public
    incident = await hearth.running.services.crisis.get(1)
    assert incident.person_notice_via == "ephemeral" and incident.source == "checkin_note"


async def test_acknowledge_stops_escalation_and_reminds_to_resolve(drill: Harness) -> None:
    emu, seed = drill.emu, drill.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(drill)
    # A participant cannot acknowledge.
    refused = await click(drill, alert, "hearth:crisis:ack:", seed.participant)
    assert refused.ephemeral and "only for" in message_text(refused.all_messages()[0])
    handle = await click(drill, alert, "hearth:crisis:ack:", seed.on_call)
    assert (await handle.wait_response())["type"] == 7  # UPDATE_MESSAGE: the alert itself shows who acknowledged
    updated = emu.state.all_messages[int(alert["id"])]
    assert f"Acknowledged by <@{seed.on_call}>" in message_text(updated)
    assert {c.split(":")[2] for c in custom_ids(updated)} == {"resolve", "false"}
    before = len(emu.bot_messages(seed.staff_alerts))
    drill.clock.advance(minutes=5)
    await drill.run_due("crisis")
    await drill.settle()
    assert len(emu.bot_messages(seed.staff_alerts)) == before  # no re-ping after acknowledge
    drill.clock.advance(minutes=56)
    await drill.run_due("crisis")
    reminder = await emu.wait_for_message(seed.staff_alerts, lambda m: "reminder" in (m.get("content") or ""))
    assert [u["id"] for u in reminder["mentions"]] == [str(seed.on_call)] and reminder["mention_roles"] == []
    await click(drill, alert, "hearth:crisis:resolve:", seed.staff)
    incident = await drill.running.services.crisis.get(1)
    assert incident.status == "resolved" and incident.closed_by == seed.staff
    audit = await drill.running.services.audit.for_subject("crisis", 1)
    assert [e.action for e in audit] == ["incident_opened", "acknowledged", "resolved"]
    assert custom_ids(emu.state.all_messages[int(alert["id"])]) == []


async def test_no_acknowledgement_pings_again_then_tier_two(drill: Harness) -> None:
    emu, seed = drill.emu, drill.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await wait_alert(drill)
    drill.clock.advance(seconds=31)  # imminent ack timeout is 0.5 minutes in this drill
    await drill.run_due("crisis")
    second = await emu.wait_for_message(seed.staff_alerts, lambda m: "escalation 1 of 2" in (m.get("content") or ""))
    assert set(second["mention_roles"]) == {str(seed.on_call_role), str(seed.escalation_role)}
    assert second["mentions"] == []
    tier2 = await emu.wait_for_dm(seed.on_call, lambda m: "not been acknowledged" in (m.get("content") or ""))
    assert "incident #1" in tier2["content"]
    drill.clock.advance(seconds=31)
    await drill.run_due("crisis")
    await emu.wait_for_message(seed.staff_alerts, lambda m: "escalation 2 of 2" in (m.get("content") or ""))
    drill.clock.advance(minutes=10)
    await drill.run_due("crisis")
    await drill.settle()
    repeats = [t for t in staff_texts(emu, seed.staff_alerts) if "escalation" in t]
    assert len(repeats) == 2  # max_repeats reached; no third round
    incident = await drill.running.services.crisis.get(1)
    assert incident.escalations == 2 and incident.next_escalation_at is None and incident.status == "open"


@pytest.mark.parametrize(
    ("status", "extra"),
    [(500, {}), (429, {"retry_after": 0.05}), (500, {"after_handling": True})],
    ids=["500", "429", "500-after-the-message-was-created"],
)
async def test_alert_is_delivered_exactly_once_across_errors(
    hearth: Harness, status: int, extra: dict[str, Any]
) -> None:
    emu, seed = hearth.emu, hearth.seed
    emu.fail_next("POST", f"/channels/{seed.staff_alerts}/messages", status=status, **extra)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await emu.wait_for_request(
        lambda r: r.path == f"/channels/{seed.staff_alerts}/messages" and r.status == 200, timeout=10
    )
    await hearth.settle()
    posts = [r for r in emu.requests if r.method == "POST" and r.path == f"/channels/{seed.staff_alerts}/messages"]
    assert len(posts) >= 2 and posts[0].status == status
    assert len({p.json["nonce"] for p in posts}) == 1  # the retry reused the nonce
    assert len(alerts(emu, seed.staff_alerts)) == 1
    outbox = await hearth.running.services.crisis.outbox(1)
    alert_row = next(o for o in outbox if o.kind == "alert")
    assert alert_row.sent_at is not None
    assert alert_row.message_id == int(alerts(emu, seed.staff_alerts)[0]["id"])


async def _wait_failed_attempt(hearth: Harness) -> None:
    service = hearth.running.services.crisis
    for _ in range(200):
        rows = [o for o in await service.outbox(1) if o.kind == "alert"]
        if rows and rows[0].last_error:
            return
        await hearth.settle(rounds=1)
    raise AssertionError("the failed alert attempt was never recorded")


@pytest.mark.parametrize("created", [False, True], ids=["never-sent", "sent-but-answer-lost"])
async def test_restart_between_incident_write_and_delivery_delivers_exactly_once(
    hearth: Harness, created: bool
) -> None:
    emu, seed = hearth.emu, hearth.seed
    # 503 is not retried inside discord.py, so the outbox row stays undelivered.
    emu.fail_next("POST", f"/channels/{seed.staff_alerts}/messages", status=503, after_handling=created)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await _wait_failed_attempt(hearth)
    incident = await hearth.running.services.crisis.get(1)
    assert incident.alert_message_id is None  # written, not (known to be) delivered
    await hearth.restart()
    await hearth.running.scheduler_started.wait()
    await hearth.emu._wait_until(lambda: len(alerts(emu, seed.staff_alerts)) >= 1, 10)
    service = hearth.running.services.crisis
    for _ in range(200):
        if (await service.get(1)).alert_message_id is not None:
            break
        await hearth.settle(rounds=1)
    await hearth.run_due("crisis")
    await hearth.settle()
    assert len(alerts(emu, seed.staff_alerts)) == 1
    assert (await service.get(1)).alert_message_id == int(alerts(emu, seed.staff_alerts)[0]["id"])


async def test_open_incident_is_updated_not_duplicated(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, CONCERN)
    alert = await wait_alert(hearth)
    second = await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await emu.wait_for_request(lambda r: r.method == "PATCH" and r.path.endswith(f"/messages/{alert['id']}"))
    await hearth.settle()
    assert len(alerts(emu, seed.staff_alerts)) == 1
    incident = await hearth.running.services.crisis.get(1)
    assert incident.match_count == 2 and incident.severity == "imminent"
    assert incident.message_id == int(second["id"])
    updated = emu.state.all_messages[int(alert["id"])]
    assert second["id"] in message_text(updated)  # newest jump link
    # The upgrade to imminent re-pings on-call once.
    assert any("now **IMMINENT**" in t for t in staff_texts(emu, seed.staff_alerts))
    # The same message screened a second time (e.g. by another listener) changes nothing.
    from bot.screening import ScreenRequest

    flagged = await hearth.running.crisis_screen.screen(
        ScreenRequest(user_id=seed.participant, text=IMMINENT, source="checkin_message",
                      guild_id=seed.guild_id, channel_id=seed.checkins, message_id=int(second["id"]))
    )
    assert flagged
    assert (await hearth.running.services.crisis.get(1)).match_count == 2


async def test_cooldown_one_resource_message_per_window(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    await emu.send_message(seed.checkins, seed.participant, CONCERN)
    await click(hearth, alert, "hearth:crisis:false:", seed.on_call)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT + " for real")  # new incident, in cooldown
    await wait_alert(hearth, 2)
    await hearth.settle()
    assert len(crisis_dms(emu, seed.participant)) == 1
    hearth.clock.advance(minutes=31)
    await emu.send_message(seed.checkins, seed.participant, CONCERN + " again")
    await emu._wait_until(lambda: len(crisis_dms(emu, seed.participant)) == 2, 10)
    assert len(alerts(emu, seed.staff_alerts)) == 2


async def test_safe_and_talk_buttons(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    dm = await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    other = await click(hearth, dm, "hearth:crisis:safe:", seed.participant2)
    assert "someone else" in message_text(other.all_messages()[0])
    safe = await click(hearth, dm, "hearth:crisis:safe:", seed.participant)
    assert "Thank you" in message_text(safe.all_messages()[0])
    talk = await click(hearth, dm, "hearth:crisis:talk:", seed.participant)
    reply_text = message_text(await talk.wait_followup())
    assert "private thread" in reply_text
    incident = await hearth.running.services.crisis.get(1)
    assert incident.safe_at is not None and incident.talk_thread_id is not None
    thread = emu.state.channels[incident.talk_thread_id]
    assert thread["type"] == 12 and int(thread["parent_id"]) == seed.checkins
    assert {seed.participant, seed.on_call} <= emu.state.thread_members[incident.talk_thread_id]
    talk_msg = await emu.wait_for_message(seed.staff_alerts, lambda m: "would like to talk" in (m.get("content") or ""))
    assert talk_msg["mention_roles"] == [str(seed.on_call_role)]
    await emu._wait_until(lambda: "said they are safe" in message_text(emu.state.all_messages[int(alert["id"])]), 10)


async def test_help_now_in_a_dm_and_talk_without_an_incident(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    handle = await emu.invoke_slash("help-now", user_id=seed.participant, dm=True)
    await handle.wait_response()
    assert handle.ephemeral
    message = handle.all_messages()[0]
    assert "988" in message_text(message) and "741741" in message_text(message)
    assert custom_ids(message) == ["hearth:crisis:talk:0"]
    talk = await emu.click_button(message, "hearth:crisis:talk:0", user_id=seed.participant)
    await talk.wait_response()
    await talk.wait_followup()
    alert = await wait_alert(hearth)
    assert "asked to talk" in alert["content"] and alert["mention_roles"] == [str(seed.on_call_role)]
    incident = await hearth.running.services.crisis.get(1)
    assert incident.origin == "self" and incident.talk_thread_id is not None


async def test_dm_to_the_bot(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_dm(seed.participant2, "hi, what is this?")
    guidance = await emu.wait_for_dm(seed.participant2, lambda m: "/help-now" in (m.get("content") or ""))
    assert "/checkin" in guidance["content"] and "/help" in guidance["content"]
    await emu.send_dm(seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    assert "direct message" in message_text(alert)
    await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))


async def test_escalate_to_staff_context_menu(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    message = await emu.send_message(seed.general, seed.participant, "I just can't do this anymore")
    refused = await emu.invoke_message_command("Escalate to staff", user_id=seed.participant2, message=message)
    await refused.wait_response()
    assert "only for" in message_text(refused.all_messages()[0])
    handle = await emu.invoke_message_command("Escalate to staff", user_id=seed.facilitator, message=message)
    await handle.wait_response()
    prompt = handle.all_messages()[0]
    select_id = next(c for c in custom_ids(prompt) if c.startswith("hearth:crisis:escalate:"))
    chosen = await emu.select(prompt, select_id, ["concern"], user_id=seed.facilitator)
    await chosen.wait_response()
    alert = await wait_alert(hearth)
    assert "Escalated by hand" in message_text(alert) and "Concern" in message_text(alert)
    incident = await hearth.running.services.crisis.get(1)
    assert incident.origin == "manual" and incident.reported_by == seed.facilitator
    assert incident.user_id == seed.participant


async def test_worried_context_menu_goes_to_group_facilitators_anonymously(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    bot = hearth.running
    staff = bot.roles.person(seed.staff, [seed.staff_role])
    groups = bot.services.groups
    handle = await emu.invoke_slash("group", user_id=seed.staff, subcommand="create", options={"name": "Tuesday SUD"})
    await handle.wait_response()
    if handle.deferred:
        await handle.wait_followup()
    group = await groups.find("Tuesday SUD")
    await groups.add_member(staff, group, seed.participant)
    await groups.add_member(staff, group, seed.participant2)
    await groups.add_facilitator(staff, group, seed.facilitator)
    assert group.channel_id is not None
    message = await emu.send_message(group.channel_id, seed.participant, "rough week, not sleeping")
    worried = await emu.invoke_message_command(
        "I'm worried about this person", user_id=seed.participant2, message=message
    )
    await worried.wait_response()
    await worried.wait_followup()
    assert "not shared" in message_text(worried.all_messages()[-1])
    note = await emu.wait_for_dm(seed.facilitator, lambda m: "worried about" in (m.get("content") or ""))
    assert f"<@{seed.participant}>" in note["content"] and str(seed.participant2) not in note["content"]
    assert "Tuesday SUD" in note["content"]
    await hearth.settle()
    assert alerts(emu, seed.staff_alerts) == []  # not the on-call line
    # The person's own export does not reveal who raised it.
    exported = await bot.services.crisis.export_user_data(seed.participant)
    assert str(seed.participant2) not in str(exported)
    audit = await bot.services.audit.export_user_data(seed.participant)
    assert str(seed.participant2) not in str(audit)


async def test_crisis_message_in_a_group_channel(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    bot = hearth.running
    staff = bot.roles.person(seed.staff, [seed.staff_role])
    handle = await emu.invoke_slash("group", user_id=seed.staff, subcommand="create", options={"name": "Evening IOP"})
    await handle.wait_response()
    if handle.deferred:
        await handle.wait_followup()
    group = await bot.services.groups.find("Evening IOP")
    await bot.services.groups.add_member(staff, group, seed.participant)
    assert group.channel_id is not None
    await emu.send_message(group.channel_id, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    assert alert["mention_roles"] == [str(seed.on_call_role)]
    assert "group channel" in message_text(alert)
    incident = await bot.services.crisis.get(1)
    assert incident.group_id == group.id and incident.source == "group_message"


async def test_incident_commands_and_privacy(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    await click(hearth, alert, "hearth:crisis:ack:", seed.on_call)
    listing = await emu.invoke_slash("incident", user_id=seed.staff, subcommand="list")
    await listing.wait_response()
    assert listing.ephemeral and "#1" in message_text(listing.all_messages()[0])
    shown = await emu.invoke_slash("incident", user_id=seed.staff, subcommand="show", options={"id": 1})
    await shown.wait_response()
    body = message_text(shown.all_messages()[0])
    assert "Audit trail" in body and "acknowledged by" in body
    refused = await emu.invoke_slash("incident", user_id=seed.participant, subcommand="list")
    await refused.wait_response()
    assert "only for" in message_text(refused.all_messages()[0])
    missing = await emu.invoke_slash("incident", user_id=seed.staff, subcommand="show", options={"id": 99})
    await missing.wait_response()
    assert "no incident #99" in message_text(missing.all_messages()[0])
    result = await hearth.running.services.crisis.delete_user_data(seed.participant)
    assert result.rows_deleted == 0 and "open safety incident" in result.kept[0]
    assert (await hearth.running.services.crisis.get(1)).status == "acknowledged"
