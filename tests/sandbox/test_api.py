"""The sandbox's JSON API against the real bot: personas, who sees which channel, acting as a persona."""

from __future__ import annotations

from typing import Any

from bot.sandbox.app import Sandbox
from tests.sandbox.conftest import Api, eventually


async def ids(api: Api) -> dict[str, str]:
    return {p["name"]: p["id"] for p in await api.get("/personas")}


async def channel_ids(api: Api, persona: str) -> dict[str, str]:
    return {c["name"]: c["id"] for c in await api.get("/channels", persona=persona)}


def messages_matching(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    return [m for m in messages if text in m["content"] or any(text in (e.get("title") or "") for e in m["embeds"])]


async def test_personas_are_the_demo_community(api: Api) -> None:
    personas = await api.get("/personas")
    assert [(p["name"], p["role"]) for p in personas] == [
        ("Alice", "participant"), ("Ben", "participant"), ("Chloe", "participant"),
        ("Fran", "facilitator"), ("Sam", "staff, on call"), ("Priya", "staff"),
    ]


async def test_channel_list_follows_who_may_see_what(api: Api) -> None:
    people = await ids(api)
    alice = await api.get("/channels", persona=people["Alice"])
    # Alice was added to the seeded group; her DM with the bot comes last.
    assert [(c["name"], c["kind"]) for c in alice] == [
        ("general", "text"), ("check-ins", "text"), ("celebrations", "text"),
        ("tuesday-evening-group", "text"), ("Hearth", "dm"),
    ]
    assert {c["name"] for c in alice if c["private"]} == {"tuesday-evening-group", "Hearth"}
    chloe = await channel_ids(api, people["Chloe"])
    assert "staff-alerts" not in chloe and "tuesday-evening-group" not in chloe
    fran = await channel_ids(api, people["Fran"])
    assert "tuesday-evening-group" in fran and "staff-alerts" not in fran
    sam = await channel_ids(api, people["Sam"])
    assert {"staff-alerts", "tuesday-evening-group"} <= set(sam)
    # Each persona has its own DM channel; nobody reads another's.
    assert sam["Hearth"] != alice[-1]["id"]
    await api.get("/messages", 403, persona=people["Alice"], channel=sam["staff-alerts"])
    await api.get("/messages", 403, persona=people["Alice"], channel=sam["Hearth"])


async def test_a_message_sent_as_a_persona_reaches_the_bot(api: Api, sandbox: Sandbox) -> None:
    people = await ids(api)
    channels = await channel_ids(api, people["Ben"])
    sent = await api.post("/messages", {"persona": people["Ben"], "channel": channels["check-ins"],
                                        "content": "mood 7, slept 8 hours"})
    stored = sandbox.emu.state.all_messages[int(sent["id"])]
    assert stored["author"]["id"] == people["Ben"]

    async def recorded() -> dict[str, Any] | None:
        # The bot marks an in-channel check-in it recorded with a reaction.
        view = await api.get("/messages", persona=people["Alice"], channel=channels["check-ins"])
        mine = [m for m in view if m["id"] == sent["id"]]
        return mine[0] if mine and mine[0]["reactions"] else None

    message = await eventually(recorded)
    assert message["author"]["name"] == "Ben"
    assert message["reactions"][0]["emoji"] == "✅"
    await api.post("/messages", {"persona": people["Ben"], "channel": channels["check-ins"], "content": " "}, 400)


async def test_slash_command_opens_a_modal_and_the_reply_is_only_for_that_persona(api: Api) -> None:
    people = await ids(api)
    channels = await channel_ids(api, people["Alice"])
    outcome = await api.post("/commands", {"persona": people["Alice"], "channel": channels["check-ins"],
                                           "command": "/checkin"})
    modal = outcome["modal"]
    assert modal["title"] == "Daily check-in"
    await api.post("/modal", {"persona": people["Alice"], "custom_id": modal["custom_id"],
                              "values": {"mood": "6", "sleep": "7.5"}})

    async def reply() -> list[dict[str, Any]]:
        view = await api.get("/messages", persona=people["Alice"], channel=channels["check-ins"])
        return messages_matching(view, "Thanks for checking in")

    [private] = await eventually(reply)
    assert private["ephemeral"] is True
    assert [c["label"] for c in private["components"][0]["components"]] == ["Share with my group"]
    others = await api.get("/messages", persona=people["Ben"], channel=channels["check-ins"])
    assert messages_matching(others, "Thanks for checking in") == []


async def test_slash_command_options_are_typed_from_the_synced_command(api: Api) -> None:
    people = await ids(api)
    channels = await channel_ids(api, people["Fran"])
    await api.post("/commands", {"persona": people["Fran"], "channel": channels["tuesday-evening-group"],
                                 "command": "group pulse", "options": {"group": "Tuesday evening group",
                                                                       "days": "7"}})

    async def pulse() -> list[dict[str, Any]]:
        view = await api.get("/messages", persona=people["Fran"], channel=channels["tuesday-evening-group"])
        return [m for m in view if m["ephemeral"] and not m["loading"] and "Tuesday evening group" in m["content"]]

    [report] = await eventually(pulse)
    assert report["command"]["name"] == "group"
    bad = await api.post("/commands", {"persona": people["Fran"], "channel": channels["general"],
                                       "command": "group pulse", "options": {"group": "x", "days": "soon"}}, 400)
    assert "days" in bad["error"]


async def test_worrying_message_alerts_staff_and_on_call_acknowledges_with_the_button(api: Api) -> None:
    people = await ids(api)
    chloe = await channel_ids(api, people["Chloe"])
    sam = await channel_ids(api, people["Sam"])
    # Hearth screens the check-ins channel, group channels and DMs.
    await api.post("/messages", {"persona": people["Chloe"], "channel": chloe["check-ins"],
                                 "content": "I can't do this anymore. I want to end it all tonight."})

    async def alert() -> list[dict[str, Any]]:
        view = await api.get("/messages", persona=people["Sam"], channel=sam["staff-alerts"])
        return [m for m in view if m["components"]]

    [message] = await eventually(alert)
    buttons = {c["label"]: c["custom_id"] for c in message["components"][0]["components"]}
    # Chloe cannot see the staff channel, so she cannot press its buttons either.
    await api.post("/click", {"persona": people["Chloe"], "message": message["id"],
                              "custom_id": buttons["Acknowledge"]}, 403)
    outcome = await api.post("/click", {"persona": people["Sam"], "message": message["id"],
                                        "custom_id": buttons["Acknowledge"]})
    assert outcome["answered"] is True

    async def acknowledged() -> list[dict[str, Any]]:
        view = await api.get("/messages", persona=people["Sam"], channel=sam["staff-alerts"])
        return [m for m in view if m["id"] == message["id"]
                and any("Acknowledged" in f["value"] for e in m["embeds"] for f in e.get("fields", []))]

    await eventually(acknowledged)
    # Chloe got private support in her DM with the bot.
    dm = await eventually(lambda: api.get("/messages", persona=people["Chloe"], channel=chloe["Hearth"]))
    assert dm[0]["author"]["name"] == "Hearth"


async def test_clock_jumps_to_nine_tomorrow_and_due_reminders_go_out(api: Api, sandbox: Sandbox) -> None:
    people = await ids(api)
    channels = await channel_ids(api, people["Alice"])
    before = await api.get("/clock")
    await api.post("/commands", {"persona": people["Alice"], "channel": channels["Hearth"],
                                 "command": "reminders set", "options": {"time": "09:00"}})
    await eventually(lambda: api.get("/messages", persona=people["Alice"], channel=channels["Hearth"]))
    count = len(await api.get("/messages", persona=people["Alice"], channel=channels["Hearth"]))
    after = await api.post("/clock", {"step": "morning"})
    assert after["local"].endswith("09:00") and after["utc"] > before["utc"]
    assert sandbox.local_now().hour == 9

    async def reminded() -> list[dict[str, Any]] | None:
        view = await api.get("/messages", persona=people["Alice"], channel=channels["Hearth"])
        return view if len(view) > count else None

    view = await eventually(reminded)
    assert not view[-1]["ephemeral"] and view[-1]["author"]["name"] == "Hearth"
    hour = await api.post("/clock", {"step": "hour"})
    assert hour["local"].endswith("10:00")
    await api.post("/clock", {"step": "backwards"}, 400)


async def test_commands_list_flattens_subcommands(api: Api) -> None:
    listing = await api.get("/commands")
    names = {c["name"]: c for c in listing["commands"]}
    assert {"checkin", "group pulse", "reminders set", "milestone set", "incident ack"} <= set(names)
    assert [(o["name"], o["type"], o["required"]) for o in names["group pulse"]["options"]] == [
        ("group", "string", True), ("days", "integer", False)
    ]
    assert "I'm worried about this person" in listing["message_commands"]


async def test_the_page_and_its_assets_are_served(api: Api, sandbox: Sandbox) -> None:
    async with api.session.get(sandbox.url) as response:
        page = await response.text()
    assert response.status == 200
    for testid in ("persona-switcher", "composer", "send", "clock-advance", "clock-now", "modal-submit"):
        assert f'data-testid="{testid}"' in page
    for asset in ("app.js", "style.css"):
        async with api.session.get(f"{sandbox.url}static/{asset}") as response:
            assert response.status == 200
    async with api.session.get(f"{sandbox.url}static/..%2Fweb.py") as response:
        assert response.status == 404


async def test_autocomplete_of_a_guild_subcommand_option(api: Api) -> None:
    people = await ids(api)
    channels = await channel_ids(api, people["Fran"])
    choices = await api.post("/autocomplete", {"persona": people["Fran"], "channel": channels["general"],
                                               "command": "group pulse", "focused": "group", "value": "tue"})
    assert choices == [{"name": "Tuesday evening group", "value": "Tuesday evening group"}]
