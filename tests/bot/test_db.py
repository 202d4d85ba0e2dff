from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import Database, Migration, MigrationError, bundled_migrations, migrate, schema_version


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database  # type: ignore[misc]
    await database.close()


async def test_pragmas(db: Database) -> None:
    assert await db.fetch_value("PRAGMA journal_mode") == "wal"
    assert await db.fetch_value("PRAGMA foreign_keys") == 1
    assert await db.fetch_value("PRAGMA secure_delete") == 1
    assert await db.fetch_value("PRAGMA synchronous") == 1  # NORMAL
    assert await db.fetch_value("PRAGMA busy_timeout") == 5000


async def test_fresh_apply_then_rerun_is_a_noop(db: Database) -> None:
    shipped = bundled_migrations()
    assert shipped and shipped[0].version == 1
    first = await migrate(db)
    assert first.before == 0 and first.after == shipped[-1].version
    assert first.applied == tuple(m.version for m in shipped)
    second = await migrate(db)
    assert second.applied == () and second.after == first.after
    rows = await db.fetch_all("SELECT version FROM schema_version ORDER BY version")
    assert [r[0] for r in rows] == [m.version for m in shipped]


async def test_failed_migration_rolls_back_to_previous_version(db: Database) -> None:
    good = Migration(1, "one", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "two", "CREATE TABLE b (y INTEGER);\nINSERT INTO nowhere VALUES (1);")
    with pytest.raises(MigrationError, match="0002_two failed and was rolled back"):
        await migrate(db, [good, bad])
    assert await schema_version(db) == 1
    # The half of migration 2 that succeeded must not be there.
    assert await db.fetch_value("SELECT name FROM sqlite_master WHERE name = 'b'") is None
    # And the database is still usable and can be migrated once fixed.
    fixed = Migration(2, "two", "CREATE TABLE b (y INTEGER);")
    report = await migrate(db, [good, fixed])
    assert report.applied == (2,)


async def test_newer_database_is_refused(db: Database) -> None:
    await migrate(db, [Migration(1, "one", "CREATE TABLE a (x INTEGER);"), Migration(2, "two", "SELECT 1;")])
    with pytest.raises(MigrationError, match="schema version 2, newer than this version of Hearth knows \\(1\\)"):
        await migrate(db, [Migration(1, "one", "CREATE TABLE a (x INTEGER);")])


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    await db.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
    assert await db.fetch_value("SELECT COUNT(*) FROM t") == 0


def test_migration_files_are_well_named() -> None:
    directory = Path(__file__).resolve().parents[2] / "migrations"
    names = sorted(p.name for p in directory.glob("*.sql"))
    assert names, "no migrations found"
    versions = [int(n[:4]) for n in names]
    assert versions == list(range(1, len(versions) + 1)), "migration numbers must be consecutive"
    assert len(bundled_migrations()) == len(names)
