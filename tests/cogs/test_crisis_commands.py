"""Staff can always act: /incident ack, resolve and false-alarm, end to end.

The commands do what the alert's buttons do, with the same audit trail, so an incident whose
alert message failed or was deleted can still be closed. A deleted alert is posted again, once,
on its next update.
"""

from __future__ import annotations

from typing import Any

from tests.cogs.test_crisis import IMMINENT, alerts, custom_ids, wait_alert
from tests.emulator import Emulator
from tests.harness import Harness
from tests.helpers import message_text


async def incident_command(hearth: Harness, name: str, user_id: int, **options: Any) -> str:
    handle = await hearth.emu.invoke_slash("incident", user_id=user_id, subcommand=name, options=options)
    await handle.wait_response()
    assert handle.ephemeral
    return message_text(handle.all_messages()[-1])


def current(emu: Emulator, message: dict[str, Any]) -> dict[str, Any]:
    return emu.state.all_messages[int(message["id"])]


async def test_C14_incident_ack_resolve_and_false_alarm_commands(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    service, audit = hearth.running.services.crisis, hearth.running.services.audit
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)

    assert "only for" in await incident_command(hearth, "ack", seed.participant, id=1)
    assert "no incident #7" in await incident_command(hearth, "ack", seed.on_call, id=7)
    assert "#1 acknowledged" in await incident_command(hearth, "ack", seed.on_call, id=1)
    incident = await service.get(1)
    assert incident.status == "acknowledged" and incident.acknowledged_by == seed.on_call
    # The alert message shows it, as after the button.
    await emu._wait_until(lambda: f"Acknowledged by <@{seed.on_call}>" in message_text(current(emu, alert)), 10)
    assert {c.split(":")[2] for c in custom_ids(current(emu, alert))} == {"resolve", "false"}
    assert "already acknowledged" in await incident_command(hearth, "ack", seed.staff, id=1)

    note = "Called her; safe with family tonight"
    assert "#1 resolved" in await incident_command(hearth, "resolve", seed.staff, id=1, note=note)
    incident = await service.get(1)
    assert incident.status == "resolved" and incident.closed_by == seed.staff
    await emu._wait_until(lambda: custom_ids(current(emu, alert)) == [], 10)
    entries = await audit.for_subject("crisis", 1)
    assert [e.action for e in entries] == ["incident_opened", "acknowledged", "resolved"]
    assert entries[-1].reason == note and entries[-1].actor_id == seed.staff
    handle = await emu.invoke_slash("incident", user_id=seed.staff, subcommand="show", options={"id": 1})
    await handle.wait_response()
    assert note in message_text(handle.all_messages()[0])

    await emu.send_message(seed.checkins, seed.participant2, IMMINENT)
    await wait_alert(hearth, 2)
    assert "false alarm" in await incident_command(hearth, "false-alarm", seed.on_call, id=2)
    assert (await service.get(2)).status == "false_alarm"
    assert [e.action for e in await audit.for_subject("crisis", 2)] == ["incident_opened", "false_alarm"]


async def test_C14_deleted_alert_is_posted_again_once_and_the_incident_can_still_be_closed(
    hearth: Harness,
) -> None:
    emu, seed = hearth.emu, hearth.seed
    service = hearth.running.services.crisis
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    await hearth.settle()
    await emu.delete_message(seed.staff_alerts, int(alert["id"]))

    await incident_command(hearth, "ack", seed.on_call, id=1)
    reposted = await wait_alert(hearth)  # the only alert message in the channel now
    assert reposted["id"] != alert["id"] and "posted again" in reposted["content"]
    assert reposted["mention_roles"] == []  # acknowledged: no ping needed
    assert f"Acknowledged by <@{seed.on_call}>" in message_text(reposted)
    await emu._wait_until(lambda: custom_ids(current(emu, reposted)) != [], 10)

    async def points_at_repost() -> bool:
        return (await service.get(1)).alert_message_id == int(reposted["id"])

    for _ in range(200):
        if await points_at_repost():
            break
        await hearth.settle(rounds=1)
    assert await points_at_repost()

    # Deleted again: not re-posted a second time, and closing still works.
    await emu.delete_message(seed.staff_alerts, int(reposted["id"]))
    assert "#1 resolved" in await incident_command(hearth, "resolve", seed.on_call, id=1)
    await hearth.settle()
    hearth.clock.advance(minutes=10)
    await hearth.run_due("crisis")
    await hearth.settle()
    assert alerts(emu, seed.staff_alerts) == []
    assert (await service.get(1)).status == "resolved"
    edits = [o for o in await service.outbox(1) if o.kind == "alert_edit"]
    assert edits[-1].cancelled_at is not None and "deleted again" in (edits[-1].failure or "")


async def test_C14_commands_close_an_incident_whose_alert_never_reached_anyone(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    service = hearth.running.services.crisis
    emu.fail_next("POST", f"/channels/{seed.staff_alerts}/messages", status=403, code=50013, times=1000)
    emu.closed_dms.update({seed.on_call, seed.staff})
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    for _ in range(200):
        incident = await service.incident_if_any(1)
        if incident is not None and incident.unreached_since is not None:
            break
        await hearth.settle(rounds=1)

    assert "#1 resolved" in await incident_command(hearth, "resolve", seed.staff, id=1, note="reached by phone")
    incident = await service.get(1)
    assert incident.status == "resolved" and incident.unreached_since is None
    attempts = len([r for r in emu.requests if r.path == f"/channels/{seed.staff_alerts}/messages"])
    hearth.clock.advance(minutes=10)
    await hearth.run_due("crisis")
    await hearth.settle()
    # Closed: the refused destinations are no longer retried.
    assert len([r for r in emu.requests if r.path == f"/channels/{seed.staff_alerts}/messages"]) == attempts
