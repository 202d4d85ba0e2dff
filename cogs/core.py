"""/help and /settings: the commands every person can use, in the server or in DMs.

Each command elsewhere declares who it is for with ``extras={"audience": ...}`` (one of
``everyone``, ``participant``, ``facilitator``, ``on_call``, ``staff``); /help lists exactly the
registered commands the caller may use, so it can never advertise a missing command.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HearthBot, person_of
from bot.backup import WORK_NAME as BACKUP_WORK
from bot.backup import BackupError, DailyBackups
from bot.permissions import HearthRole, Person
from bot.scheduler import PeriodicWork
from bot.selfcheck import Finding, findings, report_text, snapshot_of, staff_channel_usable
from bot.services.audit import RETENTION_WORK as AUDIT_RETENTION_WORK
from bot.ui import BRAND_COLOUR, reply

log = logging.getLogger(__name__)

LIVENESS_WORK = "liveness"
LIVENESS_EVERY = timedelta(seconds=30)
AUDIENCES = ("everyone", "participant", "facilitator", "on_call", "staff")
MILESTONE_VISIBILITY_WORDS = {
    "private": "sent to you by DM",
    "group": "posted in your group's channel",
    "community": "posted in the community celebrations channel",
}


def may_use(person: Person, audience: str) -> bool:
    if audience == "everyone" or person.is_staff:
        return True
    if audience == "participant":
        return person.has_any(HearthRole.PARTICIPANT, HearthRole.FACILITATOR)
    if audience == "facilitator":
        return person.is_facilitator
    if audience == "on_call":
        return person.has_any(HearthRole.ON_CALL)
    return False


def _walk(
    command: app_commands.Command[Any, ..., Any] | app_commands.Group, audience: str
) -> Iterator[tuple[str, str, str]]:
    own = command.extras.get("audience", audience)
    if isinstance(command, app_commands.Group):
        for child in command.commands:
            yield from _walk(child, own)
    else:
        yield f"/{command.qualified_name}", command.description, own


def help_lines(bot: HearthBot, person: Person) -> list[str]:
    seen: set[str] = set()
    entries: list[tuple[str, str, str]] = []
    guild = discord.Object(bot.guild_id)
    for scope in (None, guild):
        for command in bot.tree.get_commands(guild=scope, type=discord.AppCommandType.chat_input):
            assert isinstance(command, app_commands.Command | app_commands.Group)
            entries.extend(_walk(command, "everyone"))
        for kind in (discord.AppCommandType.message, discord.AppCommandType.user):
            for menu in bot.tree.get_commands(guild=scope, type=kind):
                assert isinstance(menu, app_commands.ContextMenu)
                audience = menu.extras.get("audience", "everyone")
                entries.append((f"{menu.name} (right-click a message → Apps)", "", audience))
    lines = []

    def order(entry: tuple[str, str, str]) -> tuple[int, str]:
        return (AUDIENCES.index(entry[2]) if entry[2] in AUDIENCES else len(AUDIENCES), entry[0])

    for name, description, audience in sorted(entries, key=order):
        if name in seen or not may_use(person, audience):
            continue
        seen.add(name)
        lines.append(f"**{name}**" + (f" — {description}" if description else ""))
    return lines


class Core(commands.Cog):
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self._self_checked = False

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Once per start: is the server set up so the crisis path works? (bot.selfcheck)"""
        if self._self_checked:
            return
        self._self_checked = True
        try:
            snapshot = snapshot_of(self.bot.guild, self.bot.settings, on_call_now=await self._rota_now())
        except Exception as exc:  # never a traceback for a check; say which kind of failure
            log.error("self-check: could not read the server's setup (%s)", type(exc).__name__)
            return
        found = findings(snapshot)
        for finding in found:
            log.log(logging.ERROR if finding.crisis else logging.WARNING, "self-check: %s", finding.text)
        if not found:
            log.info("self-check: crisis path OK")
            return
        await self._tell_staff(found, post=staff_channel_usable(snapshot))

    async def _rota_now(self) -> frozenset[int] | None:
        """With an [oncall] rota, who it has on call now: on start the role is about to be made to match it."""
        rota = self.bot.services.oncall
        if not rota.enabled:
            return None
        try:
            return await rota.on_call_at(self.bot.clock.now())
        except Exception as exc:  # a busy database: judge the role as it is
            log.warning("self-check: could not read the on-call rota (%s)", type(exc).__name__)
            return None

    async def _tell_staff(self, found: list[Finding], *, post: bool) -> None:
        """One message in the staff alerts channel, or by DM to staff when that channel is missing, unusable
        (``post`` False: the bot cannot see or send there) or refuses it."""
        text = report_text(found)[:2000]
        none = discord.AllowedMentions.none()
        if post:
            try:
                await self.bot.get_partial_messageable(
                    self.bot.settings.channels.staff_alerts, guild_id=self.bot.guild_id
                ).send(text, allowed_mentions=none)
                return
            except (discord.HTTPException, OSError) as exc:
                log.warning("self-check: could not post to the staff alerts channel (%s)",
                            getattr(exc, "status", type(exc).__name__))
        guild = self.bot.guild
        role = guild.get_role(self.bot.settings.roles.staff) if guild else None
        staff = [] if role is None else [m for m in role.members if not m.bot]
        told = 0
        for member in staff:
            try:
                await member.send(text, allowed_mentions=none)
                told += 1
            except (discord.HTTPException, OSError) as exc:
                log.warning("self-check: could not DM staff member %s (%s)", member.id,
                            getattr(exc, "status", type(exc).__name__))
        if told:
            log.info("self-check: findings sent by DM to %d staff member(s)", told)
        else:
            log.error("self-check: could not tell any staff member; run `python -m bot doctor` to see the findings")

    async def cog_load(self) -> None:
        # Audit records (moderation and crisis actions) are kept for the retention period
        # promised in /privacy delete, then removed.
        self.bot.scheduler.register(
            AUDIT_RETENTION_WORK,
            PeriodicWork(self.bot.services.audit.purge_expired, timedelta(hours=24), self.bot.clock),
        )
        if self.bot.settings.backup.enabled:
            self.bot.scheduler.register(
                BACKUP_WORK, DailyBackups(self.bot.settings, self.bot.clock, passphrase=self.backup_passphrase)
            )
        if self.bot.settings.health.liveness_file is not None:
            self.bot.scheduler.register(
                LIVENESS_WORK, PeriodicWork(self.write_liveness, LIVENESS_EVERY, self.bot.clock)
            )

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(AUDIT_RETENTION_WORK)
        self.bot.scheduler.unregister(LIVENESS_WORK)
        self.bot.scheduler.unregister(BACKUP_WORK)

    def backup_passphrase(self) -> str | None:
        """Read at each backup (a rotated passphrase is used from the next one on)."""
        name = self.bot.settings.backup.passphrase_env
        if name is None:
            return None
        value = os.environ.get(name)
        if not value:
            raise BackupError(f"backup.passphrase_env: the environment variable ${name} is not set")
        return value

    async def write_liveness(self) -> None:
        """Rewrite the liveness file while connected (``python -m bot health`` checks its age)."""
        path = self.bot.settings.health.liveness_file
        if path is None or not self.bot.is_ready() or self.bot.is_closed():
            return
        try:
            path.write_text(f"{self.bot.clock.now().isoformat()}\n", encoding="utf-8")
        except OSError as exc:
            log.warning("could not write the liveness file: %s", exc.strerror)

    @app_commands.command(name="help", description="What Hearth can do for you")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def help(self, interaction: discord.Interaction[HearthBot]) -> None:
        person = person_of(interaction)
        lines = help_lines(self.bot, person)
        if person.is_staff:
            role_line = "You have **staff** access."
        elif person.is_facilitator:
            role_line = "You are a **peer facilitator**."
        elif person.is_participant:
            role_line = "You are a **participant**."
        else:
            role_line = "You don't have a program role yet; a staff member can add you."
        embed = discord.Embed(
            title="Hearth — how I can help",
            description=role_line + "\n\n" + "\n".join(lines),
            colour=BRAND_COLOUR,
        )
        embed.set_footer(text="If you are in danger right now, use /help-now or call or text 988.")
        await reply(interaction, embed=embed)

    @app_commands.command(name="settings", description="Your personal settings, such as your time zone")
    @app_commands.describe(
        timezone="Your time zone, for example America/New_York (start typing to search)",
        milestone_visibility="Where your milestones are celebrated: private (DM), your group, or the community",
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def settings(
        self,
        interaction: discord.Interaction[HearthBot],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        milestone_visibility: Literal["private", "group", "community"] | None = None,
    ) -> None:
        people = self.bot.services.people
        milestones = self.bot.services.milestones
        changes: list[str] = []
        if timezone is not None:
            stored = await people.set_timezone(interaction.user.id, timezone)
            changes.append(f"Your time zone is now **{stored}**. Your day, reminders and celebrations follow it.")
        if milestone_visibility is not None:
            chosen = await milestones.set_visibility(interaction.user.id, milestone_visibility)
            changes.append(f"Milestone celebrations: **{chosen}** ({MILESTONE_VISIBILITY_WORDS[chosen]}).")
        if not changes:
            current = await people.timezone_name(interaction.user.id)
            suffix = " (the community default)" if current.is_default else ""
            changes.append(
                f"Your time zone: **{current.name}**{suffix}.\nChange it with `/settings timezone:`."
            )
            shown = await milestones.visibility(interaction.user.id)
            changes.append(
                f"Milestone celebrations: **{shown}** ({MILESTONE_VISIBILITY_WORDS[shown]}). "
                "Change with `/settings milestone_visibility:`."
            )
        await reply(interaction, "\n".join(changes))

    @settings.autocomplete("timezone")
    async def _timezone_autocomplete(
        self, interaction: discord.Interaction[HearthBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=z, value=z) for z in self.bot.services.people.suggest_timezones(current)
        ]


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(Core(bot))
