"""Run a real discord.py client against an Emulator for the duration of a block."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import discord

from .server import Emulator

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.asynccontextmanager
async def running_bot(bot: ClientT, emu: Emulator, *, ready_timeout: float = 10) -> AsyncIterator[ClientT]:
    """Start `bot` against `emu`, wait for on_ready, yield it, then close it cleanly.

    Create the client with a small `guild_ready_timeout` (e.g. 0.1) or READY takes 2 s.  Use a fresh client
    object for each run (a closed discord.py client cannot be restarted); the emulator keeps its state, so a
    second `running_bot` block is a bot restart.
    """
    with emu.patch_discord():
        task = asyncio.create_task(bot.start(emu.token), name="emulated-bot")
        ready = asyncio.create_task(bot.wait_until_ready())
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                ready.cancel()
                task.result()  # raises the startup error
                raise RuntimeError("bot stopped before becoming ready")
            if ready not in done:
                raise TimeoutError(f"bot was not ready within {ready_timeout}s")
            yield bot
        finally:
            ready.cancel()
            if not bot.is_closed():
                await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=5)
