"""Startup self-check and `python -m bot doctor` (issue 10, item C16), against the emulator."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import discord
import pytest

from tests.cogs.test_process import REPO
from tests.emulator import Emulator
from tests.harness import Harness, config_text, seed_guild

WITHOUT_EMBED_LINKS = discord.Permissions.all().value & ~discord.Permissions(administrator=True).value & ~(
    discord.Permissions(embed_links=True).value
)


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


async def run_doctor(emu: Emulator, tmp_path: Path) -> tuple[int, str, str]:
    seed = seed_guild(emu)
    config = tmp_path / "config.toml"
    config.write_text(config_text(emu, seed, tmp_path / "hearth.sqlite3"))
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
