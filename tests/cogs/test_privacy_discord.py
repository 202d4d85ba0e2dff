"""Issue 12 items 1 and 2, end to end: what Hearth put in Discord about a person goes with their /privacy delete.

Group roles are taken away before the memberships are forgotten (a refusal is retried), DMs to facilitators about
the person are deleted (or edited to "Removed at the person's request." where Discord refuses), and staff alerts
of closed incidents drop the excerpt, on deletion and on the retention purge.
"""

from __future__ import annotations

from typing import Any

from tests.cogs.test_checkins import make_group
from tests.cogs.test_checkins_pulse import low
from tests.cogs.test_crisis import IMMINENT, wait_alert
from tests.cogs.test_groups import role_ids
from tests.cogs.test_privacy_posts import delete_my_data
from tests.harness import Harness
from tests.helpers import message_text

REMOVED = "Removed at the person's request."


def message(hearth: Harness, message_id: Any) -> dict[str, Any] | None:
    return hearth.emu.state.all_messages.get(int(message_id))


async def close_incident(hearth: Harness, incident_id: int) -> None:
    seed = hearth.seed
    on_call = hearth.running.roles.person(seed.on_call, [seed.staff_role, seed.on_call_role])
    await hearth.running.services.crisis.close(incident_id, on_call, false_alarm=False, refresh_alert=True)
    await hearth.run_due("crisis")


async def test_a_refused_role_removal_is_retried_and_the_membership_kept_until_the_role_is_gone(
    hearth: Harness,
) -> None:
    """Item 1 with item 2: the groups part fails once (Discord 503 on the role), is said, queued and retried."""
    emu, seed = hearth.emu, hearth.seed
    uid = seed.participant
    channel_id = await make_group(hearth, "Tuesday Evening", members=[uid])
    groups = hearth.running.services.groups
    group = await groups.find("Tuesday Evening")
    assert group.role_id in role_ids(emu, uid) and group.channel_id == channel_id

    emu.fail_next("DELETE", f"/guilds/{seed.guild_id}/members/{uid}/roles/{group.role_id}", status=503)
    text = await delete_my_data(hearth, uid)
    assert "Your groups data could not be deleted just now" in text and "group roles" in text
    assert "tries again automatically" in text
    # Hearth has not forgotten a membership whose role Discord still shows.
    assert group.role_id in role_ids(emu, uid)
    assert await groups.member_ids(group.id) == [uid]
    exported = await hearth.running.services.data_rights.export(uid)
    assert exported.features["deletion_log"]["deletions_being_retried"] == ["groups"]

    hearth.clock.advance(minutes=1)
    await hearth.run_due("deletion-retries")
    assert group.role_id not in role_ids(emu, uid)
    assert await groups.member_ids(group.id) == []
    assert await hearth.running.services.deletion_retries.next_due() is None


async def test_facilitator_dms_about_the_person_are_deleted_or_edited(hearth: Harness) -> None:
    """A check-in concern notice is deleted; a peer-concern note Discord will not delete is edited instead, once
    the incident it belongs to is closed (it is kept while staff follow up)."""
    emu, seed = hearth.emu, hearth.seed
    uid, fac = seed.participant, seed.facilitator
    services = hearth.running.services
    channel_id = await make_group(hearth, "Morning Circle", members=[uid, seed.participant2], facilitator=fac)
    for _ in range(3):
        await low(hearth, uid)
    notice = await emu.wait_for_dm(fac, lambda m: "Check-in notice" in m["content"])
    posted = await emu.send_message(channel_id, uid, "rough week, not sleeping")
    worried = await emu.invoke_message_command("I'm worried about this person", user_id=seed.participant2,
                                               message=posted)
    await worried.wait_response()
    note = await emu.wait_for_dm(fac, lambda m: "worried about" in (m.get("content") or ""))

    emu.fail_next("DELETE", f"/channels/{note['channel_id']}/messages/{note['id']}", status=403, code=50013)
    text = await delete_my_data(hearth, uid)
    assert message(hearth, notice["id"]) is None  # the concern notice is gone
    assert "open safety incident" in text
    kept = message(hearth, note["id"])
    assert kept is not None and f"<@{uid}>" in kept["content"]  # the open incident's note waits for its close

    await close_incident(hearth, 1)
    await hearth.run_due("discord-cleanup")
    edited = message(hearth, note["id"])
    assert edited is not None and edited["content"] == REMOVED and not edited.get("embeds")
    assert await services.discord_cleanup.waiting_for(uid) == 0


async def test_closed_incident_alert_drops_the_excerpt_on_deletion(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    uid = seed.participant
    services = hearth.running.services
    await emu.send_message(seed.checkins, uid, IMMINENT)
    alert = await wait_alert(hearth)
    assert "kill myself" in message_text(alert)
    await close_incident(hearth, 1)
    assert "kill myself" in message_text(message(hearth, alert["id"]) or {})  # closed, not yet deleted: kept

    text = await delete_my_data(hearth, uid)
    assert "excerpt of your message was removed" in text
    await hearth.run_due("crisis")
    after = message(hearth, alert["id"])
    assert after is not None and "Excerpt" not in message_text(after) and "kill" not in message_text(after)
    assert "incident #1" in message_text(after)  # the metadata stays
    assert (await services.crisis.get(1)).excerpt is None


async def test_retention_purge_drops_the_excerpt_from_the_alert(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(hearth)
    await close_incident(hearth, 1)
    assert "kill myself" in message_text(message(hearth, alert["id"]) or {})
    hearth.clock.advance(days=366)
    await hearth.run_due("crisis-retention")
    assert await hearth.running.services.crisis.incident_if_any(1) is None
    await hearth.run_due("discord-cleanup")
    after = message(hearth, alert["id"])
    assert after is not None and "Excerpt" not in message_text(after) and "kill" not in message_text(after)
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM discord_cleanup") == 0


async def test_dms_closed_thread_note_about_the_person_is_deleted(hearth: Harness) -> None:
    """DMs closed: the resources went to a private thread with on-call staff; that note goes with the deletion."""
    from tests.cogs.test_crisis import private_threads

    emu, seed = hearth.emu, hearth.seed
    uid = seed.participant
    emu.closed_dms.add(uid)
    await emu.send_message(seed.checkins, uid, IMMINENT)
    await wait_alert(hearth)
    await emu._wait_until(lambda: len(private_threads(emu, seed.checkins)) == 1, 10)
    [thread] = private_threads(emu, seed.checkins)
    note = await emu.wait_for_message(int(thread["id"]))
    await hearth.settle()
    await close_incident(hearth, 1)
    await delete_my_data(hearth, uid)
    assert message(hearth, note["id"]) is None
