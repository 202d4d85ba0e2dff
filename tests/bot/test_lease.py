"""One instance per database: the lease, on a real SQLite file with an injected clock."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database, migrate
from bot.lease import InstanceLease, LeaseHeld

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "lease.sqlite3")
    await migrate(database)
    try:
        yield database
    finally:
        await database.close()


async def test_D17_a_held_lease_refuses_a_second_instance(db: Database) -> None:
    clock = ManualClock(START)
    first, second = InstanceLease(db, clock, holder="a:1"), InstanceLease(db, clock, holder="b:2")
    await first.acquire()
    clock.advance(seconds=30)
    assert await first.renew()
    clock.advance(seconds=59)
    with pytest.raises(LeaseHeld, match=r"another Hearth instance \(a:1\) is running .* 59 s ago"):
        await second.acquire()


async def test_D17_an_expired_lease_is_taken_over_and_the_old_holder_learns_it(db: Database) -> None:
    clock = ManualClock(START)
    crashed, restarted = InstanceLease(db, clock, holder="a:1"), InstanceLease(db, clock, holder="b:2")
    await crashed.acquire()
    clock.advance(seconds=61)
    await restarted.acquire()
    current = await restarted.current()
    assert current is not None and current.holder == "b:2"
    assert not await crashed.renew()  # it would stop itself


async def test_D17_a_released_lease_is_free_at_once(db: Database) -> None:
    clock = ManualClock(START)
    first, second = InstanceLease(db, clock, holder="a:1"), InstanceLease(db, clock, holder="b:2")
    await first.acquire()
    await first.release()
    await second.acquire()
    assert second.ttl == timedelta(seconds=60)


async def test_D17_a_crashed_process_on_this_host_does_not_block_a_restart(db: Database) -> None:
    """kill -9 leaves a fresh heartbeat; the restart (same host, that pid gone) takes over at once."""
    gone = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import os; print(os.getpid())", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await gone.communicate()
    dead_pid = int(out)
    clock = ManualClock(START)
    crashed = InstanceLease(db, clock, holder=f"{socket.gethostname()}:{dead_pid}:abc123")
    await crashed.acquire()
    restarted = InstanceLease(db, clock)
    await restarted.acquire()
    current = await restarted.current()
    assert current is not None and current.holder == restarted.holder
    # Another live process on this host (this test's parent, under another holder name) still blocks.
    live = InstanceLease(db, clock, holder=f"{socket.gethostname()}:{os.getppid()}:def456")
    await restarted.release()
    await live.acquire()
    with pytest.raises(LeaseHeld):
        await InstanceLease(db, clock).acquire()
