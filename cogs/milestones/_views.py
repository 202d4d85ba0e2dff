"""The persistent 🎉 Celebrate button, the encouragement modal, and Discord delivery."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.app import hearth_bot, person_of
from bot.delivery import Delivered, DeliveryFailed, classify
from bot.screening import ScreenRequest
from bot.services.milestones import DueCelebration
from bot.ui import NO_MENTIONS, HearthModal, HearthView, PersistentButton, reply
from cogs.milestones import _embeds

if TYPE_CHECKING:
    from bot.app import HearthBot

log = logging.getLogger(__name__)

ENCOURAGEMENT_MAX = 300


class CelebrateButton(
    PersistentButton, feature="milestones", action="celebrate", label="Celebrate", emoji="🎉",
    style=discord.ButtonStyle.success,
):
    """On a posted celebration; the id is the celebration's."""

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        bot = hearth_bot(interaction)
        outcome = await bot.services.milestones.cheer(self.target_id, person_of(interaction))
        if outcome.own:
            await reply(
                interaction,
                "This is your milestone — the cheers are for you to enjoy, so you can't cheer for yourself. "
                "We're proud of you! 🎉",
            )
            return
        if outcome.may_encourage:
            await interaction.response.send_modal(EncouragementModal(self.target_id))
        elif outcome.added:
            await reply(interaction, "Your cheer was added. Thank you for lifting them up! 🎉")
        else:
            await reply(interaction, "You've already cheered for this milestone — thank you! 💛")
        if outcome.added and interaction.message is not None:
            await refresh_count(interaction.message, outcome.count)


async def refresh_count(message: discord.Message, count: int) -> None:
    if not message.embeds:
        return
    embed = message.embeds[0].copy()
    embed.set_footer(text=_embeds.cheers_text(count))
    try:
        await message.edit(embed=embed, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("could not update cheer count on message %s: %s", message.id, exc.status)


class EncouragementModal(HearthModal):
    def __init__(self, celebration_id: int) -> None:
        super().__init__(
            title="Add a few words (optional)",
            custom_id=f"hearth:milestones:encourage:{celebration_id}",
            timeout=15 * 60,
        )
        self.celebration_id = celebration_id
        self.words: discord.ui.TextInput[EncouragementModal] = discord.ui.TextInput(
            label="Your encouragement (sent to them by DM)",
            custom_id="words",
            style=discord.TextStyle.paragraph,
            placeholder="Your cheer is already counted. Close this if you have nothing to add.",
            min_length=1,
            max_length=ENCOURAGEMENT_MAX,
        )
        self.add_item(self.words)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        bot = hearth_bot(interaction)
        service = bot.services.milestones
        text = self.words.value.strip()
        if not text:
            await reply(interaction, "Your cheer was counted. 🎉")
            return
        recipient_id = await service.begin_encouragement(self.celebration_id, person_of(interaction))
        flagged = await bot.crisis_screen.screen(
            ScreenRequest(
                user_id=interaction.user.id, text=text, source="encouragement",
                # No message id: the words are this author's submission, not the celebration message
                # (keying by that message would drop a second person's crisis text as a duplicate).
                guild_id=interaction.guild_id, channel_id=interaction.channel_id,
            ),
            interaction,
        )
        if flagged:
            await service.finish_encouragement(self.celebration_id, interaction.user.id, "held")
            if not interaction.response.is_done():
                await reply(interaction, "Your cheer was counted.")
            return
        author = interaction.user.display_name
        status = "delivered"
        try:
            await bot.send_dm(recipient_id, _embeds.encouragement_dm(author, text))
        except discord.HTTPException as exc:
            log.info("encouragement for celebration %s not delivered: %s", self.celebration_id, exc.status)
            status = "undeliverable"
        await service.finish_encouragement(self.celebration_id, interaction.user.id, status)
        if status == "delivered":
            await reply(interaction, "Thank you! Your cheer was counted and your words were sent to them by DM. 💛")
        else:
            await reply(
                interaction,
                "Your cheer was counted, but I couldn't pass your words on — they may have DMs turned off.",
            )


class DiscordCelebrationSender:
    """Delivers celebrations: a DM for private, an embed with 🎉 Celebrate for group/community."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot

    async def deliver(self, celebration: DueCelebration) -> Delivered:
        try:
            if celebration.channel_id is None:
                return await self._dm(celebration)
            return await self._post(celebration, celebration.channel_id)
        except Exception as exc:
            raise classify(exc) from exc

    async def _dm(self, celebration: DueCelebration) -> Delivered:
        message = await self.bot.send_dm(celebration.user_id, _embeds.private_message(celebration))
        return Delivered(message.channel.id, message.id)

    async def _post(self, celebration: DueCelebration, channel_id: int) -> Delivered:
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryFailed(f"celebration channel {channel_id} is not a text channel", permanent=True)
        name = await self._display_name(celebration.user_id)
        view = HearthView(timeout=None)
        view.add_item(CelebrateButton(celebration.id))
        message = await channel.send(
            embed=_embeds.public_embed(celebration, name, 0), view=view, allowed_mentions=NO_MENTIONS
        )
        return Delivered(channel_id, message.id)

    async def _display_name(self, user_id: int) -> str:
        guild = self.bot.guild
        member = guild.get_member(user_id) if guild else None
        if member is not None:
            return member.display_name
        user = self.bot.get_user(user_id)
        return user.display_name if user is not None else "A community member"
