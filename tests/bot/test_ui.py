"""PersistentButton: the template and custom_id every persistent button is built from, and its error path.

Clicking the real buttons through the emulator is covered by the cog tests; these pin the base itself
and the exact custom_ids of buttons already posted in Discord (they must keep working after an upgrade).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
import pytest

from bot.errors import DomainError
from bot.ui import PersistentButton
from cogs.checkins._views import OpenCheckinButton, ReachedOutButton
from cogs.crisis._views import AcknowledgeButton, FalseAlarmButton, ResolveButton, SafeButton, TalkButton
from cogs.groups._views import ApproveJoinButton, DenyJoinButton
from cogs.milestones._views import CelebrateButton
from cogs.privacy import ConfirmDeleteButton


class PokeButton(PersistentButton, feature="demo", action="poke", label="Poke", style=discord.ButtonStyle.danger):
    """Does what the test tells it to, so both error paths can be exercised."""

    outcome: BaseException | None = None
    seen: list[int] = []

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        self.seen.append(self.target_id)
        if self.outcome is not None:
            raise self.outcome
        await interaction.response.send_message("poked", ephemeral=True)


class FakeResponse:
    def __init__(self, done: bool) -> None:
        self.done = done
        self.sent: list[tuple[str | None, dict[str, Any]]] = []

    def is_done(self) -> bool:
        return self.done

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        assert not self.done, "an interaction can only be responded to once"
        self.done = True
        self.sent.append((content, kwargs))


class FakeFollowup:
    def __init__(self) -> None:
        self.sent: list[tuple[str | None, dict[str, Any]]] = []

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        self.sent.append((content, kwargs))


class FakeInteraction:
    """The parts of discord.Interaction that report_error and reply touch."""

    def __init__(self, *, responded: bool = False) -> None:
        self.user = discord.Object(id=555)
        self.channel_id = 777
        self.response = FakeResponse(responded)
        self.followup = FakeFollowup()


def interaction(*, responded: bool = False) -> Any:
    return FakeInteraction(responded=responded)


async def rebuilt(cls: type[PersistentButton], custom_id: str) -> PersistentButton:
    """What discord.py does on a click: match the registered template, then from_custom_id."""
    match = cls.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None, f"{cls.__name__} does not match {custom_id!r}"
    base = discord.ui.Button[discord.ui.View](custom_id=custom_id)
    return await cls.from_custom_id(interaction(), base, match)


def test_template_is_built_from_feature_and_action() -> None:
    template = PokeButton.__discord_ui_compiled_template__
    assert template.pattern == r"hearth:demo:poke:(?P<id>\d+)"
    assert template.fullmatch("hearth:demo:poke:42") is not None
    for other in ("hearth:demo:poke:", "hearth:demo:poke:x", "hearth:demo:poke:1:2", "hearth:demo:prod:1",
                  "hearth:other:poke:1", "xhearth:demo:poke:1"):
        assert template.fullmatch(other) is None, other


async def test_custom_id_round_trip() -> None:
    button = PokeButton(1234567890123456789)
    assert button.custom_id == "hearth:demo:poke:1234567890123456789"
    assert button.item.label == "Poke"
    assert button.item.style is discord.ButtonStyle.danger
    assert button.item.emoji is None
    assert not button.item.disabled
    assert button.is_persistent()

    again = await rebuilt(PokeButton, button.custom_id)
    assert isinstance(again, PokeButton)
    assert again.target_id == 1234567890123456789
    assert again.custom_id == button.custom_id


def test_label_and_disabled_can_be_set_per_button() -> None:
    button = PokeButton(3, label="Poked already", disabled=True)
    assert button.item.label == "Poked already"
    assert button.item.disabled
    assert button.custom_id == "hearth:demo:poke:3"


def test_a_button_without_handle_is_refused_at_import() -> None:
    with pytest.raises(TypeError, match="must implement handle"):
        class Lazy(PersistentButton, feature="demo", action="lazy", label="Lazy"):
            pass


async def test_handle_runs_on_click() -> None:
    PokeButton.seen.clear()
    button = await rebuilt(PokeButton, "hearth:demo:poke:9")
    inter = interaction()
    await button.callback(inter)
    assert PokeButton.seen == [9]
    assert inter.response.sent == [("poked", {"ephemeral": True})]


async def test_domain_error_becomes_an_ephemeral_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PokeButton, "outcome", DomainError("You can't poke this one."))
    inter = interaction()
    await PokeButton(9).callback(inter)
    [(content, kwargs)] = inter.response.sent
    assert content == "You can't poke this one."
    assert kwargs["ephemeral"] is True
    assert kwargs["allowed_mentions"].to_dict() == discord.AllowedMentions.none().to_dict()


async def test_domain_error_after_a_defer_goes_to_the_followup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PokeButton, "outcome", DomainError("Not now."))
    inter = interaction(responded=True)
    await PokeButton(9).callback(inter)
    assert inter.response.sent == []
    [(content, kwargs)] = inter.followup.sent
    assert content == "Not now."
    assert kwargs["ephemeral"] is True


async def test_unexpected_error_gives_an_incident_code_and_no_details(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(PokeButton, "outcome", RuntimeError("secret internals"))
    inter = interaction()
    with caplog.at_level(logging.ERROR, logger="bot.ui"):
        await PokeButton(9).callback(inter)
    [(content, kwargs)] = inter.response.sent
    assert kwargs["ephemeral"] is True
    assert content is not None and "secret internals" not in content
    code = re.search(r"\*\*(E-[0-9A-F]{6})\*\*", content)
    assert code is not None, content
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert code.group(1) in record.getMessage()
    assert "PokeButton" in record.getMessage()
    assert record.exc_info is not None


# Buttons already posted in Discord carry these ids: they must keep matching after any refactor.
POSTED = [
    (AcknowledgeButton, "hearth:crisis:ack:7", "Acknowledge", discord.ButtonStyle.primary, None),
    (ResolveButton, "hearth:crisis:resolve:7", "Resolve", discord.ButtonStyle.success, None),
    (FalseAlarmButton, "hearth:crisis:false:7", "False alarm", discord.ButtonStyle.secondary, None),
    (SafeButton, "hearth:crisis:safe:7", "I'm safe right now", discord.ButtonStyle.success, None),
    (TalkButton, "hearth:crisis:talk:7", "I'd like to talk to someone", discord.ButtonStyle.primary, None),
    (ApproveJoinButton, "hearth:groups:approve:7", "Approve", discord.ButtonStyle.success, None),
    (DenyJoinButton, "hearth:groups:deny:7", "Deny", discord.ButtonStyle.secondary, None),
    (OpenCheckinButton, "hearth:checkins:open:7", "Check in now", discord.ButtonStyle.primary, None),
    (ReachedOutButton, "hearth:checkins:reached:7", "I reached out", discord.ButtonStyle.success, None),
    (CelebrateButton, "hearth:milestones:celebrate:7", "Celebrate", discord.ButtonStyle.success, "🎉"),
    (ConfirmDeleteButton, "hearth:privacy:delete:7", "Yes, delete my data", discord.ButtonStyle.danger, None),
]


@pytest.mark.parametrize(("cls", "custom_id", "label", "style", "emoji"), POSTED, ids=[p[0].__name__ for p in POSTED])
async def test_posted_buttons_keep_their_custom_id_and_look(
    cls: type[PersistentButton], custom_id: str, label: str, style: discord.ButtonStyle, emoji: str | None
) -> None:
    button = cls(7)
    assert button.custom_id == custom_id
    assert button.item.label == label
    assert button.item.style is style
    assert (str(button.item.emoji) if button.item.emoji else None) == emoji
    assert (await rebuilt(cls, custom_id)).target_id == 7


def test_no_two_buttons_share_a_template() -> None:
    patterns = [cls.__discord_ui_compiled_template__.pattern for cls, *_ in POSTED]
    assert len(set(patterns)) == len(patterns)
