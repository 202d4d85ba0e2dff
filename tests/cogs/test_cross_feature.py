"""Features reacting to each other through the real bot: streaks → celebrations,
group membership → group-week milestones, a new time zone → reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.cogs.test_checkins import checkin
from tests.cogs.test_checkins_reminders import reminder_dms, set_reminder
from tests.harness import Harness


def dm_texts(hearth: Harness, user_id: int) -> list[str]:
    channel = hearth.emu.state.dm_channels.get(user_id)
    return [] if channel is None else [str(m.get("content") or "") for m in hearth.emu.bot_messages(channel)]


async def test_a_seven_day_checkin_streak_is_celebrated_once(hearth: Harness) -> None:
    uid = hearth.seed.participant
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York
    for day in range(7):
        hearth.clock.set(start + timedelta(days=day))
        await checkin(hearth, uid, {"mood": "6", "cravings": "", "sleep": "", "note": ""})
        await hearth.run_due("milestones")
    streak = await hearth.running.services.checkins.streak(uid)
    assert streak.current == 7
    await hearth.settle()
    celebrated = [t for t in dm_texts(hearth, uid) if "7" in t and "check-in" in t.lower()]
    assert len(celebrated) == 1, dm_texts(hearth, uid)
    await hearth.restart()
    await hearth.run_due("milestones")
    assert len([t for t in dm_texts(hearth, uid) if "7" in t and "check-in" in t.lower()]) == 1


async def test_a_new_time_zone_moves_the_daily_reminder(hearth: Harness) -> None:
    uid = hearth.seed.participant
    await set_reminder(hearth, uid, "09:00")  # 09:00 New York = 14:00 UTC tomorrow
    handle = await hearth.emu.invoke_slash("settings", user_id=uid, options={"timezone": "Europe/London"})
    await handle.wait_response()
    # 09:00 in London on Tue Mar 3 is 09:00 UTC; New York's slot (14:00 UTC) must not fire.
    hearth.clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    await hearth.run_due("checkin-reminders")
    await hearth.emu.wait_for_dm(uid, lambda m: "gentle reminder" in m["content"])
    hearth.clock.set(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))
    await hearth.run_due("checkin-reminders")
    await hearth.settle()
    assert len(reminder_dms(hearth, uid)) == 1
