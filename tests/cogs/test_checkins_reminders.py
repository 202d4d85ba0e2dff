"""End to end: reminder DMs in each person's time zone, at most once a day, across restarts."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.cogs.test_checkins import checkin, content_of
from tests.harness import Harness

WORK = "checkin-reminders"


async def set_reminder(hearth: Harness, user_id: int, time: str) -> str:
    handle = await hearth.emu.invoke_slash("reminders", user_id=user_id, subcommand="set", options={"time": time})
    await handle.wait_response()
    return content_of(handle)


def reminder_dms(hearth: Harness, user_id: int) -> list[dict[str, object]]:
    channel = hearth.emu.state.dm_channels.get(user_id)
    if channel is None:
        return []
    return [m for m in hearth.emu.bot_messages(channel) if "gentle reminder" in str(m["content"])]


async def delivery(hearth: Harness, user_id: int, day: str) -> str | None:
    value = await hearth.running.db.fetch_value(
        "SELECT status FROM checkin_reminder_deliveries WHERE user_id = ? AND local_date = ?", (user_id, day)
    )
    return None if value is None else str(value)


async def test_reminder_fires_at_local_time_and_button_opens_modal(hearth: Harness) -> None:
    uid = hearth.seed.participant
    # 10:00 in New York on Mon Mar 2: today's 09:00 has passed, so the first is tomorrow.
    text = await set_reminder(hearth, uid, "09:00")
    assert "**09:00** (America/New_York)" in text
    hearth.clock.set(datetime(2026, 3, 3, 13, 59, tzinfo=UTC))  # 08:59 EST
    await hearth.run_due(WORK)
    assert reminder_dms(hearth, uid) == []
    hearth.clock.set(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))  # 09:00 EST
    await hearth.run_due(WORK)
    dm = await hearth.emu.wait_for_dm(uid, lambda m: "gentle reminder" in m["content"])
    assert await delivery(hearth, uid, "2026-03-03") == "sent"
    opened = await hearth.emu.click_button(dm, f"hearth:checkins:open:{uid}", user_id=uid)
    await opened.wait_response()
    assert opened.modal is not None
    submitted = await hearth.emu.submit_modal(
        "hearth:checkins:modal", {"mood": "6", "cravings": "", "sleep": "", "note": ""}, user_id=uid
    )
    await submitted.wait_response()
    assert "Thanks for checking in" in content_of(submitted)
    # Running again the same minute sends nothing more.
    await hearth.run_due(WORK)
    await hearth.settle()
    assert len(reminder_dms(hearth, uid)) == 1


async def test_no_reminder_after_checking_in(hearth: Harness) -> None:
    uid = hearth.seed.participant
    await set_reminder(hearth, uid, "20:00")
    await checkin(hearth, uid, {"mood": "7", "cravings": "", "sleep": "", "note": ""})
    hearth.clock.set(datetime(2026, 3, 3, 1, 0, tzinfo=UTC))  # 20:00 EST Mar 2
    await hearth.run_due(WORK)
    await hearth.settle()
    assert reminder_dms(hearth, uid) == []
    assert await delivery(hearth, uid, "2026-03-02") == "skipped_checked_in"


async def test_paused_days_get_no_reminder_and_keep_the_streak(hearth: Harness) -> None:
    uid = hearth.seed.participant
    await checkin(hearth, uid, {"mood": "7", "cravings": "", "sleep": "", "note": ""})  # Mar 2
    await set_reminder(hearth, uid, "09:00")
    hearth.clock.set(datetime(2026, 3, 3, 5, 0, tzinfo=UTC))  # 00:00 EST Mar 3
    pause = await hearth.emu.invoke_slash("reminders", user_id=uid, subcommand="pause", options={"days": 2})
    await pause.wait_response()
    assert "Paused through **Wednesday Mar 04**" in content_of(pause)
    for day in (3, 4):
        hearth.clock.set(datetime(2026, 3, day, 14, 0, tzinfo=UTC))
        await hearth.run_due(WORK)
        assert await delivery(hearth, uid, f"2026-03-0{day}") == "skipped_paused"
    assert reminder_dms(hearth, uid) == []
    hearth.clock.set(datetime(2026, 3, 5, 14, 0, tzinfo=UTC))
    await hearth.run_due(WORK)
    await hearth.emu.wait_for_dm(uid, lambda m: "gentle reminder" in m["content"])
    again = await checkin(hearth, uid, {"mood": "7", "cravings": "", "sleep": "", "note": ""})
    assert "2 days in a row" in content_of(again)
    streak = await hearth.running.services.checkins.streak(uid)
    assert (streak.current, streak.longest) == (2, 2)


async def test_reminder_follows_dst_change(hearth: Harness) -> None:
    uid = hearth.seed.participant
    hearth.clock.set(datetime(2026, 3, 7, 20, 0, tzinfo=UTC))  # Sat 15:00 EST
    await set_reminder(hearth, uid, "09:00")
    # Sun Mar 8 is the spring-forward day: 09:00 EDT is 13:00 UTC, not 14:00.
    hearth.clock.set(datetime(2026, 3, 8, 12, 59, tzinfo=UTC))
    await hearth.run_due(WORK)
    assert reminder_dms(hearth, uid) == []
    hearth.clock.set(datetime(2026, 3, 8, 13, 0, tzinfo=UTC))
    await hearth.run_due(WORK)
    await hearth.emu.wait_for_dm(uid, lambda m: "gentle reminder" in m["content"])
    assert await delivery(hearth, uid, "2026-03-08") == "sent"
    due = await hearth.running.db.fetch_value("SELECT next_due_at FROM checkin_reminders WHERE user_id = ?", (uid,))
    assert due.startswith("2026-03-09T13:00:00")


async def test_missed_reminder_is_caught_up_once_after_restart(hearth: Harness) -> None:
    uid = hearth.seed.participant
    await set_reminder(hearth, uid, "09:00")
    await hearth.stop()
    hearth.clock.set(datetime(2026, 3, 3, 16, 30, tzinfo=UTC))  # 11:30 EST, bot was down at 09:00
    await hearth.start()  # the scheduler catches up on start
    await hearth.emu.wait_for_dm(uid, lambda m: "gentle reminder" in m["content"])
    await hearth.restart()
    await hearth.run_due(WORK)
    await hearth.settle()
    assert len(reminder_dms(hearth, uid)) == 1
    assert await delivery(hearth, uid, "2026-03-03") == "sent"


async def test_missed_reminder_is_not_sent_after_quiet_hour(hearth: Harness) -> None:
    uid = hearth.seed.participant
    await set_reminder(hearth, uid, "09:00")
    await hearth.stop()
    hearth.clock.set(datetime(2026, 3, 4, 3, 30, tzinfo=UTC))  # 22:30 EST Mar 3
    await hearth.start()
    await hearth.settle()
    assert reminder_dms(hearth, uid) == []
    assert await delivery(hearth, uid, "2026-03-03") == "skipped_quiet"


async def test_closed_dms_are_recorded_not_retried_and_reported(hearth: Harness) -> None:
    uid = hearth.seed.participant
    await set_reminder(hearth, uid, "09:00")
    hearth.emu.fail_next("POST", r"/channels/\d+/messages", status=403, code=50007, times=1)
    hearth.clock.set(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))
    await hearth.run_due(WORK)
    assert await delivery(hearth, uid, "2026-03-03") == "dm_closed"
    attempts = len([r for r in hearth.emu.requests if r.method == "POST" and r.path.endswith("/messages")])
    for minutes in (1, 2, 30):
        hearth.clock.set(datetime(2026, 3, 3, 14, minutes, tzinfo=UTC))
        await hearth.run_due(WORK)
    assert len([r for r in hearth.emu.requests if r.method == "POST" and r.path.endswith("/messages")]) == attempts
    status = await hearth.emu.invoke_slash("reminders", user_id=uid, subcommand="status")
    await status.wait_response()
    assert "DMs are closed" in content_of(status)


async def test_reminders_off_and_bad_time(hearth: Harness) -> None:
    uid = hearth.seed.participant
    assert "**time**" in await set_reminder(hearth, uid, "25:00")
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM checkin_reminders") == 0
    await set_reminder(hearth, uid, "9pm")
    off = await hearth.emu.invoke_slash("reminders", user_id=uid, subcommand="off")
    await off.wait_response()
    assert "Reminders are off" in content_of(off)
    hearth.clock.set(datetime(2026, 3, 3, 2, 0, tzinfo=UTC))  # 21:00 EST
    await hearth.run_due(WORK)
    await hearth.settle()
    assert reminder_dms(hearth, uid) == []
