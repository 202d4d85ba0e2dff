"""The `emulator` fixture must fail a test whose run left problems behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

INNER = """
import asyncio
import aiohttp
import discord
from discord.ext import commands
from tests.emulator.runner import running_bot


async def test_clean(emulator):
    pass


async def test_unhandled_route(emulator):
    async with aiohttp.ClientSession() as s, s.get(
        emulator.api_base + "/nope", headers={"Authorization": "Bot test-token"}
    ) as r:
        assert r.status == 404


async def test_discord_error_log(emulator):
    alice = emulator.add_member("alice")
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1)

    @bot.tree.command(name="boom", description="raises")
    async def boom(interaction: discord.Interaction) -> None:
        raise RuntimeError("boom")

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook
    async with running_bot(bot, emulator):
        handle = await emulator.invoke_slash("boom", user_id=alice)
        for _ in range(100):
            await asyncio.sleep(0.01)


async def test_unretrieved_task_exception(emulator):
    async def fail() -> None:
        raise ValueError("lost")

    task = asyncio.get_running_loop().create_task(fail())
    await asyncio.sleep(0.01)
    del task
"""


def test_fixture_fails_on_problems_logs_and_lost_exceptions(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_root = str(Path(__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [repo_root, os.environ.get("PYTHONPATH")])))
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess(
        "-p", "tests.emulator.pytest_plugin", "-o", "asyncio_mode=auto", "-p", "no:cacheprovider", "-q"
    )
    result.assert_outcomes(passed=4, errors=3)
    result.stdout.fnmatch_lines(["*unhandled route: GET /nope*"])
    result.stdout.fnmatch_lines(["*discord.py logged ERROR*"])
    result.stdout.fnmatch_lines(["*Task exception was never retrieved*"])
