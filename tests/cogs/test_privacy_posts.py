"""/privacy delete also removes what Hearth posted about the person in the server."""

from __future__ import annotations

from typing import Any

from tests.cogs.test_checkins import checkin, make_group, rows
from tests.cogs.test_milestones import milestone, settings
from tests.harness import Harness


async def test_delete_removes_shared_checkins_and_public_celebrations(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    uid = seed.participant
    group_channel = await make_group(hearth, "Thursday Morning", members=[uid])
    submitted = await checkin(hearth, uid, {"mood": "6", "cravings": "", "sleep": "", "note": "ok day"})
    share = await emu.click_button(
        submitted.followups[-1] if submitted.followups else None,
        f"hearth:checkins:share:{(await rows(hearth, uid))[0]['id']}", user_id=uid,
    )
    await share.wait_response()
    shared = await emu.wait_for_message(group_channel, lambda m: "checked in today" in m["content"])

    await settings(hearth, uid, milestone_visibility="community")
    await milestone(hearth, "set", date="2026-03-01")
    await hearth.run_due("milestones")
    celebration = await emu.wait_for_message(seed.celebrations, lambda m: bool(m.get("embeds")))
    # Someone else's post in the same channel must stay.
    await emu.send_message(group_channel, seed.participant2, "welcome everyone")

    asked = await emu.invoke_slash("privacy", user_id=uid, subcommand="delete")
    await asked.wait_response()
    confirm = await emu.click_button(None, f"hearth:privacy:delete:{uid}", user_id=uid)
    done = await confirm.wait_original(lambda m: "I deleted" in (m.get("content") or ""))

    assert "removed 2 message(s)" in done["content"]
    remaining = {m["id"] for m in emu.state.messages[group_channel]} | {
        m["id"] for m in emu.state.messages[seed.celebrations]
    }
    assert shared["id"] not in remaining and celebration["id"] not in remaining
    assert any(m["content"] == "welcome everyone" for m in emu.state.messages[group_channel])
    deletes = [r for r in emu.requests if r.method == "DELETE" and "/messages/" in r.path]
    assert {r.path for r in deletes} == {
        f"/channels/{group_channel}/messages/{shared['id']}",
        f"/channels/{seed.celebrations}/messages/{celebration['id']}",
    }


async def delete_my_data(hearth: Harness, uid: int) -> str:
    """/privacy delete and its confirmation, as the person; returns the reply."""
    asked = await hearth.emu.invoke_slash("privacy", user_id=uid, subcommand="delete")
    await asked.wait_response()
    confirm = await hearth.emu.click_button(None, f"hearth:privacy:delete:{uid}", user_id=uid)
    done = await confirm.wait_original(lambda m: "I deleted" in (m.get("content") or ""))
    return str(done["content"])


async def celebrated(hearth: Harness, uid: int) -> dict[str, Any]:
    await settings(hearth, uid, milestone_visibility="community")
    await milestone(hearth, "set", date="2026-03-01")
    await hearth.run_due("milestones")
    return await hearth.emu.wait_for_message(hearth.seed.celebrations, lambda m: bool(m.get("embeds")))


async def test_a_post_discord_will_not_delete_is_edited_to_say_it_was_removed(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    uid = seed.participant
    celebration = await celebrated(hearth, uid)
    emu.fail_next("DELETE", f"/channels/{seed.celebrations}/messages/*", status=403, code=50013)
    text = await delete_my_data(hearth, uid)
    assert "now only say \"Removed at the person's request.\"" in text and "Not deleted yet" not in text
    edited = next(m for m in emu.state.messages[seed.celebrations] if m["id"] == celebration["id"])
    assert edited["content"] == "Removed at the person's request." and not edited.get("embeds")
    assert (await hearth.running.services.milestones.list_counters(uid)) == []


async def test_a_post_discord_cannot_remove_now_is_retried_until_it_is_gone(hearth: Harness) -> None:
    """Issue 12 items 1 and 2: a Discord-side removal that fails (503) is queued, said, and retried."""
    emu, seed = hearth.emu, hearth.seed
    uid = seed.participant
    celebration = await celebrated(hearth, uid)
    emu.fail_next("DELETE", f"/channels/{seed.celebrations}/messages/*", status=503)
    text = await delete_my_data(hearth, uid)
    assert "1 message(s) about you could not be removed from Discord just now" in text
    assert "tries again automatically" in text
    assert celebration["id"] in {m["id"] for m in emu.state.messages[seed.celebrations]}
    services = hearth.running.services
    assert (await services.data_rights.export(uid)).features["deletion_log"]["discord_messages_still_to_remove"] == 1
    hearth.clock.advance(minutes=2)
    await hearth.run_due("discord-cleanup")
    assert celebration["id"] not in {m["id"] for m in emu.state.messages[seed.celebrations]}
    assert await services.discord_cleanup.waiting_for(uid) == 0


def test_the_reply_says_a_failed_part_is_retried_not_forgotten() -> None:
    from bot.privacy import DeletionResult
    from cogs.privacy import render_deletion

    text = render_deletion([DeletionResult("checkins", 0, failed=True), DeletionResult("milestones", 3)])
    assert "checkins" in text and "tries again automatically" in text and "3 record(s)" in text


async def test_delete_takes_away_group_roles_and_the_join_request_dms_about_the_person(hearth: Harness) -> None:
    """Issue 12, item 2: after /privacy delete nobody keeps reading a private group channel Hearth forgot, and
    facilitators' DMs about the person's join request are gone."""
    from tests.cogs.test_groups import create_group, role_ids, run

    emu, seed = hearth.emu, hearth.seed
    uid = seed.participant
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    await run(emu, "join", uid, group="Tuesday Evening SUD")
    request_dm = await emu.wait_for_dm(seed.facilitator, lambda m: bool(m.get("components")))
    approved = await emu.click_button(request_dm, "hearth:groups:approve:1", user_id=seed.facilitator)
    await approved.wait_response()
    assert group.role_id in role_ids(emu, uid)

    asked = await emu.invoke_slash("privacy", user_id=uid, subcommand="delete")
    await asked.wait_response()
    confirm = await emu.click_button(None, f"hearth:privacy:delete:{uid}", user_id=uid)
    done = await confirm.wait_original(lambda m: "I deleted" in (m.get("content") or ""))
    assert group.role_id not in role_ids(emu, uid)
    assert int(request_dm["id"]) not in {int(m["id"]) for m in emu.state.messages[int(request_dm["channel_id"])]}
    assert await hearth.running.services.groups.members_of_group(group.id) == []
    assert "could not" not in done["content"] and "took away 1 group role(s)" in done["content"]
