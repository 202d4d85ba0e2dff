"""/milestone set|list|reset|remove, and celebrations delivered by the "milestones" scheduled work."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HearthBot, person_of
from bot.permissions import HearthRole
from bot.permissions import require as require_role
from bot.services.milestones import LABEL_MAX, WORK_NAME, MilestoneWork
from bot.ui import reply
from cogs.milestones import _embeds
from cogs.milestones._views import CelebrateButton, DiscordCelebrationSender


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class Milestones(
    commands.GroupCog,
    group_name="milestone",
    group_description="Count your days in recovery and celebrate milestones",
    group_extras={"audience": "participant"},
):
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(CelebrateButton)
        service = self.bot.services.milestones
        self.work = MilestoneWork(service, DiscordCelebrationSender(self.bot), self._candidates)
        self.bot.scheduler.register(WORK_NAME, self.work)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(WORK_NAME)
        self.bot.remove_dynamic_items(CelebrateButton)

    async def _candidates(self) -> list[int]:
        """People whose check-in streaks and group weeks are swept: the guild's human members."""
        guild = self.bot.guild
        return [] if guild is None else [m.id for m in guild.members if not m.bot]

    def _check(self, interaction: discord.Interaction[HearthBot]) -> None:
        require_role(
            person_of(interaction), HearthRole.PARTICIPANT, HearthRole.FACILITATOR, action="milestone tracking"
        )

    @app_commands.command(name="set", description="Start (or correct) a recovery counter")
    @app_commands.describe(
        date="The day your recovery began, YYYY-MM-DD (your local date)",
        label=f"A name for this counter, e.g. alcohol-free (default: recovery; at most {LABEL_MAX} characters)",
    )
    async def set_(
        self,
        interaction: discord.Interaction[HearthBot],
        date: app_commands.Range[str, 1, 20],
        label: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        self._check(interaction)
        result = await self.bot.services.milestones.set_counter(interaction.user.id, date, label)
        await reply(interaction, _embeds.set_reply(result.counter, result.created))

    @app_commands.command(name="list", description="Your counters, next milestones and days in recovery")
    async def list_(self, interaction: discord.Interaction[HearthBot]) -> None:
        self._check(interaction)
        service = self.bot.services.milestones
        views = await service.list_counters(interaction.user.id)
        if not views:
            await reply(
                interaction,
                "You have no counters yet. Start one with `/milestone set date:YYYY-MM-DD` "
                "(add `label:` to name it, e.g. alcohol-free).",
            )
            return
        visibility = await service.visibility(interaction.user.id)
        await reply(interaction, embed=_embeds.list_embed(views, visibility))

    @app_commands.command(name="reset", description="Start a counter again; your earlier days still count")
    @app_commands.describe(
        label="Which counter", date="The new start day, YYYY-MM-DD (default: today)"
    )
    async def reset(
        self,
        interaction: discord.Interaction[HearthBot],
        label: app_commands.Range[str, 1, 100],
        date: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        self._check(interaction)
        view = await self.bot.services.milestones.reset_counter(interaction.user.id, label, date)
        await reply(interaction, _embeds.reset_reply(view))

    @app_commands.command(name="remove", description="Remove a counter and its history")
    @app_commands.describe(label="Which counter")
    async def remove(
        self, interaction: discord.Interaction[HearthBot], label: app_commands.Range[str, 1, 100]
    ) -> None:
        self._check(interaction)
        removed = await self.bot.services.milestones.remove_counter(interaction.user.id, label)
        await reply(interaction, f"Your **{removed}** counter and its history are removed.")

    @reset.autocomplete("label")
    @remove.autocomplete("label")
    async def _label_autocomplete(
        self, interaction: discord.Interaction[HearthBot], current: str
    ) -> list[app_commands.Choice[str]]:
        labels = await self.bot.services.milestones.labels(interaction.user.id)
        lowered = current.casefold()
        return [app_commands.Choice(name=label, value=label) for label in labels if lowered in label.casefold()]


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(Milestones(bot))
