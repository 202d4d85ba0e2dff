"""Weekly sessions and their reminders, end to end with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.cogs.test_groups import create_group, run
from tests.harness import Harness
from tests.helpers import reply_text


def reminders(hearth: Harness, channel_id: int) -> list[str]:
    return [m["content"] for m in hearth.emu.bot_messages(channel_id) if "session" in (m.get("content") or "")]


async def weekly_monday_group(hearth: Harness, **options: Any) -> Any:
    seed = hearth.seed
    group = (await create_group(hearth, facilitator=seed.facilitator, **options))["group"]
    handle = await run(hearth.emu, "schedule add", seed.facilitator, group=group.name, weekday="monday",
                       time="18:00", duration_minutes=90)
    assert "every Monday at 18:00 (America/New_York)" in reply_text(handle)
    return group


async def test_reminder_follows_the_group_zone_across_dst(hearth: Harness) -> None:
    group = await weekly_monday_group(hearth)
    work = hearth.running.get_cog("Groups").reminders  # type: ignore[union-attr]
    # Monday 2026-03-02, winter time (UTC-5): 17:00 local = 22:00 UTC.
    assert await work.next_due() == datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
    hearth.clock.set(datetime(2026, 3, 2, 21, 59, tzinfo=UTC))
    await hearth.run_due("group-sessions")
    assert reminders(hearth, group.channel_id) == []
    hearth.clock.set(datetime(2026, 3, 2, 22, 0, tzinfo=UTC))
    await hearth.run_due("group-sessions")
    await hearth.run_due("group-sessions")  # never twice
    sent = reminders(hearth, group.channel_id)
    assert len(sent) == 1
    assert "starts at 18:00 (America/New_York), in 60 minutes" in sent[0]
    # Clocks spring forward on Sunday 2026-03-08. Monday 2026-03-09 17:00 EDT = 21:00 UTC.
    assert await work.next_due() == datetime(2026, 3, 9, 21, 0, tzinfo=UTC)
    hearth.clock.set(datetime(2026, 3, 9, 20, 59, tzinfo=UTC))
    await hearth.run_due("group-sessions")
    assert len(reminders(hearth, group.channel_id)) == 1
    hearth.clock.set(datetime(2026, 3, 9, 21, 0, tzinfo=UTC))
    await hearth.run_due("group-sessions")
    hearth.clock.set(datetime(2026, 3, 9, 22, 0, tzinfo=UTC))  # the old UTC time: nothing more
    await hearth.run_due("group-sessions")
    sent = reminders(hearth, group.channel_id)
    assert len(sent) == 2
    assert "starts at 18:00 (America/New_York), in 60 minutes" in sent[1]


async def test_no_reminder_on_a_skipped_date(hearth: Harness) -> None:
    group = await weekly_monday_group(hearth)
    seed = hearth.seed
    refused = await run(hearth.emu, "schedule skip", seed.participant, group=group.name, date="2026-03-09")
    assert "only for the facilitators" in reply_text(refused)
    bad = await run(hearth.emu, "schedule skip", seed.facilitator, group=group.name, date="09/03/2026")
    assert "**date**" in reply_text(bad)
    handle = await run(hearth.emu, "schedule skip", seed.facilitator, group=group.name, date="2026-03-09")
    assert "No **" in reply_text(handle) and "2026-03-09" in reply_text(handle)
    work = hearth.running.get_cog("Groups").reminders  # type: ignore[union-attr]
    hearth.clock.set(datetime(2026, 3, 2, 22, 0, tzinfo=UTC))
    await hearth.run_due("group-sessions")
    assert len(reminders(hearth, group.channel_id)) == 1
    assert await work.next_due() == datetime(2026, 3, 16, 21, 0, tzinfo=UTC)
    for moment in (datetime(2026, 3, 9, 21, 0, tzinfo=UTC), datetime(2026, 3, 9, 23, 0, tzinfo=UTC)):
        hearth.clock.set(moment)
        await hearth.run_due("group-sessions")
    assert len(reminders(hearth, group.channel_id)) == 1
    hearth.clock.set(datetime(2026, 3, 16, 21, 0, tzinfo=UTC))
    await hearth.run_due("group-sessions")
    assert len(reminders(hearth, group.channel_id)) == 2


async def test_late_reminder_after_downtime_says_it_started(hearth: Harness) -> None:
    group = await weekly_monday_group(hearth)
    await hearth.stop()
    # Down from before the reminder until 10 minutes into the session (18:10 EST).
    hearth.clock.set(datetime(2026, 3, 2, 23, 10, tzinfo=UTC))
    await hearth.start()
    sent = reminders(hearth, group.channel_id)
    assert len(sent) == 1
    assert "started at 18:00" in sent[0] and "still time to join" in sent[0] and "until 19:30" in sent[0]
    await hearth.restart()
    assert len(reminders(hearth, group.channel_id)) == 1


async def test_late_reminder_before_start_and_none_after_the_session_ended(hearth: Harness) -> None:
    group = await weekly_monday_group(hearth)
    await hearth.stop()
    hearth.clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))  # 17:30 EST: reminder was due 17:00
    await hearth.start()
    sent = reminders(hearth, group.channel_id)
    assert len(sent) == 1 and "a little late" in sent[0] and "in 30 minutes" in sent[0]
    await hearth.stop()
    # Down over the whole next session (ends 19:30 EDT = 23:30 UTC on 2026-03-09): no stale reminder.
    hearth.clock.set(datetime(2026, 3, 9, 23, 31, tzinfo=UTC))
    await hearth.start()
    assert len(reminders(hearth, group.channel_id)) == 1


async def test_schedule_remove_and_validation(hearth: Harness) -> None:
    group = await weekly_monday_group(hearth)
    seed, emu = hearth.seed, hearth.emu
    bad = await run(emu, "schedule add", seed.facilitator, group=group.name, weekday="tuesday", time="25:00")
    assert "**time**" in reply_text(bad)
    dup = await run(emu, "schedule add", seed.facilitator, group=group.name, weekday="monday", time="18:00")
    assert "already meets" in reply_text(dup)
    removed = await run(emu, "schedule remove", seed.facilitator, group=group.name, weekday="monday", time="18:00")
    assert "Removed" in reply_text(removed)
    hearth.clock.set(datetime(2026, 3, 2, 22, 0, tzinfo=UTC))
    await hearth.run_due("group-sessions")
    assert reminders(hearth, group.channel_id) == []
    info = await run(emu, "info", seed.facilitator, group=group.name)
    assert "no weekly sessions" in reply_text(info)
