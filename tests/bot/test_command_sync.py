"""Slash commands are synced to Discord only when they changed; `python -m bot sync` forces it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.app import EXTENSIONS
from tests.cogs.test_process import REPO
from tests.emulator import Emulator
from tests.harness import Harness, config_text, seed_guild


def puts(emu: Emulator) -> list[str]:
    return [r.path for r in emu.requests if r.method == "PUT" and r.path.endswith("/commands")]


def names(emu: Emulator) -> set[str]:
    return {c["name"] for c in emu.state.commands}


async def test_a_restart_with_the_same_commands_does_not_sync_again(harness_factory: Harness) -> None:
    emu = harness_factory.emu
    await harness_factory.start()
    try:
        assert len(puts(emu)) == 2  # first start: guild and global
        synced = names(emu)
        assert {"checkin", "group", "incident"} <= synced
        await harness_factory.restart()
        assert len(puts(emu)) == 2  # unchanged: checked with a GET per scope, not overwritten
        assert names(emu) == synced
        gets = [r for r in emu.requests if r.method == "GET" and r.path.endswith("/commands")]
        assert len(gets) == 2
    finally:
        await harness_factory.stop()


async def test_changed_or_missing_commands_are_synced(harness_factory: Harness) -> None:
    emu = harness_factory.emu
    await harness_factory.start()
    try:
        await harness_factory.restart(extensions=tuple(e for e in EXTENSIONS if e != "cogs.oncall"))
        assert len(puts(emu)) == 3  # the guild commands changed (no /oncall); the global ones did not
        assert "oncall" not in names(emu)
        emu.state.guild_commands.clear()  # Discord lost them (another application, a wiped test server)
        await harness_factory.restart()
        assert len(puts(emu)) == 4 and "oncall" in names(emu)
        await harness_factory.restart(force_sync=True)
        assert len(puts(emu)) == 6
    finally:
        await harness_factory.stop()


async def test_sync_command_forces_a_sync(emulator: Emulator, tmp_path: Path) -> None:
    seed = seed_guild(emulator)
    config = tmp_path / "config.toml"
    config.write_text(config_text(emulator, seed, tmp_path / "hearth.sqlite3"))

    async def sync() -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "sync", "--config", str(config),
            cwd=REPO, env={**os.environ, "HEARTH_TEST_TOKEN": emulator.token},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    for expected_puts in (2, 4):  # twice: the second one syncs although nothing changed
        code, out, err = await sync()
        assert code == 0, err
        assert "slash commands synced" in out and "Traceback" not in err
        assert len(puts(emulator)) == expected_puts
    assert {"checkin", "group"} <= names(emulator)
