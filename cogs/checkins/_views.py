"""The check-in modal and the persistent buttons (share, open check-in, I reached out)."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.app import hearth_bot, person_of
from bot.delivery import Delivered, classify
from bot.screening import ScreenRequest
from bot.services.checkins import NOTE_LIMIT, CheckinOutcome, validate_modal
from bot.services.concern_notices import ConcernNotice
from bot.ui import NO_MENTIONS, HearthModal, PersistentButton, guarded, reply
from cogs.checkins import _embeds

if TYPE_CHECKING:
    from bot.app import HearthBot

log = logging.getLogger(__name__)

async def send_concern_notice(bot: HearthBot, facilitator_id: int, notice: ConcernNotice) -> Delivered:
    """One facilitator's copy of a check-in concern notice (queued and retried by ConcernNotices)."""
    view = discord.ui.View(timeout=None)
    view.add_item(ReachedOutButton(notice.concern_id))
    try:
        message = await bot.send_dm(facilitator_id, _embeds.concern_text(notice), view=view)
    except Exception as exc:
        raise classify(exc) from exc
    finally:
        view.stop()  # the DynamicItems stay clickable through the bot's registry
    return Delivered(message.channel.id, message.id)


def checkin_view(outcome: CheckinOutcome, has_note: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ShareButton(outcome.checkin_id, with_note=False))
    if has_note:
        view.add_item(ShareButton(outcome.checkin_id, with_note=True))
    return view


class CheckinModal(HearthModal, title="Daily check-in"):
    mood: discord.ui.TextInput[CheckinModal] = discord.ui.TextInput(
        label="Mood (1–10)", placeholder="1 = very low, 10 = great", max_length=4, custom_id="mood",
    )
    cravings: discord.ui.TextInput[CheckinModal] = discord.ui.TextInput(
        label="Cravings (0–10, optional)", placeholder="0 = none", required=False, max_length=4,
        custom_id="cravings",
    )
    sleep: discord.ui.TextInput[CheckinModal] = discord.ui.TextInput(
        label="Sleep hours (0–24, optional)", placeholder="e.g. 7.5", required=False, max_length=6,
        custom_id="sleep",
    )
    note: discord.ui.TextInput[CheckinModal] = discord.ui.TextInput(
        label="Anything you want to share? (optional)", style=discord.TextStyle.paragraph, required=False,
        max_length=NOTE_LIMIT, custom_id="note",
    )

    def __init__(self) -> None:
        super().__init__(custom_id="hearth:checkins:modal", timeout=15 * 60)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        bot = hearth_bot(interaction)
        person = person_of(interaction)
        bot.services.checkins.require_participant(person)
        data = validate_modal(self.mood.value, self.cravings.value, self.sleep.value, self.note.value)
        crisis = False
        if data.note:
            crisis = await bot.crisis_screen.screen(
                ScreenRequest(
                    user_id=person.user_id, text=data.note, source="checkin_note",
                    guild_id=interaction.guild_id, channel_id=interaction.channel_id,
                ),
                interaction,
            )
        outcome = await bot.services.checkins.record(person, data, source="modal")
        if crisis:
            await reply(interaction, _embeds.crisis_reply(outcome.updated))
        else:
            await reply(interaction, _embeds.checkin_reply(outcome), view=checkin_view(outcome, bool(data.note)))


class ShareButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"hearth:checkins:(?P<action>share|sharenote):(?P<checkin_id>\d+)",
):
    def __init__(self, checkin_id: int, *, with_note: bool) -> None:
        action = "sharenote" if with_note else "share"
        super().__init__(
            discord.ui.Button(
                label="Share with my group (with my note)" if with_note else "Share with my group",
                style=discord.ButtonStyle.secondary if with_note else discord.ButtonStyle.primary,
                custom_id=f"hearth:checkins:{action}:{checkin_id}",
            )
        )
        self.checkin_id = checkin_id
        self.with_note = with_note

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShareButton:
        return cls(int(match["checkin_id"]), with_note=match["action"] == "sharenote")

    @guarded("check-in share")
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = hearth_bot(interaction)
        service = bot.services.checkins
        draft = await service.share_draft(self.checkin_id, interaction.user.id, with_note=self.with_note)
        channel = bot.get_channel(draft.channel_id)
        if not isinstance(channel, discord.TextChannel):
            await reply(interaction, "I couldn't find your group's channel. Please let a facilitator know.")
            return
        message = await channel.send(_embeds.share_text(draft, interaction.user.id), allowed_mentions=NO_MENTIONS)
        await service.record_share(draft, message.id)
        await reply(interaction, f"Shared with {channel.mention}. Thank you for letting your group in. 💛")


class OpenCheckinButton(
    PersistentButton, feature="checkins", action="open", label="Check in now", style=discord.ButtonStyle.primary
):
    """On reminder DMs: opens the check-in modal, also after restarts. The id is the person's."""

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        hearth_bot(interaction).services.checkins.require_participant(person_of(interaction))
        await interaction.response.send_modal(CheckinModal())


class ReachedOutButton(
    PersistentButton, feature="checkins", action="reached", label="I reached out",
    style=discord.ButtonStyle.success,
):
    """On a facilitator's concern DM; the id is the concern's."""

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        bot = hearth_bot(interaction)
        entries = await bot.services.checkins.record_outreach(self.target_id, person_of(interaction))
        content = (interaction.message.content if interaction.message else "").split("\n✅", 1)[0]
        await interaction.response.edit_message(
            content=content + "\n" + _embeds.outreach_line(entries), view=None, allowed_mentions=NO_MENTIONS
        )
