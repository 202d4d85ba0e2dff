"""The on-call rota keeps roles.on_call true, end to end against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from tests.cogs.test_crisis import IMMINENT, wait_alert
from tests.cogs.test_groups import role_ids
from tests.harness import Harness


@pytest.fixture
async def rota(harness_factory: Harness) -> AsyncIterator[Harness]:
    seed = harness_factory.seed
    # Friday 2026-03-06, 16:30 in New York; Sunday 03-08 the clocks go forward.
    harness_factory.clock = ManualClock(datetime(2026, 3, 6, 21, 30, tzinfo=UTC))
    harness_factory.write_config(
        f"""
[oncall]
timezone = "America/New_York"

[[oncall.shifts]]
days = "daily"
start = "09:00"
end = "17:00"
members = [{seed.on_call}]

[[oncall.shifts]]
days = "daily"
start = "17:00"
end = "09:00"
members = [{seed.staff}]
"""
    )
    await harness_factory.start()
    try:
        await harness_factory.running.scheduler_started.wait()
        yield harness_factory
    finally:
        await harness_factory.stop()


def on_call_role_members(hearth: Harness) -> set[int]:
    seed = hearth.seed
    return {u for u in (seed.on_call, seed.staff, seed.participant, seed.facilitator)
            if seed.on_call_role in role_ids(hearth.emu, u)}


async def test_the_role_follows_the_rota_at_local_times_across_dst(rota: Harness) -> None:
    emu, seed = rota.emu, rota.seed
    await rota.run_due("oncall-rota")
    assert on_call_role_members(rota) == {seed.on_call}
    rota.clock.set(datetime(2026, 3, 6, 22, 0, tzinfo=UTC))  # 17:00 local: the night shift
    await rota.run_due("oncall-rota")
    assert on_call_role_members(rota) == {seed.staff}
    note = await emu.wait_for_message(seed.staff_alerts, lambda m: "On call now" in (m.get("content") or ""))
    assert f"<@{seed.staff}>" in note["content"] and note["mentions"] == []
    # Monday after the change: 09:00 local is 13:00 UTC now, not 14:00.
    rota.clock.set(datetime(2026, 3, 9, 12, 59, tzinfo=UTC))
    await rota.run_due("oncall-rota")
    assert on_call_role_members(rota) == {seed.staff}
    rota.clock.set(datetime(2026, 3, 9, 13, 0, tzinfo=UTC))
    await rota.run_due("oncall-rota")
    assert on_call_role_members(rota) == {seed.on_call}
    # An alert raised now pings the role, which is whoever the rota says.
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(rota)
    assert alert["mention_roles"] == [str(seed.on_call_role)]


async def test_override_and_now(rota: Harness) -> None:
    emu, seed = rota.emu, rota.seed
    await rota.run_due("oncall-rota")
    handle = await emu.invoke_slash(
        "oncall", user_id=seed.staff, subcommand="override",
        options={"member": seed.facilitator, "start": "2026-03-06 16:40", "end": "2026-03-06 18:00"},
    )
    await handle.wait_response()
    rota.clock.advance(minutes=10)  # 16:40 local
    await rota.run_due("oncall-rota")
    assert on_call_role_members(rota) == {seed.on_call, seed.facilitator}
    now = await emu.invoke_slash("oncall", user_id=seed.on_call, subcommand="now")
    await now.wait_response()
    text = now.all_messages()[-1]["content"]
    assert f"<@{seed.on_call}>" in text and f"<@{seed.facilitator}>" in text
    refused = await emu.invoke_slash("oncall", user_id=seed.participant, subcommand="now")
    await refused.wait_response()
    assert "only for" in refused.all_messages()[-1]["content"]
    rota.clock.advance(timedelta(hours=2))
    await rota.run_due("oncall-rota")
    assert on_call_role_members(rota) == {seed.staff}
