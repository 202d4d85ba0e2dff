"""SQL for daily check-in reminders: one row per person, and one delivery per person and local day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import maybe_from_db, to_db
from bot.db import Queryable, Row


@dataclass(frozen=True, slots=True)
class ReminderRow:
    user_id: int
    local_time: str
    zone: str
    enabled: bool
    paused_until: date | None
    next_due_at: datetime | None
    dm_closed_at: datetime | None


def _reminder(row: Row) -> ReminderRow:
    return ReminderRow(
        user_id=int(row["user_id"]),
        local_time=str(row["local_time"]),
        zone=str(row["zone"]),
        enabled=bool(row["enabled"]),
        paused_until=None if row["paused_until"] is None else date.fromisoformat(row["paused_until"]),
        next_due_at=maybe_from_db(row["next_due_at"]),
        dm_closed_at=maybe_from_db(row["dm_closed_at"]),
    )


async def get_reminder(db: Queryable, user_id: int) -> ReminderRow | None:
    row = await db.fetch_one("SELECT * FROM checkin_reminders WHERE user_id = ?", (user_id,))
    return None if row is None else _reminder(row)


async def set_reminder(
    db: Queryable, user_id: int, local_time: str, zone: str, next_due_at: datetime, now: datetime
) -> None:
    await db.execute(
        "INSERT INTO checkin_reminders (user_id, local_time, zone, enabled, next_due_at, updated_at)"
        " VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (user_id) DO UPDATE SET local_time = excluded.local_time,"
        " zone = excluded.zone, enabled = 1, next_due_at = excluded.next_due_at, dm_closed_at = NULL,"
        " updated_at = excluded.updated_at",
        (user_id, local_time, zone, to_db(next_due_at), to_db(now)),
    )


async def move_reminder(db: Queryable, user_id: int, zone: str, next_due_at: datetime, now: datetime) -> None:
    """Same local time, new zone (after /settings timezone); keeps pause and DM-closed state."""
    await db.execute(
        "UPDATE checkin_reminders SET zone = ?, next_due_at = ?, updated_at = ? WHERE user_id = ? AND enabled = 1",
        (zone, to_db(next_due_at), to_db(now), user_id),
    )


async def set_reminders_bulk(db: Queryable, rows: list[tuple[int, str, str, datetime]], now: datetime) -> None:
    """(user_id, local_time, zone, next_due_at) rows; used by the benchmark's seeding."""
    await db.execute_many(
        "INSERT OR REPLACE INTO checkin_reminders (user_id, local_time, zone, enabled, next_due_at, updated_at)"
        " VALUES (?, ?, ?, 1, ?, ?)",
        [(uid, t, z, to_db(due), to_db(now)) for uid, t, z, due in rows],
    )


async def disable_reminder(db: Queryable, user_id: int, now: datetime) -> bool:
    changed = await db.execute(
        "UPDATE checkin_reminders SET enabled = 0, next_due_at = NULL, updated_at = ? WHERE user_id = ?",
        (to_db(now), user_id),
    )
    return changed > 0


async def set_paused_until(db: Queryable, user_id: int, last_day: date, now: datetime) -> None:
    await db.execute(
        "UPDATE checkin_reminders SET paused_until = ?, updated_at = ? WHERE user_id = ?",
        (last_day.isoformat(), to_db(now), user_id),
    )


async def reschedule(db: Queryable, user_id: int, zone: str, next_due_at: datetime | None) -> None:
    await db.execute(
        "UPDATE checkin_reminders SET zone = ?, next_due_at = ? WHERE user_id = ? AND enabled = 1",
        (zone, None if next_due_at is None else to_db(next_due_at), user_id),
    )


async def mark_dm_closed(db: Queryable, user_id: int, now: datetime) -> None:
    await db.execute("UPDATE checkin_reminders SET dm_closed_at = ? WHERE user_id = ?", (to_db(now), user_id))


async def clear_dm_closed(db: Queryable, user_id: int) -> None:
    await db.execute("UPDATE checkin_reminders SET dm_closed_at = NULL WHERE user_id = ?", (user_id,))


async def next_due(db: Queryable) -> datetime | None:
    # Served by the partial index checkin_reminders_next_due (MIN over an index is one seek).
    value = await db.fetch_value(
        "SELECT MIN(next_due_at) FROM checkin_reminders WHERE next_due_at IS NOT NULL"
    )
    return maybe_from_db(value)


async def due_reminders(db: Queryable, now: datetime, limit: int) -> list[ReminderRow]:
    rows = await db.fetch_all(
        "SELECT * FROM checkin_reminders WHERE next_due_at IS NOT NULL AND next_due_at <= ?"
        " ORDER BY next_due_at LIMIT ?",
        (to_db(now), limit),
    )
    return [_reminder(r) for r in rows]


async def claim_delivery(db: Queryable, user_id: int, local_date: date, status: str, now: datetime) -> bool:
    """Insert the day's delivery row; False if that day was already handled (at most once)."""
    changed = await db.execute(
        "INSERT OR IGNORE INTO checkin_reminder_deliveries (user_id, local_date, status, at) VALUES (?, ?, ?, ?)",
        (user_id, local_date.isoformat(), status, to_db(now)),
    )
    return changed > 0


async def set_delivery_status(db: Queryable, user_id: int, local_date: date, status: str, now: datetime) -> None:
    await db.execute(
        "UPDATE checkin_reminder_deliveries SET status = ?, at = ? WHERE user_id = ? AND local_date = ?",
        (status, to_db(now), user_id, local_date.isoformat()),
    )


async def release_delivery(db: Queryable, user_id: int, local_date: date) -> None:
    await db.execute(
        "DELETE FROM checkin_reminder_deliveries WHERE user_id = ? AND local_date = ? AND status = 'sending'",
        (user_id, local_date.isoformat()),
    )


async def delivery_status(db: Queryable, user_id: int, local_date: date) -> str | None:
    value = await db.fetch_value(
        "SELECT status FROM checkin_reminder_deliveries WHERE user_id = ? AND local_date = ?",
        (user_id, local_date.isoformat()),
    )
    return None if value is None else str(value)
