"""Startup self-check and `python -m bot doctor`, against the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest
from aiohttp import web

from bot.clock import ManualClock
from tests.cogs.test_process import REPO
from tests.emulator import Emulator
from tests.harness import Harness, Seed, config_text, seed_guild

WITHOUT_EMBED_LINKS = discord.Permissions.all().value & ~discord.Permissions(administrator=True).value & ~(
    discord.Permissions(embed_links=True).value
)


ALL_BUT_ADMINISTRATOR = discord.Permissions.all().value & ~discord.Permissions(administrator=True).value


def deny_in_staff_alerts(emu: Emulator, seed: Seed, **denied: bool) -> None:
    """The bot is no administrator, and an overwrite on its role denies these in the staff alerts channel."""
    emu.state.roles[emu.bot_role_id]["permissions"] = str(ALL_BUT_ADMINISTRATOR)
    channel = emu.state.channels[seed.staff_alerts]
    channel["permission_overwrites"] = [
        *channel.get("permission_overwrites", []),
        {"id": str(emu.bot_role_id), "type": 0, "allow": "0", "deny": str(discord.Permissions(**denied).value)},
    ]


async def self_check_lines(hearth: Harness, caplog: pytest.LogCaptureFixture, last: str) -> list[logging.LogRecord]:
    """The self-check's log records, once one containing ``last`` has been logged."""
    for _ in range(200):
        records = [r for r in caplog.records if r.getMessage().startswith("self-check: ")]
        if any(last in r.getMessage() for r in records):
            return records
        await hearth.settle(rounds=1)
    raise AssertionError(f"no self-check line with {last!r}: {[r.getMessage() for r in caplog.records]}")


def break_setup(emu: Emulator, on_call_member: int, on_call_role: int) -> None:
    """The bot may not embed links anywhere, and nobody holds the on-call role."""
    emu.state.roles[emu.bot_role_id]["permissions"] = str(WITHOUT_EMBED_LINKS)
    member = emu.state.members[on_call_member]
    member["roles"] = [r for r in member["roles"] if int(r) != on_call_role]


async def test_C16_a_sound_setup_logs_ok_and_posts_nothing(
    harness_factory: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await harness_factory.start()
    try:
        for _ in range(100):
            if any("self-check: crisis path OK" in r.getMessage() for r in caplog.records):
                break
            await harness_factory.settle(rounds=1)
        else:
            raise AssertionError("no self-check line")
        assert harness_factory.emu.bot_messages(harness_factory.seed.staff_alerts) == []
    finally:
        await harness_factory.stop()


async def test_C16_broken_crisis_path_is_logged_at_error_and_told_to_staff(
    harness_factory: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    emu, seed = harness_factory.emu, harness_factory.seed
    break_setup(emu, seed.on_call, seed.on_call_role)
    await harness_factory.start()
    try:
        message = await emu.wait_for_message(seed.staff_alerts, lambda m: "self-check" in (m.get("content") or ""))
        assert "CRISIS PATH IS NOT SOUND" in message["content"]
        assert f"channels.staff_alerts {seed.staff_alerts}: the bot lacks Embed Links" in message["content"]
        assert f"roles.on_call {seed.on_call_role}: nobody has this role" in message["content"]
        assert message["mention_roles"] == [] and message["mentions"] == []
        errors = [
            r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and "self-check" in r.getMessage()
        ]
        assert len(errors) == 2
    finally:
        await harness_factory.stop()


async def test_C16_when_the_staff_channel_refuses_staff_get_the_findings_by_dm(harness_factory: Harness) -> None:
    emu, seed = harness_factory.emu, harness_factory.seed
    break_setup(emu, seed.on_call, seed.on_call_role)
    emu.fail_next("POST", f"/channels/{seed.staff_alerts}/messages", status=403, code=50001, times=5)
    await harness_factory.start()
    try:
        for staff in (seed.staff, seed.on_call):
            dm = await emu.wait_for_dm(staff, lambda m: "self-check" in (m.get("content") or ""))
            assert "CRISIS PATH IS NOT SOUND" in dm["content"]
    finally:
        await harness_factory.stop()


async def test_C16_a_staff_channel_the_bot_cannot_see_is_not_posted_in_staff_get_dms(
    harness_factory: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    emu, seed = harness_factory.emu, harness_factory.seed
    deny_in_staff_alerts(emu, seed, view_channel=True)
    await harness_factory.start()
    try:
        for staff in (seed.staff, seed.on_call):
            dm = await emu.wait_for_dm(staff, lambda m: "self-check" in (m.get("content") or ""))
            assert f"channels.staff_alerts {seed.staff_alerts}: the bot lacks View Channel" in dm["content"]
            assert dm["mentions"] == [] and dm["mention_roles"] == []
        await self_check_lines(harness_factory, caplog, "sent by DM to 2 staff member(s)")
        assert emu.bot_messages(seed.staff_alerts) == []  # not even tried: the check knew
    finally:
        await harness_factory.stop()


async def test_C16_an_on_call_role_nobody_can_ping_in_the_staff_channel_is_a_crisis_finding(
    harness_factory: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The role is not mentionable, and Mention Everyone is denied where alerts are posted."""
    caplog.set_level(logging.INFO)
    emu, seed = harness_factory.emu, harness_factory.seed
    assert emu.state.roles[seed.on_call_role]["mentionable"] is False
    deny_in_staff_alerts(emu, seed, mention_everyone=True)
    await harness_factory.start()
    try:
        message = await emu.wait_for_message(seed.staff_alerts, lambda m: "self-check" in (m.get("content") or ""))
        assert f"roles.on_call {seed.on_call_role}: the role cannot be pinged" in message["content"]
        records = await self_check_lines(harness_factory, caplog, "cannot be pinged")
        assert [r.levelno for r in records if "cannot be pinged" in r.getMessage()] == [logging.ERROR]
    finally:
        await harness_factory.stop()


async def test_C16_with_a_rota_the_on_call_role_is_judged_by_who_is_on_call_now(
    harness_factory: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """On start the role is empty, but the rota is about to give it to Casey: no false alarm."""
    caplog.set_level(logging.INFO)
    emu, seed = harness_factory.emu, harness_factory.seed
    member = emu.state.members[seed.on_call]
    member["roles"] = [r for r in member["roles"] if int(r) != seed.on_call_role]
    harness_factory.clock = ManualClock(datetime(2026, 3, 6, 21, 30, tzinfo=UTC))  # Friday 16:30 in New York
    harness_factory.write_config(
        f"""
[oncall]
timezone = "America/New_York"

[[oncall.shifts]]
days = "daily"
start = "09:00"
end = "17:00"
members = [{seed.on_call}]
"""
    )
    await harness_factory.start()
    try:
        records = await self_check_lines(harness_factory, caplog, "crisis path OK")
        assert [r.getMessage() for r in records] == ["self-check: crisis path OK"]
    finally:
        await harness_factory.stop()


async def run_doctor(
    emu: Emulator, tmp_path: Path, edit: Callable[[str], str] = lambda text: text
) -> tuple[int, str, str]:
    seed = seed_guild(emu)
    config = tmp_path / "config.toml"
    config.write_text(edit(config_text(emu, seed, tmp_path / "hearth.sqlite3")))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "doctor", "--config", str(config),
        cwd=REPO, env={**os.environ, "HEARTH_TEST_TOKEN": emu.token},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_C16_doctor_exits_0_on_a_sound_setup(emulator: Emulator, tmp_path: Path) -> None:
    code, out, err = await run_doctor(emulator, tmp_path)
    assert code == 0, err
    assert "crisis path OK" in out and "Traceback" not in err


async def test_C16_doctor_exits_1_and_says_what_is_wrong(emulator: Emulator, tmp_path: Path) -> None:
    emulator.state.roles[emulator.bot_role_id]["permissions"] = str(WITHOUT_EMBED_LINKS)
    code, out, err = await run_doctor(emulator, tmp_path)
    assert code == 1, err
    assert "CRISIS PATH IS NOT SOUND" in out and "the bot lacks Embed Links" in out and "Traceback" not in err


@contextlib.asynccontextmanager
async def not_discord() -> AsyncIterator[str]:
    """Some other web server (every path 404), as when discord.api_base has a typo."""
    runner = web.AppRunner(web.Application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}/api/v10"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("where", ["unreachable", "not-discord"])
async def test_C16_doctor_that_cannot_use_discord_says_so_in_one_line_and_exits_2(
    emulator: Emulator, tmp_path: Path, where: str
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        if where == "unreachable":
            base, says = "http://127.0.0.1:9/api/v10", "error: cannot reach Discord: 127.0.0.1:9"  # nobody on port 9
        else:
            base, says = await stack.enter_async_context(not_discord()), "error: Discord answered HTTP 404"
        code, out, err = await run_doctor(emulator, tmp_path, lambda text: text.replace(emulator.api_base, base))
    assert code == 2, (out, err)
    assert out == "" and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(says), err
