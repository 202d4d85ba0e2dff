"""Logs carry IDs, never what people wrote: checked across every path that handles text."""

from __future__ import annotations

import logging
from typing import Any

from tests.cogs.test_checkins import checkin
from tests.cogs.test_crisis import wait_alert
from tests.harness import Harness

SECRET_NOTE = "zebra-note my sister's custody hearing went badly"
SECRET_CHANNEL = "mood 4/10 quokka-channel rough night after the funeral"
SECRET_CRISIS = "axolotl-crisis I am going to kill myself tonight"
SECRET_DM = "narwhal-dm can you tell me where group is"
MARKERS = ("zebra-note", "quokka-channel", "axolotl-crisis", "narwhal-dm", "custody", "funeral")


async def test_no_log_record_contains_user_text(hearth: Harness, caplog: Any) -> None:
    """At DEBUG for everything, as `logging.level = "DEBUG"` sets it (third-party loggers capped at INFO)."""
    from bot.logs import LIBRARY_LOGGERS, cap_library_loggers

    caplog.set_level(logging.DEBUG)
    cap_library_loggers(logging.DEBUG)
    assert all(logging.getLogger(name).getEffectiveLevel() >= logging.INFO for name in LIBRARY_LOGGERS)
    emu, seed = hearth.emu, hearth.seed
    await checkin(hearth, seed.participant, {"mood": "5", "cravings": "", "sleep": "", "note": SECRET_NOTE})
    await emu.send_message(seed.checkins, seed.participant2, SECRET_CHANNEL)
    await emu.send_message(seed.checkins, seed.participant, SECRET_CRISIS)
    await wait_alert(hearth)
    await emu.send_dm(seed.participant2, SECRET_DM)
    await emu.wait_for_dm(seed.participant2, lambda m: "/checkin" in (m.get("content") or ""))
    await hearth.settle()
    assert caplog.records, "expected the bot to log something (IDs) along these paths"
    for record in caplog.records:
        line = record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
        for marker in MARKERS:
            assert marker not in line, f"{record.name} logged user text: {line[:200]}"
