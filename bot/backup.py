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

import base64
import os
import secrets
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, bundled_migrations, migrate
from bot.lease import InstanceLease
from bot.repositories import deletion_log

__all__ = ["BackupError", "BackupInfo", "RestoreReport", "prune", "restore", "take_backup"]

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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)


def default_name(now: datetime, encrypted: bool) -> str:
    return f"hearth-{now.strftime('%Y%m%d-%H%M%S')}.sqlite3" + (".enc" if encrypted else "")


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
    """Delete all but the newest ``keep`` backups that Hearth named (hearth-*.sqlite3[.enc])."""
    found = sorted(directory.glob("hearth-*.sqlite3*"), key=lambda p: p.name)
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


async def restore(settings: Settings, file: Path, clock: Clock, *, passphrase: str | None = None) -> RestoreReport:
    from bot.wiring import build_services  # the data hooks, for replaying deletions

    target = settings.database.path
    replay: list[int] = []
    if target.exists():
        current = await Database.open(target)
        try:
            lease = InstanceLease(current, clock)
            try:
                holder = await lease.current()
            except sqlite3.OperationalError:
                holder = None  # a database from before leases existed
            if holder is not None and lease.is_live(holder):
                raise BackupError(
                    f"Hearth is running on {target} ({holder.holder}); stop it before restoring"
                )
            try:
                replay = [user_id for user_id, _ in await deletion_log.entries(current)]
            except sqlite3.OperationalError:
                replay = []
        finally:
            await current.close()
    staged = target.with_name(target.name + ".restoring")
    _plain_copy(file, passphrase, staged)
    try:
        version = _check(staged)
    except BackupError:
        staged.unlink(missing_ok=True)
        raise
    kept: Path | None = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{clock.now().strftime('%Y%m%d-%H%M%S')}")
        target.rename(kept)
        for suffix in ("-wal", "-shm"):
            side = target.with_name(target.name + suffix)
            if side.exists():
                side.rename(kept.with_name(kept.name + suffix))
    staged.rename(target)
    restored = await Database.open(target)
    try:
        await migrate(restored)
        services = build_services(settings, restored, clock)
        for user_id in replay:
            await services.data_rights.delete(user_id)
    finally:
        await restored.close()
    return RestoreReport(file, kept, version, len(replay))
