"""Another extension can add a subcommand to /group (how /group pulse is attached).

This module is itself loaded as an extension by the test (its ``setup`` adds the cog).
"""

from __future__ import annotations

from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import EXTENSIONS, HearthBot, person_of
from bot.ui import reply
from tests.emulator import Emulator
from tests.harness import Harness


@app_commands.command(name="echo-count", description="Test-only subcommand", extras={"audience": "staff"})
async def echo_count(interaction: discord.Interaction[HearthBot]) -> None:
    names = await interaction.client.services.groups.joinable_names(person_of(interaction), "")
    await reply(interaction, f"{len(names)} group(s)")


class AddsToGroup(commands.Cog):
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        cog = self.bot.get_cog("Groups")
        assert isinstance(cog, commands.GroupCog) and cog.app_command is not None
        cog.app_command.add_command(echo_count)

    async def cog_unload(self) -> None:
        cog = self.bot.get_cog("Groups")
        if isinstance(cog, commands.GroupCog) and cog.app_command is not None:
            cog.app_command.remove_command("echo-count")


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(AddsToGroup(bot))


async def test_another_cog_can_add_a_group_subcommand(emulator: Emulator, tmp_path: Path) -> None:
    harness = Harness(emulator, tmp_path)
    await harness.start(extensions=(*EXTENSIONS, "tests.cogs.test_groups_extension"))
    try:
        synced = emulator.state.find_command("group")
        assert synced is not None
        names = {o["name"] for o in synced.get("options", [])}
        assert {"echo-count", "create", "join", "schedule", "facilitator"} <= names
        handle = await emulator.invoke_slash("group", user_id=harness.seed.staff, subcommand="echo-count")
        await handle.wait_response()
        assert "0 group(s)" in (handle.all_messages()[0].get("content") or "")
    finally:
        await harness.stop()
