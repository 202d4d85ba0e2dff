"""Backups, restore and retried deletions, on real temporary SQLite files."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import threading
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.backup import MAGIC, BackupError, prune, restore, take_backup
from bot.cli import main
from bot.clock import ManualClock
from bot.config import Settings, parse_settings
from bot.db import Database, migrate
from bot.lease import InstanceLease
from bot.permissions import HearthRole, Person
from bot.services.checkins import CheckinInput
from bot.wiring import build_services

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
RILEY = Person(101, frozenset({HearthRole.PARTICIPANT}))
SAM = Person(102, frozenset({HearthRole.PARTICIPANT}))
NOTE = "backup-marker-okapi my sponsor called"


def settings_for(tmp_path: Path, passphrase_env: str | None = None) -> tuple[Settings, Path]:
    text = (REPO / "config.example.toml").read_text()
    if passphrase_env:
        text = text.replace('# passphrase_env = "HEARTH_BACKUP_PASSPHRASE"', f'passphrase_env = "{passphrase_env}"')
    config = tmp_path / "config.toml"
    config.write_text(text)
    return parse_settings(tomllib.loads(text), base_dir=tmp_path), config


async def seeded(settings: Settings, clock: ManualClock) -> None:
    db = await Database.open(settings.database.path)
    try:
        await migrate(db)
        services = build_services(settings, db, clock)
        for person in (RILEY, SAM):
            await services.checkins.record(person, CheckinInput(6, 1, 7.0, NOTE), source="modal")
    finally:
        await db.close()


async def notes_of(path: Path, user_id: int) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT note FROM checkins WHERE user_id = ?", (user_id,))]
    finally:
        conn.close()


async def test_backup_is_consistent_while_another_connection_writes(tmp_path: Path) -> None:
    settings, _ = settings_for(tmp_path)
    await seeded(settings, ManualClock(START))
    stop = threading.Event()

    def write() -> None:
        conn = sqlite3.connect(settings.database.path, isolation_level=None)
        n = 0
        while not stop.is_set():
            conn.execute("INSERT INTO checkin_pauses (user_id, start_date, end_date, created_at) VALUES (?, ?, ?, ?)",
                         (900 + n, "2026-03-01", "2026-03-02", "2026-03-01T00:00:00+00:00"))
            n += 1
        conn.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        info = take_backup(settings.database.path, tmp_path / "b" / "copy.sqlite3")
    finally:
        stop.set()
        writer.join()
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    conn = sqlite3.connect(info.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 2
    conn.close()


async def test_encrypted_round_trip_and_a_wrong_passphrase(tmp_path: Path) -> None:
    settings, _ = settings_for(tmp_path)
    clock = ManualClock(START)
    await seeded(settings, clock)
    info = take_backup(settings.database.path, tmp_path / "enc.sqlite3.enc", passphrase="correct horse")
    data = info.path.read_bytes()
    assert data.startswith(MAGIC) and b"okapi" not in data and b"SQLite format" not in data
    with pytest.raises(BackupError, match="wrong passphrase"):
        await restore(settings, info.path, clock, passphrase="wrong")
    with pytest.raises(BackupError, match="is encrypted"):
        await restore(settings, info.path, clock)
    report = await restore(settings, info.path, clock, passphrase="correct horse")
    assert report.previous_kept_as is not None and report.previous_kept_as.exists()
    assert await notes_of(settings.database.path, RILEY.user_id) == [NOTE]


async def test_restore_refuses_while_an_instance_holds_the_database(tmp_path: Path) -> None:
    settings, _ = settings_for(tmp_path)
    clock = ManualClock(START)
    await seeded(settings, clock)
    backup = take_backup(settings.database.path, tmp_path / "b.sqlite3")
    db = await Database.open(settings.database.path)
    try:
        await InstanceLease(db, clock, holder="host:1").acquire()
    finally:
        await db.close()
    with pytest.raises(BackupError, match="running on"):
        await restore(settings, backup.path, clock)
    clock.advance(seconds=61)  # it crashed: the lease expired
    await restore(settings, backup.path, clock)


async def test_restore_replays_deletions_made_after_the_backup(tmp_path: Path) -> None:
    settings, _ = settings_for(tmp_path)
    clock = ManualClock(START)
    await seeded(settings, clock)
    backup = take_backup(settings.database.path, tmp_path / "before-delete.sqlite3")
    db = await Database.open(settings.database.path)
    try:
        results = await build_services(settings, db, clock).data_rights.delete(RILEY.user_id)
        assert not any(r.failed for r in results)
    finally:
        await db.close()
    clock.advance(days=1)
    report = await restore(settings, backup.path, clock)
    assert report.deletions_replayed == 1
    assert await notes_of(settings.database.path, RILEY.user_id) == []
    assert await notes_of(settings.database.path, SAM.user_id) == [NOTE]
    conn = sqlite3.connect(settings.database.path)
    assert conn.execute("SELECT user_id FROM deletion_log").fetchall() == [(RILEY.user_id,)]
    conn.close()


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    for day in range(5):
        (tmp_path / f"hearth-2026030{day + 1}-090000.sqlite3").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a backup")
    removed = prune(tmp_path, 2)
    assert [p.name for p in removed] == [f"hearth-2026030{d}-090000.sqlite3" for d in (1, 2, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hearth-20260304-090000.sqlite3", "hearth-20260305-090000.sqlite3", "notes.txt"
    ]


def test_backup_and_restore_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings, config = settings_for(tmp_path, "HEARTH_TEST_BACKUP_PASS")
    asyncio.run(seeded(settings, ManualClock(datetime.now(UTC) - timedelta(minutes=5))))
    os.environ.pop("HEARTH_TEST_BACKUP_PASS", None)
    assert main(["backup", "--config", str(config)]) == 2
    assert "backup.passphrase_env" in capsys.readouterr().err
    os.environ["HEARTH_TEST_BACKUP_PASS"] = "s3cret"
    try:
        assert main(["backup", "--config", str(config)]) == 0
        [written] = list((tmp_path / "backups").iterdir())
        assert written.name.endswith(".sqlite3.enc") and "encrypted" in capsys.readouterr().out
        assert main(["restore", "--config", str(config), str(written)]) == 0
        assert "deleted again: 0 person(s)" in capsys.readouterr().out
    finally:
        os.environ.pop("HEARTH_TEST_BACKUP_PASS", None)


async def test_a_failed_part_of_a_deletion_is_retried_until_it_succeeds(tmp_path: Path) -> None:
    """Issue 12, item 1: a hook that fails is queued (ids only), retried with backoff, and then done."""
    settings, _ = settings_for(tmp_path)
    clock = ManualClock(START)
    await seeded(settings, clock)
    db = await Database.open(settings.database.path)
    try:
        services = build_services(settings, db, clock)
        checkins = services.checkins
        original = checkins.delete_user_data
        failures = {"left": 2}

        async def flaky(user_id: int) -> Any:
            if failures["left"]:
                failures["left"] -= 1
                raise sqlite3.OperationalError("disk I/O error")
            return await original(user_id)

        checkins.delete_user_data = flaky  # type: ignore[method-assign]
        results = await services.data_rights.delete(RILEY.user_id)
        assert [r.feature for r in results if r.failed] == [checkins.feature]
        retries = services.deletion_retries
        assert await retries.next_due() == START + timedelta(minutes=1)
        assert await notes_of(settings.database.path, RILEY.user_id) == [NOTE]
        clock.advance(minutes=1)
        await retries.run_due(clock.now())  # fails again: backoff doubles
        assert await retries.next_due() == clock.now() + timedelta(minutes=2)
        clock.advance(minutes=2)
        await retries.run_due(clock.now())
        assert await retries.next_due() is None
        assert await notes_of(settings.database.path, RILEY.user_id) == []
        assert await notes_of(settings.database.path, SAM.user_id) == [NOTE]
    finally:
        await db.close()


async def test_daily_backup_at_the_hour_made_up_at_start_and_kept_to_n(tmp_path: Path) -> None:
    from bot.backup import DailyBackups

    text = (REPO / "config.example.toml").read_text().replace("enabled = false\nhour = 3", "enabled = true\nhour = 3")
    settings = parse_settings(tomllib.loads(text.replace("keep = 14", "keep = 2")), base_dir=tmp_path)
    # 2026-03-02 10:00 in New York: today's 03:00 slot was missed while the bot was stopped.
    clock = ManualClock(START)
    await seeded(settings, clock)
    work = DailyBackups(settings, clock)
    assert await work.next_due() == clock.now()  # made up at once
    await work.run_due(clock.now())
    backups = sorted((tmp_path / "backups").iterdir())
    assert len(backups) == 1
    # Next: tomorrow 03:00 local (08:00 UTC).
    assert await work.next_due() == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    for day in (3, 4, 5):
        clock.set(datetime(2026, 3, day, 8, 0, tzinfo=UTC))
        await work.run_due(clock.now())
    assert len(list((tmp_path / "backups").iterdir())) == 2  # only the newest backup.keep
