"""`python -m bot setup` against the emulator, as a real process with scripted stdin."""

from __future__ import annotations

import asyncio
import os
import sys
import tomllib
from pathlib import Path

from tests.cogs.test_process import REPO
from tests.emulator import Emulator


async def setup(emu: Emulator, config: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "setup", "--config", str(config), "--api-base", emu.api_base,
        "--gateway-url", emu.gateway_url, *args,
        cwd=REPO, env={**os.environ, "DISCORD_TOKEN": emu.token},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_create_missing_builds_a_server_hearth_can_use(emulator: Emulator, tmp_path: Path) -> None:
    emulator.add_role("Staff")  # an existing role with the usual name is used, not created again
    config = tmp_path / "config.toml"
    code, out, err = await setup(emulator, config, "--create-missing", "--guild", str(emulator.guild_id))
    assert code == 0, err
    # The findings follow: the new On call role has nobody in it yet, and setup says so.
    assert "roles.on_call" in out and "nobody has this role" in out and "Traceback" not in err
    data = tomllib.loads(config.read_text())
    assert emulator.token not in config.read_text()  # never the token itself
    roles = {r["name"]: int(r["id"]) for r in emulator.state.roles.values()}
    assert data["roles"]["staff"] == roles["Staff"] and list(roles).count("Staff") == 1
    assert emulator.state.roles[data["roles"]["on_call"]]["mentionable"] is True
    alerts = emulator.state.channels[data["channels"]["staff_alerts"]]
    everyone = next(o for o in alerts["permission_overwrites"] if int(o["id"]) == emulator.guild_id)
    assert int(everyone["deny"]) & 1024  # @everyone cannot view the staff alerts channel
    assert emulator.state.channels[data["channels"]["groups_category"]]["type"] == 4
    check = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "check-config", "--config", str(config), cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    await check.communicate()
    assert check.returncode == 0


async def test_choosing_existing_roles_and_channels_by_number(emulator: Emulator, tmp_path: Path) -> None:
    participant = emulator.add_role("Members")
    checkins = emulator.add_channel("daily")
    config = tmp_path / "config.toml"
    # Roles are listed in the server's order; answer 1 (the first non-default role) or 0 (create) per key.
    answers = "\n".join(["1", "0", "0", "0", "1", "0", "0", "0"]) + "\n"
    code, out, err = await setup(emulator, config, stdin=answers)
    assert code == 0, err
    data = tomllib.loads(config.read_text())
    assert data["roles"]["participant"] == participant
    assert data["channels"]["checkins"] == checkins
    assert "0. create it for me" in out
