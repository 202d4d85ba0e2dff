"""End to end: check-ins typed in the check-in channel, over a table of real-world formats."""

from __future__ import annotations

from urllib.parse import unquote

from tests.bot.services.test_checkins_parser import FORMATS
from tests.harness import Harness


async def reaction_for(hearth: Harness, channel: int, message_id: str) -> str:
    request = await hearth.emu.wait_for_request(
        lambda r: r.method == "PUT" and r.path.startswith(f"/channels/{channel}/messages/{message_id}/reactions/")
    )
    return unquote(request.path.split("/reactions/")[1].split("/")[0])


async def test_in_channel_formats_are_recorded_and_reacted_to(hearth: Harness) -> None:
    uid, channel = hearth.seed.participant, hearth.seed.checkins
    db = hearth.running.db
    for text, mood, cravings, sleep in FORMATS:
        message = await hearth.emu.send_message(channel, uid, text)
        emoji = await reaction_for(hearth, channel, message["id"])
        row = await db.fetch_one(
            "SELECT mood, cravings, sleep_hours, note, source FROM checkins WHERE message_id = ?", (int(message["id"]),)
        )
        assert row is not None, text
        assert (row["mood"], row["cravings"], row["sleep_hours"]) == (mood, cravings, sleep), text
        assert row["note"] == text and row["source"] == "message"
        assert emoji == ("✅" if mood is not None else "📝"), text
        hearth.clock.advance(days=1)
    count = await db.fetch_value("SELECT COUNT(*) FROM checkins WHERE user_id = ?", (uid,))
    assert count == len(FORMATS) >= 30


async def test_note_only_gets_a_one_time_format_dm(hearth: Harness) -> None:
    uid, channel = hearth.seed.participant, hearth.seed.checkins
    first = await hearth.emu.send_message(channel, uid, "rough day, @everyone")
    assert await reaction_for(hearth, channel, first["id"]) == "📝"
    hint = await hearth.emu.wait_for_dm(uid, lambda m: "mood 6/10" in m["content"])
    assert "only send this tip once" in hint["content"]
    hearth.clock.advance(days=1)
    second = await hearth.emu.send_message(channel, uid, "another rough one")
    await reaction_for(hearth, channel, second["id"])
    await hearth.settle()
    dm_channel = hearth.emu.state.dm_channels[uid]
    assert len(hearth.emu.bot_messages(dm_channel)) == 1


async def test_note_after_modal_checkin_keeps_the_mood(hearth: Harness) -> None:
    uid, channel = hearth.seed.participant, hearth.seed.checkins
    message = await hearth.emu.send_message(channel, uid, "mood 6 cravings 2")
    await reaction_for(hearth, channel, message["id"])
    later = await hearth.emu.send_message(channel, uid, "went to a meeting tonight")
    await reaction_for(hearth, channel, later["id"])
    row = await hearth.running.db.fetch_one("SELECT mood, cravings, note FROM checkins WHERE user_id = ?", (uid,))
    assert row is not None and (row["mood"], row["cravings"], row["note"]) == (6, 2, "went to a meeting tonight")


async def test_messages_elsewhere_or_from_outsiders_are_not_checkins(hearth: Harness) -> None:
    seed = hearth.seed
    await hearth.emu.send_message(seed.general, seed.participant, "mood 6/10")
    await hearth.emu.send_message(seed.checkins, seed.outsider, "mood 6/10")
    await hearth.settle()
    assert await hearth.running.db.fetch_value("SELECT COUNT(*) FROM checkins") == 0
