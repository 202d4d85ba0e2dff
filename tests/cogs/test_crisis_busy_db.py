"""A busy or locked database never loses a crisis, end to end against the emulator.

Another connection holds ``BEGIN IMMEDIATE`` for longer than the bot's busy timeout (5 s) plus its retry
window (``crisis.db_retry_seconds``, short here) while a crisis message arrives.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cogs.test_crisis import IMMINENT, JSON, crisis_dms, custom_ids
from tests.harness import Harness
from tests.helpers import message_text


@pytest.fixture
async def impatient(harness_factory: Harness) -> AsyncIterator[Harness]:
    harness_factory.write_config("[crisis]\ndb_retry_seconds = 0.5\n")
    await harness_factory.start()
    try:
        yield harness_factory
    finally:
        await harness_factory.stop()


@contextmanager
def write_lock(path: Path) -> Iterator[threading.Event]:
    """Hold the database's write lock from another connection until the returned event is set."""
    release, taken = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            taken.set()
            release.wait(60)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    taken.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join(10)


def staff_posts(hearth: Harness) -> list[JSON]:
    return hearth.emu.bot_messages(hearth.seed.staff_alerts)


async def test_B9_locked_database_sends_a_degraded_alert_then_records_the_incident(
    impatient: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    hearth, emu, seed = impatient, impatient.emu, impatient.seed
    caplog.set_level(logging.INFO)
    with write_lock(hearth.db_path) as release:
        await emu.send_dm(seed.participant, IMMINENT)
        await emu._wait_until(lambda: any("not yet recorded" in message_text(m) for m in staff_posts(hearth)), 30)
        [degraded] = staff_posts(hearth)
        assert f"<@&{seed.on_call_role}>" in degraded["content"] and not custom_ids(degraded)
        dm = await emu.wait_for_dm(seed.participant, lambda m: bool(m.get("embeds")))
        assert "Support, any time" in message_text(dm)
        assert any(r.levelno >= logging.ERROR and "could NOT be written" in r.getMessage() for r in caplog.records)
        release.set()
    service = hearth.running.services.crisis
    for _ in range(300):
        incident = await service.incident_if_any(1)
        if incident is not None:
            break
        await asyncio.sleep(0.05)
    assert incident is not None and incident.degraded_at is not None
    assert incident.alert_message_id == int(degraded["id"]) and incident.staff_reached_at is not None
    # The degraded message became the full alert, with its buttons; nothing was posted twice.
    await emu._wait_until(
        lambda: any(c.startswith("hearth:crisis:ack:1") for c in custom_ids(staff_posts(hearth)[0])), 30
    )
    assert len(staff_posts(hearth)) == 1
    assert "incident #1" in message_text(staff_posts(hearth)[0])
    await hearth.settle()
    assert len([m for m in emu.bot_messages(int(dm["channel_id"])) if m.get("embeds")]) == 1
    assert crisis_dms(emu, seed.participant) == []  # no second resource message once it was written
