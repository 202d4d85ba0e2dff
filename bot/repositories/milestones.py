"""SQL for milestones: counters, runs, pending celebrations, celebrations, cheers, preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.clock import from_db, maybe_from_db, to_db
from bot.db import Queryable, Row


@dataclass(frozen=True, slots=True)
class CounterRow:
    id: int
    user_id: int
    label: str
    label_key: str
    start_date: date


@dataclass(frozen=True, slots=True)
class RunRow:
    counter_id: int
    start_date: date
    reset_date: date


@dataclass(frozen=True, slots=True)
class PendingRow:
    user_id: int
    kind: str
    subject: int
    run_key: str
    milestone: int
    local_date: date
    due_at: datetime


@dataclass(frozen=True, slots=True)
class CelebrationRow:
    id: int
    user_id: int
    kind: str
    subject: int
    run_key: str
    milestone: int
    local_date: date
    status: str
    visibility: str | None
    late: bool
    channel_id: int | None
    message_id: int | None
    sent_at: datetime | None


def _counter(row: Row) -> CounterRow:
    return CounterRow(
        id=int(row["id"]), user_id=int(row["user_id"]), label=str(row["label"]),
        label_key=str(row["label_key"]), start_date=date.fromisoformat(row["start_date"]),
    )


def _pending(row: Row) -> PendingRow:
    return PendingRow(
        user_id=int(row["user_id"]), kind=str(row["kind"]), subject=int(row["subject"]),
        run_key=str(row["run_key"]), milestone=int(row["milestone"]),
        local_date=date.fromisoformat(row["local_date"]), due_at=from_db(row["due_at"]),
    )


def _celebration(row: Row) -> CelebrationRow:
    return CelebrationRow(
        id=int(row["id"]), user_id=int(row["user_id"]), kind=str(row["kind"]), subject=int(row["subject"]),
        run_key=str(row["run_key"]), milestone=int(row["milestone"]),
        local_date=date.fromisoformat(row["local_date"]), status=str(row["status"]),
        visibility=row["visibility"], late=bool(row["late"]),
        channel_id=None if row["channel_id"] is None else int(row["channel_id"]),
        message_id=None if row["message_id"] is None else int(row["message_id"]),
        sent_at=maybe_from_db(row["sent_at"]),
    )


# ----------------------------------------------------------------- counters

async def counters_of(db: Queryable, user_id: int) -> list[CounterRow]:
    rows = await db.fetch_all(
        "SELECT * FROM milestone_counters WHERE user_id = ? ORDER BY created_at, id", (user_id,)
    )
    return [_counter(r) for r in rows]


async def counter_by_id(db: Queryable, counter_id: int) -> CounterRow | None:
    row = await db.fetch_one("SELECT * FROM milestone_counters WHERE id = ?", (counter_id,))
    return None if row is None else _counter(row)


async def counter_by_label(db: Queryable, user_id: int, label_key: str) -> CounterRow | None:
    row = await db.fetch_one(
        "SELECT * FROM milestone_counters WHERE user_id = ? AND label_key = ?", (user_id, label_key)
    )
    return None if row is None else _counter(row)


async def count_counters(db: Queryable, user_id: int) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM milestone_counters WHERE user_id = ?", (user_id,)))


async def insert_counter(
    db: Queryable, user_id: int, label: str, label_key: str, start: date, now: datetime
) -> int:
    return await db.insert(
        "INSERT INTO milestone_counters (user_id, label, label_key, start_date, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (user_id, label, label_key, start.isoformat(), to_db(now), to_db(now)),
    )


async def update_counter_start(db: Queryable, counter_id: int, start: date, now: datetime) -> None:
    await db.execute(
        "UPDATE milestone_counters SET start_date = ?, updated_at = ? WHERE id = ?",
        (start.isoformat(), to_db(now), counter_id),
    )


async def delete_counter(db: Queryable, counter_id: int) -> int:
    return await db.execute("DELETE FROM milestone_counters WHERE id = ?", (counter_id,))


async def all_counters(db: Queryable) -> list[CounterRow]:
    return [_counter(r) for r in await db.fetch_all("SELECT * FROM milestone_counters ORDER BY id")]


# ----------------------------------------------------------------- runs

async def insert_run(
    db: Queryable, counter_id: int, user_id: int, start: date, reset: date, now: datetime
) -> None:
    await db.insert(
        "INSERT INTO milestone_runs (counter_id, user_id, start_date, reset_date, recorded_at) VALUES (?, ?, ?, ?, ?)",
        (counter_id, user_id, start.isoformat(), reset.isoformat(), to_db(now)),
    )


async def runs_of(db: Queryable, counter_id: int) -> list[RunRow]:
    rows = await db.fetch_all(
        "SELECT * FROM milestone_runs WHERE counter_id = ? ORDER BY start_date, id", (counter_id,)
    )
    return [
        RunRow(int(r["counter_id"]), date.fromisoformat(r["start_date"]), date.fromisoformat(r["reset_date"]))
        for r in rows
    ]


# ----------------------------------------------------------------- pending

async def upsert_pending(db: Queryable, p: PendingRow) -> None:
    await db.execute(
        "INSERT INTO milestone_pending (user_id, kind, subject, run_key, milestone, local_date, due_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, kind, subject) DO UPDATE SET "
        "run_key = excluded.run_key, milestone = excluded.milestone, local_date = excluded.local_date, "
        "due_at = excluded.due_at",
        (p.user_id, p.kind, p.subject, p.run_key, p.milestone, p.local_date.isoformat(), to_db(p.due_at)),
    )


async def delete_pending(db: Queryable, user_id: int, kind: str, subject: int) -> int:
    return await db.execute(
        "DELETE FROM milestone_pending WHERE user_id = ? AND kind = ? AND subject = ?", (user_id, kind, subject)
    )


async def pending_of(db: Queryable, user_id: int) -> list[PendingRow]:
    rows = await db.fetch_all("SELECT * FROM milestone_pending WHERE user_id = ? ORDER BY due_at", (user_id,))
    return [_pending(r) for r in rows]


async def pending_one(db: Queryable, user_id: int, kind: str, subject: int) -> PendingRow | None:
    row = await db.fetch_one(
        "SELECT * FROM milestone_pending WHERE user_id = ? AND kind = ? AND subject = ?", (user_id, kind, subject)
    )
    return None if row is None else _pending(row)


async def due_pending(db: Queryable, now: datetime, limit: int = 200) -> list[PendingRow]:
    rows = await db.fetch_all(
        "SELECT * FROM milestone_pending WHERE due_at <= ? ORDER BY due_at LIMIT ?", (to_db(now), limit)
    )
    return [_pending(r) for r in rows]


async def earliest_due(db: Queryable) -> datetime | None:
    value = await db.fetch_value("SELECT MIN(due_at) FROM milestone_pending")
    return None if value is None else from_db(value)


async def pending_subjects(db: Queryable, user_id: int, kind: str) -> list[int]:
    rows = await db.fetch_all(
        "SELECT subject FROM milestone_pending WHERE user_id = ? AND kind = ?", (user_id, kind)
    )
    return [int(r["subject"]) for r in rows]


# ----------------------------------------------------------------- celebrations

async def celebration_by_key(
    db: Queryable, user_id: int, kind: str, subject: int, run_key: str, milestone: int
) -> CelebrationRow | None:
    row = await db.fetch_one(
        "SELECT * FROM milestone_celebrations WHERE user_id = ? AND kind = ? AND subject = ? AND run_key = ? "
        "AND milestone = ?",
        (user_id, kind, subject, run_key, milestone),
    )
    return None if row is None else _celebration(row)


async def celebration_by_id(db: Queryable, celebration_id: int) -> CelebrationRow | None:
    row = await db.fetch_one("SELECT * FROM milestone_celebrations WHERE id = ?", (celebration_id,))
    return None if row is None else _celebration(row)


async def claim_celebration(
    db: Queryable, p: PendingRow, *, status: str, visibility: str | None, late: bool, now: datetime
) -> None:
    await db.execute(
        "INSERT INTO milestone_celebrations (user_id, kind, subject, run_key, milestone, local_date, status, "
        "visibility, late, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (user_id, kind, subject, run_key, milestone) DO NOTHING",
        (p.user_id, p.kind, p.subject, p.run_key, p.milestone, p.local_date.isoformat(), status, visibility,
         int(late), to_db(now)),
    )


async def mark_attempt(db: Queryable, celebration_id: int) -> int:
    """Count one more failed attempt; the attempts so far."""
    await db.execute("UPDATE milestone_celebrations SET attempts = attempts + 1 WHERE id = ?", (celebration_id,))
    return int(await db.fetch_value("SELECT attempts FROM milestone_celebrations WHERE id = ?", (celebration_id,)))


async def finish_celebration(
    db: Queryable, celebration_id: int, *, status: str, channel_id: int | None, message_id: int | None,
    now: datetime,
) -> None:
    await db.execute(
        "UPDATE milestone_celebrations SET status = ?, channel_id = ?, message_id = ?, sent_at = ? WHERE id = ?",
        (status, channel_id, message_id, to_db(now), celebration_id),
    )


async def celebrations_of(db: Queryable, user_id: int) -> list[CelebrationRow]:
    rows = await db.fetch_all(
        "SELECT * FROM milestone_celebrations WHERE user_id = ? ORDER BY created_at, id", (user_id,)
    )
    return [_celebration(r) for r in rows]


# ----------------------------------------------------------------- cheers & encouragement

async def add_cheer(db: Queryable, celebration_id: int, user_id: int, now: datetime) -> bool:
    changed = await db.execute(
        "INSERT INTO milestone_cheers (celebration_id, user_id, at) VALUES (?, ?, ?) "
        "ON CONFLICT (celebration_id, user_id) DO NOTHING",
        (celebration_id, user_id, to_db(now)),
    )
    return changed > 0


async def cheer_count(db: Queryable, celebration_id: int) -> int:
    return int(await db.fetch_value(
        "SELECT COUNT(*) FROM milestone_cheers WHERE celebration_id = ?", (celebration_id,)
    ))


async def has_encouraged(db: Queryable, celebration_id: int, author_id: int) -> bool:
    value = await db.fetch_value(
        "SELECT 1 FROM milestone_encouragements WHERE celebration_id = ? AND author_id = ?",
        (celebration_id, author_id),
    )
    return value is not None


async def record_encouragement(
    db: Queryable, celebration_id: int, author_id: int, recipient_id: int, status: str, now: datetime
) -> bool:
    changed = await db.execute(
        "INSERT INTO milestone_encouragements (celebration_id, author_id, recipient_id, status, at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (celebration_id, author_id) DO NOTHING",
        (celebration_id, author_id, recipient_id, status, to_db(now)),
    )
    return changed > 0


async def set_encouragement_status(db: Queryable, celebration_id: int, author_id: int, status: str) -> None:
    await db.execute(
        "UPDATE milestone_encouragements SET status = ? WHERE celebration_id = ? AND author_id = ?",
        (status, celebration_id, author_id),
    )


# ----------------------------------------------------------------- preferences

async def get_visibility(db: Queryable, user_id: int) -> str | None:
    value = await db.fetch_value("SELECT visibility FROM milestone_preferences WHERE user_id = ?", (user_id,))
    return None if value is None else str(value)


async def set_visibility(db: Queryable, user_id: int, visibility: str, now: datetime) -> None:
    await db.execute(
        "INSERT INTO milestone_preferences (user_id, visibility, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET visibility = excluded.visibility, updated_at = excluded.updated_at",
        (user_id, visibility, to_db(now)),
    )


# ----------------------------------------------------------------- data rights

EXPORT_QUERIES: tuple[tuple[str, str], ...] = (
    ("counters", "SELECT id, label, start_date, created_at, updated_at FROM milestone_counters WHERE user_id = ?"),
    ("earlier_runs", "SELECT counter_id, start_date, reset_date, recorded_at FROM milestone_runs WHERE user_id = ?"),
    ("upcoming", "SELECT kind, subject, milestone, local_date, due_at FROM milestone_pending WHERE user_id = ?"),
    ("celebrations", "SELECT id, kind, subject, milestone, local_date, status, visibility, late, channel_id, "
                     "message_id, created_at, sent_at FROM milestone_celebrations WHERE user_id = ?"),
    ("cheers_received", "SELECT c.celebration_id, c.user_id, c.at FROM milestone_cheers c "
                        "JOIN milestone_celebrations m ON m.id = c.celebration_id WHERE m.user_id = ?"),
    ("cheers_given", "SELECT celebration_id, at FROM milestone_cheers WHERE user_id = ?"),
    ("encouragements_received", "SELECT celebration_id, author_id, status, at FROM milestone_encouragements "
                                "WHERE recipient_id = ?"),
    ("encouragements_sent", "SELECT celebration_id, recipient_id, status, at FROM milestone_encouragements "
                            "WHERE author_id = ?"),
    ("settings", "SELECT visibility, updated_at FROM milestone_preferences WHERE user_id = ?"),
)


async def export(db: Queryable, user_id: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, sql in EXPORT_QUERIES:
        out[name] = [{k: _plain(v) for k, v in dict(row).items()} for row in await db.fetch_all(sql, (user_id,))]
    return out


def _plain(value: object) -> object:
    # Discord IDs as strings so JSON readers that use doubles do not round them.
    if isinstance(value, int) and value > 2**53:
        return str(value)
    return value


DELETE_STATEMENTS: tuple[str, ...] = (
    "DELETE FROM milestone_encouragements WHERE author_id = ? OR recipient_id = ?",
    "DELETE FROM milestone_cheers WHERE user_id = ?",
    "DELETE FROM milestone_cheers WHERE celebration_id IN (SELECT id FROM milestone_celebrations WHERE user_id = ?)",
    "DELETE FROM milestone_celebrations WHERE user_id = ?",
    "DELETE FROM milestone_pending WHERE user_id = ?",
    "DELETE FROM milestone_runs WHERE user_id = ?",
    "DELETE FROM milestone_counters WHERE user_id = ?",
    "DELETE FROM milestone_preferences WHERE user_id = ?",
)


async def delete_user(db: Queryable, user_id: int) -> int:
    total = 0
    for sql in DELETE_STATEMENTS:
        params = (user_id, user_id) if sql.count("?") == 2 else (user_id,)
        total += max(0, await db.execute(sql, params))
    return total


async def public_posts(db: Queryable, user_id: int) -> list[tuple[int, int]]:
    """(channel_id, message_id) of celebrations posted in a group or community channel."""
    rows = await db.fetch_all(
        "SELECT channel_id, message_id FROM milestone_celebrations WHERE user_id = ? AND status = 'sent' "
        "AND visibility IN ('group', 'community') AND channel_id IS NOT NULL AND message_id IS NOT NULL",
        (user_id,),
    )
    return [(int(r["channel_id"]), int(r["message_id"])) for r in rows]
