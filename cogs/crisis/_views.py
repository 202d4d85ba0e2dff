"""Persistent buttons and selects for crisis escalation (work after a restart)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.crisis.detector import Severity
from bot.crisis.incidents import Report
from bot.permissions import HearthRole, require
from bot.repositories.crisis import Incident
from bot.ui import HearthView, guarded, hearth_bot, person_of, reply
from cogs.crisis import _embeds

if TYPE_CHECKING:
    from cogs.crisis import Crisis


def _cog(interaction: discord.Interaction[Any]) -> Crisis:
    from cogs.crisis import Crisis

    cog = hearth_bot(interaction).get_cog("Crisis")
    if not isinstance(cog, Crisis):
        raise RuntimeError("the crisis extension is not loaded")
    return cog


# ------------------------------------------------------------------ staff alert buttons


class _StaffButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"(?!)"):
    action = ""

    def __init__(self, incident_id: int, label: str, style: discord.ButtonStyle) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"hearth:crisis:{self.action}:{incident_id}"
            )
        )
        self.incident_id = incident_id


class AcknowledgeButton(_StaffButton, template=r"hearth:crisis:ack:(?P<id>\d+)"):
    action = "ack"

    def __init__(self, incident_id: int) -> None:
        super().__init__(incident_id, "Acknowledge", discord.ButtonStyle.primary)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AcknowledgeButton:
        return cls(int(match["id"]))

    @guarded("crisis acknowledge")
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        incident, changed = await cog.service.acknowledge(self.incident_id, person_of(interaction))
        await _after_staff_action(interaction, incident, changed)
        cog.bot.scheduler.poke("crisis")


class ResolveButton(_StaffButton, template=r"hearth:crisis:resolve:(?P<id>\d+)"):
    action = "resolve"

    def __init__(self, incident_id: int) -> None:
        super().__init__(incident_id, "Resolve", discord.ButtonStyle.success)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ResolveButton:
        return cls(int(match["id"]))

    @guarded("crisis resolve")
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        incident, changed = await cog.service.close(self.incident_id, person_of(interaction), false_alarm=False)
        await _after_staff_action(interaction, incident, changed)
        cog.bot.scheduler.poke("crisis")


class FalseAlarmButton(_StaffButton, template=r"hearth:crisis:false:(?P<id>\d+)"):
    action = "false"

    def __init__(self, incident_id: int) -> None:
        super().__init__(incident_id, "False alarm", discord.ButtonStyle.secondary)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FalseAlarmButton:
        return cls(int(match["id"]))

    @guarded("crisis false alarm")
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        incident, changed = await cog.service.close(self.incident_id, person_of(interaction), false_alarm=True)
        await _after_staff_action(interaction, incident, changed)
        cog.bot.scheduler.poke("crisis")


def alert_view(incident: Incident) -> HearthView:
    view = HearthView(timeout=None)
    if incident.status == "open":
        view.add_item(AcknowledgeButton(incident.id))
    if incident.status in ("open", "acknowledged"):
        view.add_item(ResolveButton(incident.id))
        view.add_item(FalseAlarmButton(incident.id))
    return view


async def _after_staff_action(interaction: discord.Interaction[Any], incident: Incident, changed: bool) -> None:
    # The buttons live on the alert itself: always show its current state there.
    await interaction.response.edit_message(embed=_embeds.alert_embed(incident), view=alert_view(incident))
    if not changed:
        await interaction.followup.send(
            "Someone else already updated this incident; the alert now shows its current state.",
            ephemeral=True, allowed_mentions=discord.AllowedMentions.none(),
        )


# ------------------------------------------------------------------ the person's buttons


class SafeButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"hearth:crisis:safe:(?P<id>\d+)"
):
    def __init__(self, incident_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="I'm safe right now", style=discord.ButtonStyle.success,
                custom_id=f"hearth:crisis:safe:{incident_id}",
            )
        )
        self.incident_id = incident_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SafeButton:
        return cls(int(match["id"]))

    @guarded("crisis I'm safe")
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        await cog.service.mark_safe(self.incident_id, interaction.user.id)
        await reply(
            interaction,
            "Thank you for letting us know. A staff member will still check in with you. "
            "If things change, call or text 988 any time, or use `/help-now`.",
        )
        cog.kick_delivery()


class TalkButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"hearth:crisis:talk:(?P<id>\d+)"
):
    """Incident 0 means "no incident yet" (from /help-now)."""

    def __init__(self, incident_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="I'd like to talk to someone", style=discord.ButtonStyle.primary,
                custom_id=f"hearth:crisis:talk:{incident_id}",
            )
        )
        self.incident_id = incident_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TalkButton:
        return cls(int(match["id"]))

    @guarded("crisis talk to someone")
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        cog = _cog(interaction)
        message = await cog.talk_to_someone(interaction.user.id, self.incident_id or None)
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
        verb = "opened" if outcome.created else "updated"
        await interaction.edit_original_response(
            content=f"Done — incident #{outcome.incident.id} {verb}; on-call staff have been alerted.", view=None
        )
