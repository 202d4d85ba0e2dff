"""Who may speak to whom (issue 12, item 7), end to end against the emulator."""

from __future__ import annotations

from tests.cogs.test_milestones import celebrate_id, celebrations_in, dms, milestone, settings, text_of
from tests.harness import Harness


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
    assert refused.ephemeral and "only for" in text_of(refused)
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
    from tests.cogs.test_groups import text_of as group_text

    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    refused = await run(emu, "add", seed.facilitator, member=seed.outsider, group=group.name)
    assert "neither the participant nor the facilitator role" in group_text(refused)
    assert group.role_id not in role_ids(emu, seed.outsider)
    added = await run(emu, "add", seed.facilitator, member=seed.participant, group=group.name)
    assert "Added" in group_text(added)
