"""Wording of every check-in message. Kind, brief, never shaming; user text neutralised."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.checkins import CheckinOutcome, Progress, ShareDraft
from bot.services.concern_notices import ConcernNotice
from bot.services.reminders import ReminderStatus
from bot.text import neutralize_mentions, truncate

FORMAT_EXAMPLE = "`mood 6/10 cravings 2 slept 7h rough day but I made it to group`"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def checkin_reply(outcome: CheckinOutcome) -> str:
    first = (
        "Updated today's check-in — thanks for keeping it current."
        if outcome.updated
        else "Thanks for checking in. 💛"
    )
    streak = outcome.streak
    if outcome.streak_restarted:
        streak_line = "Welcome back — every check-in counts, and today is day 1 of a new run."
    elif streak.current >= 2:
        streak_line = f"You've checked in {_days(streak.current)} in a row."
    else:
        streak_line = "That's day 1 — a good start."
    count = f"Check-ins in the last 30 days: **{outcome.last_30_days}**."
    return "\n".join([first, streak_line, count, "Only you can see this. You can share it with your group below."])


def crisis_reply(updated: bool) -> str:
    saved = "Your check-in is updated." if updated else "Your check-in is saved."
    return f"Thank you for telling us how you are. {saved} You don't have to carry this alone."


def message_checkin_label(mood: int | None) -> str:
    return "mood" if mood is not None else "note"


def share_text(draft: ShareDraft, user_id: int) -> str:
    c = draft.checkin
    parts = []
    if c.mood is not None:
        parts.append(f"mood {c.mood}/10")
    if c.cravings is not None:
        parts.append(f"cravings {c.cravings}/10")
    if c.sleep_hours is not None:
        parts.append(f"slept {c.sleep_hours:g}h")
    summary = ", ".join(parts) if parts else "checked in"
    text = f"<@{user_id}> checked in today: {summary}."
    if draft.with_note and c.note:
        text += "\n> " + neutralize_mentions(truncate(c.note, 900)).replace("\n", "\n> ")
    return text


def progress_text(progress: Progress) -> str:
    moods = [p.mood for p in progress.points if p.mood is not None]
    cravings = [p.cravings for p in progress.points if p.cravings is not None]
    lines = [
        f"**Your check-ins from {progress.first_day:%b %d} to {progress.last_day:%b %d}**",
        f"Check-ins in this window: **{progress.count}**.",
        f"Current streak: **{_days(progress.streak.current)}**. Longest streak: **{_days(progress.streak.longest)}**.",
    ]
    if moods:
        lines.append(
            f"Mood: average {sum(moods) / len(moods):.1f} (lowest {min(moods)}, highest {max(moods)}); "
            f"most recent {moods[-1]}."
        )
    if cravings:
        lines.append(f"Cravings: average {sum(cravings) / len(cravings):.1f}; most recent {cravings[-1]}.")
    if not progress.points:
        lines.append("No check-ins in this window yet — `/checkin` takes a few seconds whenever you're ready.")
    return "\n".join(lines)


def chart_alt_text(progress: Progress) -> str:
    moods = [p.mood for p in progress.points if p.mood is not None]
    days = (progress.last_day - progress.first_day).days + 1
    parts = [
        f"Chart of mood (1-10), its 7-day average, cravings (0-10) and sleep hours (bars), {progress.first_day} "
        f"to {progress.last_day}: {progress.count} check-ins in {days} days"
    ]
    if moods:
        recent = [p.mood for p in progress.points if p.mood is not None and (progress.last_day - p.day).days < 7]
        parts.append(f"average mood {sum(moods) / len(moods):.1f}")
        if recent:
            parts.append(f"last 7 days {sum(recent) / len(recent):.1f}")
    parts.append("days without a check-in are gaps")
    return truncate("; ".join(parts) + ".", 1000)


def reminder_status_text(status: ReminderStatus) -> str:
    if not status.enabled or status.local_time is None:
        text = "Reminders are **off**. Turn them on with `/reminders set time:HH:MM`."
    else:
        text = f"I'll remind you at **{status.local_time}** ({status.zone}) on days you haven't checked in yet."
        if status.next_due_at is not None:
            text += f" Next: <t:{int(status.next_due_at.timestamp())}:f>."
    if status.paused_until is not None:
        text += f"\nPaused through **{status.paused_until:%A %b %d}** — paused days don't break your streak."
    if status.dm_closed_at is not None:
        text += (
            "\n⚠️ My last reminder couldn't reach you because your DMs are closed to me. To get reminders, allow "
            "direct messages from server members (Server menu → Privacy Settings), then run `/reminders set` again."
        )
    return text


def reminder_dm_text(local_date: date) -> str:
    return (
        f"Hi! A gentle reminder for your daily check-in ({local_date:%A}). It takes a few seconds — "
        "tap the button whenever you're ready. (`/reminders off` stops these.)"
    )


def format_hint_text() -> str:
    return (
        "Thanks for your message in the check-in channel — I kept it as a note for today. 📝\n"
        "If you'd like it counted with a mood, include a number from 1 to 10, for example:\n"
        f"{FORMAT_EXAMPLE}\nOr use `/checkin` for a quick form. (I'll only send this tip once.)"
    )


def concern_text(notice: ConcernNotice) -> str:
    groups = ", ".join(neutralize_mentions(n) for n in notice.group_names) or "your group"
    return (
        f"**Check-in notice (not a crisis alert)** for <@{notice.user_id}> in {groups}: "
        f"{notice.reason}.\nA gentle personal check-in may help. This notice is sent once per episode; "
        "press the button after you've reached out so other facilitators can see it's been done."
    )


def outreach_line(entries: list[tuple[int, datetime]]) -> str:
    return "\n".join(
        f"✅ <@{fid}> reached out <t:{int(at.astimezone(UTC).timestamp())}:f>." for fid, at in entries
    )
