"""The private APIs of pinned libraries that Hearth relies on, checked so that an upgrade fails here, loudly.

README "Private APIs Hearth relies on" lists them next to the version pins in pyproject.toml that protect them.
"""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import aiosqlite
import discord
import discord.app_commands.tree
import discord.client
import discord.state
import discord.ui.modal
import discord.ui.view

from bot.app import HearthBot


async def test_aiosqlite_execute_runs_a_function_on_the_connection_thread(tmp_path: Path) -> None:
    # bot.db: one hop to the worker thread per statement, through Connection._execute(fn, *args).
    assert list(inspect.signature(aiosqlite.Connection._execute).parameters)[:2] == ["self", "fn"]
    conn = await aiosqlite.connect(tmp_path / "probe.sqlite3")
    try:
        assert isinstance(conn._conn, sqlite3.Connection)

        def probe(raw: sqlite3.Connection, value: int) -> int:
            return int(raw.execute("SELECT ?", (value,)).fetchone()[0])

        assert await conn._execute(probe, conn._conn, 42) == 42
    finally:
        await conn.close()


def test_discord_names_the_tasks_that_shutdown_waits_for() -> None:
    # HearthBot.close drains event handlers, slash commands, buttons and modals by their task names.
    sources = "".join(
        inspect.getsource(module)
        for module in (discord.client, discord.app_commands.tree, discord.ui.view, discord.ui.modal)
    )
    named = {
        "discord.py: on_": "name=f'discord.py: {event_name}'",
        "CommandTree-invoker": "name='CommandTree-invoker'",
        "discord-ui-dynamic-item-": "name=f'discord-ui-dynamic-item-",
        "discord-ui-view-dispatch-": "name=f'discord-ui-view-dispatch-",
        "discord-ui-modal-dispatch-": "name=f'discord-ui-modal-dispatch-",
    }
    assert set(named) == set(HearthBot.HANDLER_TASK_PREFIXES)
    missing = [prefix for prefix, code in named.items() if code not in sources]
    assert missing == [], f"discord.py {discord.__version__} no longer names these tasks: {missing}"


def test_discord_keeps_its_ready_task_on_the_connection_state() -> None:
    # HearthBot.close cancels ConnectionState._ready_task, which discord.py leaves pending when closed early.
    assert "self._ready_task" in inspect.getsource(discord.state.ConnectionState.__init__)
