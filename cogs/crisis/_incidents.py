"""/incident: staff look at, close and drill crisis incidents (Discord I/O only; decisions in CrisisService)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HearthBot, person_of
from bot.crisis.detector import Severity
from bot.services.crisis import Incident
from bot.ui import reply
from cogs.crisis import _embeds

NOTE_LIMIT = 500

STATUS_CHOICES = [
    app_commands.Choice(name="open (not yet acknowledged)", value="open"),
    app_commands.Choice(name="open or acknowledged", value="open_any"),
    app_commands.Choice(name="acknowledged", value="acknowledged"),
    app_commands.Choice(name="resolved", value="resolved"),
    app_commands.Choice(name="false alarm", value="false_alarm"),
]


@app_commands.guild_only()
class Incidents(commands.GroupCog, group_name="incident", group_description="Crisis incidents (staff)"):
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="list", description="Recent crisis incidents, newest first", extras={"audience": "staff"}
    )
    @app_commands.describe(status="Only incidents with this status")
    @app_commands.choices(status=STATUS_CHOICES)
    async def list_(self, interaction: discord.Interaction[HearthBot], status: str | None = None) -> None:
        incidents = await self.bot.services.crisis.list_incidents(person_of(interaction), status)
        if not incidents:
            await reply(interaction, "No incidents" + (f" with status {status}." if status else "."))
            return
        lines = [_embeds.incident_line(i) for i in incidents]
        embed = discord.Embed(title="Crisis incidents", description="\n".join(lines)[:4000], colour=_embeds.WARM)
        embed.set_footer(text="Use /incident show id:<n> for details and the audit trail.")
        await reply(interaction, embed=embed)

    @app_commands.command(
        name="show", description="One incident with its audit trail", extras={"audience": "staff"}
    )
    @app_commands.describe(id="The incident number")
    async def show(self, interaction: discord.Interaction[HearthBot], id: app_commands.Range[int, 1]) -> None:
        detail = await self.bot.services.crisis.detail(person_of(interaction), id)
        embed = _embeds.detail_embed(detail.incident, detail.matches, detail.outbox, detail.audit)
        await reply(interaction, embed=embed)


    @app_commands.command(
        name="drill", description="Practise the whole alert chain without involving any participant",
        extras={"audience": "staff"},
    )
    @app_commands.describe(severity="How urgent the practice alert is (default imminent)")
    @app_commands.choices(severity=[
        app_commands.Choice(name="imminent", value="imminent"), app_commands.Choice(name="concern", value="concern"),
    ])
    async def drill(self, interaction: discord.Interaction[HearthBot], severity: str = "imminent") -> None:
        service = self.bot.services.crisis
        outcome = await service.start_drill(person_of(interaction), Severity(severity))
        await reply(
            interaction,
            f"Drill incident #{outcome.incident.id} started: the alert, its escalation rounds and any pagers run as "
            "for a real one (pagers marked as a drill); no participant is contacted. Acknowledge and resolve it "
            "to finish. Drills are kept apart in /incident stats.",
        )
        await service.deliver(outcome.outbox_ids)

    @app_commands.command(
        name="stats", description="Incident figures: counts, time to acknowledge, escalations, pages",
        extras={"audience": "staff"},
    )
    @app_commands.describe(days="How many days back (default 30)")
    async def stats(
        self, interaction: discord.Interaction[HearthBot], days: app_commands.Range[int, 1, 365] = 30
    ) -> None:
        real, drills = await self.bot.services.crisis.stats(person_of(interaction), days)
        await reply(interaction, _embeds.stats_text(real, drills))

    @app_commands.command(
        name="handoff", description="Hand an acknowledged incident to another staff member, with a note",
        extras={"audience": "on_call"},
    )
    @app_commands.describe(id="The incident number", member="Who takes it over", note="What they need to know")
    async def handoff(
        self, interaction: discord.Interaction[HearthBot], id: app_commands.Range[int, 1], member: discord.Member,
        note: app_commands.Range[str, 1, NOTE_LIMIT],
    ) -> None:
        incident = await self.bot.services.crisis.hand_off(
            id, person_of(interaction), self.bot.person(member), note
        )
        await reply(interaction, f"Incident #{incident.id} is now held by {member.mention}; they'll get the resolve "
                                 "reminder. The hand-off and your note are in the audit trail.")

    @app_commands.command(
        name="ack", description="Acknowledge a crisis incident (as the alert's button does)",
        extras={"audience": "on_call"},
    )
    @app_commands.describe(id="The incident number")
    async def ack(self, interaction: discord.Interaction[HearthBot], id: app_commands.Range[int, 1]) -> None:
        incident, changed = await self.bot.services.crisis.acknowledge(
            id, person_of(interaction), via="command", refresh_alert=True
        )
        await self._after(interaction, incident, changed, "acknowledged")

    @app_commands.command(
        name="resolve", description="Resolve a crisis incident when follow-up is done",
        extras={"audience": "on_call"},
    )
    @app_commands.describe(id="The incident number", note="A short note for the audit trail (optional)")
    async def resolve(
        self, interaction: discord.Interaction[HearthBot], id: app_commands.Range[int, 1],
        note: app_commands.Range[str, 1, NOTE_LIMIT] | None = None,
    ) -> None:
        incident, changed = await self.bot.services.crisis.close(
            id, person_of(interaction), false_alarm=False, note=note, via="command", refresh_alert=True
        )
        await self._after(interaction, incident, changed, "resolved")

    @app_commands.command(
        name="false-alarm", description="Close a crisis incident as a false alarm",
        extras={"audience": "on_call"},
    )
    @app_commands.describe(id="The incident number", note="A short note for the audit trail (optional)")
    async def false_alarm(
        self, interaction: discord.Interaction[HearthBot], id: app_commands.Range[int, 1],
        note: app_commands.Range[str, 1, NOTE_LIMIT] | None = None,
    ) -> None:
        incident, changed = await self.bot.services.crisis.close(
            id, person_of(interaction), false_alarm=True, note=note, via="command", refresh_alert=True
        )
        await self._after(interaction, incident, changed, "closed as a false alarm")

    async def _after(
        self, interaction: discord.Interaction[HearthBot], incident: Incident, changed: bool, done: str
    ) -> None:
        if changed:  # the service re-arms its own work: the alert update goes out now
            await reply(interaction, f"Incident #{incident.id} {done}. The alert will show it.")
            return
        state = _embeds.STATUS_WORDS.get(incident.status, incident.status)
        await reply(interaction, f"Nothing changed: incident #{incident.id} is already {state.lower()}.")
