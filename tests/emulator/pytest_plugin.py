"""pytest fixtures for the Discord emulator.

Load with `pytest_plugins = ["tests.emulator.pytest_plugin"]` in tests/conftest.py.

`emulator` fails the test at teardown if the emulator recorded problems (unhandled routes, OpenAPI
violations, handler errors), if discord.py logged anything at ERROR or above, or if an asyncio task
exception was never retrieved.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from bot.sandbox.emulator.server import Emulator


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _format_record(record: logging.LogRecord) -> str:
    text = f"{record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        text += f" [{record.exc_info[1]!r}]"
    return text


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """A started Emulator; strict teardown checks (see module docstring)."""
    loop = asyncio.get_running_loop()
    collector = _ErrorCollector()
    discord_logger = logging.getLogger("discord")
    discord_logger.addHandler(collector)
    unretrieved: list[dict[str, Any]] = []
    previous_handler = loop.get_exception_handler()

    def on_loop_exception(lp: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if "never retrieved" in str(context.get("message", "")):
            unretrieved.append(context)
        if previous_handler is not None:
            previous_handler(lp, context)
        else:
            lp.default_exception_handler(context)

    loop.set_exception_handler(on_loop_exception)
    emu = Emulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
        gc.collect()  # "Task exception was never retrieved" is reported when the task is collected
        await asyncio.sleep(0)
        loop.set_exception_handler(previous_handler)
        discord_logger.removeHandler(collector)
    failures = emu.problems()
    failures += [f"discord.py logged {r.levelname}: {_format_record(r)}" for r in collector.records]
    failures += [f"asyncio: {c.get('message')}: {c.get('exception')!r}" for c in unretrieved]
    if failures:
        pytest.fail("emulator teardown found problems:\n  " + "\n  ".join(failures), pytrace=False)


@pytest.fixture
def openapi_required(emulator: Emulator) -> Callable[[], None]:
    """Call to skip the test (with a clear reason) when Discord's OpenAPI spec is not beside the repo."""

    def check() -> None:
        if emulator.spec is None:
            pytest.skip(f"Discord OpenAPI spec not found at {emulator.openapi_path}; validation tests need it")

    return check
