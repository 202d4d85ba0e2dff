"""Persistent Approve / Deny buttons on join requests (work across restarts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.app import cog_of
from bot.ui import HearthView, PersistentButton

if TYPE_CHECKING:
    from cogs.groups import Groups


def _cog(interaction: discord.Interaction[Any]) -> Groups:
    from cogs.groups import Groups

    return cog_of(interaction, Groups, "Groups")


class ApproveJoinButton(
    PersistentButton, feature="groups", action="approve", label="Approve", style=discord.ButtonStyle.success
):
    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).decide_request(interaction, self.target_id, approve=True)


class DenyJoinButton(
    PersistentButton, feature="groups", action="deny", label="Deny", style=discord.ButtonStyle.secondary
):
    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).decide_request(interaction, self.target_id, approve=False)


def join_request_view(request_id: int) -> HearthView:
    view = HearthView(timeout=None)
    view.add_item(ApproveJoinButton(request_id))
    view.add_item(DenyJoinButton(request_id))
    return view


DYNAMIC_ITEMS = (ApproveJoinButton, DenyJoinButton)
