"""One running instance per database: a lease row with a heartbeat.

``python -m bot run`` takes the lease after migrations and refreshes it every ``ttl / 3``; a second ``run`` on
the same database finds a fresh heartbeat held by someone else and refuses to start with one clear line. A
crashed instance stops refreshing, so its lease expires after ``ttl`` and the next start takes it over.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, from_db, to_db
from bot.db import Database

__all__ = ["DEFAULT_TTL", "InstanceLease", "LeaseHeld"]

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Holder:
    holder: str
    started_at: datetime
    heartbeat_at: datetime


class LeaseHeld(Exception):
    def __init__(self, holder: Holder, now: datetime) -> None:
        self.holder = holder
        age = max(0, int((now - holder.heartbeat_at).total_seconds()))
        super().__init__(
            f"another Hearth instance ({holder.holder}) is running on this database (last heartbeat {age} s ago); "
            "stop it first — if it crashed, its lease expires a minute after its last heartbeat"
        )


class InstanceLease:
    def __init__(self, db: Database, clock: Clock, *, ttl: timedelta = DEFAULT_TTL, holder: str | None = None) -> None:
        self._db = db
        self._clock = clock
        self.ttl = ttl
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"

    async def current(self) -> Holder | None:
        row = await self._db.fetch_one("SELECT holder, started_at, heartbeat_at FROM instance_lease WHERE id = 1")
        if row is None:
            return None
        return Holder(row["holder"], from_db(row["started_at"]), from_db(row["heartbeat_at"]))

    def is_live(self, holder: Holder) -> bool:
        return self._clock.now() - holder.heartbeat_at < self.ttl

    async def check(self) -> None:
        """Raise ``LeaseHeld`` if another instance holds a fresh lease, without taking it (``run`` asks this
        before migrating, so a second start never changes the schema under a running instance). A database
        without the lease table (new, or from before leases existed) is free."""
        try:
            other = await self.current()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return
            raise
        now = self._clock.now()
        if other is not None and other.holder != self.holder and self._blocks(other, now):
            raise LeaseHeld(other, now)

    def _blocks(self, other: Holder, now: datetime) -> bool:
        return now - other.heartbeat_at < self.ttl and not self._crashed_here(other.holder)

    async def acquire(self) -> None:
        """Take the lease, or raise ``LeaseHeld`` while another instance's heartbeat is fresh."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            row = await tx.fetch_one("SELECT holder, started_at, heartbeat_at FROM instance_lease WHERE id = 1")
            if row is not None and row["holder"] != self.holder:
                other = Holder(row["holder"], from_db(row["started_at"]), from_db(row["heartbeat_at"]))
                if self._blocks(other, now):
                    raise LeaseHeld(other, now)
                log.warning("taking over the instance lease of %s (expired, or its process is gone)", other.holder)
            await tx.execute(
                "INSERT INTO instance_lease (id, holder, started_at, heartbeat_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, started_at = excluded.started_at,"
                " heartbeat_at = excluded.heartbeat_at",
                (self.holder, to_db(now), to_db(now)),
            )

    def _crashed_here(self, holder: str) -> bool:
        """The holder ran on this host and its process is gone (killed, crashed, or an earlier life of this
        container, whose pid this process may even have inherited): no need to wait for the lease to expire."""
        host, _, rest = holder.partition(":")
        pid_text = rest.partition(":")[0]
        if host != self.holder.partition(":")[0] or not pid_text.isdigit():
            return False
        pid = int(pid_text)
        if pid == os.getpid():
            return True
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # alive, someone else's
        return False

    async def renew(self) -> bool:
        """Refresh the heartbeat; False if the lease is no longer ours (taken over after it expired)."""
        changed = await self._db.execute(
            "UPDATE instance_lease SET heartbeat_at = ? WHERE id = 1 AND holder = ?",
            (to_db(self._clock.now()), self.holder),
        )
        return changed > 0

    async def release(self) -> None:
        await self._db.execute("DELETE FROM instance_lease WHERE id = 1 AND holder = ?", (self.holder,))
