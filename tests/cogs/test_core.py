"""Foundation end to end: the real bot, through the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.harness import Harness


def content_of(handle: Any) -> str:
    messages = handle.all_messages()
    parts = []
    for m in messages:
        parts.append(m.get("content") or "")
        for embed in m.get("embeds") or []:
            parts.append(embed.get("title", "") + "\n" + embed.get("description", ""))
    return "\n".join(parts)


async def test_bot_logs_in_and_syncs_commands_to_the_guild(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    bot = hearth.running
    assert bot.user is not None and bot.user.id == emu.bot_user_id
    guild_commands = {c["name"] for c in emu.state.commands if c.get("guild_id") == str(seed.guild_id)}
    global_commands = {c["name"] for c in emu.state.commands if "guild_id" not in c}
    # DM-capable commands are global; everything else is synced to the program's guild.
    assert {"help", "settings", "privacy"} <= global_commands
    assert guild_commands.isdisjoint(global_commands)
    sync_requests = [r for r in emu.requests if r.method == "PUT" and "/commands" in r.path]
    assert any(f"/guilds/{seed.guild_id}/commands" in r.path for r in sync_requests)


async def test_help_is_ephemeral_and_differs_by_role(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    as_participant = await emu.invoke_slash("help", user_id=seed.participant)
    await as_participant.wait_response()
    as_staff = await emu.invoke_slash("help", user_id=seed.staff)
    await as_staff.wait_response()
    as_outsider = await emu.invoke_slash("help", user_id=seed.outsider)
    await as_outsider.wait_response()
    for handle in (as_participant, as_staff, as_outsider):
        assert handle.ephemeral
    participant_text, staff_text = content_of(as_participant), content_of(as_staff)
    assert "You are a **participant**" in participant_text
    assert "staff** access" in staff_text
    assert "/settings" in participant_text and "/privacy export" in participant_text
    assert "don't have a program role" in content_of(as_outsider)
    staff_only = [line for line in staff_text.splitlines() if line not in participant_text]
    hearth_commands = {c["name"] for c in emu.state.commands}
    if hearth_commands - {"help", "settings", "privacy"}:
        assert staff_only, "staff should see commands a participant does not"


async def test_help_works_in_a_dm(hearth: Harness) -> None:
    handle = await hearth.emu.invoke_slash("help", user_id=hearth.seed.facilitator, dm=True)
    await handle.wait_response()
    assert "peer facilitator" in content_of(handle)


async def test_settings_timezone_stores_and_validates(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    handle = await emu.invoke_slash("settings", user_id=seed.participant, options={"timezone": "europe/berlin"})
    await handle.wait_response()
    assert handle.ephemeral
    assert "Europe/Berlin" in content_of(handle)
    assert (await hearth.running.services.people.timezone_name(seed.participant)).name == "Europe/Berlin"

    bad = await emu.invoke_slash("settings", user_id=seed.participant, options={"timezone": "Europe/Berlim"})
    await bad.wait_response()
    text = content_of(bad)
    assert bad.ephemeral
    assert "**timezone**" in text and "Europe/Berlin" in text  # names the field, suggests the fix
    assert (await hearth.running.services.people.timezone_name(seed.participant)).name == "Europe/Berlin"

    shown = await emu.invoke_slash("settings", user_id=seed.participant)
    await shown.wait_response()
    assert "Europe/Berlin" in content_of(shown)


async def test_timezone_autocomplete_suggests_zones(hearth: Harness) -> None:
    choices = await hearth.emu.invoke_autocomplete(
        "settings", user_id=hearth.seed.participant, focused="timezone", value="chica"
    )
    assert "America/Chicago" in [c["value"] for c in choices]


async def test_echoed_text_cannot_ping(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    handle = await emu.invoke_slash(
        "settings", user_id=seed.participant, options={"timezone": f"@everyone <@{seed.staff}>"}
    )
    await handle.wait_response()
    message = handle.all_messages()[0]
    assert "@everyone" not in message["content"] and f"<@{seed.staff}>" not in message["content"]
    assert message.get("mentions") == [] and message.get("mention_everyone") is False
    callback = next(r for r in emu.requests if r.path.endswith("/callback") and r.json and r.json.get("type") == 4)
    assert callback.json["data"]["allowed_mentions"]["parse"] == []


async def test_privacy_export_returns_a_json_file(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await hearth.running.services.people.set_timezone(seed.participant, "America/Chicago")
    handle = await emu.invoke_slash("privacy", user_id=seed.participant, subcommand="export")
    await handle.wait_followup()
    assert handle.ephemeral
    (name, body), *_ = handle.attachments
    assert name.endswith(".json")
    data = json.loads(body)
    assert data["user_id"] == str(seed.participant)
    assert data["features"]["settings"]["settings"]["timezone"] == "America/Chicago"


async def test_privacy_delete_asks_first_then_deletes(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    people = hearth.running.services.people
    await people.set_timezone(seed.participant, "America/Chicago")
    handle = await emu.invoke_slash("privacy", user_id=seed.participant, subcommand="delete")
    await handle.wait_response()
    assert handle.ephemeral and "cannot be undone" in content_of(handle)
    # Asking deleted nothing.
    assert not (await people.timezone_name(seed.participant)).is_default

    custom_id = f"hearth:privacy:delete:{seed.participant}"
    other = await emu.click_button(None, custom_id, user_id=seed.participant2)
    await other.wait_response()
    assert not (await people.timezone_name(seed.participant)).is_default

    confirm = await emu.click_button(None, custom_id, user_id=seed.participant)
    done = await confirm.wait_original(lambda m: "I deleted" in (m.get("content") or ""))
    assert (await people.timezone_name(seed.participant)).is_default
    assert done.get("components") in (None, [])


async def test_privacy_delete_button_survives_a_restart(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await hearth.running.services.people.set_timezone(seed.participant, "Asia/Tokyo")
    handle = await emu.invoke_slash("privacy", user_id=seed.participant, subcommand="delete")
    await handle.wait_response()
    await hearth.restart()
    confirm = await emu.click_button(None, f"hearth:privacy:delete:{seed.participant}", user_id=seed.participant)
    await confirm.wait_original(lambda m: "I deleted" in (m.get("content") or ""))
    assert (await hearth.running.services.people.timezone_name(seed.participant)).is_default


async def test_a_message_mentioning_the_bot_is_ignored_quietly(hearth: Harness) -> None:
    # The emulator fixture fails the test if discord.py logs an ERROR (e.g. "command not found").
    await hearth.emu.send_message(hearth.seed.general, hearth.seed.participant, f"<@{hearth.emu.bot_user_id}> hi")
    await hearth.settle()
    assert not hearth.emu.bot_messages(hearth.seed.general)


async def test_unexpected_error_gives_an_incident_code(hearth: Harness, monkeypatch: Any, caplog: Any) -> None:
    async def broken(user_id: int) -> Any:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(hearth.running.services.people, "timezone_name", broken)
    handle = await hearth.emu.invoke_slash("settings", user_id=hearth.seed.participant)
    await handle.wait_response()
    text = content_of(handle)
    assert handle.ephemeral and "something went wrong" in text
    code = text.split("**")[1]
    assert code.startswith("E-")
    logged = [r for r in caplog.records if code in r.getMessage()]
    assert logged and logged[0].levelname == "ERROR" and logged[0].name == "bot.ui"
    assert "database on fire" not in text


async def test_the_connected_bot_writes_its_liveness_file(harness_factory: Harness, tmp_path: Path) -> None:
    alive = tmp_path / "alive"
    harness_factory.write_config(f'[health]\nliveness_file = "{alive}"\n')
    await harness_factory.start()
    try:
        await harness_factory.running.scheduler_started.wait()
        await harness_factory.run_due("liveness")
        assert alive.read_text().startswith(harness_factory.clock.now().isoformat()[:16])
    finally:
        await harness_factory.stop()
