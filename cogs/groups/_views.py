"""Persistent Approve / Deny buttons on join requests (work across restarts)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.ui import HearthView, guarded, hearth_bot

if TYPE_CHECKING:
    from cogs.groups import Groups


def _cog(interaction: discord.Interaction[Any]) -> Groups:
    from cogs.groups import Groups

    cog = hearth_bot(interaction).get_cog("Groups")
    if not isinstance(cog, Groups):
        raise RuntimeError("the groups extension is not loaded")
    return cog


class ApproveJoinButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"hearth:groups:approve:(?P<request_id>\d+)",
):
    def __init__(self, request_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Approve", style=discord.ButtonStyle.success,
                custom_id=f"hearth:groups:approve:{request_id}",
            )
        )
        self.request_id = request_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ApproveJoinButton:
        return cls(int(match["request_id"]))

    @guarded("group join approval")
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).decide_request(interaction, self.request_id, approve=True)


class DenyJoinButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"hearth:groups:deny:(?P<request_id>\d+)",
):
    def __init__(self, request_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Deny", style=discord.ButtonStyle.secondary,
                custom_id=f"hearth:groups:deny:{request_id}",
            )
        )
        self.request_id = request_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DenyJoinButton:
        return cls(int(match["request_id"]))

    @guarded("group join denial")
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).decide_request(interaction, self.request_id, approve=False)


def join_request_view(request_id: int) -> HearthView:
    view = HearthView(timeout=None)
    view.add_item(ApproveJoinButton(request_id))
    view.add_item(DenyJoinButton(request_id))
    return view


DYNAMIC_ITEMS = (ApproveJoinButton, DenyJoinButton)
