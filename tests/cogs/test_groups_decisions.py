"""Approve/Deny cannot grant what was denied, end to end against the emulator."""

from __future__ import annotations

import asyncio

from tests.cogs.test_groups import create_group, role_ids, run
from tests.harness import Harness
from tests.helpers import reply_text


async def request_dm(hearth: Harness) -> dict[str, object]:
    emu, seed = hearth.emu, hearth.seed
    await run(emu, "join", seed.participant, group="Tuesday Evening SUD")
    return await emu.wait_for_dm(seed.facilitator, lambda m: bool(m.get("components")))


async def test_approve_and_deny_pressed_at_the_same_moment_never_grant_a_denied_request(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    dm = await request_dm(hearth)
    approve, deny = await asyncio.gather(
        emu.click_button(dm, "hearth:groups:approve:1", user_id=seed.facilitator),
        emu.click_button(dm, "hearth:groups:deny:1", user_id=seed.staff),
    )
    await asyncio.gather(approve.wait_response(), deny.wait_response())
    await hearth.settle()
    service = hearth.running.services.groups
    status = (await service.get_request(1)).status
    members = await service.members_of_group(group.id)
    has_role = group.role_id in role_ids(emu, seed.participant)
    assert status in ("approved", "denied")
    if status == "denied":
        assert not has_role and members == []
    else:
        assert has_role and members == [seed.participant]
    answers = [reply_text(approve), reply_text(deny)]
    assert sum("a moment ago" in a for a in answers) == 1, answers


async def test_a_failed_role_grant_undoes_the_approval(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    dm = await request_dm(hearth)
    emu.fail_next(
        "PUT", f"/guilds/{emu.guild_id}/members/{seed.participant}/roles/{group.role_id}", status=403, code=50013
    )
    click = await emu.click_button(dm, "hearth:groups:approve:1", user_id=seed.facilitator)
    await click.wait_response()
    assert "Manage Roles" in reply_text(click)
    service = hearth.running.services.groups
    assert (await service.get_request(1)).status == "pending"
    assert await service.members_of_group(group.id) == []
    assert group.role_id not in role_ids(emu, seed.participant)
    again = await emu.click_button(dm, "hearth:groups:approve:1", user_id=seed.facilitator)
    await again.wait_response()
    assert group.role_id in role_ids(emu, seed.participant)
    assert await service.members_of_group(group.id) == [seed.participant]
