"""/oncall: who is on call now and this week, overrides for swaps; keeps ``roles.on_call`` equal to the rota.

Discord I/O only; the rota and its timing live in ``bot.services.oncall.OncallRota``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HearthBot, person_of
from bot.errors import InvalidInput
from bot.permissions import HearthRole, require
from bot.services.oncall import WORK_NAME
from bot.ui import NO_MENTIONS, reply

log = logging.getLogger(__name__)


def _when(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:f>"


@app_commands.guild_only()
class Oncall(commands.GroupCog, group_name="oncall", group_description="Who is on call (staff)"):
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.rota = bot.services.oncall
        super().__init__()

    async def cog_load(self) -> None:
        self.rota.sync = self.sync_role
        self.rota.announce = self.announce
        self.bot.scheduler.register(WORK_NAME, self.rota, priority=self.bot.scheduler.CRISIS)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(WORK_NAME)
        self.rota.sync = None
        self.rota.announce = None

    async def sync_role(self, desired: frozenset[int]) -> tuple[list[int], list[int]]:
        guild = self.bot.guild
        role = guild.get_role(self.bot.settings.roles.on_call) if guild else None
        if guild is None or role is None:
            log.error("on-call rota: roles.on_call %s is not in the server", self.bot.settings.roles.on_call)
            return [], []
        current = {m.id for m in role.members if not m.bot}
        added: list[int] = []
        removed: list[int] = []
        for user_id in sorted(desired - current):
            try:
                await self.bot.http.add_role(guild.id, user_id, role.id, reason="on-call rota")
                added.append(user_id)
            except discord.HTTPException as exc:
                log.error("on-call rota: could not give the role to %s (%s)", user_id, exc.status)
        for user_id in sorted(current - desired):
            try:
                await self.bot.http.remove_role(guild.id, user_id, role.id, reason="on-call rota")
                removed.append(user_id)
            except discord.HTTPException as exc:
                log.error("on-call rota: could not take the role from %s (%s)", user_id, exc.status)
        return added, removed

    async def announce(self, text: str) -> None:
        try:
            await self.bot.get_partial_messageable(
                self.bot.settings.channels.staff_alerts, guild_id=self.bot.guild_id
            ).send(text, allowed_mentions=NO_MENTIONS)
        except (discord.HTTPException, OSError) as exc:
            log.warning("on-call rota: could not post to the staff alerts channel (%s)", getattr(exc, "status", exc))

    def _require_staff(self, interaction: discord.Interaction[HearthBot]) -> None:
        require(person_of(interaction), HearthRole.STAFF, HearthRole.ON_CALL, action="seeing the on-call rota")

    @app_commands.command(name="now", description="Who is on call now", extras={"audience": "on_call"})
    async def now(self, interaction: discord.Interaction[HearthBot]) -> None:
        self._require_staff(interaction)
        moment = self.bot.clock.now()
        if not self.rota.enabled:
            await reply(interaction, "No rota is configured; the on-call role is managed by hand.")
            return
        members = await self.rota.on_call_at(moment)
        change = await self.rota.next_change(moment)
        who = ", ".join(f"<@{u}>" for u in sorted(members)) or "**nobody** (the rota has a gap)"
        until = f" until {_when(change)}" if change else ""
        await reply(interaction, f"On call now: {who}{until}.")

    @app_commands.command(
        name="week", description="The on-call rota for the next 7 days", extras={"audience": "on_call"}
    )
    async def week(self, interaction: discord.Interaction[HearthBot]) -> None:
        self._require_staff(interaction)
        moment = self.bot.clock.now()
        if not self.rota.enabled:
            await reply(interaction, "No rota is configured; the on-call role is managed by hand.")
            return
        lines = []
        for window in await self.rota.all_windows(moment, moment + timedelta(days=7)):
            who = ", ".join(f"<@{u}>" for u in sorted(window.members)) or "**nobody**"
            tag = " (override)" if window.override else ""
            lines.append(f"{_when(window.start)} – <t:{int(window.end.timestamp())}:t>: {who}{tag}")
        text = "\n".join(lines) or "No shifts in the next 7 days."
        await reply(interaction, f"**On call, next 7 days** (times in your own time zone)\n{text}"[:2000])

    @app_commands.command(name="override", description="Put someone on call for a while (swaps, cover)",
                          extras={"audience": "staff"})
    @app_commands.describe(member="Who is on call", start="Start, YYYY-MM-DD HH:MM in the rota's time zone",
                           end="End, YYYY-MM-DD HH:MM in the rota's time zone")
    async def override(
        self, interaction: discord.Interaction[HearthBot], member: discord.Member, start: str, end: str
    ) -> None:
        zone = ZoneInfo(self.bot.settings.oncall.timezone)
        moments = []
        for name, value in (("start", start), ("end", end)):
            try:
                moments.append(datetime.strptime(value.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=zone))
            except ValueError:
                raise InvalidInput(name, "use YYYY-MM-DD HH:MM, e.g. 2026-12-24 18:00", got=value) from None
        await self.rota.add_override(person_of(interaction), member.id, moments[0], moments[1])
        await reply(
            interaction,
            f"{member.mention} is on call from {_when(moments[0])} to {_when(moments[1])}; the role follows.",
        )


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(Oncall(bot))
