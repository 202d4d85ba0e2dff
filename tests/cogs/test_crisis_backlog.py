"""Messages posted while the bot was down are screened on start, end to end.

The emulator stamps message ids with the harness's manual clock here, so "hours while Hearth was down" are
hours of that clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox.emulator.snowflake import use_clock
from tests.cogs.test_crisis import IMMINENT, alerts, crisis_dms, wait_alert
from tests.harness import Harness
from tests.helpers import message_text


@pytest.fixture
async def down(hearth: Harness) -> AsyncIterator[Harness]:
    """Hearth that has screened something in check-ins and a DM, then stopped."""
    use_clock(hearth.clock.now)
    try:
        emu, seed = hearth.emu, hearth.seed
        await emu.send_message(seed.checkins, seed.participant, "mood 6/10 ok day")
        await emu.send_dm(seed.participant2, "where is group tonight")
        await emu.wait_for_dm(seed.participant2, lambda m: "/checkin" in (m.get("content") or ""))
        await hearth.settle()
        await hearth.stop()
        yield hearth
    finally:
        use_clock(None)


async def test_B8_messages_posted_while_down_are_screened_on_start_and_say_how_old(down: Harness) -> None:
    hearth, emu, seed = down, down.emu, down.seed
    hearth.clock.advance(hours=1)
    await emu.send_message(seed.checkins, seed.participant, "mood 3/10 rough one")
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await emu.send_dm(seed.participant2, "I took all my pills, it's done")
    hearth.clock.advance(hours=3)
    await hearth.start()
    await wait_alert(hearth, 2)
    texts = [message_text(a) for a in alerts(emu, seed.staff_alerts)]
    assert all("posted while Hearth was offline" in t and "3 hours" in t for t in texts), texts
    service = hearth.running.services.crisis
    assert {(await service.get(n)).user_id for n in (1, 2)} == {seed.participant, seed.participant2}
    await emu._wait_until(lambda: len(crisis_dms(emu, seed.participant)) == 1, 10)
    await emu._wait_until(lambda: len(crisis_dms(emu, seed.participant2)) == 1, 10)
    # Nothing was screened twice: a second start finds nothing new to alert.
    await hearth.restart()
    await hearth.settle()
    assert len(alerts(emu, seed.staff_alerts)) == 2
    assert len(crisis_dms(emu, seed.participant)) == 1


async def test_B8_backlog_is_bounded_by_its_window(down: Harness) -> None:
    hearth, emu, seed = down, down.emu, down.seed
    hearth.clock.advance(hours=1)
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    hearth.clock.advance(hours=30)  # past crisis.backlog_hours (24)
    await emu.send_message(seed.checkins, seed.participant2, IMMINENT)
    await hearth.start()
    await wait_alert(hearth)
    await hearth.settle()
    [alert] = alerts(emu, seed.staff_alerts)
    assert (await hearth.running.services.crisis.get(1)).user_id == seed.participant2
    assert "posted while Hearth was offline" not in message_text(alert)


async def test_B8_a_fresh_start_marks_every_watched_channel_so_a_crash_loses_nothing(hearth: Harness) -> None:
    """Before anyone posts: a kill -9 now must still leave a point to screen the check-ins channel from."""
    await hearth.running.scheduler_started.wait()
    db = hearth.running.db
    for _ in range(100):
        if await db.fetch_value("SELECT COUNT(*) FROM screening_cursors WHERE channel_id = ?", (hearth.seed.checkins,)):
            break
        await hearth.settle(rounds=1)
    else:
        raise AssertionError("no screening cursor was written for the check-ins channel on start")
