"""End to end: /checkin modal, in-channel check-ins, /progress — through the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.emulator import InteractionHandle
from tests.harness import Harness

MODAL = "hearth:checkins:modal"


def content_of(handle: InteractionHandle) -> str:
    if handle.followups:
        return str(handle.followups[-1].get("content") or "")
    assert handle.response is not None
    return str((handle.response.get("data") or {}).get("content") or "")


async def checkin(hearth: Harness, user_id: int, values: dict[str, str], *, dm: bool = False) -> InteractionHandle:
    opened = await hearth.emu.invoke_slash("checkin", user_id=user_id, dm=dm)
    await opened.wait_response()
    assert opened.modal is not None, content_of(opened)
    submitted = await hearth.emu.submit_modal(MODAL, values, user_id=user_id)
    await submitted.wait_response()
    await hearth.settle()
    return submitted


async def rows(hearth: Harness, user_id: int) -> list[dict[str, Any]]:
    found = await hearth.running.db.fetch_all(
        "SELECT * FROM checkins WHERE user_id = ? ORDER BY local_date", (user_id,)
    )
    return [dict(r) for r in found]


async def test_modal_valid_then_update_same_day(hearth: Harness) -> None:
    uid = hearth.seed.participant
    first = await checkin(hearth, uid, {"mood": "7", "cravings": "2", "sleep": "7.5", "note": "went to group"})
    assert first.ephemeral
    text = content_of(first)
    assert "Thanks for checking in" in text and "last 30 days: **1**" in text
    stored = await rows(hearth, uid)
    assert [(r["mood"], r["cravings"], r["sleep_hours"], r["note"]) for r in stored] == [(7, 2, 7.5, "went to group")]
    assert stored[0]["local_date"] == "2026-03-02"

    second = await checkin(hearth, uid, {"mood": "5", "cravings": "", "sleep": "", "note": ""})
    assert "Updated today's check-in" in content_of(second)
    stored = await rows(hearth, uid)
    assert len(stored) == 1 and stored[0]["mood"] == 5 and stored[0]["cravings"] is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"mood": "abc"}, "Mood"),
        ({"mood": "11"}, "Mood"),
        ({"mood": "-1"}, "Mood"),
        ({"mood": ""}, "Mood"),
        ({"mood": "5", "cravings": "12"}, "Cravings"),
        ({"mood": "5", "sleep": "30"}, "Sleep hours"),
        ({"mood": "5", "sleep": "lots"}, "Sleep hours"),
        ({"mood": "5", "note": "x" * 5000}, "Anything you want to share?"),
    ],
)
async def test_modal_invalid_values_are_named_and_nothing_is_stored(
    hearth: Harness, values: dict[str, str], field: str
) -> None:
    uid = hearth.seed.participant
    handle = await checkin(hearth, uid, {"cravings": "", "sleep": "", "note": "", **values})
    assert handle.ephemeral
    assert f"**{field}**" in content_of(handle)
    assert await rows(hearth, uid) == []


async def test_emoji_only_note_is_kept_as_written_and_mentions_never_ping(hearth: Harness) -> None:
    uid = hearth.seed.participant
    await checkin(hearth, uid, {"mood": "6", "cravings": "", "sleep": "", "note": "🙂🌧️"})
    assert (await rows(hearth, uid))[0]["note"] == "🙂🌧️"


async def test_outsider_cannot_check_in(hearth: Harness) -> None:
    handle = await hearth.emu.invoke_slash("checkin", user_id=hearth.seed.outsider)
    await handle.wait_response()
    assert handle.modal is None
    assert "only for program participants" in content_of(handle)


async def test_checkin_from_dm_and_day_follows_time_zone(hearth: Harness) -> None:
    uid = hearth.seed.participant
    # 03:30 UTC on Mar 3 is still Mar 2 in New York but Mar 3 in Berlin.
    hearth.clock.set(datetime(2026, 3, 3, 3, 30, tzinfo=UTC))
    await checkin(hearth, uid, {"mood": "6", "cravings": "", "sleep": "", "note": ""}, dm=True)
    await hearth.running.services.people.set_timezone(uid, "Europe/Berlin")
    await checkin(hearth, uid, {"mood": "8", "cravings": "", "sleep": "", "note": ""}, dm=True)
    assert [r["local_date"] for r in await rows(hearth, uid)] == ["2026-03-02", "2026-03-03"]


async def test_streak_reply_is_kind_after_a_break(hearth: Harness) -> None:
    uid = hearth.seed.participant
    for _ in range(3):
        await checkin(hearth, uid, {"mood": "6", "cravings": "", "sleep": "", "note": ""})
        hearth.clock.advance(days=1)
    third = content_of(hearth.emu.interactions[-1])
    assert "3 days in a row" in third
    hearth.clock.advance(days=3)
    again = await checkin(hearth, uid, {"mood": "6", "cravings": "", "sleep": "", "note": ""})
    text = content_of(again)
    assert "Welcome back" in text and "last 30 days: **4**" in text
    assert "broke" not in text.lower() and "lost" not in text.lower()


async def test_progress_sends_a_real_png_and_text(hearth: Harness) -> None:
    uid = hearth.seed.participant
    for mood in (4, 6, 7):
        await checkin(hearth, uid, {"mood": str(mood), "cravings": "3", "sleep": "", "note": ""})
        hearth.clock.advance(days=1)
    handle = await hearth.emu.invoke_slash("progress", user_id=uid, options={"days": 14})
    await handle.wait_followup()
    assert handle.deferred and handle.ephemeral
    names = [name for name, _ in handle.attachments]
    assert names == ["progress.png"]
    png = handle.attachments[0][1]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    text = content_of(handle)
    assert "Check-ins in this window: **3**" in text
    assert "Longest streak: **3 days**" in text


async def test_progress_days_out_of_range_is_refused_by_discord_shape(hearth: Harness) -> None:
    from tests.emulator import CommandInvocationError

    with pytest.raises(CommandInvocationError):
        await hearth.emu.invoke_slash("progress", user_id=hearth.seed.participant, options={"days": 3})


async def test_share_with_group_posts_summary_without_pings(hearth: Harness) -> None:
    uid = hearth.seed.participant
    channel = await make_group(hearth, "Tuesday Evening", members=[uid])
    submitted = await checkin(hearth, uid, {"mood": "7", "cravings": "1", "sleep": "", "note": "hi @everyone <@1>"})
    share = await hearth.emu.click_button(submitted.followups[-1] if submitted.followups else None,
                                          f"hearth:checkins:sharenote:{(await rows(hearth, uid))[0]['id']}",
                                          user_id=uid)
    await share.wait_response()
    posted = await hearth.emu.wait_for_message(channel, lambda m: "checked in today" in m["content"])
    assert "mood 7/10" in posted["content"]
    assert "@\u200beveryone" in posted["content"] and "<@\u200b1>" in posted["content"]
    req = await hearth.emu.wait_for_request(
        lambda r: r.method == "POST" and r.path == f"/channels/{channel}/messages"
    )
    assert req.json["allowed_mentions"]["parse"] == []


async def make_group(hearth: Harness, name: str, *, members: list[int], facilitator: int | None = None) -> int:
    """Create a group through the real /group commands; returns its channel id."""
    emu, seed = hearth.emu, hearth.seed
    created = await emu.invoke_slash("group", user_id=seed.staff, subcommand="create", options={"name": name})
    await created.wait_response()
    await hearth.settle()
    service = hearth.running.services.groups
    group = await service.find(name)
    for member in members:
        added = await emu.invoke_slash(
            "group", user_id=seed.staff, subcommand="add", options={"group": name, "member": member}
        )
        await added.wait_response()
        await hearth.settle()
    if facilitator is not None:
        person = hearth.running.roles.person(seed.staff, [seed.staff_role])
        await service.add_facilitator(person, group, facilitator)
    group = await service.find(name)
    assert group.channel_id is not None
    assert set(await service.member_ids(group.id)) >= set(members)
    return group.channel_id


_ = timedelta
