"""The local Discord emulator, which lives in ``bot.sandbox.emulator`` so ``pip install .`` carries it.

This package keeps the old import paths working: ``from tests.emulator import Emulator`` and
``from tests.emulator.<module> import ...`` name the very same module objects (so monkeypatching
either path patches both). ``pytest_plugin`` (needs pytest) stays here.
"""

from __future__ import annotations

import importlib
import sys

from bot.sandbox.emulator import (
    CapturedRequest,
    CommandInvocationError,
    Emulator,
    EmulatorState,
    InteractionHandle,
)

for _name in ("gateway", "interactions", "openapi", "rest", "runner", "server", "snowflake", "state"):
    sys.modules[f"{__name__}.{_name}"] = importlib.import_module(f"bot.sandbox.emulator.{_name}")

__all__ = ["CapturedRequest", "CommandInvocationError", "Emulator", "EmulatorState", "InteractionHandle"]
