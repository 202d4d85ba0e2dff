"""Benchmark: backup time and size at 10,000 participants with a year of daily check-ins.

Builds a database through the real migrations with ``--people`` participants × ``--days`` check-ins each
(mood, cravings, sleep and a 60-character note), then times ``bot.backup.take_backup`` plain and encrypted
(Fernet, scrypt key) and ``bot.backup.restore`` of the plain copy. Prints numbers; no assertions.
Usage: python -m bench.bench_backup [--people 10000] [--days 365]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import tempfile
import time
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.backup import restore, take_backup
from bot.clock import ManualClock
from bot.config import parse_settings
from bot.db import Database, migrate

REPO = Path(__file__).resolve().parents[1]


async def build(path: Path, people: int, days: int) -> None:
    db = await Database.open(path)
    await migrate(db)
    await db.close()
    conn = sqlite3.connect(path)
    rng = random.Random(1)
    first = date(2025, 1, 1)
    now = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    note = "x" * 60
    for user in range(people):
        conn.executemany(
            "INSERT INTO checkins (user_id, local_date, mood, cravings, sleep_hours, note, source, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, 'modal', ?, ?)",
            [(10_000 + user, (first + timedelta(days=d)).isoformat(), rng.randint(1, 10), rng.randint(0, 10),
              7.5, note, now, now) for d in range(days)],
        )
    conn.commit()
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text = (REPO / "config.example.toml").read_text()
        settings = parse_settings(tomllib.loads(text), base_dir=folder)
        started = time.perf_counter()
        asyncio.run(build(settings.database.path, args.people, args.days))
        print(f"database: {args.people} people x {args.days} check-ins = {args.people * args.days:,} rows, "
              f"{settings.database.path.stat().st_size / 1e6:.0f} MB, built in {time.perf_counter() - started:.0f} s")
        for passphrase in (None, "a long passphrase"):
            started = time.perf_counter()
            info = take_backup(settings.database.path, folder / f"b{bool(passphrase)}.sqlite3", passphrase=passphrase)
            label = "encrypted" if passphrase else "plain"
            print(f"backup ({label}): {time.perf_counter() - started:.1f} s, {info.size / 1e6:.0f} MB")
        started = time.perf_counter()
        report = asyncio.run(restore(settings, folder / "bFalse.sqlite3", ManualClock(datetime.now(UTC))))
        print(f"restore (plain, integrity check, migrations): {time.perf_counter() - started:.1f} s "
              f"(schema version {report.schema_version})")
        print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
