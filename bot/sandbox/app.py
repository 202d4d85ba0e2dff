"""The sandbox: the bundled emulator, a seeded demo community, the real Hearth bot and the web client,
all in one process on one port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import HearthBot
from bot.clock import OffsetClock
from bot.sandbox.emulator import Emulator, InteractionHandle, snowflake
from bot.sandbox.launch import config_text, start_bot
from bot.sandbox.world import GROUP_NAME, Demo, seed_demo

log = logging.getLogger("bot.sandbox")

TIMEZONE = "America/New_York"  # what config_text writes as the community's zone


class Sandbox:
    def __init__(self, folder: Path, *, port: int = 0, clock: OffsetClock | None = None) -> None:
        self.folder = folder
        self.clock = clock or OffsetClock()
        # The sandbox's emulator never validates against the OpenAPI spec: that is for tests, with jsonschema.
        self.emu = Emulator(port=port, openapi_path=None)
        self.demo: Demo | None = None
        self.bot: HearthBot | None = None
        self._task: asyncio.Task[None] | None = None
        # Interactions the sandbox made itself while seeding: their private replies are not shown.
        self.hidden_interactions: set[int] = set()
        self.zone = ZoneInfo(TIMEZONE)

    @property
    def url(self) -> str:
        return self.emu.http_base + "/"

    @property
    def config_path(self) -> Path:
        return self.folder / "config.toml"

    @property
    def db_path(self) -> Path:
        return self.folder / "hearth.sqlite3"

    @property
    def running(self) -> HearthBot:
        if self.bot is None:
            raise RuntimeError("the bot is not running")
        return self.bot

    async def start(self) -> None:
        from bot.sandbox.web import SandboxWeb

        snowflake.use_clock(self.clock.now)
        web = SandboxWeb(self)
        await self.emu.start(add_routes=web.add_routes)
        try:
            self.demo = seed_demo(self.emu)
            text = config_text(self.emu, self.demo.ids, self.db_path, token_env="HEARTH_SANDBOX_TOKEN")
            await asyncio.to_thread(self.config_path.write_text, text, encoding="utf-8")
            self.bot, self._task = await start_bot(self.config_path, self.clock, self.emu)
            await self._seed_group()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        bot, task = self.bot, self._task
        self.bot, self._task = None, None
        try:
            if bot is not None:
                await bot.close()
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.wait_for(task, timeout=10)
                await bot.db.close()
        finally:
            await self.emu.stop()
            snowflake.use_clock(None)

    async def _seed_group(self) -> None:
        """One group, made the way staff make one: /group create, then /group add, through the real bot."""
        assert self.demo is not None
        sam, fran = self.demo.persona("Sam").user_id, self.demo.persona("Fran").user_id
        steps: list[tuple[str, dict[str, object]]] = [("create", {"name": GROUP_NAME, "facilitator": fran})]
        steps += [("add", {"member": self.demo.persona(n).user_id, "group": GROUP_NAME}) for n in ("Alice", "Ben")]
        for sub, options in steps:
            handle = await self.emu.invoke_slash(
                "group", user_id=sam, subcommand=sub, options=options, channel_id=self.demo.general
            )
            self.hidden_interactions.add(handle.id)
            await self._finish(handle)

    async def _finish(self, handle: InteractionHandle, timeout: float = 10) -> None:  # noqa: ASYNC109
        await handle.wait_response(timeout)
        if handle.deferred and handle.type == 2:
            await handle.wait_original(timeout=timeout)

    # ------------------------------------------------------------------ the clock control

    def local_now(self) -> datetime:
        return self.clock.now().astimezone(self.zone)

    async def advance(self, step: str) -> datetime:
        """``hour``: one hour on; ``morning``: to 09:00 tomorrow, community time. Then run what came due."""
        if step == "hour":
            self.clock.advance(timedelta(hours=1))
        elif step == "morning":
            local = self.local_now()
            self.clock.jump_to(datetime.combine(local.date() + timedelta(days=1), time(9), self.zone))
        else:
            raise ValueError(f"unknown clock step {step!r}")
        await self.running.scheduler.run_due_now()
        return self.clock.now()
