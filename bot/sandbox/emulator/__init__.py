"""Local Discord emulator: REST v10 + gateway v10 for the real discord.py client.

Quick start::

    async with Emulator() as emu:
        member = emu.add_member("alice")
        with emu.patch_discord():
            bot = commands.Bot(command_prefix="!", intents=discord.Intents.all())
            task = asyncio.create_task(bot.start(emu.token))
            await bot.wait_until_ready()
            ...
            await bot.close()
        emu.assert_clean()
"""

from .interactions import CommandInvocationError, InteractionHandle
from .server import CapturedRequest, Emulator
from .state import EmulatorState

__all__ = ["CapturedRequest", "CommandInvocationError", "Emulator", "EmulatorState", "InteractionHandle"]
