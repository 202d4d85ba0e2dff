"""`python -m bot run` as a real process against the emulator: start, signals, bad token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.emulator import Emulator
from tests.harness import config_text, seed_guild

REPO = Path(__file__).resolve().parents[2]


async def start_bot_process(emu: Emulator, tmp_path: Path, token: str) -> asyncio.subprocess.Process:
    seed = seed_guild(emu)
    config = tmp_path / "config.toml"
    config.write_text(config_text(emu, seed, tmp_path / "hearth.sqlite3"))
    env = {**os.environ, "HEARTH_TEST_TOKEN": token}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config),
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_graceful_shutdown_on_signal(emulator: Emulator, tmp_path: Path, sig: signal.Signals) -> None:
    process = await start_bot_process(emulator, tmp_path, emulator.token)
    try:
        # Ready means: logged in through the gateway and commands synced to the guild.
        await emulator.wait_for_identify(timeout=60)
        await emulator.wait_for_request(
            lambda r: r.method == "PUT" and r.path.endswith(f"/guilds/{emulator.guild_id}/commands"), timeout=60
        )
        await asyncio.sleep(0.5)  # let on_ready and the scheduler start run in the child
        process.send_signal(sig)
        _stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert f"received {sig.name}, shutting down" in log
    assert "shut down cleanly" in log
    assert "still pending at shutdown" not in log
    assert "Traceback" not in log and "ERROR" not in log


async def test_token_rejected_by_discord_is_one_line_exit_2(emulator: Emulator, tmp_path: Path) -> None:
    process = await start_bot_process(emulator, tmp_path, "not-the-right-token")
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    errors = [line for line in stderr.decode().splitlines() if line.startswith("config error:")]
    assert errors == [
        "config error: discord.token_env: Discord rejected the token in $HEARTH_TEST_TOKEN "
        "(401 Unauthorized); copy a fresh token from the Developer Portal"
    ]
    assert "Traceback" not in stderr.decode()


async def test_unreachable_discord_is_one_line_retried_with_backoff_never_a_traceback(
    emulator: Emulator, tmp_path: Path
) -> None:
    seed = seed_guild(emulator)
    config = tmp_path / "config.toml"
    text = config_text(emulator, seed, tmp_path / "hearth.sqlite3")
    config.write_text(text.replace(emulator.api_base, "http://127.0.0.1:9/api/v10"))  # nothing listens on port 9
    env = {**os.environ, "HEARTH_TEST_TOKEN": emulator.token}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config),
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        line = ""
        while "cannot reach Discord" not in line:
            line = (await asyncio.wait_for(process.stderr.readline(), timeout=60)).decode()
            assert line, "the process ended without saying Discord is unreachable"
        assert "127.0.0.1:9" in line and "trying again in 5 s" in line
        assert process.returncode is None  # still running: it keeps trying
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    assert "Traceback" not in rest.decode()


async def test_D17_a_second_instance_on_the_same_database_refuses_to_start(
    emulator: Emulator, tmp_path: Path
) -> None:
    first = await start_bot_process(emulator, tmp_path, emulator.token)
    try:
        await emulator.wait_for_identify(timeout=60)
        config = tmp_path / "config.toml"
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            cwd=REPO, env={**os.environ, "HEARTH_TEST_TOKEN": emulator.token},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(second.communicate(), timeout=60)
        assert second.returncode == 1
        errors = [line for line in stderr.decode().splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "another Hearth instance" in errors[0]
        assert "is running on this database" in errors[0]
        assert "Traceback" not in stderr.decode()
        assert first.returncode is None  # the first one is untouched
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.communicate(), timeout=60)
        assert first.returncode == 0
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
