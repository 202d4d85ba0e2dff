"""Running the real Hearth bot against the emulator: the config it needs and the start-up wait.

The end-to-end tests (tests/harness.py) and ``python -m bot sandbox`` both start the bot through
here, and both build it with ``bot.runtime.build_bot`` exactly like ``python -m bot run`` does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import HearthBot
from bot.clock import Clock
from bot.config import load_settings
from bot.runtime import build_bot
from bot.sandbox.emulator import Emulator


@dataclass(frozen=True)
class CommunityIds:
    """The guild, roles and channels Hearth's config names."""

    guild_id: int
    participant_role: int
    facilitator_role: int
    staff_role: int
    on_call_role: int
    checkins: int
    celebrations: int
    staff_alerts: int
    groups_category: int


def config_text(
    emu: Emulator, ids: CommunityIds, db_path: Path, extra: str = "", token_env: str = "HEARTH_TEST_TOKEN"
) -> str:
    return f"""
[discord]
token_env = "{token_env}"
guild_id = {ids.guild_id}
api_base = "{emu.api_base}"
gateway_url = "{emu.gateway_url}"

[database]
path = "{db_path.as_posix()}"

[roles]
participant = {ids.participant_role}
facilitator = {ids.facilitator_role}
staff = {ids.staff_role}
on_call = {ids.on_call_role}

[channels]
checkins = {ids.checkins}
celebrations = {ids.celebrations}
staff_alerts = {ids.staff_alerts}
groups_category = {ids.groups_category}

[community]
timezone = "America/New_York"

[logging]
level = "INFO"
{extra}
"""


async def start_bot(
    config_path: Path, clock: Clock, emu: Emulator, *, timeout: float = 10, **bot_options: Any  # noqa: ASYNC109
) -> tuple[HearthBot, asyncio.Task[None]]:
    """Build the bot from the config file and start it; returns once its scheduler runs.

    The caller stops it with ``bot.close()``, awaits the task, then closes ``bot.db``.
    """
    settings = load_settings(config_path)
    bot = await build_bot(settings, clock, guild_ready_timeout=0.1, **bot_options)
    task = asyncio.create_task(bot.start(emu.token))
    waiter = asyncio.create_task(bot.scheduler_started.wait())
    done, _ = await asyncio.wait({waiter, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiter.cancel()
        await bot.db.close()
        task.result()  # re-raise the start-up failure
        raise RuntimeError("the bot stopped before it was ready")
    if waiter not in done:
        waiter.cancel()
        raise TimeoutError(f"the bot did not become ready through the emulator within {timeout:g} s")
    return bot, task
