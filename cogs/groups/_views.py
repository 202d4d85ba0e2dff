"""Persistent Approve / Deny buttons on join requests (work across restarts) and what pressing them does."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.app import cog_of, person_of
from bot.errors import DomainError
from bot.ui import NO_MENTIONS, HearthView, PersistentButton

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from cogs.groups import Groups


def _cog(interaction: discord.Interaction[Any]) -> Groups:
    from cogs.groups import Groups

    return cog_of(interaction, Groups, "Groups")


async def decide_request(interaction: discord.Interaction[Any], request_id: int, *, approve: bool) -> None:
    """Approve or Deny pressed: the service checks and records the decision, then Discord follows."""
    cog = _cog(interaction)
    person = person_of(interaction)
    request, group = await cog.service.check_decide(person, request_id)
    # The decision is recorded first (compare-and-set: of Approve and Deny pressed together, one wins);
    # only an approval that won grants the role, and if granting fails the approval is undone.
    decision = await cog.service.decide(person, request_id, approve=approve)
    if approve:
        try:
            member = await cog.channels.member(request.user_id)
            if member is None:
                raise DomainError("That person is no longer in the server, so they can't be added.")
            await cog.channels.grant(group, member, f"join request {request_id} approved by {interaction.user.id}")
        except BaseException:
            await cog.service.undo_approval(person, decision)
            raise
    verb = "approved" if approve else "declined"
    outcome = f"<@{request.user_id}>'s request to join **{group.name}** was {verb} by <@{person.user_id}>."
    await interaction.response.edit_message(content=outcome, view=None, allowed_mentions=NO_MENTIONS)
    clicked = interaction.message.id if interaction.message else None
    for channel_id, message_id in await cog.service.request_messages(request_id):
        if message_id == clicked:
            continue
        try:
            await cog.bot.get_partial_messageable(channel_id).get_partial_message(message_id).edit(
                content=outcome, view=None, allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException as exc:
            log.info("could not update copy %s of join request %s: HTTP %s", message_id, request_id, exc.status)
    if approve:
        if decision.newly_added:
            await cog.channels.welcome(group, request.user_id)
    else:
        await cog.channels.dm(
            request.user_id, f"Your request to join **{group.name}** wasn't approved this time. If you have "
            "questions, your facilitators or a staff member can talk it through.",
        )


class ApproveJoinButton(
    PersistentButton, feature="groups", action="approve", label="Approve", style=discord.ButtonStyle.success
):
    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await decide_request(interaction, self.target_id, approve=True)


class DenyJoinButton(
    PersistentButton, feature="groups", action="deny", label="Deny", style=discord.ButtonStyle.secondary
):
    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await decide_request(interaction, self.target_id, approve=False)


def join_request_view(request_id: int) -> HearthView:
    view = HearthView(timeout=None)
    view.add_item(ApproveJoinButton(request_id))
    view.add_item(DenyJoinButton(request_id))
    return view


DYNAMIC_ITEMS = (ApproveJoinButton, DenyJoinButton)
