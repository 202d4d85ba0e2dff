"""/privacy export and /privacy delete: a person's data rights, always private."""

from __future__ import annotations

import functools
import io
import json
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HearthBot, hearth_bot
from bot.delivery import classify
from bot.privacy import DeletionResult
from bot.services.deletion_log import RETRY_WORK as DELETION_RETRY_WORK
from bot.services.discord_cleanup import DROP_EXCERPT, REMOVED_TEXT, CleanupReport, CleanupRow
from bot.services.discord_cleanup import WORK_NAME as DISCORD_CLEANUP_WORK
from bot.ui import HearthView, PersistentButton, reply

log = logging.getLogger(__name__)


async def execute_cleanup(bot: HearthBot, row: CleanupRow) -> str:
    """One queued Discord-side cleanup (``DiscordCleanup``'s executor). Raises ``DeliveryFailed`` to be retried."""
    partial = bot.get_partial_messageable(row.channel_id).get_partial_message(row.message_id)
    try:
        if row.action == DROP_EXCERPT:
            message = await partial.fetch()
            embeds = list(message.embeds)
            dropped = 0
            for embed in embeds:
                for index in reversed([i for i, f in enumerate(embed.fields) if f.name == "Excerpt"]):
                    embed.remove_field(index)
                    dropped += 1
            if not dropped:
                return "gone"
            await message.edit(embeds=embeds)
            return "edited"
        try:
            await bot.http.delete_message(row.channel_id, row.message_id, reason="privacy deletion request")
            return "deleted"
        except discord.NotFound:
            return "gone"
        except discord.HTTPException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise
            log.info("message %s in channel %s could not be deleted (HTTP %s); editing it instead", row.message_id,
                     row.channel_id, exc.status)
        await partial.edit(content=REMOVED_TEXT, embeds=[], attachments=[], view=None,
                           allowed_mentions=discord.AllowedMentions.none())
        return "redacted"
    except discord.NotFound:
        return "gone"
    except Exception as exc:
        raise classify(exc) from exc


async def take_roles(bot: HearthBot, user_id: int, role_ids: tuple[int, ...]) -> None:
    """Take away the group roles Hearth gave the person, before their memberships are forgotten (else they would
    keep reading private group channels Hearth no longer knows they are in). Raises if Discord refused one."""
    for role_id in dict.fromkeys(role_ids):
        try:
            await bot.http.remove_role(bot.guild_id, user_id, role_id, reason="privacy deletion request")
        except discord.NotFound:
            pass  # the role or the member is gone already
        except discord.HTTPException as exc:
            log.warning("could not remove role %s from user %s (HTTP %s)", role_id, user_id, exc.status)
            raise


def render_deletion(results: list[DeletionResult], cleanup: CleanupReport | None = None) -> str:
    """Exactly what was deleted, what is kept and why, and what could not be deleted yet (and is retried)."""
    cleanup = cleanup or CleanupReport()
    removed = sum(r.rows_deleted for r in results)
    kept = [sentence for r in results for sentence in r.kept]
    failed = [r.feature for r in results if r.failed]
    lines = [f"Done. I deleted {removed} record(s) Hearth held about you."]
    if cleanup.deleted:
        lines.append(
            f"I also removed {cleanup.deleted} message(s) Hearth had posted about you in the server or sent to "
            "others about you (facilitators, staff)."
        )
    if cleanup.redacted:
        lines.append(
            f"{cleanup.redacted} message(s) about you that Discord would not let me delete now only say "
            f"\"{REMOVED_TEXT}\""
        )
    roles = len({role for r in results for role in r.roles})
    if roles:
        lines.append(f"I took away {roles} group role(s) Hearth had given you.")
    if kept:
        lines.append("\nWhat is kept, and why:")
        lines.extend(f"• {sentence}" for sentence in kept)
    else:
        lines.append("Nothing about you is kept.")
    waiting: list[str] = []
    if failed:
        roles_note = (" (this includes taking away your group roles, so you may still see a group's channel until "
                      "then)" if "groups" in failed else "")
        waiting.append(f"Your {', '.join(failed)} data could not be deleted just now because of an error on our "
                       f"side{roles_note}.")
    if cleanup.waiting:
        waiting.append(f"{cleanup.waiting} message(s) about you could not be removed from Discord just now.")
    if waiting:
        lines.append("\nNot deleted yet:")
        lines.extend(f"• {sentence}" for sentence in waiting)
        lines.append(
            "It is not forgotten: Hearth tries again automatically (in a minute, then less often) until it is "
            "done. /privacy export shows whether anything is still waiting."
        )
    lines.append(
        "\nMessages you posted in Discord channels are Discord's to delete; you can remove them yourself."
    )
    return "\n".join(lines)


class ConfirmDeleteButton(
    PersistentButton, feature="privacy", action="delete", label="Yes, delete my data",
    style=discord.ButtonStyle.danger,
):
    """Persistent, so a confirmation still works if the bot restarted in between.

    The id is the person who asked; only they can confirm.
    """

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.user.id != self.target_id:
            await reply(interaction, "This button belongs to someone else's request.")
            return
        bot = hearth_bot(interaction)
        # Removing posts from Discord can take longer than the 3 s an interaction answer may.
        await interaction.response.defer()
        cleaner = bot.services.discord_cleanup
        async with cleaner.reporting(self.target_id):
            results = await bot.services.data_rights.delete(self.target_id)
            # Every message found about the person was queued from the hooks' results; remove them now to report.
            cleanup = await cleaner.run_for(self.target_id)
        await interaction.edit_original_response(content=render_deletion(results, cleanup), view=None)


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class Privacy(commands.GroupCog, group_name="privacy", group_description="See or delete your data"):
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ConfirmDeleteButton)
        self.bot.scheduler.register(DELETION_RETRY_WORK, self.bot.services.deletion_retries)
        self.bot.services.discord_cleanup.executor = functools.partial(execute_cleanup, self.bot)
        self.bot.scheduler.register(DISCORD_CLEANUP_WORK, self.bot.services.discord_cleanup)
        self.bot.services.groups.role_remover = functools.partial(take_roles, self.bot)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ConfirmDeleteButton)
        self.bot.scheduler.unregister(DELETION_RETRY_WORK)
        self.bot.scheduler.unregister(DISCORD_CLEANUP_WORK)
        self.bot.services.discord_cleanup.executor = None
        self.bot.services.groups.role_remover = None

    @app_commands.command(name="export", description="Get a file with everything Hearth stores about you")
    async def export(self, interaction: discord.Interaction[HearthBot]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.bot.services.data_rights.export(interaction.user.id)
        body = json.dumps(data.as_json_dict(), indent=2, default=str, ensure_ascii=False).encode("utf-8")
        file = discord.File(io.BytesIO(body), filename=f"hearth-data-{interaction.user.id}.json")
        await reply(
            interaction,
            "Here is everything Hearth stores about you. Only you can see this message.",
            file=file,
        )

    @app_commands.command(name="delete", description="Delete everything Hearth stores about you")
    async def delete(self, interaction: discord.Interaction[HearthBot]) -> None:
        view = HearthView(timeout=None)
        view.add_item(ConfirmDeleteButton(interaction.user.id))
        await reply(
            interaction,
            "This deletes your check-ins, notes, reminders, milestones, settings and group memberships "
            "from Hearth, takes away the group roles Hearth gave you, and removes the check-ins you shared, the "
            "celebrations Hearth posted about you and the messages it sent to facilitators about you. "
            "It cannot be undone. Some safety records may be kept for a limited time; "
            "I'll tell you exactly which after deleting.\n\nDo you want to go ahead?",
            view=view,
        )


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(Privacy(bot))
