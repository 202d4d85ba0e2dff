"""Crisis delivery that cannot fail silently, end to end.

The real bot runs against the emulator; faults are injected there (``fail_next`` for HTTP
errors, ``drop_next`` for a connection cut before or after Discord did the work). Time moves
only through the ManualClock and ``harness.run_due``; nothing asserts on durations.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.cogs.test_crisis import IMMINENT, JSON, alerts, click, crisis_dms, custom_ids, private_threads, wait_alert
from tests.emulator import Emulator
from tests.harness import Harness
from tests.helpers import message_text

FOLLOWUP_WORDS = "Please use one of the services below now"
UNREACHED_LOG = "NO staff member could be reached"


def posts_to(emu: Emulator, channel_id: int) -> list[Any]:
    return [r for r in emu.requests if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"]


def alert_dms(emu: Emulator, user_id: int) -> list[JSON]:
    """The crisis alert itself, sent to one staff member by DM (it carries the staff buttons)."""
    channel = emu.state.dm_channels.get(user_id)
    messages = [] if channel is None else emu.bot_messages(channel)
    return [m for m in messages if any(c.startswith("hearth:crisis:ack:") for c in custom_ids(m))]


def dm_texts(emu: Emulator, user_id: int) -> list[str]:
    channel = emu.state.dm_channels.get(user_id)
    return [] if channel is None else [message_text(m) for m in emu.bot_messages(channel)]


def errors(caplog: pytest.LogCaptureFixture, words: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and words in r.getMessage()]


async def show(hearth: Harness, incident_id: int = 1) -> str:
    handle = await hearth.emu.invoke_slash(
        "incident", user_id=hearth.seed.staff, subcommand="show", options={"id": incident_id}
    )
    await handle.wait_response()
    return message_text(handle.all_messages()[0])


async def until(hearth: Harness, predicate: Any, what: str) -> None:
    """Poll the bot's state (async predicate) while its handlers run; no wall-clock assertions."""
    for _ in range(200):
        if await predicate():
            return
        await hearth.settle(rounds=1)
    raise AssertionError(f"never happened: {what}")


def alert_failed(hearth: Harness, incident_id: int = 1) -> Any:
    async def check() -> bool:
        rows = [o for o in await hearth.running.services.crisis.outbox(incident_id) if o.kind == "alert"]
        return bool(rows and rows[0].last_error)

    return check


# ---------------------------------------------------------------------------------------------- A1


@pytest.mark.parametrize(
    ("status", "code"), [(403, 50013), (403, 50001), (404, 10003)],
    ids=["403-missing-permissions", "403-missing-access", "404-unknown-channel"],
)
async def test_A1_refused_staff_alert_goes_by_dm_to_every_on_call_and_staff_member(
    hearth: Harness, caplog: pytest.LogCaptureFixture, status: int, code: int
) -> None:
    emu, seed = hearth.emu, hearth.seed
    caplog.set_level(logging.INFO)
    emu.fail_next("POST", f"/channels/{seed.staff_alerts}/messages", status=status, code=code, times=1000)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)

    # Every member of roles.on_call and roles.staff gets the full alert with the staff buttons, at once.
    for member in (seed.on_call, seed.staff):
        dm = await emu.wait_for_dm(member, lambda m: "hearth:crisis:ack:" in str(m.get("components")))
        body = message_text(dm)
        assert "incident #1" in body and "IMMINENT" in body and f"<@{seed.participant}>" in body
        assert {c.split(":")[2] for c in custom_ids(dm)} == {"ack", "resolve", "false"}
        assert dm["mentions"] == [] and dm["mention_roles"] == []
    assert alert_dms(emu, seed.facilitator) == [] and alert_dms(emu, seed.participant2) == []
    assert len(posts_to(emu, seed.staff_alerts)) == 1  # refused for good: not hammered every few seconds

    # Logged at ERROR with the incident and a code, never the message text.
    refused = errors(caplog, "refused the alert for good")
    assert refused and "incident 1" in refused[0].getMessage() and "[E-" in refused[0].getMessage()
    assert not any("kill" in r.getMessage() for r in caplog.records)

    # Recorded on the incident: which destination refused, and why.
    await hearth.settle()
    outbox = await hearth.running.services.crisis.outbox(1)
    alert_row = next(o for o in outbox if o.kind == "alert")
    assert alert_row.failed_at is not None and f"http {status} code {code}" in (alert_row.failure or "")
    assert alert_row.cancelled_at is not None  # staff were reached by DM: stop retrying the channel
    shown = await show(hearth)
    assert "Delivery problems" in shown and f"http {status} code {code}" in shown

    # The buttons in the DM work: acknowledging there stops the escalation.
    dm = alert_dms(emu, seed.on_call)[0]
    handle = await click(hearth, dm, "hearth:crisis:ack:", seed.on_call)
    assert (await handle.wait_response())["type"] == 7
    assert f"Acknowledged by <@{seed.on_call}>" in message_text(emu.state.all_messages[int(dm["id"])])
    incident = await hearth.running.services.crisis.get(1)
    assert incident.status == "acknowledged" and incident.acknowledged_by == seed.on_call
    hearth.clock.advance(minutes=30)
    await hearth.run_due("crisis")
    await hearth.settle()
    assert len(posts_to(emu, seed.staff_alerts)) == 1


async def test_A1_nobody_reachable_keeps_retrying_every_destination_loudly(
    hearth: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    emu, seed = hearth.emu, hearth.seed
    emu.fail_next("POST", f"/channels/{seed.staff_alerts}/messages", status=403, code=50001, times=1000)
    emu.closed_dms.update({seed.on_call, seed.staff})
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    service = hearth.running.services.crisis

    async def unreached() -> bool:
        incident = await service.incident_if_any(1)
        return incident is not None and incident.unreached_since is not None

    await until(hearth, unreached, "the incident is marked as reaching nobody")
    assert len(errors(caplog, UNREACHED_LOG)) == 1
    shown = await show(hearth)
    assert "NO staff member has been reached" in shown and "50001" in shown and "50007" in shown

    # Every destination is retried with backoff, and each round says so at ERROR.
    first_round = len(posts_to(emu, seed.staff_alerts))
    hearth.clock.advance(seconds=6)
    await hearth.run_due("crisis")
    await hearth.settle()
    assert len(posts_to(emu, seed.staff_alerts)) == first_round + 1
    assert len(errors(caplog, UNREACHED_LOG)) == 2
    assert alert_dms(emu, seed.on_call) == []

    # Once one on-call member can be reached, they get the alert and the retrying stops.
    emu.closed_dms.discard(seed.on_call)
    hearth.clock.advance(seconds=11)
    await hearth.run_due("crisis")
    await emu.wait_for_dm(seed.on_call, lambda m: "hearth:crisis:ack:" in str(m.get("components")))
    await hearth.settle()
    incident = await service.get(1)
    assert incident.unreached_since is None and incident.staff_reached_at is not None
    posted = len(posts_to(emu, seed.staff_alerts))
    hearth.clock.advance(minutes=1)
    await hearth.run_due("crisis")
    await hearth.settle()
    assert len(posts_to(emu, seed.staff_alerts)) == posted
    assert len(alert_dms(emu, seed.on_call)) == 1


# ---------------------------------------------------------------------------------------------- A2


@pytest.mark.parametrize("created", [False, True], ids=["503-not-sent", "503-after-it-was-sent"])
async def test_A2_alert_retry_needs_no_read_message_history(hearth: Harness, created: bool) -> None:
    emu, seed = hearth.emu, hearth.seed
    emu.fail_next("POST", f"/channels/{seed.staff_alerts}/messages", status=503, after_handling=created)
    emu.fail_next("GET", f"/channels/{seed.staff_alerts}/messages", status=403, code=50001, times=1000)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    service = hearth.running.services.crisis

    await until(hearth, alert_failed(hearth), "the first alert attempt failed")
    hearth.clock.advance(seconds=6)
    await hearth.run_due("crisis")
    await hearth.settle()

    assert len(alerts(emu, seed.staff_alerts)) == 1  # delivered, and exactly once
    posts = posts_to(emu, seed.staff_alerts)
    assert len({p.json["nonce"] for p in posts}) == 1 and all(p.json["enforce_nonce"] for p in posts)
    row = next(o for o in await service.outbox(1) if o.kind == "alert")
    assert row.sent_at is not None and row.message_id == int(alerts(emu, seed.staff_alerts)[0]["id"])
    assert (await service.get(1)).alert_message_id == row.message_id


# ---------------------------------------------------------------------------------------------- A3


async def test_A3_person_hears_staff_have_been_told_only_after_an_alert_reached_someone(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    # Riley: the alert fails at first, so nobody on staff knows yet when the resources go out.
    emu.fail_next("POST", f"/channels/{seed.staff_alerts}/messages", status=503)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    dm = await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    body = message_text(dm)
    assert "has been told" not in body and "contacting a staff member" in body and "988" in body
    await until(hearth, alert_failed(hearth), "the first alert attempt failed")
    hearth.clock.advance(seconds=6)
    await hearth.run_due("crisis")
    await wait_alert(hearth)
    await hearth.settle()
    assert len(crisis_dms(emu, seed.participant)) == 1  # the alert got through later: nothing more to say

    # Sam: the alert is out before their resources are (their DM failed once): now it is true.
    # (Written to Hearth by DM, so the DM that fails is the resources.)
    sam_dm = emu.ensure_dm_channel(seed.participant2)["id"]
    emu.fail_next("POST", f"/channels/{sam_dm}/messages", status=503, times=1)
    await emu.send_dm(seed.participant2, IMMINENT)
    await wait_alert(hearth, 2)

    async def retry_failed() -> bool:
        rows = await hearth.running.services.crisis.outbox(2)
        return any(o.kind == "person_notice" and o.last_error for o in rows)

    await until(hearth, retry_failed, "the resources' first attempt failed")
    hearth.clock.advance(seconds=6)
    await hearth.run_due("crisis")
    dm = await emu.wait_for_dm(seed.participant2, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    assert "has been told" in message_text(dm)


async def test_A3_when_nobody_on_staff_can_be_reached_the_person_is_told_to_use_the_resources_now(
    hearth: Harness,
) -> None:
    emu, seed = hearth.emu, hearth.seed
    emu.fail_next("POST", f"/channels/{seed.staff_alerts}/messages", status=403, code=50013, times=1000)
    emu.closed_dms.update({seed.on_call, seed.staff})
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    first = await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    assert "has been told" not in message_text(first)
    followup = await emu.wait_for_dm(seed.participant, lambda m: FOLLOWUP_WORDS in message_text(m))
    body = message_text(followup)
    assert "988" in body and "911" in body and "741741" in body  # the listed resources, again
    assert "kill" not in body.lower() and "tonight" not in body.lower()  # never their words
    assert "secret" not in body.lower() and "confidential" not in body.lower()
    assert followup["mentions"] == [] and followup["mention_roles"] == []
    # Said once, not every retry round.
    hearth.clock.advance(seconds=6)
    await hearth.run_due("crisis")
    await hearth.settle()
    assert sum(FOLLOWUP_WORDS in t for t in dm_texts(emu, seed.participant)) == 1


# ---------------------------------------------------------------------------------------------- A5


@pytest.fixture
async def drill(harness_factory: Harness) -> Any:
    seed = harness_factory.seed
    harness_factory.write_config(
        f"""
[crisis]
escalation_roles = [{seed.escalation_role}]
max_repeats = 1

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


@pytest.mark.parametrize("after", [False, True], ids=["dropped-before-sending", "dropped-after-sending"])
async def test_A5_network_errors_on_every_crisis_send_are_retried(drill: Harness, after: bool) -> None:
    emu, seed = drill.emu, drill.seed
    service = drill.running.services.crisis
    person_dm = int(emu.ensure_dm_channel(seed.participant)["id"])
    on_call_dm = int(emu.ensure_dm_channel(seed.on_call)["id"])
    emu.drop_next("POST", f"/channels/{person_dm}/messages", after_handling=after)
    emu.drop_next("POST", f"/channels/{seed.staff_alerts}/messages", after_handling=after)
    await emu.send_dm(seed.participant, IMMINENT)  # by DM, so the one DM that fails is the resources

    async def both_failed() -> bool:
        rows = await service.outbox(1)
        return any(o.kind == "person_notice" for o in rows) and any(o.kind == "alert" and o.last_error for o in rows)

    await until(drill, both_failed, "the resources and the alert were queued for retry")
    drill.clock.advance(seconds=6)
    await drill.run_due("crisis")
    await wait_alert(drill)
    await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    await drill.settle()
    assert len(crisis_dms(emu, seed.participant)) == 1 and len(alerts(emu, seed.staff_alerts)) == 1
    assert (await service.get(1)).person_notified_at is not None

    # The unacknowledged round: the re-ping and the tier-2 DM both meet a cut connection first.
    emu.drop_next("POST", f"/channels/{seed.staff_alerts}/messages", after_handling=after)
    emu.drop_next("POST", f"/channels/{on_call_dm}/messages", after_handling=after)
    drill.clock.advance(seconds=31)
    await drill.run_due("crisis")
    await drill.settle()
    drill.clock.advance(seconds=6)
    await drill.run_due("crisis")
    await emu.wait_for_message(seed.staff_alerts, lambda m: "escalation 1 of 1" in (m.get("content") or ""))
    await emu.wait_for_dm(seed.on_call, lambda m: "not been acknowledged" in (m.get("content") or ""))
    await drill.settle()
    assert sum("escalation 1 of 1" in (m.get("content") or "") for m in emu.bot_messages(seed.staff_alerts)) == 1
    assert sum("not been acknowledged" in t for t in dm_texts(emu, seed.on_call)) == 1


async def test_A5_dms_closed_fallback_cut_off_is_retried_once(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    emu.closed_dms.add(seed.participant)
    emu.drop_next("POST", f"/channels/{seed.checkins}/threads", after_handling=True)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await wait_alert(hearth)
    service = hearth.running.services.crisis

    async def queued() -> bool:
        return any(o.kind == "person_notice" and o.last_error for o in await service.outbox(1))

    await until(hearth, queued, "the cut-off private thread note was queued for retry")
    hearth.clock.advance(seconds=6)
    await hearth.run_due("crisis")
    await hearth.settle()
    [thread] = private_threads(emu, seed.checkins)  # the retry found the thread the cut-off attempt created
    notes = emu.bot_messages(int(thread["id"]))
    assert len(notes) == 1 and "Only you and the on-call staff" in notes[0]["content"]
    incident = await service.get(1)
    assert incident.person_notified_at is not None and incident.person_notice_via == "thread"


async def test_A5_dms_closed_and_private_thread_refused_falls_back_to_telling_staff(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    emu.closed_dms.add(seed.participant)
    emu.fail_next("POST", f"/channels/{seed.checkins}/threads", status=403, code=50013, times=1000)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    await emu._wait_until(
        lambda: "could not be sent the resources privately"
        in message_text(emu.state.all_messages[int(alert["id"])]),
        10,
    )
    audit = await hearth.running.services.audit.for_subject("crisis", 1)
    assert "resources_undeliverable" in [e.action for e in audit]
    assert (await hearth.running.services.crisis.get(1)).person_notice_via == "undeliverable"
    assert emu.bot_messages(seed.checkins) == []


@pytest.mark.parametrize("after", [False, True], ids=["dropped-before-creating", "dropped-after-creating"])
async def test_A5_support_thread_network_error_is_retried(hearth: Harness, after: bool) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await wait_alert(hearth)
    dm = await emu.wait_for_dm(seed.participant, lambda m: "hearth:crisis:safe:" in str(m.get("components")))
    emu.drop_next("POST", f"/channels/{seed.checkins}/threads", after_handling=after)
    talk = await click(hearth, dm, "hearth:crisis:talk:", seed.participant)
    answer = message_text(await talk.wait_followup())
    assert "private thread" in answer and "988" in answer
    hearth.clock.advance(seconds=6)
    await hearth.run_due("crisis")
    service = hearth.running.services.crisis

    async def opened() -> bool:
        incident = await service.incident_if_any(1)
        return incident is not None and incident.talk_thread_id is not None

    await until(hearth, opened, "the support thread was opened on retry")
    incident = await service.get(1)
    assert incident.talk_thread_id is not None
    threads = [t for t in emu.state.threads.values() if t["name"] == "Support — incident 1"]
    assert len(threads) == 1 and int(threads[0]["id"]) == incident.talk_thread_id
    assert {seed.participant, seed.on_call} <= emu.state.thread_members[incident.talk_thread_id]
