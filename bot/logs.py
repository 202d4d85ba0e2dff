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
    # discord.py's INFO lines about the gateway are useful; its DEBUG lines can contain
    # raw payloads (message text), so never go below INFO for it.
    logging.getLogger("discord").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
