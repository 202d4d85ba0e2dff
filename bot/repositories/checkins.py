"""SQL for check-ins, pauses, shares, hints and concern episodes."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.clock import from_db, to_db
from bot.db import Queryable, Row


@dataclass(frozen=True, slots=True)
class CheckinRow:
    id: int
    user_id: int
    local_date: date
    mood: int | None
    cravings: int | None
    sleep_hours: float | None
    note: str | None
    source: str
    created_at: datetime
    updated_at: datetime


def _checkin(row: Row) -> CheckinRow:
    return CheckinRow(
        id=int(row["id"]),
        user_id=int(row["user_id"]),
        local_date=date.fromisoformat(row["local_date"]),
        mood=row["mood"],
        cravings=row["cravings"],
        sleep_hours=row["sleep_hours"],
        note=row["note"],
        source=str(row["source"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


# ------------------------------------------------------------------------ check-ins

async def get_checkin(db: Queryable, user_id: int, local_date: date) -> CheckinRow | None:
    row = await db.fetch_one(
        "SELECT * FROM checkins WHERE user_id = ? AND local_date = ?", (user_id, local_date.isoformat())
    )
    return None if row is None else _checkin(row)


async def get_checkin_by_id(db: Queryable, checkin_id: int) -> CheckinRow | None:
    row = await db.fetch_one("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
    return None if row is None else _checkin(row)


@dataclass(frozen=True, slots=True)
class RecordedCheckin:
    """What ``record_checkin_sync`` wrote and read, in one round trip to the database thread."""

    checkin_id: int
    updated: bool
    has_mood: bool
    dates_before: list[date]  # the person's check-in dates before this one, ascending
    pauses: list[tuple[date, date]]
    recent_moods: list[int]  # moods of the person's latest check-ins that have one, newest first, after this one
    latest_cravings: int | None  # cravings of the person's latest check-in (by day), after this one
    open_concerns: frozenset[str]  # kinds of concern episode open before this check-in


_DATES_SQL = "SELECT local_date FROM checkins WHERE user_id = ? AND local_date >= ? ORDER BY local_date"
_PAUSES_SQL = "SELECT start_date, end_date FROM checkin_pauses WHERE user_id = ? ORDER BY start_date"
_RECENT_MOODS_SQL = (
    "SELECT mood FROM checkins WHERE user_id = ? AND mood IS NOT NULL ORDER BY local_date DESC LIMIT ?"
)
_LATEST_CRAVINGS_SQL = "SELECT cravings FROM checkins WHERE user_id = ? ORDER BY local_date DESC LIMIT 1"
_INSERT_SQL = (
    "INSERT INTO checkins (user_id, local_date, mood, cravings, sleep_hours, note, source, channel_id,"
    " message_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE_SQL = (
    "UPDATE checkins SET mood = ?, cravings = ?, sleep_hours = ?, note = ?, source = ?, channel_id = ?,"
    " message_id = ?, updated_at = ? WHERE id = ?"
)


def streak_inputs_sync(conn: sqlite3.Connection, user_id: int) -> tuple[list[date], list[tuple[date, date]]]:
    """(check-in dates ascending, pauses) for a streak; run through ``Database.run_sync``."""
    dates = [date.fromisoformat(r[0]) for r in conn.execute(_DATES_SQL, (user_id, date.min.isoformat()))]
    pause_rows = conn.execute(_PAUSES_SQL, (user_id,))
    return dates, [(date.fromisoformat(r[0]), date.fromisoformat(r[1])) for r in pause_rows]


def record_checkin_sync(
    conn: sqlite3.Connection,
    *,
    user_id: int,
    local_date: date,
    mood: int | None,
    cravings: int | None,
    sleep_hours: float | None,
    note: str | None,
    source: str,
    channel_id: int | None,
    message_id: int | None,
    now: datetime,
    keep_existing_values: bool,
    recent_limit: int,
) -> RecordedCheckin:
    """The whole write side of a check-in plus everything the
    streak and concern rules read, for ``Database.run_sync`` (one transaction, one round trip)."""
    dates, pauses = streak_inputs_sync(conn, user_id)
    open_concerns = frozenset(
        str(r[0]) for r in conn.execute(
            "SELECT kind FROM checkin_concerns WHERE user_id = ? AND ended_at IS NULL", (user_id,)
        )
    )
    day = local_date.isoformat()
    # A day that is not among the person's dates has no row yet: no need to look it up.
    row = (
        conn.execute("SELECT * FROM checkins WHERE user_id = ? AND local_date = ?", (user_id, day)).fetchone()
        if local_date in dates else None
    )
    if row is None:
        cursor = conn.execute(
            _INSERT_SQL,
            (user_id, day, mood, cravings, sleep_hours, note, source, channel_id, message_id, to_db(now), to_db(now)),
        )
        if cursor.lastrowid is None:
            raise RuntimeError("INSERT produced no row id")
        checkin_id, updated = cursor.lastrowid, False
    else:
        existing = _checkin(row)
        if keep_existing_values:
            mood = mood if mood is not None else existing.mood
            cravings = cravings if cravings is not None else existing.cravings
            sleep_hours = sleep_hours if sleep_hours is not None else existing.sleep_hours
            note = note if note else existing.note
        conn.execute(
            _UPDATE_SQL, (mood, cravings, sleep_hours, note, source, channel_id, message_id, to_db(now), existing.id)
        )
        checkin_id, updated = existing.id, True
    recent = [int(r[0]) for r in conn.execute(_RECENT_MOODS_SQL, (user_id, recent_limit))]
    latest = conn.execute(_LATEST_CRAVINGS_SQL, (user_id,)).fetchone()
    return RecordedCheckin(
        checkin_id=checkin_id, updated=updated, has_mood=mood is not None, dates_before=dates, pauses=pauses,
        recent_moods=recent, latest_cravings=None if latest is None else latest[0], open_concerns=open_concerns,
    )


@dataclass(frozen=True, slots=True)
class CheckinWrite:
    """One check-in for ``record_checkins_sync`` (the arguments of ``record_checkin_sync``)."""

    user_id: int
    local_date: date
    mood: int | None
    cravings: int | None
    sleep_hours: float | None
    note: str | None
    source: str
    channel_id: int | None
    message_id: int | None
    now: datetime
    keep_existing_values: bool
    recent_limit: int
    claim_hint: bool  # also claim the person's one-time format hint (a message with no mood)


def record_checkins_sync(
    conn: sqlite3.Connection, writes: Sequence[CheckinWrite]
) -> list[tuple[RecordedCheckin, bool]]:
    """Several check-ins, in order, for one ``Database.run_sync`` transaction (group commit).

    Each later write sees the earlier ones, exactly as if they had been recorded one by one.
    Returns, per write, what ``record_checkin_sync`` returns and whether the hint was claimed.
    """
    out: list[tuple[RecordedCheckin, bool]] = []
    for w in writes:
        rec = record_checkin_sync(
            conn, user_id=w.user_id, local_date=w.local_date, mood=w.mood, cravings=w.cravings,
            sleep_hours=w.sleep_hours, note=w.note, source=w.source, channel_id=w.channel_id,
            message_id=w.message_id, now=w.now, keep_existing_values=w.keep_existing_values,
            recent_limit=w.recent_limit,
        )
        hint = w.claim_hint and conn.execute(_CLAIM_HINT_SQL, (w.user_id, to_db(w.now))).rowcount > 0
        out.append((rec, hint))
    return out


async def update_from_message(
    db: Queryable,
    *,
    user_id: int,
    message_id: int,
    mood: int | None,
    cravings: int | None,
    sleep_hours: float | None,
    note: str | None,
    now: datetime,
) -> bool:
    """The in-channel message a check-in was recorded from was edited: the check-in follows it."""
    changed = await db.execute(
        "UPDATE checkins SET mood = ?, cravings = ?, sleep_hours = ?, note = ?, updated_at = ?"
        " WHERE user_id = ? AND message_id = ?",
        (mood, cravings, sleep_hours, note, to_db(now), user_id, message_id),
    )
    return changed > 0


async def checkin_dates(db: Queryable, user_id: int, since: date | None = None) -> list[date]:
    rows = await db.fetch_all(
        "SELECT local_date FROM checkins WHERE user_id = ? AND local_date >= ? ORDER BY local_date",
        (user_id, (since or date.min).isoformat()),
    )
    return [date.fromisoformat(r[0]) for r in rows]


async def checkins_between(db: Queryable, user_id: int, first: date, last: date) -> list[CheckinRow]:
    rows = await db.fetch_all(
        "SELECT * FROM checkins WHERE user_id = ? AND local_date BETWEEN ? AND ? ORDER BY local_date",
        (user_id, first.isoformat(), last.isoformat()),
    )
    return [_checkin(r) for r in rows]


async def recent_with_values(db: Queryable, user_id: int, limit: int) -> list[CheckinRow]:
    rows = await db.fetch_all(
        "SELECT * FROM checkins WHERE user_id = ? AND mood IS NOT NULL ORDER BY local_date DESC LIMIT ?",
        (user_id, limit),
    )
    return [_checkin(r) for r in rows]


async def latest_checkin(db: Queryable, user_id: int) -> CheckinRow | None:
    row = await db.fetch_one(
        "SELECT * FROM checkins WHERE user_id = ? ORDER BY local_date DESC LIMIT 1", (user_id,)
    )
    return None if row is None else _checkin(row)


async def last_dates_for(db: Queryable, user_ids: list[int]) -> dict[int, date]:
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = await db.fetch_all(
        f"SELECT user_id, MAX(local_date) FROM checkins WHERE user_id IN ({marks}) GROUP BY user_id", user_ids
    )
    return {int(r[0]): date.fromisoformat(r[1]) for r in rows}


async def moods_between_for(db: Queryable, user_ids: list[int], first: date, last: date) -> list[tuple[date, int]]:
    if not user_ids:
        return []
    marks = ",".join("?" * len(user_ids))
    rows = await db.fetch_all(
        f"SELECT local_date, mood FROM checkins WHERE user_id IN ({marks}) AND mood IS NOT NULL"
        " AND local_date BETWEEN ? AND ? ORDER BY local_date",
        [*user_ids, first.isoformat(), last.isoformat()],
    )
    return [(date.fromisoformat(r[0]), int(r[1])) for r in rows]


# ------------------------------------------------------------------------ pauses

async def add_pause(db: Queryable, user_id: int, start: date, end: date, now: datetime) -> None:
    await db.insert(
        "INSERT INTO checkin_pauses (user_id, start_date, end_date, created_at) VALUES (?, ?, ?, ?)",
        (user_id, start.isoformat(), end.isoformat(), to_db(now)),
    )


async def pauses(db: Queryable, user_id: int) -> list[tuple[date, date]]:
    rows = await db.fetch_all(
        "SELECT start_date, end_date FROM checkin_pauses WHERE user_id = ? ORDER BY start_date", (user_id,)
    )
    return [(date.fromisoformat(r[0]), date.fromisoformat(r[1])) for r in rows]


# ------------------------------------------------------------------------ shares and hints

async def record_share(
    db: Queryable, *, checkin_id: int, user_id: int, group_id: int, with_note: bool, channel_id: int,
    message_id: int | None, now: datetime,
) -> None:
    await db.insert(
        "INSERT INTO checkin_shares (checkin_id, user_id, group_id, with_note, channel_id, message_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (checkin_id, user_id, group_id, int(with_note), channel_id, message_id, to_db(now)),
    )


async def sharing_members(db: Queryable, group_id: int) -> set[int]:
    rows = await db.fetch_all("SELECT DISTINCT user_id FROM checkin_shares WHERE group_id = ?", (group_id,))
    return {int(r[0]) for r in rows}


_CLAIM_HINT_SQL = "INSERT OR IGNORE INTO checkin_hints (user_id, sent_at) VALUES (?, ?)"


async def claim_hint(db: Queryable, user_id: int, now: datetime) -> bool:
    changed = await db.execute(_CLAIM_HINT_SQL, (user_id, to_db(now)))
    return changed > 0


# ------------------------------------------------------------------------ concerns

async def open_concern(db: Queryable, user_id: int, kind: str) -> int | None:
    value = await db.fetch_value(
        "SELECT id FROM checkin_concerns WHERE user_id = ? AND kind = ? AND ended_at IS NULL", (user_id, kind)
    )
    return None if value is None else int(value)


async def start_concern(db: Queryable, user_id: int, kind: str, now: datetime) -> int | None:
    """Open an episode; None if one is already open (the partial unique index decides)."""
    changed = await db.execute(
        "INSERT OR IGNORE INTO checkin_concerns (user_id, kind, started_at) VALUES (?, ?, ?)",
        (user_id, kind, to_db(now)),
    )
    if not changed:
        return None
    return await open_concern(db, user_id, kind)


async def end_concern(db: Queryable, user_id: int, kind: str, now: datetime) -> bool:
    changed = await db.execute(
        "UPDATE checkin_concerns SET ended_at = ? WHERE user_id = ? AND kind = ? AND ended_at IS NULL",
        (to_db(now), user_id, kind),
    )
    return changed > 0


async def mark_concern_notified(db: Queryable, concern_id: int, count: int) -> None:
    await db.execute("UPDATE checkin_concerns SET notified = ? WHERE id = ?", (count, concern_id))


async def concern(db: Queryable, concern_id: int) -> Row | None:
    return await db.fetch_one("SELECT * FROM checkin_concerns WHERE id = ?", (concern_id,))


async def record_outreach(db: Queryable, concern_id: int, facilitator_id: int, now: datetime) -> None:
    await db.insert(
        "INSERT INTO checkin_outreach (concern_id, facilitator_id, at) VALUES (?, ?, ?)",
        (concern_id, facilitator_id, to_db(now)),
    )


async def outreach_for(db: Queryable, concern_id: int) -> list[tuple[int, datetime]]:
    rows = await db.fetch_all(
        "SELECT facilitator_id, at FROM checkin_outreach WHERE concern_id = ? ORDER BY at", (concern_id,)
    )
    return [(int(r[0]), from_db(r[1])) for r in rows]


# ------------------------------------------------------------------------ data rights

_USER_TABLES = (
    "checkins", "checkin_reminders", "checkin_reminder_deliveries", "checkin_pauses",
    "checkin_shares", "checkin_hints", "checkin_concerns",
)


async def export(db: Queryable, user_id: int) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for table in _USER_TABLES:
        rows = await db.fetch_all(f"SELECT * FROM {table} WHERE user_id = ?", (user_id,))
        out[table] = [dict(r) for r in rows]
    rows = await db.fetch_all(
        "SELECT o.* FROM checkin_outreach o JOIN checkin_concerns c ON c.id = o.concern_id"
        " WHERE c.user_id = ? OR o.facilitator_id = ?",
        (user_id, user_id),
    )
    out["checkin_outreach"] = [dict(r) for r in rows]
    return out


async def delete(db: Queryable, user_id: int) -> int:
    total = await db.execute(
        "DELETE FROM checkin_outreach WHERE facilitator_id = ?"
        " OR concern_id IN (SELECT id FROM checkin_concerns WHERE user_id = ?)",
        (user_id, user_id),
    )
    total += await db.execute("DELETE FROM checkin_shares WHERE user_id = ?", (user_id,))
    for table in _USER_TABLES:
        if table != "checkin_shares":
            total += await db.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
    return total


async def shared_posts(db: Queryable, user_id: int) -> list[tuple[int, int]]:
    """(channel_id, message_id) of the summaries the person shared in group channels."""
    rows = await db.fetch_all(
        "SELECT channel_id, message_id FROM checkin_shares WHERE user_id = ? AND message_id IS NOT NULL",
        (user_id,),
    )
    return [(int(r["channel_id"]), int(r["message_id"])) for r in rows]
