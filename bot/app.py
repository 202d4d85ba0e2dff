"""The Discord client: a ``commands.Bot`` that receives everything it needs from ``main()``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.config import DiscordSettings, Settings
from bot.db import Database
from bot.errors import new_incident_code
from bot.memory import release_free_memory
from bot.permissions import Person, RoleMap
from bot.repositories import command_sync
from bot.routing import MessageRouter
from bot.scheduler import Scheduler
from bot.screening import CrisisScreen, UnscreenedText
from bot.ui import NO_MENTIONS, log_task_errors, report_error
from bot.wiring import Services

log = logging.getLogger(__name__)

# Loaded in this order by setup_hook; each is one feature's Discord I/O.
EXTENSIONS: tuple[str, ...] = (
    "cogs.core",
    "cogs.privacy",
    "cogs.groups",
    "cogs.checkins",
    "cogs.milestones",
    "cogs.crisis",
    "cogs.oncall",
)


def configure_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at a Discord-compatible proxy or the local emulator when configured.

    discord.py reads these class attributes for every request and gateway connection;
    there is no per-client option in 2.x.
    """
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def hearth_intents() -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.members = True  # privileged: who holds which role, group membership
    intents.guild_messages = True
    intents.dm_messages = True
    # No reaction intents: no Hearth handler reads reaction events, and with them every reaction
    # the bot adds (one per in-channel check-in) came back as a gateway event to parse.
    intents.message_content = True  # privileged: in-channel check-ins and crisis screening
    return intents


class HearthTree(app_commands.CommandTree["HearthBot"]):
    async def on_error(
        self, interaction: discord.Interaction[HearthBot], error: app_commands.AppCommandError, /
    ) -> None:
        name = interaction.command.qualified_name if interaction.command else "unknown command"
        await report_error(interaction, error, where=f"/{name}")


class HearthBot(commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        services: Services,
        scheduler: Scheduler,
        clock: Clock,
        extensions: tuple[str, ...] = EXTENSIONS,
        sync_commands: bool = True,
        force_sync: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=hearth_intents(),
            allowed_mentions=NO_MENTIONS,
            tree_cls=HearthTree,
            # No listener reads cached messages (no edit, delete or reaction handlers); the cache
            # only cost a linear search per gateway reaction event, the bot's own included.
            **{"max_messages": None, **options},
        )
        self.settings = settings
        self.db = db
        self.services = services
        self.scheduler = scheduler
        self.clock = clock
        self.roles = RoleMap(settings.roles)
        self._extensions = extensions
        self._sync_commands = sync_commands
        self._force_sync = force_sync
        self._startup_task: asyncio.Task[None] | None = None
        # Replaced by the crisis extension when it loads (see bot.screening).
        self.crisis_screen: CrisisScreen = UnscreenedText()
        self.router = MessageRouter(
            guild_id=settings.discord.guild_id, checkins_channel=settings.channels.checkins,
            group_of_channel=services.crisis.group_for_channel,
        )
        self.scheduler_started = asyncio.Event()
        # Background work started by features (bot.spawn); close() waits for it like for event handlers.
        self._spawned: set[asyncio.Task[Any]] = set()

    @property
    def guild_id(self) -> int:
        return self.settings.discord.guild_id

    @property
    def guild(self) -> discord.Guild | None:
        return self.get_guild(self.guild_id)

    def person(self, user: discord.abc.User) -> Person:
        """Hearth roles of a user, looked up in the program's guild (works for DMs too)."""
        member: discord.abc.User | None = user
        if not isinstance(user, discord.Member) or user.guild.id != self.guild_id:
            guild = self.guild
            member = guild.get_member(user.id) if guild else None
        role_ids = [r.id for r in member.roles] if isinstance(member, discord.Member) else []
        return self.roles.person(user.id, role_ids)

    def spawn(self, name: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, its errors logged with an incident code, drained by ``close``."""
        task = asyncio.get_running_loop().create_task(log_task_errors(name, coro), name=f"hearth: {name}")
        self._spawned.add(task)

        def done(finished: asyncio.Task[Any]) -> None:
            self._spawned.discard(finished)
            coro.close()  # cancelled before it started: closed, not left "never awaited"

        task.add_done_callback(done)
        return task

    async def dm_channel(self, user_id: int) -> discord.DMChannel:
        """The DM channel with a person, from the cache when it can (raises discord.HTTPException)."""
        user = self.get_user(user_id) or await self.fetch_user(user_id)
        return user.dm_channel or await user.create_dm()

    async def send_dm(
        self, user_id: int, content: str | None = None, *, embed: discord.Embed | None = None,
        view: discord.ui.View | None = None, nonce: str | None = None,
        allowed_mentions: discord.AllowedMentions = NO_MENTIONS,
    ) -> discord.Message:
        """Every DM Hearth sends goes through here; raises discord.HTTPException when the person can't be reached."""
        channel = await self.dm_channel(user_id)
        kwargs: dict[str, Any] = {"allowed_mentions": allowed_mentions}
        if embed is not None:
            kwargs["embed"] = embed
        if view is not None:
            kwargs["view"] = view
        if nonce is not None:
            kwargs["nonce"] = nonce
        return await channel.send(content, **kwargs)

    async def setup_hook(self) -> None:
        for extension in self._extensions:
            await self.load_extension(extension)
        self._place_commands()
        if self._sync_commands:
            await self.sync_commands(force=self._force_sync)
        self._startup_task = asyncio.create_task(self._start_scheduler_when_ready())

    async def sync_commands(self, *, force: bool = False) -> list[str]:
        """Send the application commands to Discord only when they changed since the last sync (the scopes synced).

        Syncing is a bulk overwrite that Discord rate-limits per day, so a restart with the same commands only
        checks (one GET per scope) that Discord still has them by name; ``python -m bot sync`` forces it.
        """
        synced = []
        for name, guild in (("guild", discord.Object(self.guild_id)), ("global", None)):
            payload = sorted((c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)),
                             key=lambda c: (c.get("type", 1), c["name"]))
            digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
            scope = f"{self.application_id}:{name}" + (f":{self.guild_id}" if guild else "")
            if not force and await command_sync.synced_hash(self.db, scope) == digest:
                present = {(c.type.value, c.name) for c in await self.tree.fetch_commands(guild=guild)}
                if present == {(c.get("type", 1), c["name"]) for c in payload}:
                    continue
            done = await self.tree.sync(guild=guild)
            await command_sync.record_sync(self.db, scope, digest, self.clock.now())
            synced.append(name)
            log.info("synced %d %s command(s)", len(done), name)
        if not synced:
            log.info("application commands unchanged since the last sync; not synced")
        return synced

    def _place_commands(self) -> None:
        """Commands usable in DMs stay global; every other command lives in the program's guild.

        Guild commands update instantly and are invisible outside the program's server.
        """
        guild = discord.Object(self.guild_id)
        for command in list(self.tree.get_commands(type=discord.AppCommandType.chat_input)):
            contexts = command.allowed_contexts
            if contexts is not None and contexts.dm_channel:
                continue
            self.tree.remove_command(command.name)
            self.tree.add_command(command, guild=guild)
        for kind in (discord.AppCommandType.message, discord.AppCommandType.user):
            for context_menu in list(self.tree.get_commands(type=kind)):
                self.tree.remove_command(context_menu.name, type=kind)
                self.tree.add_command(context_menu, guild=guild)

    async def _start_scheduler_when_ready(self) -> None:
        await self.wait_until_ready()
        # The detector loaded in setup_hook and the guild's members are parsed: hand back what start-up freed.
        await asyncio.to_thread(release_free_memory)
        await self.scheduler.start()
        self.scheduler_started.set()
        log.info("scheduler started with %d kinds of work", len(self.scheduler.names))

    async def on_message(self, message: discord.Message, /) -> None:
        # The one message listener: features receive messages through the router, in order (bot.routing).
        await self.router.route(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent, /) -> None:
        # Edits go through the same router (a check-in edited into a crisis message is screened like a new
        # one). Raw, so no message cache is needed; updates Discord makes itself (link previews) carry no
        # edited_timestamp and are skipped.
        message = payload.message
        if message.edited_at is None:
            return
        before = payload.cached_message
        if before is not None and before.content == message.content:
            return
        await self.router.route(message, edited=True)

    async def process_commands(self, message: discord.Message, /) -> None:
        # Hearth has only application commands. Without this, a message that mentions the
        # bot would be parsed as a prefix command and logged as "command not found".
        return

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        # Listener errors (on_message and friends): logged with an incident code, IDs only.
        code = new_incident_code()
        log.exception("unexpected error in %s [%s]", event_method, code)

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("connected as bot user %s to guild %s", self.user.id, self.guild_id)

    # Event handlers still running at shutdown (a backlog of check-ins, an incident being
    # written) get this long to finish while the HTTP session is still open.
    DRAIN_SECONDS = 10.0
    # Names discord.py gives the tasks that run listeners, slash commands, buttons and modals.
    HANDLER_TASK_PREFIXES = (
        "discord.py: on_",
        "CommandTree-invoker",
        "discord-ui-dynamic-item-",
        "discord-ui-view-dispatch-",
        "discord-ui-modal-dispatch-",
    )

    async def _drain_event_handlers(self) -> None:
        current = asyncio.current_task()
        running = [
            task for task in asyncio.all_tasks()
            if task is not current and not task.done() and task.get_name().startswith(self.HANDLER_TASK_PREFIXES)
        ]
        running += [task for task in self._spawned if task is not current and not task.done()]
        if not running:
            return
        log.info("waiting for %d event handler(s) to finish before closing", len(running))
        _, late = await asyncio.wait(running, timeout=self.DRAIN_SECONDS)
        if late:
            log.warning("%d event handler(s) did not finish within %.0f s of shutdown", len(late), self.DRAIN_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def close(self) -> None:
        if self._startup_task is not None and not self._startup_task.done():
            self._startup_task.cancel()
            await asyncio.gather(self._startup_task, return_exceptions=True)
        await self.scheduler.shutdown()
        await self._drain_event_handlers()
        await super().close()
        # discord.py leaves its "wait for guilds before READY" task pending when closed
        # during that wait (a signal right after start); cancel it so nothing is left.
        ready_task: asyncio.Task[None] | None = getattr(self._connection, "_ready_task", None)
        if ready_task is not None and not ready_task.done():
            ready_task.cancel()
            await asyncio.gather(ready_task, return_exceptions=True)


def hearth_bot(interaction: discord.Interaction[Any]) -> HearthBot:
    client = interaction.client
    if not isinstance(client, HearthBot):
        raise TypeError("interaction did not come through the Hearth bot")
    return client


CogT = TypeVar("CogT")


def cog_of(interaction: discord.Interaction[Any], cog_type: type[CogT], name: str) -> CogT:
    """The loaded cog a persistent item belongs to (its callbacks run outside the cog)."""
    cog = hearth_bot(interaction).get_cog(name)
    if not isinstance(cog, cog_type):
        raise RuntimeError(f"the {name} extension is not loaded")
    return cog


def person_of(interaction: discord.Interaction[Any]) -> Person:
    """The caller's Hearth roles, from the guild member even when the command came from a DM."""
    return hearth_bot(interaction).person(interaction.user)
