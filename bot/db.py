"""SQLite access through aiosqlite, and the forward-only migrations runner.

One ``Database`` is built in ``main()`` and passed to everything that needs it. It owns
a single connection in autocommit mode. Each statement (and each ``run_sync``) is one call on
the connection's worker thread, which runs them one at a time; an asyncio lock, held for
the whole of a multi-statement ``transaction()``, keeps other coroutines' statements out of it.
``open_lane()`` adds a second connection (own thread, own lock) for work that must never
wait behind the first one's queue: crisis incidents (see ``bot.runtime``).
Repositories accept anything that is ``Queryable``: the database itself (one statement,
committed at once) or a ``Transaction`` (several statements, committed together).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
Row = sqlite3.Row
T = TypeVar("T")

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
    # Deleted health data must not linger in free pages of the file.
    "PRAGMA secure_delete=ON",
    # After a checkpoint the write-ahead log is cut back to this size, so deleted text does not linger in it.
    "PRAGMA journal_size_limit=1048576",
)


class Queryable(Protocol):
    async def execute(self, sql: str, params: Params = ()) -> int: ...
    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None: ...
    async def insert(self, sql: str, params: Params = ()) -> int: ...
    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...
    async def fetch_value(self, sql: str, params: Params = ()) -> Any: ...


def _run_execute(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    cursor = conn.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _run_insert(conn: sqlite3.Connection, sql: str, params: Params) -> int | None:
    cursor = conn.execute(sql, params)
    try:
        return cursor.lastrowid
    finally:
        cursor.close()


def _run_fetch_one(conn: sqlite3.Connection, sql: str, params: Params) -> Row | None:
    cursor = conn.execute(sql, params)
    try:
        row: Row | None = cursor.fetchone()
        return row
    finally:
        cursor.close()


def _run_fetch_all(conn: sqlite3.Connection, sql: str, params: Params) -> list[Row]:
    cursor = conn.execute(sql, params)
    try:
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _run_many(conn: sqlite3.Connection, sql: str, rows: Iterable[Params]) -> None:
    conn.executemany(sql, rows).close()


def _in_transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _plain(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    return fn(conn)


class _Statements:
    """The statement helpers shared by ``Database`` and ``Transaction``.

    Each helper is ONE hop to the connection's worker thread (statement, fetch and cursor
    close together). aiosqlite's own cursor API costs a hop per call (execute, fetch,
    close), and under load those hops, not SQLite, are what a check-in or an incident
    write waits for.
    """

    _conn: aiosqlite.Connection

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        # aiosqlite.Connection._execute queues fn(*args) on the connection's own thread;
        # it is the primitive all of aiosqlite's public methods are built on.
        result: T = await self._conn._execute(fn, self._conn._conn, *args)
        return result

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        return await self._call(_run_execute, sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._call(_run_many, sql, list(rows))

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT; returns the new row's id."""
        row_id = await self._call(_run_insert, sql, params)
        if row_id is None:
            raise RuntimeError("INSERT produced no row id")
        return row_id

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        return await self._call(_run_fetch_one, sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._call(_run_fetch_all, sql, params)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


class Transaction(_Statements):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn


class Database(_Statements):
    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._lanes: list[Database] = []

    @classmethod
    async def open(cls, path: Path) -> Database:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        return cls(conn, path)

    async def open_lane(self) -> Database:
        """A second connection to the same file, with its own thread and lock.

        Work on a lane never queues behind this connection's statements (WAL lets readers
        and one writer run side by side; busy_timeout makes a writer wait for the other's
        commit instead of failing). Closed together with this database.
        """
        if str(self.path) == ":memory:":
            return self  # a second connection would see a different, empty database
        lane = await Database.open(self.path)
        self._lanes.append(lane)
        return lane

    async def compact(self) -> None:
        """Move everything in the write-ahead log into the database file and truncate the log.

        Used after deleting a person's data: with ``secure_delete`` the deleted rows are overwritten in the file,
        and after this they are in neither ``*.sqlite3`` nor ``*.sqlite3-wal``. Waits (busy_timeout) for readers
        on other connections; a checkpoint that could not finish is retried once.
        """
        if str(self.path) == ":memory:":
            return
        for _attempt in range(2):
            row = await self.fetch_one("PRAGMA wal_checkpoint(TRUNCATE)")
            if row is None or row[0] == 0:
                return
        log.warning("WAL checkpoint after a deletion could not finish; the log is truncated at the next one")

    async def close(self) -> None:
        for lane in self._lanes:
            await lane.close()
        self._lanes.clear()
        async with self._lock:
            await self._conn.close()

    # One-hop operations need no lock of their own: the worker thread runs queued calls one at a
    # time, in order, so a statement or a run_sync() can never interleave with another. They only
    # wait while a multi-hop transaction() is open, so they do not run inside it. Without a lock
    # per statement, many coroutines' statements queue at the worker thread together instead of
    # each waiting a full event-loop round trip for the previous one (check-ins under load).
    async def _hop(self, fn: Callable[..., T], *args: Any) -> T:
        if self._lock.locked():
            async with self._lock:
                return await self._call(fn, *args)
        return await self._call(fn, *args)

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._hop(_run_execute, sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.execute_many(sql, rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        return await self._hop(_run_fetch_one, sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._hop(_run_fetch_all, sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        row_id = await self._hop(_run_insert, sql, params)
        if row_id is None:
            raise RuntimeError("INSERT produced no row id")
        return row_id

    async def run_sync(self, fn: Callable[[sqlite3.Connection], T], *, write: bool = True) -> T:
        """Run ``fn(conn)`` on the worker thread in ONE hop: several statements for the price of one.

        With ``write`` (default) it runs as one BEGIN IMMEDIATE ... COMMIT transaction (rolled
        back if ``fn`` raises); without, as plain reads. ``fn`` is a repository function: it
        holds the SQL (``?`` params only) and must not block on anything but SQLite.
        """
        return await self._hop(_in_transaction if write else _plain, fn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back if the block raises."""
        async with self._lock:
            await self._call(_run_execute, "BEGIN IMMEDIATE", ())
            try:
                yield Transaction(self._conn)
            except BaseException:
                await self._call(_run_execute, "ROLLBACK", ())
                raise
            else:
                await self._call(_run_execute, "COMMIT", ())

    async def executescript_in_transaction(self, script: str) -> None:
        """Run a whole SQL script atomically (used by migrations)."""
        async with self._lock:
            try:
                # With isolation_level=None, executescript issues no implicit COMMIT, so
                # the BEGIN/COMMIT written here make the script one transaction.
                await self._conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nCOMMIT;")
            except BaseException:
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise


# --------------------------------------------------------------------------- migrations

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(Exception):
    """A migration could not be applied, or the database is newer than this code."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


@dataclass(frozen=True, slots=True)
class MigrationReport:
    before: int
    after: int
    applied: tuple[int, ...]


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in the ``migrations`` package (works from a wheel too)."""
    found: list[Migration] = []
    for entry in resources.files("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    return _checked(found)


def _checked(found: list[Migration]) -> list[Migration]:
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a version number: {versions}")
    return found


async def schema_version(db: Database) -> int:
    exists = await db.fetch_value(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    )
    if not exists:
        return 0
    return int(await db.fetch_value("SELECT COALESCE(MAX(version), 0) FROM schema_version"))


async def migrate(db: Database, migrations: list[Migration] | None = None) -> MigrationReport:
    """Apply pending migrations, each with its schema_version row in one transaction."""
    available = bundled_migrations() if migrations is None else _checked(list(migrations))
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    before = await schema_version(db)
    newest_known = available[-1].version if available else 0
    if before > newest_known:
        raise MigrationError(
            f"database {db.path} is at schema version {before}, newer than this version of Hearth "
            f"knows ({newest_known}); upgrade Hearth or restore a backup made for this version"
        )
    applied: list[int] = []
    for migration in available:
        if migration.version <= before:
            continue
        # The version row is inserted inside the same script, so it commits (or rolls
        # back) together with the schema change. executescript takes no parameters; the
        # name is safe to inline because _MIGRATION_NAME allows only [a-z0-9_].
        script = (
            f"{migration.sql.rstrip().rstrip(';')};\n"
            "INSERT INTO schema_version (version, name, applied_at) VALUES "
            f"({migration.version}, '{migration.name}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));"
        )
        try:
            await db.executescript_in_transaction(script)
        except sqlite3.Error as exc:
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} failed and was rolled back: {exc}"
            ) from exc
        log.info("applied migration %04d_%s", migration.version, migration.name)
        applied.append(migration.version)
    return MigrationReport(before=before, after=await schema_version(db), applied=tuple(applied))
