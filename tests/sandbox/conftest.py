from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest

from bot.sandbox.app import Sandbox

T = TypeVar("T")


class Api:
    """The sandbox's JSON API, as the web page calls it."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base.rstrip("/") + "/sandbox/api"

    async def get(self, path: str, status: int = 200, **query: str) -> Any:
        async with self.session.get(self.base + path, params=query) as response:
            body = await response.json()
            assert response.status == status, body
            return body

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> Any:
        async with self.session.post(self.base + path, json=body) as response:
            data = await response.json()
            assert response.status == status, data
            return data


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 10) -> T:  # noqa: ASYNC109
    """Poll like the page does until ``probe`` returns something."""
    async with asyncio.timeout(timeout):
        while True:
            found = await probe()
            if found:
                return found
            await asyncio.sleep(0.05)


@pytest.fixture
async def sandbox(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Sandbox]:
    """A started sandbox; fails the test if the emulator saw problems or anything logged an error."""
    sb = Sandbox(tmp_path)
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()
    assert sb.emu.problems() == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, sandbox.url)
