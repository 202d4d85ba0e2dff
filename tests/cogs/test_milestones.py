"""Milestones end to end: the real bot and discord.py client through the emulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.emulator import Emulator
from tests.harness import Harness
from tests.helpers import reply_text

CELEBRATE = "hearth:milestones:celebrate:"




async def milestone(hearth: Harness, sub: str, user_id: int | None = None, **options: Any) -> Any:
    handle = await hearth.emu.invoke_slash(
        "milestone", user_id=user_id or hearth.seed.participant, subcommand=sub, options=options or None
    )
    await handle.wait_response()
    assert handle.ephemeral, f"/milestone {sub} must answer privately"
    return handle


async def settings(hearth: Harness, user_id: int, **options: Any) -> Any:
    handle = await hearth.emu.invoke_slash("settings", user_id=user_id, options=options)
    await handle.wait_response()
    return handle


def dms(emu: Emulator, user_id: int) -> list[str]:
    channel = emu.state.dm_channels.get(user_id)
    return [] if channel is None else [m.get("content") or "" for m in emu.bot_messages(channel)]


def celebrations_in(emu: Emulator, channel_id: int) -> list[dict[str, Any]]:
    return [
        m for m in emu.bot_messages(channel_id)
        if m.get("embeds") and m["embeds"][0].get("title") == "A milestone to celebrate"
    ]


def celebrate_id(message: dict[str, Any]) -> str:
    for row in message.get("components") or []:
        for comp in row.get("components") or []:
            if str(comp.get("custom_id", "")).startswith(CELEBRATE):
                return str(comp["custom_id"])
    raise AssertionError("no Celebrate button on the celebration")


# ------------------------------------------------------------------ counters


async def test_set_list_reset_remove(hearth: Harness) -> None:
    made = await milestone(hearth, "set", date="2026-02-23", label="alcohol-free")
    assert "alcohol-free" in reply_text(made) and "14 days" in reply_text(made) and "March 9, 2026" in reply_text(made)

    listed = await milestone(hearth, "list")
    text = reply_text(listed)
    assert "alcohol-free** — 7 days (since 2026-02-23)" in text
    assert "Next milestone: **14 days** on Monday, March 9, 2026" in text
    assert "by DM, just to you" in text

    reset = await milestone(hearth, "reset", label="Alcohol-Free", date="2026-02-28")
    text = reply_text(reset)
    assert "Thank you for being honest" in text
    # 2026-02-23 → 02-28 is 5 days with the slip day lost (4), plus 2 days since: 6 of the last 7.
    assert "6 of the last 7 days" in text
    assert "fail" not in text.lower() and "relapse" not in text.lower()

    listed = await milestone(hearth, "list")
    assert "2 days (since 2026-02-28)" in reply_text(listed)
    assert "Days in recovery: 6 of the last 7 days" in reply_text(listed)

    removed = await milestone(hearth, "remove", label="alcohol-free")
    assert "removed" in reply_text(removed)
    listed = await milestone(hearth, "list")
    assert "no counters yet" in reply_text(listed)
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM milestone_runs") == 0


async def test_bad_input_gets_clear_replies_and_stores_nothing(hearth: Harness) -> None:
    cases = [
        ({"date": "2026-03-03"}, "**date**", "future"),
        ({"date": "1899-12-31"}, "**date**", "1900"),
        ({"date": "March 1st"}, "**date**", "YYYY-MM-DD"),
        ({"date": "2026-02-30"}, "**date**", "real calendar date"),
        ({"date": "2026-01-01", "label": "x" * 41}, "**label**", "at most 40 characters"),
        ({"date": "2026-01-01", "label": "free <@123> @everyone"}, "**label**", "mentions"),
        ({"date": "2026-01-01", "label": "**big**"}, "**label**", "formatting"),
    ]
    for options, field, fragment in cases:
        text = reply_text(await milestone(hearth, "set", **options))
        assert field in text and fragment in text, (options, text)
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM milestone_counters") == 0
    for i in range(5):
        await milestone(hearth, "set", date="2026-01-01", label=f"counter {i}")
    sixth = reply_text(await milestone(hearth, "set", date="2026-01-01", label="sixth"))
    assert "**label**" in sixth and "up to 5 counters" in sixth
    missing = reply_text(await milestone(hearth, "remove", label="nothing"))
    assert "no counter called" in missing and "counter 0" in missing
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM milestone_counters") == 5


# ------------------------------------------------------------------ celebrations


async def test_private_celebration_is_a_dm_exactly_once_across_a_restart(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await milestone(hearth, "set", date="2026-03-01")  # day 1 is today, 09:00 already passed
    await hearth.run_due("milestones")
    message = await emu.wait_for_dm(seed.participant, lambda m: "1 day" in (m.get("content") or ""))
    assert "Today you reached **1 day** (recovery)" in message["content"]
    assert not message.get("components")
    await hearth.restart()
    await hearth.run_due("milestones")
    await hearth.run_due("milestones")
    assert [d for d in dms(emu, seed.participant) if "reached" in d] == [message["content"]]
    assert celebrations_in(emu, seed.celebrations) == []


async def test_community_celebration_and_celebrate_button(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    chosen = await settings(hearth, seed.participant, milestone_visibility="community")
    assert "community" in reply_text(chosen)
    await milestone(hearth, "set", date="2026-03-01", label="substance-free")
    await hearth.run_due("milestones")
    post = await emu.wait_for_message(
        seed.celebrations, lambda m: bool(m.get("embeds")) and "Riley" in m["embeds"][0]["description"]
    )
    assert "**1 day** (substance-free)" in post["embeds"][0]["description"]
    custom_id = celebrate_id(post)

    own = await emu.click_button(post, custom_id, user_id=seed.participant)
    await own.wait_response()
    assert own.ephemeral and "can't cheer for yourself" in reply_text(own)

    cheer = await emu.click_button(post, custom_id, user_id=seed.participant2)
    response = await cheer.wait_response()
    assert response["type"] == 9  # the encouragement modal
    modal_id = cheer.modal["custom_id"]
    await emu.wait_for_message(
        seed.celebrations, lambda m: m["id"] == post["id"] and "1 cheer so far" in m["embeds"][0]["footer"]["text"]
    )
    submitted = await emu.submit_modal(
        modal_id, {"words": "So proud of you @everyone <@&123> keep going"}, user_id=seed.participant2
    )
    await submitted.wait_response()
    assert "sent to them by DM" in reply_text(submitted)
    dm = await emu.wait_for_dm(seed.participant, lambda m: "encouragement" in (m.get("content") or ""))
    assert "So proud of you" in dm["content"]
    assert "@everyone" not in dm["content"] and "<@&123>" not in dm["content"]
    dm_request = next(
        r for r in emu.requests
        if r.method == "POST" and r.path == f"/channels/{dm['channel_id']}/messages" and "proud" in str(r.json)
    )
    assert dm_request.json["allowed_mentions"]["parse"] == []

    again = await emu.click_button(post, custom_id, user_id=seed.participant2)
    await again.wait_response()
    assert "already cheered" in reply_text(again)
    second = await emu.click_button(post, custom_id, user_id=seed.facilitator)
    await second.wait_response()
    current = await emu.wait_for_message(
        seed.celebrations, lambda m: m["id"] == post["id"] and "2 cheers so far" in m["embeds"][0]["footer"]["text"]
    )
    assert current["id"] == post["id"]
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM milestone_cheers") == 2

    # The button is persistent: it still counts (once) after a restart.
    await hearth.restart()
    after = await emu.click_button(post, custom_id, user_id=seed.participant2)
    await after.wait_response()
    assert "already cheered" in reply_text(after)
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM milestone_cheers") == 2


async def test_encouragement_flagged_by_the_crisis_screen_is_not_delivered(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await settings(hearth, seed.participant, milestone_visibility="community")
    await milestone(hearth, "set", date="2026-03-01")
    await hearth.run_due("milestones")
    [post] = celebrations_in(emu, seed.celebrations)

    screened: list[Any] = []

    class FlagEverything:
        async def screen(self, request: Any, interaction: Any = None) -> bool:
            screened.append(request)
            return True

    hearth.running.crisis_screen = FlagEverything()
    cheer = await emu.click_button(post, celebrate_id(post), user_id=seed.participant2)
    await cheer.wait_response()
    submitted = await emu.submit_modal(cheer.modal["custom_id"], {"words": "hang in there"}, user_id=seed.participant2)
    await submitted.wait_response()
    assert [(r.user_id, r.source) for r in screened] == [(seed.participant2, "encouragement")]
    assert not any("encouragement" in d for d in dms(emu, seed.participant))
    assert await hearth.running.db.fetch_value("SELECT status FROM milestone_encouragements") == "held"


async def test_group_celebration_posts_in_the_group_channel(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    created = await emu.invoke_slash("group", user_id=seed.staff, subcommand="create", options={"name": "Tuesday IOP"})
    await created.wait_response()
    await created.wait_followup()
    added = await emu.invoke_slash(
        "group", user_id=seed.staff, subcommand="add", options={"member": seed.participant, "group": "Tuesday IOP"}
    )
    await added.wait_response()
    await added.wait_followup()
    group = await hearth.running.services.groups.find("Tuesday IOP")
    assert group.channel_id is not None
    await settings(hearth, seed.participant, milestone_visibility="group")
    await milestone(hearth, "set", date="2026-02-23")  # 7 days today
    await hearth.run_due("milestones")
    post = await emu.wait_for_message(
        group.channel_id, lambda m: bool(m.get("embeds")) and m["embeds"][0].get("title") == "A milestone to celebrate"
    )
    assert "**7 days** (recovery)" in post["embeds"][0]["description"]
    assert celebrate_id(post)
    assert celebrations_in(emu, seed.celebrations) == []


async def test_late_inside_the_grace_window_then_skipped_outside_it(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await milestone(hearth, "set", date="2026-02-24")  # 7 days on 03-03, 14 days on 03-10
    await hearth.stop()
    hearth.clock.set(datetime(2026, 3, 4, 16, 0, tzinfo=UTC))  # down all of 03-03
    await hearth.start()  # the scheduler catches up on start
    late = await emu.wait_for_dm(seed.participant, lambda m: "7 days" in (m.get("content") or ""))
    assert "A little late" in late["content"] and "yesterday" in late["content"]

    await hearth.stop()
    hearth.clock.set(datetime(2026, 3, 13, 16, 0, tzinfo=UTC))  # 14 days was 3 days ago (grace is 2)
    await hearth.start()
    await hearth.run_due("milestones")
    assert not any("14 days" in d for d in dms(emu, seed.participant))
    status = await hearth.running.db.fetch_value("SELECT status FROM milestone_celebrations WHERE milestone = 14")
    assert status == "skipped"
    listed = await milestone(hearth, "list")
    assert "Next milestone: **30 days** on Thursday, March 26, 2026" in reply_text(listed)


async def test_leap_day_counter(harness_factory: Harness) -> None:
    hearth = harness_factory
    hearth.clock.set(datetime(2025, 2, 27, 15, 0, tzinfo=UTC))
    await hearth.start()
    try:
        emu, seed = hearth.emu, hearth.seed
        made = await milestone(hearth, "set", date="2024-02-29", label="leap")
        assert "**1 year** on Friday, February 28, 2025" in reply_text(made)
        hearth.clock.set(datetime(2025, 2, 28, 13, 59, tzinfo=UTC))  # 08:59 EST
        await hearth.run_due("milestones")
        assert not any("1 year" in d for d in dms(emu, seed.participant))
        hearth.clock.set(datetime(2025, 2, 28, 14, 0, tzinfo=UTC))  # 09:00 EST
        await hearth.run_due("milestones")
        message = await emu.wait_for_dm(seed.participant, lambda m: "1 year" in (m.get("content") or ""))
        assert "Today you reached **1 year** (leap)" in message["content"]
    finally:
        await hearth.stop()


async def test_milestone_on_the_dst_change_day(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await milestone(hearth, "set", date="2026-03-01")  # 7 days on 2026-03-08, when New York springs forward
    hearth.clock.set(datetime(2026, 3, 8, 12, 59, tzinfo=UTC))  # 08:59 EDT (13:59 would be EST's 09:00)
    await hearth.run_due("milestones")
    assert not any("7 days" in d for d in dms(emu, seed.participant))
    hearth.clock.set(datetime(2026, 3, 8, 13, 0, tzinfo=UTC))  # 09:00 EDT
    await hearth.run_due("milestones")
    message = await emu.wait_for_dm(seed.participant, lambda m: "7 days" in (m.get("content") or ""))
    assert "Today you reached" in message["content"]


async def test_time_zone_change_between_scheduling_and_firing(hearth: Harness) -> None:
    emu, seed = hearth.emu, hearth.seed
    await milestone(hearth, "set", date="2026-02-24")  # 7 days on 03-03: 09:00 New York = 14:00 UTC
    changed = await settings(hearth, seed.participant, timezone="Asia/Tokyo")
    assert "Asia/Tokyo" in reply_text(changed)
    hearth.clock.set(datetime(2026, 3, 2, 23, 59, tzinfo=UTC))  # 08:59 on 03-03 in Tokyo
    await hearth.run_due("milestones")
    assert not any("7 days" in d for d in dms(emu, seed.participant))
    hearth.clock.set(datetime(2026, 3, 3, 0, 0, tzinfo=UTC))  # 09:00 in Tokyo, still 03-02 in New York
    await hearth.run_due("milestones")
    message = await emu.wait_for_dm(seed.participant, lambda m: "7 days" in (m.get("content") or ""))
    assert "Today you reached" in message["content"]
    hearth.clock.set(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))
    await hearth.run_due("milestones")
    assert len([d for d in dms(emu, seed.participant) if "7 days" in d]) == 1


async def test_export_and_delete_cover_milestones(hearth: Harness) -> None:
    seed = hearth.seed
    services = hearth.running.services
    await settings(hearth, seed.participant, milestone_visibility="community")
    await milestone(hearth, "set", date="2026-03-01")
    await milestone(hearth, "reset", label="recovery", date="2026-03-02")
    exported = (await services.data_rights.export(seed.participant)).as_json_dict()["features"]["milestones"]
    assert exported["counters"][0]["label"] == "recovery"
    assert len(exported["earlier_runs"]) == 1
    assert exported["settings"][0]["visibility"] == "community"
    await services.data_rights.delete(seed.participant)
    for table in services.milestones.tables:
        assert await hearth.running.db.fetch_value(f"SELECT COUNT(*) FROM {table}") == 0, table
