"""Persistent buttons and selects for crisis escalation (work after a restart)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.app import cog_of, person_of
from bot.crisis.detector import Severity
from bot.permissions import HearthRole, require
from bot.services.crisis import Incident, Report, ReportOutcome
from bot.ui import HearthView, PersistentButton, guarded, reply
from cogs.crisis import _embeds

if TYPE_CHECKING:
    from cogs.crisis import Crisis


def _cog(interaction: discord.Interaction[Any]) -> Crisis:
    from cogs.crisis import Crisis

    return cog_of(interaction, Crisis, "Crisis")


# ------------------------------------------------------------------ staff alert buttons


class AcknowledgeButton(
    PersistentButton, feature="crisis", action="ack", label="Acknowledge", style=discord.ButtonStyle.primary
):
    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        incident, changed = await cog.service.acknowledge(self.target_id, person_of(interaction))
        await _after_staff_action(interaction, cog, incident, changed)


class ResolveButton(
    PersistentButton, feature="crisis", action="resolve", label="Resolve", style=discord.ButtonStyle.success
):
    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        incident, changed = await cog.service.close(self.target_id, person_of(interaction), false_alarm=False)
        await _after_staff_action(interaction, cog, incident, changed)


class FalseAlarmButton(
    PersistentButton, feature="crisis", action="false", label="False alarm", style=discord.ButtonStyle.secondary
):
    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        incident, changed = await cog.service.close(self.target_id, person_of(interaction), false_alarm=True)
        await _after_staff_action(interaction, cog, incident, changed)


def escalation_reply(outcome: ReportOutcome) -> str:
    """Exactly what an "Escalate to staff" did."""
    incident = outcome.incident
    severity = "imminent" if incident.severity == "imminent" else "concern"
    if outcome.action == "raised":
        return (f"Incident #{incident.id} was already open; it is now raised to **{severity}**, its "
                "acknowledgement timer restarted, and on-call staff were pinged again.")
    if outcome.action == "unchanged":
        return (f"That message is already in open incident #{incident.id} at **{severity}**; on-call staff were "
                "alerted then, so nothing changed.")
    if outcome.action == "reopened":
        return (f"That message's earlier incident #{incident.linked_incident_id} was closed, so a new incident "
                f"#{incident.id} ({severity}) is open and on-call staff have been alerted.")
    if outcome.action == "updated":
        return (f"The person already had open incident #{incident.id}; this message was added to it "
                f"(now **{severity}**) and on-call staff's alert was updated.")
    return f"Done — incident #{incident.id} ({severity}) opened; on-call staff have been alerted."


def alert_view(incident: Incident) -> HearthView:
    view = HearthView(timeout=None)
    if incident.status == "open":
        view.add_item(AcknowledgeButton(incident.id))
    if incident.status in ("open", "acknowledged"):
        view.add_item(ResolveButton(incident.id))
        view.add_item(FalseAlarmButton(incident.id))
    return view


async def _after_staff_action(
    interaction: discord.Interaction[Any], cog: Crisis, incident: Incident, changed: bool
) -> None:
    # The buttons live on the alert itself: always show its current state there.
    await interaction.response.edit_message(embed=_embeds.alert_embed(incident), view=alert_view(incident))
    if not changed:
        await interaction.followup.send(
            "Someone else already updated this incident; the alert now shows its current state.",
            ephemeral=True, allowed_mentions=discord.AllowedMentions.none(),
        )
    clicked = interaction.message.id if interaction.message is not None else None
    if changed and clicked != incident.alert_message_id:
        # Acted on a copy sent by DM (the channel refused it): bring the channel alert, if any, up to date.
        await cog.service.refresh_alert(incident.id)
        cog.kick_delivery()


# ------------------------------------------------------------------ the person's buttons


class SafeButton(
    PersistentButton, feature="crisis", action="safe", label="I'm safe right now",
    style=discord.ButtonStyle.success,
):
    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        await cog.service.mark_safe(self.target_id, interaction.user.id)
        await reply(
            interaction,
            "Thank you for letting us know. A staff member will still check in with you. "
            "If things change, call or text 988 any time, or use `/help-now`.",
        )
        cog.kick_delivery()


class TalkButton(
    PersistentButton, feature="crisis", action="talk", label="I'd like to talk to someone",
    style=discord.ButtonStyle.primary,
):
    """Incident 0 means "no incident yet" (from /help-now)."""

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        cog = _cog(interaction)
        message = await cog.talk_to_someone(interaction.user.id, self.target_id or None)
        await reply(interaction, message)


def person_view(incident_id: int) -> HearthView:
    view = HearthView(timeout=None)
    view.add_item(SafeButton(incident_id))
    view.add_item(TalkButton(incident_id))
    return view


def help_now_view() -> HearthView:
    view = HearthView(timeout=None)
    view.add_item(TalkButton(0))
    return view


# ------------------------------------------------------------------ "Escalate to staff" severity select


class EscalateSelect(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=r"hearth:crisis:escalate:(?P<channel>\d+):(?P<message>\d+):(?P<author>\d+)",
):
    def __init__(self, channel_id: int, message_id: int, author_id: int) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"hearth:crisis:escalate:{channel_id}:{message_id}:{author_id}",
                placeholder="How urgent is this?",
                options=[
                    discord.SelectOption(
                        label="Imminent — may be in danger now", value=str(Severity.IMMINENT)
                    ),
                    discord.SelectOption(label="Concern — needs follow-up", value=str(Severity.CONCERN)),
                ],
            )
        )
        self.channel_id = channel_id
        self.message_id = message_id
        self.author_id = author_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> EscalateSelect:
        return cls(int(match["channel"]), int(match["message"]), int(match["author"]))

    @guarded("crisis escalate to staff")
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        actor = person_of(interaction)
        require(actor, HearthRole.FACILITATOR, HearthRole.ON_CALL, action="escalating to staff")
        values = self.item.values
        if not values or values[0] not in (Severity.IMMINENT, Severity.CONCERN):
            await reply(interaction, "**severity**: choose imminent or concern.")
            return
        cog = _cog(interaction)
        await interaction.response.defer(ephemeral=True)
        text = await cog.fetch_text(self.channel_id, self.message_id)
        outcome = await cog.open_incident(
            Report(
                user_id=self.author_id, severity=Severity(values[0]), categories=("escalated_by_staff",),
                source="manual", origin="manual", text=text, guild_id=interaction.guild_id,
                channel_id=self.channel_id, message_id=self.message_id,
                group_id=await cog.service.group_for_channel(self.channel_id),
                reported_by=interaction.user.id,
            ),
            interaction=None,
        )
        if outcome is None:
            await interaction.edit_original_response(
                content="Hearth's database is not answering, so on-call staff were alerted without an incident "
                        "number; it will be recorded as soon as the database answers.",
                view=None,
            )
            return
        await interaction.edit_original_response(content=escalation_reply(outcome), view=None)
