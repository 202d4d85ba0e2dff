"""SQL for groups: the groups themselves, members, facilitators, join requests, sessions, reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.clock import from_db, maybe_from_db, to_db
from bot.db import Queryable, Row


@dataclass(frozen=True, slots=True)
class GroupRow:
    id: int
    name: str
    slug: str
    topic: str | None
    timezone: str
    channel_id: int | None
    voice_channel_id: int | None
    role_id: int | None
    wants_voice: bool
    locked: bool
    slowmode_seconds: int
    created_at: datetime
    archived_at: datetime | None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: int
    group_id: int
    user_id: int
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True, slots=True)
class JoinRequestRow:
    id: int
    group_id: int
    user_id: int
    status: str
    requested_at: datetime
    decided_at: datetime | None
    decided_by: int | None


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    group_id: int
    weekday: int
    start_time: str
    duration_minutes: int
    created_at: datetime


def _group(row: Row) -> GroupRow:
    return GroupRow(
        id=row["id"], name=row["name"], slug=row["slug"], topic=row["topic"], timezone=row["timezone"],
        channel_id=row["channel_id"], voice_channel_id=row["voice_channel_id"], role_id=row["role_id"],
        wants_voice=bool(row["wants_voice"]), locked=bool(row["locked"]),
        slowmode_seconds=int(row["slowmode_seconds"]), created_at=from_db(row["created_at"]),
        archived_at=maybe_from_db(row["archived_at"]),
    )


def _member(row: Row) -> MemberRow:
    return MemberRow(
        id=row["id"], group_id=row["group_id"], user_id=row["user_id"],
        joined_at=from_db(row["joined_at"]), left_at=maybe_from_db(row["left_at"]),
    )


def _request(row: Row) -> JoinRequestRow:
    return JoinRequestRow(
        id=row["id"], group_id=row["group_id"], user_id=row["user_id"], status=row["status"],
        requested_at=from_db(row["requested_at"]), decided_at=maybe_from_db(row["decided_at"]),
        decided_by=row["decided_by"],
    )


def _session(row: Row) -> SessionRow:
    return SessionRow(
        id=row["id"], group_id=row["group_id"], weekday=row["weekday"], start_time=row["start_time"],
        duration_minutes=row["duration_minutes"], created_at=from_db(row["created_at"]),
    )


# ----------------------------------------------------------------------------- groups

async def insert_group(
    db: Queryable, *, name: str, name_key: str, slug: str, topic: str | None, timezone: str,
    channel_id: int | None, voice_channel_id: int | None, role_id: int | None, wants_voice: bool, now: datetime,
) -> int:
    return await db.insert(
        "INSERT INTO groups (name, name_key, slug, topic, timezone, channel_id, voice_channel_id, role_id, "
        "wants_voice, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (name, name_key, slug, topic, timezone, channel_id, voice_channel_id, role_id, int(wants_voice),
         to_db(now)),
    )


async def get_group(db: Queryable, group_id: int) -> GroupRow | None:
    row = await db.fetch_one("SELECT * FROM groups WHERE id = ?", (group_id,))
    return None if row is None else _group(row)


async def group_by_key(db: Queryable, name_key: str) -> GroupRow | None:
    row = await db.fetch_one("SELECT * FROM groups WHERE name_key = ?", (name_key,))
    return None if row is None else _group(row)


async def group_by_channel(db: Queryable, channel_id: int) -> GroupRow | None:
    """The group whose text channel, or whose voice channel's text chat, this is."""
    row = await db.fetch_one(
        "SELECT * FROM groups WHERE channel_id = ? OR voice_channel_id = ? ORDER BY id LIMIT 1",
        (channel_id, channel_id),
    )
    return None if row is None else _group(row)


async def group_channel_ids(db: Queryable) -> set[int]:
    """Every text and voice channel ID a group has now, archived or not."""
    rows = await db.fetch_all("SELECT channel_id, voice_channel_id FROM groups")
    return {c for row in rows for c in (row["channel_id"], row["voice_channel_id"]) if c is not None}


async def all_groups(db: Queryable, *, include_archived: bool = True) -> list[GroupRow]:
    where = "" if include_archived else " WHERE archived_at IS NULL"
    rows = await db.fetch_all(f"SELECT * FROM groups{where} ORDER BY name_key")
    return [_group(r) for r in rows]


async def update_group(db: Queryable, group_id: int, **fields: Any) -> None:
    allowed = {"channel_id", "voice_channel_id", "role_id", "locked", "slowmode_seconds", "archived_at"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    names = sorted(fields)
    values = [to_db(v) if isinstance(v, datetime) else (int(v) if isinstance(v, bool) else v)
              for v in (fields[n] for n in names)]
    assignments = ", ".join(f"{n} = ?" for n in names)  # names are from the allow-list above
    await db.execute(f"UPDATE groups SET {assignments} WHERE id = ?", (*values, group_id))


async def clear_channel(db: Queryable, channel_id: int) -> list[int]:
    """Forget a channel that was deleted; returns the ids of affected groups."""
    rows = await db.fetch_all(
        "SELECT id FROM groups WHERE channel_id = ? OR voice_channel_id = ?", (channel_id, channel_id)
    )
    await db.execute("UPDATE groups SET channel_id = NULL WHERE channel_id = ?", (channel_id,))
    await db.execute("UPDATE groups SET voice_channel_id = NULL WHERE voice_channel_id = ?", (channel_id,))
    return [int(r["id"]) for r in rows]


async def clear_role(db: Queryable, role_id: int) -> list[int]:
    rows = await db.fetch_all("SELECT id FROM groups WHERE role_id = ?", (role_id,))
    await db.execute("UPDATE groups SET role_id = NULL WHERE role_id = ?", (role_id,))
    return [int(r["id"]) for r in rows]


# ----------------------------------------------------------------------------- members

async def current_member(db: Queryable, group_id: int, user_id: int) -> MemberRow | None:
    row = await db.fetch_one(
        "SELECT * FROM group_members WHERE group_id = ? AND user_id = ? AND left_at IS NULL",
        (group_id, user_id),
    )
    return None if row is None else _member(row)


async def add_member(db: Queryable, group_id: int, user_id: int, now: datetime) -> int:
    return await db.insert(
        "INSERT INTO group_members (group_id, user_id, joined_at) VALUES (?, ?, ?)",
        (group_id, user_id, to_db(now)),
    )


async def end_membership(db: Queryable, group_id: int, user_id: int, now: datetime) -> int:
    return await db.execute(
        "UPDATE group_members SET left_at = ? WHERE group_id = ? AND user_id = ? AND left_at IS NULL",
        (to_db(now), group_id, user_id),
    )


async def end_all_memberships(db: Queryable, group_id: int, now: datetime) -> int:
    return await db.execute(
        "UPDATE group_members SET left_at = ? WHERE group_id = ? AND left_at IS NULL", (to_db(now), group_id)
    )


async def current_members(db: Queryable, group_id: int) -> list[MemberRow]:
    rows = await db.fetch_all(
        "SELECT * FROM group_members WHERE group_id = ? AND left_at IS NULL ORDER BY joined_at, id", (group_id,)
    )
    return [_member(r) for r in rows]


async def member_counts(db: Queryable) -> dict[int, int]:
    rows = await db.fetch_all(
        "SELECT group_id, COUNT(*) AS n FROM group_members WHERE left_at IS NULL GROUP BY group_id"
    )
    return {int(r["group_id"]): int(r["n"]) for r in rows}


async def memberships_of(db: Queryable, user_id: int) -> list[tuple[MemberRow, GroupRow]]:
    rows = await db.fetch_all(
        "SELECT m.id AS m_id, m.group_id AS m_group_id, m.user_id AS m_user_id, m.joined_at AS m_joined_at, "
        "m.left_at AS m_left_at, g.* FROM group_members m JOIN groups g ON g.id = m.group_id "
        "WHERE m.user_id = ? ORDER BY m.joined_at, m.id",
        (user_id,),
    )
    out = []
    for r in rows:
        member = MemberRow(
            id=r["m_id"], group_id=r["m_group_id"], user_id=r["m_user_id"],
            joined_at=from_db(r["m_joined_at"]), left_at=maybe_from_db(r["m_left_at"]),
        )
        out.append((member, _group(r)))
    return out


# ----------------------------------------------------------------------------- facilitators

async def facilitators(db: Queryable, group_id: int) -> list[int]:
    rows = await db.fetch_all(
        "SELECT user_id FROM group_facilitators WHERE group_id = ? ORDER BY added_at, user_id", (group_id,)
    )
    return [int(r["user_id"]) for r in rows]


async def is_facilitator(db: Queryable, group_id: int, user_id: int) -> bool:
    return bool(await db.fetch_value(
        "SELECT 1 FROM group_facilitators WHERE group_id = ? AND user_id = ?", (group_id, user_id)
    ))


async def add_facilitator(db: Queryable, group_id: int, user_id: int, now: datetime) -> bool:
    changed = await db.execute(
        "INSERT OR IGNORE INTO group_facilitators (group_id, user_id, added_at) VALUES (?, ?, ?)",
        (group_id, user_id, to_db(now)),
    )
    return changed > 0


async def remove_facilitator(db: Queryable, group_id: int, user_id: int) -> bool:
    return await db.execute(
        "DELETE FROM group_facilitators WHERE group_id = ? AND user_id = ?", (group_id, user_id)
    ) > 0


async def groups_facilitated_by(db: Queryable, user_id: int) -> list[int]:
    rows = await db.fetch_all("SELECT group_id FROM group_facilitators WHERE user_id = ?", (user_id,))
    return [int(r["group_id"]) for r in rows]


# ----------------------------------------------------------------------------- join requests

async def pending_request(db: Queryable, group_id: int, user_id: int) -> JoinRequestRow | None:
    row = await db.fetch_one(
        "SELECT * FROM group_join_requests WHERE group_id = ? AND user_id = ? AND status = 'pending'",
        (group_id, user_id),
    )
    return None if row is None else _request(row)


async def insert_request(db: Queryable, group_id: int, user_id: int, now: datetime) -> int:
    return await db.insert(
        "INSERT INTO group_join_requests (group_id, user_id, requested_at) VALUES (?, ?, ?)",
        (group_id, user_id, to_db(now)),
    )


async def get_request(db: Queryable, request_id: int) -> JoinRequestRow | None:
    row = await db.fetch_one("SELECT * FROM group_join_requests WHERE id = ?", (request_id,))
    return None if row is None else _request(row)


async def decide_request(db: Queryable, request_id: int, status: str, by: int, now: datetime) -> bool:
    """Only a pending request can be decided; returns False if someone else decided first."""
    return await db.execute(
        "UPDATE group_join_requests SET status = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ? AND status = 'pending'",
        (status, by, to_db(now), request_id),
    ) > 0


async def reopen_request(db: Queryable, request_id: int, by: int) -> bool:
    """Undo an approval whose Discord side failed: the request is pending again (only if still approved by ``by``)."""
    return await db.execute(
        "UPDATE group_join_requests SET status = 'pending', decided_by = NULL, decided_at = NULL "
        "WHERE id = ? AND status = 'approved' AND decided_by = ?",
        (request_id, by),
    ) > 0


async def close_pending_requests(db: Queryable, group_id: int, now: datetime) -> int:
    return await db.execute(
        "UPDATE group_join_requests SET status = 'denied', decided_at = ? WHERE group_id = ? AND status = 'pending'",
        (to_db(now), group_id),
    )


async def add_request_message(
    db: Queryable, request_id: int, recipient_id: int | None, channel_id: int, message_id: int
) -> None:
    await db.execute(
        "INSERT OR IGNORE INTO group_join_request_messages (request_id, recipient_id, channel_id, message_id) "
        "VALUES (?, ?, ?, ?)",
        (request_id, recipient_id, channel_id, message_id),
    )


async def request_messages(db: Queryable, request_id: int) -> list[tuple[int, int]]:
    rows = await db.fetch_all(
        "SELECT channel_id, message_id FROM group_join_request_messages WHERE request_id = ?", (request_id,)
    )
    return [(int(r["channel_id"]), int(r["message_id"])) for r in rows]


# ----------------------------------------------------------------------------- sessions

async def insert_session(
    db: Queryable, group_id: int, weekday: int, start_time: str, duration_minutes: int, now: datetime
) -> int:
    return await db.insert(
        "INSERT INTO group_sessions (group_id, weekday, start_time, duration_minutes, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (group_id, weekday, start_time, duration_minutes, to_db(now)),
    )


async def session_at(db: Queryable, group_id: int, weekday: int, start_time: str) -> SessionRow | None:
    row = await db.fetch_one(
        "SELECT * FROM group_sessions WHERE group_id = ? AND weekday = ? AND start_time = ?",
        (group_id, weekday, start_time),
    )
    return None if row is None else _session(row)


async def delete_session(db: Queryable, session_id: int) -> int:
    return await db.execute("DELETE FROM group_sessions WHERE id = ?", (session_id,))


async def sessions_of(db: Queryable, group_id: int) -> list[SessionRow]:
    rows = await db.fetch_all(
        "SELECT * FROM group_sessions WHERE group_id = ? ORDER BY weekday, start_time", (group_id,)
    )
    return [_session(r) for r in rows]


async def active_sessions(db: Queryable) -> list[tuple[SessionRow, GroupRow]]:
    """Sessions of groups that are not archived, with their group."""
    rows = await db.fetch_all(
        "SELECT s.id AS s_id, s.group_id AS s_group_id, s.weekday AS s_weekday, s.start_time AS s_start_time, "
        "s.duration_minutes AS s_duration_minutes, s.created_at AS s_created_at, g.* "
        "FROM group_sessions s JOIN groups g ON g.id = s.group_id WHERE g.archived_at IS NULL "
        "ORDER BY s.id"
    )
    out = []
    for r in rows:
        session = SessionRow(
            id=r["s_id"], group_id=r["s_group_id"], weekday=r["s_weekday"], start_time=r["s_start_time"],
            duration_minutes=r["s_duration_minutes"], created_at=from_db(r["s_created_at"]),
        )
        out.append((session, _group(r)))
    return out


async def add_skipped_date(db: Queryable, group_id: int, local_date: date, now: datetime) -> bool:
    return await db.execute(
        "INSERT OR IGNORE INTO group_skipped_dates (group_id, local_date, created_at) VALUES (?, ?, ?)",
        (group_id, local_date.isoformat(), to_db(now)),
    ) > 0


async def skipped_dates(db: Queryable, group_id: int | None = None) -> set[tuple[int, date]]:
    if group_id is None:
        rows = await db.fetch_all("SELECT group_id, local_date FROM group_skipped_dates")
    else:
        rows = await db.fetch_all(
            "SELECT group_id, local_date FROM group_skipped_dates WHERE group_id = ?", (group_id,)
        )
    return {(int(r["group_id"]), date.fromisoformat(r["local_date"])) for r in rows}


async def deliveries_between(db: Queryable, first: date, last: date) -> set[tuple[int, date]]:
    rows = await db.fetch_all(
        "SELECT session_id, local_date FROM group_reminder_deliveries WHERE local_date BETWEEN ? AND ?",
        (first.isoformat(), last.isoformat()),
    )
    return {(int(r["session_id"]), date.fromisoformat(r["local_date"])) for r in rows}


async def claim_delivery(db: Queryable, session_id: int, local_date: date, late: bool, now: datetime) -> bool:
    """Claim a reminder before sending it; False if it was already claimed (never post twice)."""
    return await db.execute(
        "INSERT OR IGNORE INTO group_reminder_deliveries (session_id, local_date, status, late, claimed_at) "
        "VALUES (?, ?, 'sending', ?, ?)",
        (session_id, local_date.isoformat(), int(late), to_db(now)),
    ) > 0


async def finish_delivery(
    db: Queryable, session_id: int, local_date: date, status: str, message_id: int | None
) -> None:
    await db.execute(
        "UPDATE group_reminder_deliveries SET status = ?, message_id = ? WHERE session_id = ? AND local_date = ?",
        (status, message_id, session_id, local_date.isoformat()),
    )


async def release_delivery(db: Queryable, session_id: int, local_date: date) -> None:
    await db.execute(
        "DELETE FROM group_reminder_deliveries WHERE session_id = ? AND local_date = ? AND status = 'sending'",
        (session_id, local_date.isoformat()),
    )


async def delivery_status(db: Queryable, session_id: int, local_date: date) -> str | None:
    value = await db.fetch_value(
        "SELECT status FROM group_reminder_deliveries WHERE session_id = ? AND local_date = ?",
        (session_id, local_date.isoformat()),
    )
    return None if value is None else str(value)


# ----------------------------------------------------------------------------- data rights

async def export_user(db: Queryable, user_id: int) -> dict[str, Any]:
    memberships = await db.fetch_all(
        "SELECT g.name AS group_name, m.joined_at, m.left_at FROM group_members m "
        "JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY m.joined_at, m.id",
        (user_id,),
    )
    facilitating = await db.fetch_all(
        "SELECT g.name AS group_name, f.added_at FROM group_facilitators f "
        "JOIN groups g ON g.id = f.group_id WHERE f.user_id = ? ORDER BY f.added_at",
        (user_id,),
    )
    requests = await db.fetch_all(
        "SELECT g.name AS group_name, r.status, r.requested_at, r.decided_at FROM group_join_requests r "
        "JOIN groups g ON g.id = r.group_id WHERE r.user_id = ? ORDER BY r.requested_at, r.id",
        (user_id,),
    )
    return {
        "memberships": [dict(r) for r in memberships],
        "facilitating": [dict(r) for r in facilitating],
        "join_requests": [dict(r) for r in requests],
    }


async def discord_traces(db: Queryable, user_id: int) -> tuple[list[int], list[tuple[int, int]]]:
    """What Hearth put in Discord about a person, before their rows go: the roles of the groups they are in,
    and the join-request DMs about them sent to facilitators (channel id, message id)."""
    roles = await db.fetch_all(
        "SELECT DISTINCT g.role_id FROM group_members m JOIN groups g ON g.id = m.group_id "
        "WHERE m.user_id = ? AND m.left_at IS NULL AND g.role_id IS NOT NULL",
        (user_id,),
    )
    messages = await db.fetch_all(
        "SELECT channel_id, message_id FROM group_join_request_messages WHERE request_id IN "
        "(SELECT id FROM group_join_requests WHERE user_id = ?)",
        (user_id,),
    )
    return [int(r["role_id"]) for r in roles], [(int(r["channel_id"]), int(r["message_id"])) for r in messages]


async def delete_user(db: Queryable, user_id: int) -> int:
    deleted = 0
    deleted += await db.execute(
        "DELETE FROM group_join_request_messages WHERE request_id IN "
        "(SELECT id FROM group_join_requests WHERE user_id = ?)",
        (user_id,),
    )
    deleted += await db.execute("DELETE FROM group_join_requests WHERE user_id = ?", (user_id,))
    deleted += await db.execute("DELETE FROM group_members WHERE user_id = ?", (user_id,))
    deleted += await db.execute("DELETE FROM group_facilitators WHERE user_id = ?", (user_id,))
    # Copies of other people's requests sent to this person, and who decided them: forget the link.
    deleted += await db.execute("DELETE FROM group_join_request_messages WHERE recipient_id = ?", (user_id,))
    await db.execute("UPDATE group_join_requests SET decided_by = NULL WHERE decided_by = ?", (user_id,))
    return deleted
