from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.emulator import Emulator
from tests.harness import Harness

pytest_plugins = ["tests.emulator.pytest_plugin"]


@pytest.fixture
async def hearth(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Harness]:
    """The Hearth bot running against the emulator with a seeded guild and a manual clock."""
    harness = Harness(emulator, tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
def harness_factory(emulator: Emulator, tmp_path: Path) -> Harness:
    """A Harness not yet started, for tests that need custom config or start time."""
    return Harness(emulator, tmp_path)
