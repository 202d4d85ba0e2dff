"""The startup self-check's rules, without Discord."""

from __future__ import annotations

from bot.selfcheck import (
    CHANNEL_NEEDS,
    ChannelView,
    RoleView,
    Snapshot,
    findings,
    report_text,
    staff_channel_usable,
)

ALL = frozenset(attr for _crisis, needs in CHANNEL_NEEDS.values() for attr, _name in needs)


def sound(**changes: object) -> Snapshot:
    roles = {k: RoleView(i, True, 2, True) for i, k in enumerate(("participant", "facilitator", "staff", "on_call"))}
    channels = {k: ChannelView(100 + i, True, ALL) for i, k in enumerate(CHANNEL_NEEDS)}
    base: dict[str, object] = {"in_guild": True, "roles": roles, "channels": channels, "bot_mentions_everyone": False}
    base.update(changes)
    return Snapshot(**base)  # type: ignore[arg-type]


def test_C16_a_sound_setup_has_no_findings() -> None:
    assert findings(sound()) == []
    assert "crisis path OK" in report_text([])


def test_C16_crisis_path_problems_are_crisis_findings_in_plain_words() -> None:
    snapshot = sound()
    snapshot.roles["on_call"] = RoleView(3, True, 0, False)
    snapshot.channels["staff_alerts"] = ChannelView(100, True, ALL - {"embed_links"})
    snapshot.channels["checkins"] = ChannelView(101, True, ALL - {"add_reactions"})
    found = findings(snapshot)
    assert [(f.crisis, f.text) for f in found] == [
        (True, "roles.on_call 3: nobody has this role, so crisis alerts ping nobody"),
        (True, "roles.on_call 3: the role cannot be pinged (make it mentionable, or give the bot Mention Everyone)"),
        (True, "channels.staff_alerts 100: the bot lacks Embed Links"),
        (False, "channels.checkins 101: the bot lacks Add Reactions"),
    ]
    assert report_text(found).startswith("Hearth self-check: the CRISIS PATH IS NOT SOUND.")


def test_C16_missing_roles_and_channels_and_mention_everyone() -> None:
    snapshot = sound(bot_mentions_everyone=True)
    snapshot.roles["on_call"] = RoleView(3, True, 1, False)  # not mentionable, but the bot may mention everyone
    snapshot.roles["participant"] = RoleView(0, False)
    snapshot.channels["celebrations"] = ChannelView(102, False)
    assert [(f.crisis, f.text) for f in findings(snapshot)] == [
        (False, "roles.participant 0: no such role in the server"),
        (False, "channels.celebrations 102: no such channel in the server"),
    ]
    assert findings(Snapshot(False, {}, {}, False))[0].crisis


def test_C16_with_a_rota_an_empty_shift_is_named_as_such() -> None:
    snapshot = sound()
    snapshot.roles["on_call"] = RoleView(3, True, 0, True, from_rota=True)
    assert [(f.crisis, f.text) for f in findings(snapshot)] == [
        (True, "roles.on_call 3: the [oncall] rota has nobody on call now, so crisis alerts ping nobody"),
    ]


def test_C16_an_unavailable_server_is_one_crisis_finding_not_every_role_missing() -> None:
    found = findings(Snapshot(True, {}, {}, False, available=False))
    assert len(found) == 1 and found[0].crisis and "unavailable" in found[0].text


def test_C16_the_report_goes_to_the_staff_channel_only_when_the_bot_can_see_and_send_there() -> None:
    assert staff_channel_usable(sound())
    no_embeds = sound()
    no_embeds.channels["staff_alerts"] = ChannelView(100, True, ALL - {"embed_links"})
    assert staff_channel_usable(no_embeds)  # plain text still goes
    for broken in (ChannelView(100, True, ALL - {"view_channel"}), ChannelView(100, True, ALL - {"send_messages"}),
                   ChannelView(100, False)):
        snapshot = sound()
        snapshot.channels["staff_alerts"] = broken
        assert not staff_channel_usable(snapshot)
    assert not staff_channel_usable(Snapshot(False, {}, {}, False))
