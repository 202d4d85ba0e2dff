"""Drills and figures: a practice incident runs the whole chain, pagers flagged, apart in
the stats; end to end against the emulator and the local fake pager server."""

from __future__ import annotations

import json

from tests.cogs.test_crisis import IMMINENT, alerts, click, crisis_dms, wait_alert
from tests.cogs.test_paging import FakePagers, paged, pagers, wait_for  # noqa: F401 fixtures
from tests.harness import Harness
from tests.helpers import message_text


async def incident_command(hearth: Harness, sub: str, user_id: int, **options: object) -> str:
    handle = await hearth.emu.invoke_slash("incident", user_id=user_id, subcommand=sub, options=options)
    await handle.wait_response()
    return message_text(handle.all_messages()[-1])


async def test_a_drill_reaches_every_destination_flagged_and_stays_out_of_real_figures(
    paged: Harness, pagers: FakePagers  # noqa: F811
) -> None:
    emu, seed = paged.emu, paged.seed
    refused = await incident_command(paged, "drill", seed.participant)
    assert "only for" in refused
    started = await incident_command(paged, "drill", seed.staff, severity="imminent")
    assert "Drill incident #1 started" in started
    alert = await wait_alert(paged)
    assert "DRILL" in alert["content"] and "DRILL" in message_text(alert)
    await wait_for(paged, lambda: len(pagers.hooks) == 1, "the webhook trigger")
    assert json.loads(pagers.hooks[0][1])["drill"] is True
    paged.clock.advance(seconds=31)  # not acknowledged: round 1, PagerDuty joins
    await paged.run_due("crisis")
    await wait_for(paged, lambda: len(pagers.events) == 1, "the PagerDuty trigger")
    assert pagers.events[0]["payload"]["custom_details"]["drill"] is True
    assert pagers.events[0]["payload"]["summary"].startswith("[DRILL]")
    assert crisis_dms(emu, seed.staff) == []  # nobody was sent crisis resources
    await click(paged, alert, "hearth:crisis:ack:", seed.on_call)
    await click(paged, emu.state.all_messages[int(alert["id"])], "hearth:crisis:resolve:", seed.on_call)

    # A real incident, for contrast.
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await wait_alert(paged, 2)
    stats = await incident_command(paged, "stats", seed.staff, days=7)
    real, _, drills = stats.partition("**Drills**")
    assert "**Real incidents** (last 7 days): 1 — 1 imminent" in real
    assert "(last 7 days): 1 — 1 imminent" in drills and "1 resolved" in drills
    assert "Reached an escalation (not acknowledged in time): 1" in drills
    assert str(seed.participant) not in stats and "kill" not in stats.lower()
    assert len(alerts(emu, seed.staff_alerts)) == 2


async def test_hand_off_moves_the_incident_and_its_reminder(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    refused = await incident_command(hearth, "handoff", seed.on_call, id=1, member=seed.staff, note="over to you")
    assert "only an acknowledged incident" in refused
    await click(hearth, alert, "hearth:crisis:ack:", seed.on_call)
    to_participant = await incident_command(hearth, "handoff", seed.on_call, id=1, member=seed.participant,
                                            note="x")
    assert "staff or on-call member" in to_participant
    done = await incident_command(hearth, "handoff", seed.on_call, id=1, member=seed.staff,
                                  note="family is with her; call back at 6")
    assert "now held by" in done
    incident = await hearth.running.services.crisis.get(1)
    assert incident.held_by == seed.staff and incident.acknowledged_by == seed.on_call
    await hearth.settle()
    assert f"Held by <@{seed.staff}>" in message_text(emu.state.all_messages[int(alert["id"])])
    audit = await hearth.running.services.audit.for_subject("crisis", 1)
    handed = next(e for e in audit if e.action == "handed_off")
    assert handed.actor_id == seed.on_call and handed.target_id == seed.staff
    hearth.clock.advance(minutes=121)
    await hearth.run_due("crisis")
    reminder = await emu.wait_for_message(seed.staff_alerts, lambda m: "reminder" in (m.get("content") or ""))
    assert [u["id"] for u in reminder["mentions"]] == [str(seed.staff)]
