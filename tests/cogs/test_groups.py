"""Group channels end to end: the real bot through the emulator."""

from __future__ import annotations

from typing import Any

import discord
from discord import Permissions

from tests.emulator import Emulator
from tests.harness import Harness
from tests.helpers import reply_text

VIEW = Permissions(view_channel=True).value
MEMBER = Permissions(view_channel=True, send_messages=True, read_message_history=True).value
FACILITATOR = Permissions(view_channel=True, send_messages=True, read_message_history=True,
                          manage_messages=True).value
STAFF = Permissions(view_channel=True, read_message_history=True).value
BOT = Permissions(view_channel=True, send_messages=True, read_message_history=True, manage_messages=True,
                  embed_links=True, pin_messages=True).value
SEND = Permissions(send_messages=True).value
READ_ONLY = Permissions(view_channel=True, read_message_history=True).value




async def run(emu: Emulator, sub: str, user_id: int, *, channel_id: int | None = None, **options: Any) -> Any:
    """Run /group <sub> and wait until the bot has answered (deferred answers included)."""
    handle = await emu.invoke_slash("group", user_id=user_id, subcommand=sub, options=options or None,
                                    channel_id=channel_id)
    await handle.wait_response()
    if handle.deferred:
        await handle.wait_followup()
    return handle


async def create_group(hearth: Harness, name: str = "Tuesday Evening SUD", **options: Any) -> dict[str, Any]:
    emu, seed = hearth.emu, hearth.seed
    handle = await run(emu, "create", seed.staff, name=name, **options)
    assert "Created" in reply_text(handle), reply_text(handle)
    group = await hearth.running.services.groups.find(name)
    assert group.channel_id is not None
    return {"handle": handle, "group": group, "channel": emu.state.channels[group.channel_id]}


def overwrite(target: int, kind: int, allow: int, deny: int = 0) -> dict[str, Any]:
    # discord.py sends ids and permission bits as JSON integers; this is the body exactly as received.
    return {"id": target, "type": kind, "allow": allow, "deny": deny}


async def test_create_sends_exact_overwrites_and_pins_guidelines(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    made = await create_group(hearth, facilitator=seed.facilitator, topic="Tuesdays 6pm")
    group = made["group"]
    role_req = next(r for r in emu.requests if r.method == "POST" and r.path.endswith("/roles"))
    assert role_req.json["name"] == "Tuesday Evening SUD"
    channel_req = next(r for r in emu.requests if r.method == "POST" and r.path == f"/guilds/{seed.guild_id}/channels")
    body = channel_req.json
    assert body["name"] == "tuesday-evening-sud"
    assert body["type"] == 0
    assert int(body["parent_id"]) == seed.groups_category
    assert body["topic"] == "Tuesdays 6pm"
    expected = [
        overwrite(seed.guild_id, 0, 0, VIEW),
        overwrite(group.role_id, 0, MEMBER),
        overwrite(seed.staff_role, 0, STAFF),
        overwrite(seed.facilitator, 1, FACILITATOR),
        overwrite(emu.bot_user_id, 1, BOT),
    ]
    assert sorted(body["permission_overwrites"], key=lambda o: o["id"]) == sorted(expected, key=lambda o: o["id"])
    # The guidelines are posted and pinned in the new channel.
    message = await emu.wait_for_message(group.channel_id)
    assert "Community guidelines" in message["embeds"][0]["title"]
    assert int(message["id"]) in emu.state.pins.get(group.channel_id, [])
    assert made["handle"].ephemeral
    assert not emu.problems()


def role_ids(emu: Emulator, user_id: int) -> set[int]:
    return {int(r) for r in emu.state.members[user_id]["roles"]}


async def test_rollback_after_403_half_way(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    roles_before = set(emu.state.roles)
    channels_before = set(emu.state.channels)
    # The role is created, then Discord refuses the channel: the role must be removed again.
    emu.fail_next("POST", f"/guilds/{seed.guild_id}/channels", status=403, code=50013, message="Missing Permissions")
    handle = await run(emu, "create", seed.staff, name="Young Adults MH")
    text = reply_text(handle)
    assert "Manage Channels" in text and "Nothing was left behind" in text
    assert handle.ephemeral
    assert set(emu.state.roles) == roles_before
    assert set(emu.state.channels) == channels_before
    deletes = [r for r in emu.requests if r.method == "DELETE" and "/roles/" in r.path]
    assert len(deletes) == 1
    staff = hearth.running.roles.person(seed.staff, [seed.staff_role])
    assert await hearth.running.services.groups.list_for(staff) == []


async def test_rollback_when_pinning_fails_removes_channel_and_role(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    roles_before, channels_before = set(emu.state.roles), set(emu.state.channels)
    emu.fail_next("PUT", "/channels/*/**", status=403, code=50013, message="Missing Permissions")
    handle = await run(emu, "create", seed.staff, name="Young Adults MH", voice=True)
    assert "Pin Messages" in reply_text(handle)
    assert set(emu.state.roles) == roles_before
    assert set(emu.state.channels) == channels_before
    # Afterwards the same name can be created for real.
    await create_group(hearth, name="Young Adults MH")


async def test_create_validates_before_any_request(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await create_group(hearth, name="Evening Group")
    before = len(emu.requests)
    dup = await run(emu, "create", seed.staff, name="EVENING group")
    assert "**name**" in reply_text(dup) and "ignoring case" in reply_text(dup)
    long_topic = await run(emu, "create", seed.staff, name="Other", topic="x" * 1025)
    assert "**topic**" in reply_text(long_topic) and "1024" in reply_text(long_topic)
    bad_zone = await run(emu, "create", seed.staff, name="Other", timezone="Mars/Olympus")
    assert "**timezone**" in reply_text(bad_zone)
    made = [r for r in emu.requests[before:] if r.method in ("POST", "PUT", "PATCH", "DELETE")
            and "/interactions/" not in r.path and "/webhooks/" not in r.path]
    assert made == []


async def test_participant_cannot_create_or_add(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await create_group(hearth)
    refused = await run(emu, "create", seed.participant, name="Mine")
    assert "only for program staff" in reply_text(refused)
    add = await run(emu, "add", seed.participant, member=seed.participant2, group="Tuesday Evening SUD")
    assert "only for the facilitators" in reply_text(add)
    assert await hearth.running.services.groups.members_of_group(1) == []


async def test_facilitator_of_another_group_is_refused(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await create_group(hearth, name="Group A")
    await create_group(hearth, name="Group B", facilitator=seed.facilitator)
    for sub, options in (
        ("add", {"member": seed.participant, "group": "Group A"}),
        ("info", {"group": "Group A"}),
        ("lock", {"group": "Group A"}),
        ("schedule add", {"group": "Group A", "weekday": "monday", "time": "18:00"}),
    ):
        handle = await run(emu, sub, seed.facilitator, **options)
        assert "only for the facilitators of Group A" in reply_text(handle), (sub, reply_text(handle))
    # ...but on their own group they may act.
    ok = await run(emu, "add", seed.facilitator, member=seed.participant, group="Group B")
    assert "Added" in reply_text(ok)


async def test_add_grants_role_records_membership_and_welcomes(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    made = await create_group(hearth, facilitator=seed.facilitator)
    group = made["group"]
    handle = await run(emu, "add", seed.facilitator, member=seed.participant, group="tuesday evening sud")
    assert "Added" in reply_text(handle)
    assert group.role_id in role_ids(emu, seed.participant)
    dm = await emu.wait_for_dm(seed.participant)
    assert "Welcome to **Tuesday Evening SUD**" in dm["content"]
    service = hearth.running.services.groups
    assert await service.members_of_group(group.id) == [seed.participant]
    refs = await service.groups_of_member(seed.participant)
    assert [r.name for r in refs] == ["Tuesday Evening SUD"]
    # Closed DMs: the member is still added and nothing breaks.
    emu.closed_dms.add(seed.participant2)
    closed = await run(emu, "add", seed.staff, member=seed.participant2, group="Tuesday Evening SUD")
    assert "DMs are closed" in reply_text(closed)
    assert group.role_id in role_ids(emu, seed.participant2)
    # Remove: role taken away, membership ends with a date.
    removed = await run(emu, "remove", seed.facilitator, member=seed.participant, group="Tuesday Evening SUD")
    assert "Removed" in reply_text(removed)
    assert group.role_id not in role_ids(emu, seed.participant)
    memberships = await service.memberships_of(seed.participant)
    assert len(memberships) == 1 and memberships[0].left_at is not None


async def test_facilitator_add_and_remove_change_overwrites(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth))["group"]
    refused = await run(emu, "facilitator add", seed.facilitator, member=seed.facilitator, group=group.name)
    assert "only for program staff" in reply_text(refused)
    handle = await run(emu, "facilitator add", seed.staff, member=seed.facilitator, group=group.name)
    assert "now facilitates" in reply_text(handle)
    put = next(r for r in emu.requests
               if r.method == "PUT" and r.path == f"/channels/{group.channel_id}/permissions/{seed.facilitator}")
    assert put.json == {"id": seed.facilitator, "allow": str(FACILITATOR), "deny": "0", "type": 1}
    assert await hearth.running.services.groups.facilitators_of_group(group.id) == [seed.facilitator]
    handle = await run(emu, "facilitator remove", seed.staff, member=seed.facilitator, group=group.name)
    assert "no longer facilitates" in reply_text(handle)
    assert any(r.method == "DELETE" and r.path == f"/channels/{group.channel_id}/permissions/{seed.facilitator}"
               for r in emu.requests)
    assert await hearth.running.services.groups.facilitators_of_group(group.id) == []


async def test_join_request_approved_after_restart(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    handle = await run(emu, "join", seed.participant, group="Tuesday Evening SUD")
    assert "I'll send you a DM" in reply_text(handle)
    request_dm = await emu.wait_for_dm(seed.facilitator, lambda m: bool(m.get("components")))
    await hearth.restart()
    # A participant cannot approve their own request.
    own = await emu.click_button(request_dm, "hearth:groups:approve:1", user_id=seed.participant)
    await own.wait_response()
    assert "only for the facilitators" in reply_text(own)
    click = await emu.click_button(request_dm, "hearth:groups:approve:1", user_id=seed.facilitator)
    await click.wait_response()
    assert group.role_id in role_ids(emu, seed.participant)
    assert await hearth.running.services.groups.members_of_group(group.id) == [seed.participant]
    edited = emu.state.all_messages[int(request_dm["id"])]
    assert "approved" in edited["content"] and not edited.get("components")
    welcome = await emu.wait_for_dm(seed.participant, lambda m: "Welcome to" in m["content"])
    assert "Tuesday Evening SUD" in welcome["content"]
    again = await run(emu, "join", seed.participant, group="Tuesday Evening SUD")
    assert "already a member" in reply_text(again)


async def test_join_request_denied_tells_requester(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    await run(emu, "join", seed.participant, group="Tuesday Evening SUD")
    twice = await run(emu, "join", seed.participant, group="Tuesday Evening SUD")
    assert "already asked" in reply_text(twice)
    request_dm = await emu.wait_for_dm(seed.facilitator, lambda m: bool(m.get("components")))
    click = await emu.click_button(request_dm, "hearth:groups:deny:1", user_id=seed.facilitator)
    await click.wait_response()
    answer = await emu.wait_for_dm(seed.participant, lambda m: "wasn't approved" in m["content"])
    assert answer["content"]
    assert group.role_id not in role_ids(emu, seed.participant)
    assert await hearth.running.services.groups.members_of_group(group.id) == []


async def test_list_and_info_are_private_and_role_dependent(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await create_group(hearth, name="Group A", facilitator=seed.facilitator)
    await create_group(hearth, name="Group B")
    await run(emu, "add", seed.staff, member=seed.participant, group="Group A")
    staff_list = await run(emu, "list", seed.staff)
    assert staff_list.ephemeral
    assert "Group A" in reply_text(staff_list) and "Group B" in reply_text(staff_list)
    assert "1 member" in reply_text(staff_list)
    mine = await run(emu, "list", seed.participant)
    assert "Group A" in reply_text(mine) and "Group B" not in reply_text(mine)
    assert "member" not in reply_text(mine).replace("Your groups", "")
    info = await run(emu, "info", seed.facilitator, group="Group A")
    assert info.ephemeral
    body = reply_text(info)
    assert f"<@{seed.participant}>" in body and "channel and permissions as expected" in body
    refused = await run(emu, "info", seed.participant, group="Group A")
    assert "only for the facilitators" in reply_text(refused)


async def test_lock_unlock_slowmode_timeout_are_applied_and_audited(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    await run(emu, "add", seed.staff, member=seed.participant, group=group.name)
    # lock in the group's own channel, without naming the group
    await run(emu, "lock", seed.facilitator, channel_id=group.channel_id)
    put = [r for r in emu.requests
           if r.method == "PUT" and r.path == f"/channels/{group.channel_id}/permissions/{group.role_id}"][-1]
    assert put.json == {"id": group.role_id, "allow": str(READ_ONLY), "deny": str(SEND), "type": 0}
    await run(emu, "unlock", seed.facilitator, group=group.name)
    put = [r for r in emu.requests
           if r.method == "PUT" and r.path == f"/channels/{group.channel_id}/permissions/{group.role_id}"][-1]
    assert put.json == {"id": group.role_id, "allow": str(MEMBER), "deny": "0", "type": 0}
    await run(emu, "slowmode", seed.facilitator, seconds=30, group=group.name)
    assert emu.state.channels[group.channel_id]["rate_limit_per_user"] == 30
    handle = await run(emu, "timeout", seed.facilitator, member=seed.participant, minutes=15,
                       reason="<@everyone> spam", group=group.name)
    assert "can't post in **Tuesday Evening SUD** until" in reply_text(handle)
    # A mute in this group's channel only (a member overwrite), never a server-wide Discord timeout.
    put = next(r for r in emu.requests
               if r.method == "PUT" and r.path == f"/channels/{group.channel_id}/permissions/{seed.participant}")
    denied = discord.Permissions(int(put.json["deny"]))
    assert not denied.read_messages and denied.send_messages and denied.add_reactions and put.json["type"] == 1
    assert not any(r.method == "PATCH" and r.path == f"/guilds/{seed.guild_id}/members/{seed.participant}"
                   for r in emu.requests)
    # It ends by itself: the overwrite goes when the time is up.
    hearth.clock.advance(minutes=16)
    await hearth.run_due("group-mutes")
    assert any(r.method == "DELETE" and r.path == f"/channels/{group.channel_id}/permissions/{seed.participant}"
               for r in emu.requests)
    # Facilitators cannot mute staff or on-call members.
    refused_staff = await run(emu, "timeout", seed.facilitator, member=seed.on_call, minutes=5, reason="x",
                              group=group.name)
    assert "can't be muted by facilitators" in reply_text(refused_staff)
    # Refusals: a participant cannot moderate; a non-member cannot be timed out.
    refused = await run(emu, "lock", seed.participant, group=group.name)
    assert "only for the facilitators" in reply_text(refused)
    outsider = await run(emu, "timeout", seed.facilitator, member=seed.outsider, minutes=5, reason="x",
                         group=group.name)
    assert "not a member" in reply_text(outsider)
    log = await hearth.running.services.groups.moderation_log(group.id)
    actions = [e.action for e in log]
    for expected in ("create", "add", "lock", "unlock", "slowmode", "timeout"):
        assert expected in actions
    timeout_entry = next(e for e in log if e.action == "timeout")
    assert timeout_entry.actor_id == seed.facilitator and timeout_entry.target_id == seed.participant
    assert timeout_entry.reason == "<@everyone> spam"


async def test_archive_makes_channel_read_only_and_removes_roles(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    await run(emu, "add", seed.staff, member=seed.participant, group=group.name)
    refused = await run(emu, "archive", seed.facilitator, group=group.name)
    assert "only for program staff" in reply_text(refused)
    handle = await run(emu, "archive", seed.staff, group=group.name)
    assert "archived" in reply_text(handle)
    assert group.role_id not in role_ids(emu, seed.participant)
    overwrites = {int(o["id"]): o for o in emu.state.channels[group.channel_id]["permission_overwrites"]}
    assert int(overwrites[group.role_id]["deny"]) & SEND
    assert int(overwrites[seed.facilitator]["deny"]) & SEND
    service = hearth.running.services.groups
    assert await service.groups_of_member(seed.participant) == []
    assert (await service.find(group.name)).archived
    late = await run(emu, "add", seed.staff, member=seed.participant2, group=group.name)
    assert "archived" in reply_text(late)


async def test_repair_after_channel_deleted_outside_the_bot(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator))["group"]
    await run(emu, "add", seed.staff, member=seed.participant, group=group.name)
    # Someone deletes the channel in Discord's UI: gone from Discord, CHANNEL_DELETE sent.
    gone = emu.state.channels.pop(group.channel_id)
    await emu.dispatch("CHANNEL_DELETE", gone)
    await hearth.settle()
    info = await run(emu, "info", seed.staff, group=group.name)
    assert "channel missing" in reply_text(info)
    before = len(emu.requests)
    handle = await run(emu, "repair", seed.staff, group=group.name)
    assert "recreated the channel" in reply_text(handle)
    repaired = await hearth.running.services.groups.find(group.name)
    assert repaired.channel_id is not None and repaired.channel_id != group.channel_id
    create = next(r for r in emu.requests[before:]
                  if r.method == "POST" and r.path == f"/guilds/{seed.guild_id}/channels")
    expected = [
        overwrite(seed.guild_id, 0, 0, VIEW),
        overwrite(group.role_id, 0, MEMBER),
        overwrite(seed.staff_role, 0, STAFF),
        overwrite(seed.facilitator, 1, FACILITATOR),
        overwrite(emu.bot_user_id, 1, BOT),
    ]
    assert sorted(create.json["permission_overwrites"], key=lambda o: o["id"]) == sorted(
        expected, key=lambda o: o["id"])
    message = await emu.wait_for_message(repaired.channel_id)
    assert int(message["id"]) in emu.state.pins.get(repaired.channel_id, [])
    # Deleted role too: repair recreates it and gives it back to the members.
    role = emu.state.roles.pop(group.role_id)
    for member in emu.state.members.values():
        member["roles"] = [r for r in member["roles"] if int(r) != group.role_id]
    await emu.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(seed.guild_id), "role_id": role["id"]})
    await hearth.settle()
    handle = await run(emu, "repair", seed.staff, group=group.name)
    assert "recreated the role" in reply_text(handle)
    fixed = await hearth.running.services.groups.find(group.name)
    assert fixed.role_id is not None and fixed.role_id != group.role_id
    assert fixed.role_id in role_ids(emu, seed.participant)
    healthy = await run(emu, "repair", seed.staff, group=group.name)
    assert "already healthy" in reply_text(healthy)


async def test_create_with_voice_channel_and_group_zone(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    made = await create_group(hearth, name="Young Adults MH", voice=True, timezone="America/Chicago",
                              facilitator=seed.facilitator)
    group = made["group"]
    assert group.timezone == "America/Chicago" and group.voice_channel_id is not None
    voice_req = next(r for r in emu.requests if r.method == "POST" and r.path == f"/guilds/{seed.guild_id}/channels"
                     and r.json["type"] == 2)
    connect = Permissions(view_channel=True, connect=True, speak=True).value
    overwrites = {o["id"]: o for o in voice_req.json["permission_overwrites"]}
    assert overwrites[seed.guild_id] == overwrite(seed.guild_id, 0, 0, VIEW)
    assert overwrites[group.role_id] == overwrite(group.role_id, 0, connect)
    assert emu.state.channels[group.voice_channel_id]["type"] == 2
    assert "Voice channel" in reply_text(made["handle"])
