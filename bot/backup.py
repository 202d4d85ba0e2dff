"""Backups and restore of the database: online, consistent, optionally encrypted; a restore replays deletions.

* ``take_backup`` copies the live database through SQLite's online backup API (never a file copy of a WAL
  database), then writes it with mode 0600, encrypted with Fernet (``cryptography``; key derived from a
  passphrase with scrypt and a random salt kept in the file's header) when a passphrase is given.
* ``restore`` refuses while an instance holds the database's lease, checks ``PRAGMA integrity_check`` and the
  schema version of the backup, keeps the current file aside, puts the backup in place, migrates it, and
  deletes again everyone in the current database's deletion log (people who asked for deletion after the
  backup was taken stay deleted).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import secrets
import socket
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, bundled_migrations, migrate
from bot.lease import InstanceLease, LeaseHeld
from bot.repositories import deletion_log

__all__ = ["BackupError", "BackupInfo", "DailyBackups", "RestoreReport", "prune", "restore", "take_backup"]

log = logging.getLogger(__name__)

MAGIC = b"HEARTH-BACKUP-ENC-1\n"
SALT_BYTES = 16


class BackupError(Exception):
    """One plain line for the operator."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    size: int
    encrypted: bool


@dataclass(frozen=True, slots=True)
class RestoreReport:
    restored_from: Path
    previous_kept_as: Path | None
    schema_version: int
    deletions_replayed: int


def _fernet(passphrase: str, salt: bytes) -> Fernet:
    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def _write_private(path: Path, data: bytes) -> None:
    """Mode 0600 from the start; written under a temporary name and renamed, so a failure (disk full) never
    leaves a truncated file under the backup's name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(part, 0o600)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def default_name(now: datetime, encrypted: bool) -> str:
    return f"hearth-{now.astimezone(UTC).strftime('%Y%m%d-%H%M%S')}.sqlite3" + (".enc" if encrypted else "")


# Scheduled work: the daily backup at backup.hour.
WORK_NAME = "daily-backup"
NAME_PATTERN = re.compile(r"^hearth-(\d{8}-\d{6})\.sqlite3(\.enc)?$")


def newest_backup_time(directory: Path) -> datetime | None:
    """When the newest backup that Hearth named in ``directory`` was taken (names carry the UTC time)."""
    if not directory.is_dir():
        return None
    times = [
        datetime.strptime(m.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
        for m in (NAME_PATTERN.match(p.name) for p in directory.iterdir())
        if m is not None
    ]
    return max(times, default=None)


def take_backup(db_path: Path, out: Path, *, passphrase: str | None = None) -> BackupInfo:
    """Blocking (run it in a thread from the bot). Safe while the bot writes: SQLite's online backup."""
    if not db_path.exists():
        raise BackupError(f"database {db_path} does not exist")
    with tempfile.TemporaryDirectory(prefix="hearth-backup-") as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        data = copy.read_bytes()
    if passphrase:
        salt = secrets.token_bytes(SALT_BYTES)
        data = MAGIC + salt + _fernet(passphrase, salt).encrypt(data)
    _write_private(out, data)
    return BackupInfo(out, len(data), bool(passphrase))


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups that Hearth named (hearth-<time>.sqlite3[.enc])."""
    found = sorted((p for p in directory.iterdir() if NAME_PATTERN.match(p.name)), key=lambda p: p.name)
    old = found[:-keep] if keep > 0 else found
    for path in old:
        path.unlink(missing_ok=True)
    return old


def _plain_copy(file: Path, passphrase: str | None, into: Path) -> None:
    data = file.read_bytes()
    if data.startswith(MAGIC):
        if not passphrase:
            raise BackupError(f"{file} is encrypted: set the passphrase variable named by backup.passphrase_env")
        salt = data[len(MAGIC):len(MAGIC) + SALT_BYTES]
        try:
            data = _fernet(passphrase, salt).decrypt(data[len(MAGIC) + SALT_BYTES:])
        except InvalidToken:
            raise BackupError(f"{file}: wrong passphrase, or the file is damaged") from None
    _write_private(into, data)


def _check(path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"not a Hearth database backup ({exc})") from None
    if result != "ok":
        raise BackupError(f"the backup failed SQLite's integrity check: {result}")
    newest = bundled_migrations()[-1].version
    if int(version) > newest:
        raise BackupError(
            f"the backup is at schema version {version}, newer than this Hearth knows ({newest}); upgrade first"
        )
    return int(version)


def _restore_holder() -> str:
    # host:pid like a running bot's (so a restore that crashed does not block a start), marked as a restore.
    return f"{socket.gethostname()}:{os.getpid()}:restore"


async def _claim_current(target: Path, clock: Clock, holder: str) -> list[tuple[int, datetime]]:
    """Take the lease of the database being replaced (refused while an instance runs on it) and read its
    deletion log. A database from before leases existed has neither table: nothing to claim or replay."""
    try:
        current = await Database.open(target)
    except sqlite3.DatabaseError as exc:
        raise _unreadable(target, exc) from None
    try:
        try:
            await InstanceLease(current, clock, holder=holder).acquire()
        except LeaseHeld as exc:
            raise BackupError(
                f"Hearth is running on {target} ({exc.holder.holder}); stop it before restoring"
            ) from None
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise _unreadable(target, exc) from None
        try:
            return await deletion_log.entries(current)
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise _unreadable(target, exc) from None
            return []
    except sqlite3.DatabaseError as exc:
        raise _unreadable(target, exc) from None
    finally:
        await current.close()


def _unreadable(target: Path, exc: Exception) -> BackupError:
    return BackupError(
        f"the current database {target} cannot be read ({exc}), so the people it records as deleted cannot be "
        "deleted again after the restore; move it aside yourself and restore again only if you accept that"
    )


async def _prepare(staged: Path, clock: Clock, holder: str, log_entries: list[tuple[int, datetime]]) -> None:
    """Before the staged copy takes the database's place: migrate it, drop the lease row it was backed up with
    (the instance that ran then), hold its lease for this restore (a ``run`` started meanwhile refuses before
    touching it), and carry the current deletion log into it, so it is never lost even if the replay is cut
    short (the next restore replays it again)."""
    db = await Database.open(staged)
    try:
        await migrate(db)
        await db.execute("DELETE FROM instance_lease")
        await InstanceLease(db, clock, holder=holder).acquire()
        for user_id, at in log_entries:
            await deletion_log.record(db, user_id, at)
    finally:
        await db.close()


def _swap(target: Path, staged: Path, kept: Path | None) -> None:
    """Move the current file (and its -wal/-shm, which belong to it alone) aside, then put the staged one
    in place."""
    for suffix in ("", "-wal", "-shm"):
        side = target.with_name(target.name + suffix)
        if kept is not None and side.exists():
            side.rename(kept.with_name(kept.name + suffix))
        elif side.exists():
            side.unlink()
    for suffix in ("-wal", "-shm"):
        staged.with_name(staged.name + suffix).unlink(missing_ok=True)
    os.replace(staged, target)


async def restore(settings: Settings, file: Path, clock: Clock, *, passphrase: str | None = None) -> RestoreReport:
    from bot.wiring import build_services  # the data hooks, for replaying deletions

    target = settings.database.path
    holder = _restore_holder()
    log_entries = await _claim_current(target, clock, holder) if target.exists() else []
    staged = target.with_name(target.name + ".restoring")
    try:
        _plain_copy(file, passphrase, staged)
        version = _check(staged)
        await _prepare(staged, clock, holder, log_entries)
    except BaseException:
        for suffix in ("", "-wal", "-shm"):
            staged.with_name(staged.name + suffix).unlink(missing_ok=True)
        if target.exists():
            await _release(target, clock, holder)
        raise
    kept: Path | None = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{clock.now().astimezone(UTC):%Y%m%d-%H%M%S}")
    _swap(target, staged, kept)
    restored = await Database.open(target)
    try:
        services = build_services(settings, restored, clock)
        for user_id, _ in log_entries:
            await services.data_rights.delete(user_id)
        for user_id, at in log_entries:  # the log keeps when they asked, not when the restore ran
            await deletion_log.record(restored, user_id, at)
        await InstanceLease(restored, clock, holder=holder).release()
    finally:
        await restored.close()
    return RestoreReport(file, kept, version, len(log_entries))


async def _release(target: Path, clock: Clock, holder: str) -> None:
    try:
        db = await Database.open(target)
        try:
            await InstanceLease(db, clock, holder=holder).release()
        finally:
            await db.close()
    except sqlite3.Error:
        pass  # a database from before leases existed; nothing was taken


class DailyBackups:
    """Scheduled work (``bot.scheduler.DueWork``) of ``[backup] enabled``: one backup a day at ``backup.hour`` in
    the community's time zone, then only the newest ``backup.keep`` are kept. A slot missed while the bot was
    stopped is made up at start. A failure is logged (no path, no text) and tried again an hour later."""

    RETRY_AFTER = timedelta(hours=1)

    def __init__(
        self, settings: Settings, clock: Clock, *, passphrase: Callable[[], str | None] = lambda: None
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._zone = ZoneInfo(settings.community.timezone)
        self._passphrase = passphrase
        self._failed_at: datetime | None = None

    def last_slot(self, now: datetime) -> datetime:
        """The latest ``backup.hour`` o'clock (community time) at or before ``now``, as UTC."""
        local = now.astimezone(self._zone).date()
        slot = datetime.combine(local, time(self._settings.backup.hour), tzinfo=self._zone).astimezone(UTC)
        if slot > now:
            slot = datetime.combine(
                local - timedelta(days=1), time(self._settings.backup.hour), tzinfo=self._zone
            ).astimezone(UTC)
        return slot

    def next_slot(self, now: datetime) -> datetime:
        local = self.last_slot(now).astimezone(self._zone).date() + timedelta(days=1)
        return datetime.combine(local, time(self._settings.backup.hour), tzinfo=self._zone).astimezone(UTC)

    async def next_due(self) -> datetime | None:
        now = self._clock.now()
        newest = await asyncio.to_thread(newest_backup_time, self._settings.backup.directory)
        if newest is not None and newest >= self.last_slot(now):
            return self.next_slot(now)
        if self._failed_at is not None and now < self._failed_at + self.RETRY_AFTER:
            return self._failed_at + self.RETRY_AFTER
        return now

    async def run_due(self, now: datetime) -> None:
        due = await self.next_due()
        if due is None or due > now:
            return
        config = self._settings.backup
        try:
            passphrase = self._passphrase()
            out = config.directory / default_name(now, bool(passphrase))
            info = await asyncio.to_thread(take_backup, self._settings.database.path, out, passphrase=passphrase)
            removed = await asyncio.to_thread(prune, config.directory, config.keep)
        except Exception as exc:
            self._failed_at = now
            # Paths and OS/SQLite reasons only: nothing here carries what people wrote.
            why = f"{type(exc).__name__}: {exc}" if isinstance(exc, (OSError, BackupError)) else type(exc).__name__
            log.error("daily backup failed (%s); trying again in an hour", why)
            return
        self._failed_at = None
        log.info("daily backup written (%d bytes, %d older removed)", info.size, len(removed))
