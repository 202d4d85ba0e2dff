"""Who may speak to whom, end to end against the emulator."""

from __future__ import annotations

from tests.cogs.test_milestones import celebrate_id, celebrations_in, dms, milestone, settings
from tests.harness import Harness
from tests.helpers import reply_text


async def community_celebration(hearth: Harness) -> dict[str, object]:
    await settings(hearth, hearth.seed.participant, milestone_visibility="community")
    await milestone(hearth, "set", date="2026-03-01")
    await hearth.run_due("milestones")
    [post] = celebrations_in(hearth.emu, hearth.seed.celebrations)
    return post


async def test_celebrate_needs_a_program_role(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    post = await community_celebration(hearth)
    refused = await emu.click_button(post, celebrate_id(post), user_id=seed.outsider)
    await refused.wait_response()
    assert refused.ephemeral and "only for" in reply_text(refused)
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM milestone_cheers") == 0


async def test_encouragement_shows_where_a_link_goes(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    post = await community_celebration(hearth)
    cheer = await emu.click_button(post, celebrate_id(post), user_id=seed.participant2)
    await cheer.wait_response()
    words = "so proud! [watch this](https://evil.example/x) you've got this"
    submitted = await emu.submit_modal(cheer.modal["custom_id"], {"words": words}, user_id=seed.participant2)
    await submitted.wait_response()
    dm = await emu.wait_for_dm(seed.participant, lambda m: "encouragement" in (m.get("content") or ""))
    assert "[watch this](" not in dm["content"]
    assert "watch this (<https://evil.example/x>)" in dm["content"]
    assert any("so proud" in d for d in dms(emu, seed.participant))


async def test_group_add_takes_only_participants_and_facilitators(hearth: Harness) -> None:
    from tests.cogs.test_groups import create_group, role_ids, run
    from tests.helpers import reply_text as group_text

    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    refused = await run(emu, "add", seed.facilitator, member=seed.outsider, group=group.name)
    assert "neither the participant nor the facilitator role" in group_text(refused)
    assert group.role_id not in role_ids(emu, seed.outsider)
    added = await run(emu, "add", seed.facilitator, member=seed.participant, group=group.name)
    assert "Added" in group_text(added)


async def test_one_worried_report_per_reporter_per_person_per_day(hearth: Harness) -> None:
    from tests.helpers import message_text as crisis_text

    emu, seed = hearth.emu, hearth.seed
    bot = hearth.running
    staff = bot.roles.person(seed.staff, [seed.staff_role])
    groups = bot.services.groups
    handle = await emu.invoke_slash("group", user_id=seed.staff, subcommand="create", options={"name": "Tuesday SUD"})
    await handle.wait_response()
    if handle.deferred:
        await handle.wait_followup()
    group = await groups.find("Tuesday SUD")
    for member in (seed.participant, seed.participant2):
        await groups.add_member(staff, group, member)
    await groups.add_facilitator(staff, group, seed.facilitator)
    assert group.channel_id is not None
    message = await emu.send_message(group.channel_id, seed.participant, "rough week, not sleeping")

    async def worried() -> str:
        handle = await emu.invoke_message_command(
            "I'm worried about this person", user_id=seed.participant2, message=message
        )
        await handle.wait_response()
        await handle.wait_followup()
        return crisis_text(handle.all_messages()[-1])

    assert "not shared" in await worried()
    await emu.wait_for_dm(seed.facilitator, lambda m: "worried about" in (m.get("content") or ""))
    assert "already with their group's facilitators" in await worried()
    await hearth.settle()
    notes = [m for m in emu.bot_messages(emu.state.dm_channels[seed.facilitator]) if "worried about" in m["content"]]
    assert len(notes) == 1
    hearth.clock.advance(days=1, minutes=1)
    assert "not shared" in await worried()


async def test_join_autocomplete_offers_only_groups_open_to_the_caller(hearth: Harness) -> None:
    from tests.cogs.test_groups import create_group, run

    emu, seed = hearth.emu, hearth.seed
    for name in ("Group Mine", "Group Asked", "Group Locked", "Group Open"):
        await create_group(hearth, name=name, facilitator=seed.facilitator)
    await run(emu, "add", seed.facilitator, member=seed.participant, group="Group Mine")
    await run(emu, "join", seed.participant, group="Group Asked")
    await run(emu, "lock", seed.facilitator, group="Group Locked")
    choices = await emu.invoke_autocomplete(
        "group", user_id=seed.participant, subcommand="join", focused="group", value="Group", channel_id=seed.general
    )
    assert [c["name"] for c in choices] == ["Group Open"]


async def test_group_list_pages_instead_of_stopping_at_fifty(hearth: Harness) -> None:
    from bot.services.groups import GroupSummary
    from cogs.groups._embeds import list_embed
    from tests.cogs.test_groups import create_group

    # 60 summaries built from one real row, to check the paging alone.
    group = (await create_group(hearth, name="Solo"))["group"]
    summaries = [GroupSummary(group, 3, ()) for _ in range(60)]
    first = list_embed(summaries, staff=True, page=1)
    third = list_embed(summaries, staff=True, page=3)
    assert first.footer.text == "Page 1 of 3 (60 groups) — next: /group list page:2"
    assert third.footer.text == "Page 3 of 3 (60 groups)"
    assert (third.description or "").count("**Solo**") == 10
