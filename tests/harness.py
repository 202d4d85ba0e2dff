"""Runs the real Hearth bot (real discord.py client) against the local Discord emulator.

``Harness`` seeds a guild with Hearth's roles, channels and people, writes a real
TOML config file, builds the bot exactly like ``python -m bot run`` does
(``bot.runtime.build_bot``) and can stop and start it again against the same emulator
and database, which is how restart behaviour is tested.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import HearthBot
from bot.clock import ManualClock
from bot.sandbox.launch import CommunityIds, config_text, start_bot
from tests.emulator import Emulator

__all__ = ["DEFAULT_START", "Harness", "Seed", "config_text", "seed_guild"]

# A Monday in winter time in New York (UTC-5), well before the 2026-03-08 DST change.
DEFAULT_START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seed(CommunityIds):
    escalation_role: int
    general: int
    participant: int
    participant2: int
    facilitator: int
    staff: int
    on_call: int
    outsider: int


def seed_guild(emu: Emulator) -> Seed:
    participant_role = emu.add_role("Participant")
    facilitator_role = emu.add_role("Peer Facilitator")
    staff_role = emu.add_role("Staff")
    on_call_role = emu.add_role("On Call")
    escalation_role = emu.add_role("Clinical Director")
    category = emu.add_channel("IOP Groups", type=4)
    return Seed(
        guild_id=emu.guild_id,
        participant_role=participant_role,
        facilitator_role=facilitator_role,
        staff_role=staff_role,
        on_call_role=on_call_role,
        escalation_role=escalation_role,
        checkins=emu.add_channel("daily-check-ins"),
        celebrations=emu.add_channel("celebrations"),
        staff_alerts=emu.add_channel("staff-alerts"),
        groups_category=category,
        general=emu.add_channel("general"),
        participant=emu.add_member("Riley", roles=[participant_role]),
        participant2=emu.add_member("Sam", roles=[participant_role]),
        facilitator=emu.add_member("Jordan", roles=[facilitator_role]),
        staff=emu.add_member("Dr. Lee", roles=[staff_role]),
        on_call=emu.add_member("Casey", roles=[staff_role, on_call_role]),
        outsider=emu.add_member("Visitor"),
    )


class Harness:
    def __init__(
        self, emu: Emulator, tmp_path: Path, *, start: datetime = DEFAULT_START, extra_config: str = ""
    ) -> None:
        self.emu = emu
        self.seed = seed_guild(emu)
        self.clock = ManualClock(start)
        self.config_path = tmp_path / "config.toml"
        self.db_path = tmp_path / "hearth.sqlite3"
        self.write_config(extra_config)
        self.bot: HearthBot | None = None
        self._task: asyncio.Task[None] | None = None

    def write_config(self, extra: str = "") -> None:
        self.config_path.write_text(config_text(self.emu, self.seed, self.db_path, extra), encoding="utf-8")

    @property
    def running(self) -> HearthBot:
        if self.bot is None:
            raise RuntimeError("the bot is not running")
        return self.bot

    async def start(self, **bot_options: Any) -> HearthBot:
        self.bot, self._task = await start_bot(self.config_path, self.clock, self.emu, **bot_options)
        return self.bot

    async def stop(self) -> None:
        bot, task = self.bot, self._task
        self.bot, self._task = None, None
        if bot is None:
            return
        await bot.close()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=10)
        await bot.db.close()

    async def restart(self, **bot_options: Any) -> HearthBot:
        await self.stop()
        return await self.start(**bot_options)

    async def run_due(self, name: str | None = None) -> None:
        """Run scheduled work as of the manual clock's current time."""
        await self.running.scheduler.run_due_now(name)

    async def settle(self, rounds: int = 5) -> None:
        """Give the bot's event handlers a chance to finish (no sleeping on wall time)."""
        for _ in range(rounds):
            await asyncio.sleep(0)
        await asyncio.sleep(0.05)
