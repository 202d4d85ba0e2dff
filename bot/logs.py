"""Logging, configured once by ``main()``.

Log lines carry IDs (users, channels, incidents), never message text, notes or the
names of health conditions; code review keeps it that way and tests check the paths
that handle text.
"""

from __future__ import annotations

import logging
import sys


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    cap_library_loggers(logging.getLevelName(level))


# Libraries whose DEBUG lines carry user text: discord.py logs raw gateway payloads, aiosqlite every statement
# with its parameters (notes included), asyncio slow-callback reprs with arguments.
LIBRARY_LOGGERS = ("discord", "aiosqlite", "asyncio", "apscheduler")


def cap_library_loggers(level: int) -> None:
    """Third-party loggers never go below INFO, whatever ``logging.level`` says (apscheduler: WARNING)."""
    for name in LIBRARY_LOGGERS:
        floor = logging.WARNING if name == "apscheduler" else logging.INFO
        logging.getLogger(name).setLevel(max(floor, level))
