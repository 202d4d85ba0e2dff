"""/privacy export and /privacy delete: a person's data rights, always private."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HearthBot
from bot.privacy import DeletionResult, PostedMessage
from bot.services.deletion_log import RETRY_WORK as DELETION_RETRY_WORK
from bot.ui import HearthView, PersistentButton, hearth_bot, reply

log = logging.getLogger(__name__)


async def delete_posts(bot: HearthBot, posts: list[PostedMessage]) -> tuple[int, int]:
    """Delete messages the bot posted about the person. Returns (deleted, could not delete)."""
    deleted = failed = 0
    for post in posts:
        try:
            await bot.http.delete_message(post.channel_id, post.message_id, reason="privacy deletion request")
            deleted += 1
        except discord.NotFound:
            deleted += 1  # already gone
        except discord.HTTPException as exc:
            failed += 1
            log.warning("could not delete message %s in channel %s (HTTP %s)", post.message_id,
                        post.channel_id, exc.status)
    return deleted, failed


async def remove_roles(bot: HearthBot, user_id: int, role_ids: list[int]) -> int:
    """Take away the group roles Hearth gave the person (else they would keep reading private group channels
    Hearth no longer knows they are in). Returns how many could not be removed."""
    failed = 0
    for role_id in dict.fromkeys(role_ids):
        try:
            await bot.http.remove_role(bot.guild_id, user_id, role_id, reason="privacy deletion request")
        except discord.NotFound:
            pass  # the role or the member is gone already
        except discord.HTTPException as exc:
            failed += 1
            log.warning("could not remove role %s from user %s (HTTP %s)", role_id, user_id, exc.status)
    return failed


def render_deletion(
    results: list[DeletionResult], *, posts_deleted: int = 0, posts_failed: int = 0, roles_failed: int = 0
) -> str:
    removed = sum(r.rows_deleted for r in results)
    kept = [sentence for r in results for sentence in r.kept]
    failed = [r.feature for r in results if r.failed]
    if failed:
        kept.append(
            f"Your {', '.join(failed)} data could not be deleted just now because of an error on our side. "
            "It is not forgotten: Hearth tries again automatically (in a minute, then less often) until it is "
            "deleted. /privacy export shows whether anything is still waiting."
        )
    if posts_failed:
        kept.append(
            f"{posts_failed} message(s) Hearth posted about you (shared check-ins or celebrations) could not be "
            "removed from Discord just now; a staff member can delete them for you."
        )
    if roles_failed:
        kept.append(
            f"{roles_failed} group role(s) could not be taken away just now, so you may still see a group's "
            "channel; a staff member can remove them for you."
        )
    lines = [f"Done. I deleted {removed} record(s) Hearth held about you."]
    if posts_deleted:
        lines.append(
            f"I also removed {posts_deleted} message(s) Hearth had posted about you in the server or sent to "
            "facilitators."
        )
    roles = len({role for r in results for role in r.roles})
    if roles > roles_failed:
        lines.append(f"I took away {roles - roles_failed} group role(s) Hearth had given you.")
    if kept:
        lines.append("\nWhat is kept, and why:")
        lines.extend(f"• {sentence}" for sentence in kept)
    else:
        lines.append("Nothing about you is kept.")
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
        results = await bot.services.data_rights.delete(self.target_id)
        deleted, failed = await delete_posts(bot, [post for r in results for post in r.posts])
        roles_failed = await remove_roles(bot, self.target_id, [role for r in results for role in r.roles])
        await interaction.edit_original_response(
            content=render_deletion(results, posts_deleted=deleted, posts_failed=failed, roles_failed=roles_failed),
            view=None,
        )


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class Privacy(commands.GroupCog, group_name="privacy", group_description="See or delete your data"):
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ConfirmDeleteButton)
        self.bot.scheduler.register(DELETION_RETRY_WORK, self.bot.services.deletion_retries)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ConfirmDeleteButton)
        self.bot.scheduler.unregister(DELETION_RETRY_WORK)

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
            "from Hearth, and removes the check-ins you shared and the celebrations Hearth posted about you. "
            "It cannot be undone. Some safety records may be kept for a limited time; "
            "I'll tell you exactly which after deleting.\n\nDo you want to go ahead?",
            view=view,
        )


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(Privacy(bot))
