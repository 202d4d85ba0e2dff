"""The `Emulator`: an in-process aiohttp server speaking Discord REST v10 + gateway v10.

Point discord.py at it with `discord.http.Route.BASE = emu.api_base` and
`discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)` (see `patch_discord`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import re
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import yarl
from aiohttp import BodyPartReader, web

from . import rest
from .gateway import Gateway
from .interactions import (
    InteractionHandle,
    build_command_options,
    modal_submit_components,
    new_interaction_ids,
)
from .snowflake import iso_now, new_snowflake
from .state import DM, JSON, THREAD_TYPES, EmulatorState, find_component, user_payload

if TYPE_CHECKING:
    from .openapi import OpenApiSpec

_log = logging.getLogger("bot.sandbox.emulator")

API_PREFIX = "/api/v10"
_UNSET: Any = object()


@dataclass
class CapturedRequest:
    """One REST request the bot made, as the emulator saw it."""

    method: str
    path: str  # without /api/v10, e.g. "/channels/123/messages"
    route: str | None  # e.g. "POST /channels/{channel_id}/messages"; None if unhandled
    query: dict[str, str]
    json: Any  # parsed JSON body, or the parsed payload_json of a multipart body
    files: list[tuple[str, bytes, str]]  # (filename, data, content_type)
    headers: dict[str, str]
    status: int = 0
    response: Any = None
    injected: bool = False  # answered by fail_next
    dropped: bool = False  # the connection was cut instead of answering (drop_next)


@dataclass
class _Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    code: int | None
    retry_after: float | None
    message: str | None
    remaining: int
    # Handle the request for real, then answer with the error: the "sent, but the response
    # was lost" case that nonces exist for.
    after_handling: bool = False
    # Cut the connection instead of answering: the client sees a network error, not an HTTP status.
    drop: bool = False


def _compile_path_pattern(pattern: str) -> re.Pattern[str]:
    """Globs ("/channels/*/messages", `*` = one path segment, `**` = anything) or regexes (full match)."""
    if any(ch in pattern for ch in "\\^$()[]+?|") or ".*" in pattern:
        return re.compile(pattern)
    regex = ""
    for part in re.split(r"(\*\*|\*)", pattern):
        if part == "**":
            regex += ".*"
        elif part == "*":
            regex += "[^/]+"
        else:
            regex += re.escape(part)
    return re.compile(regex)


@dataclass
class _Waiter:
    event: asyncio.Event = field(default_factory=asyncio.Event)


class Emulator:
    """A fake Discord for one guild.  See bot/sandbox/emulator/__init__.py for an overview."""

    def __init__(
        self,
        *,
        guild_id: int = 1000,
        openapi_path: Path | None = _UNSET,
        bot_name: str = "Hearth",
        bot_permissions: int = 8,
        interaction_deadline: float | None = None,
        port: int = 0,
    ) -> None:
        self.token = "test-token"
        self.bot_user_id = 2000
        self.application_id = self.bot_user_id  # Discord apps made after 2019 share the bot user id
        self.guild_id = guild_id
        self.owner_id = 1
        self.closed_dms: set[int] = set()
        self.requests: list[CapturedRequest] = []
        self.interactions: list[InteractionHandle] = []
        self.interactions_by_token: dict[str, InteractionHandle] = {}
        # Real Discord rejects callbacks after 3 s; off by default so slow CI never flakes.
        self.interaction_deadline = interaction_deadline
        self._problems: list[str] = []
        self._failures: list[_Failure] = []
        self._blobs: dict[int, bytes] = {}
        self._changed: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.port = 0
        self.http_base = ""
        self.api_base = ""
        self.gateway_url = ""
        self.openapi_path: Path | None = _default_spec_path() if openapi_path is _UNSET else openapi_path
        self.spec: OpenApiSpec | None = None
        if self.openapi_path is not None:
            # jsonschema is a dev dependency: only validating emulators (the tests') import it.
            from .openapi import load_spec

            self.spec = load_spec(self.openapi_path)

        bot = user_payload(self.bot_user_id, bot_name, bot=True)
        self.state = EmulatorState(
            guild={
                "id": str(guild_id),
                "name": "Emulated Guild",
                "icon": None,
                "icon_hash": None,
                "splash": None,
                "discovery_splash": None,
                "banner": None,
                "description": None,
                "owner_id": str(self.owner_id),
                "afk_channel_id": None,
                "afk_timeout": 300,
                "verification_level": 1,
                "default_message_notifications": 1,
                "explicit_content_filter": 2,
                "emojis": [],
                "stickers": [],
                "features": ["COMMUNITY"],
                "mfa_level": 0,
                "application_id": None,
                "system_channel_id": None,
                "system_channel_flags": 0,
                "rules_channel_id": None,
                "public_updates_channel_id": None,
                "safety_alerts_channel_id": None,
                "vanity_url_code": None,
                "premium_tier": 0,
                "premium_subscription_count": 0,
                "preferred_locale": "en-US",
                "max_members": 500000,
                "max_video_channel_users": 25,
                "max_stage_video_channel_users": 50,
                "nsfw_level": 0,
                "nsfw": False,
                "premium_progress_bar_enabled": False,
                "incidents_data": None,
                "region": "us-east",
            },
            bot_user=bot,
            application={
                "id": str(self.application_id),
                "name": bot_name,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": (1 << 15) | (1 << 19) | (1 << 23),  # members, message content, auto-mod badges (limited)
                "owner": user_payload(self.owner_id, "owner"),
                "team": None,
                "bot": bot,
                "rpc_origins": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "tags": [],
                "integration_types_config": {"0": {}},
            },
        )
        self.state.users[self.bot_user_id] = bot
        self.state.users[self.owner_id] = self.state.application["owner"]
        self.add_role("@everyone", role_id=guild_id, permissions=0x0000_0006_3FE4_0E41 & ~8)
        bot_role = self.add_role(bot_name, permissions=bot_permissions)
        self.state.roles[bot_role]["managed"] = True
        self.state.roles[bot_role]["tags"] = {"bot_id": str(self.bot_user_id)}
        self.bot_role_id = bot_role
        self.add_member(bot_name, user_id=self.bot_user_id, roles=[bot_role], _user=bot)
        self.gateway = Gateway(self)
        self._requested_port = port  # 0: any free port (tests); fixed for `python -m bot sandbox`

    # ================================================================== lifecycle

    async def start(self, *, add_routes: Callable[[web.Application], None] | None = None) -> None:
        """Serve on 127.0.0.1. ``add_routes`` adds more routes to the same app (the sandbox's web client);
        they must stay clear of /gateway, /attachments and /api."""
        self._changed = asyncio.Event()
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self.gateway.handle)
        app.router.add_route("GET", "/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_rest)
        if add_routes is not None:
            add_routes(app)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._requested_port)
        await site.start()
        server = site._server
        assert server is not None and hasattr(server, "sockets")
        self.port = server.sockets[0].getsockname()[1]
        self.http_base = f"http://127.0.0.1:{self.port}"
        self.api_base = self.http_base + API_PREFIX
        self.gateway_url = f"ws://127.0.0.1:{self.port}/gateway"

    async def stop(self) -> None:
        await self.gateway.close_all()
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this emulator for the duration."""
        import discord.gateway
        import discord.http

        old_base = discord.http.Route.BASE
        old_gw = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gw

    # ================================================================== waiting

    def notify(self) -> None:
        """Wake every `_wait_until` so it re-checks its condition."""
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    async def _wait_until(self, predicate: Callable[[], bool], timeout: float) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not predicate():
                assert self._changed is not None, "Emulator.start() was not awaited"
                await self._changed.wait()

    async def wait_for_request(
        self,
        predicate: Callable[[CapturedRequest], bool],
        timeout: float = 5,  # noqa: ASYNC109
    ) -> CapturedRequest:
        """First captured request (including ones already made) matching predicate, once answered."""
        found: list[CapturedRequest] = []

        def check() -> bool:
            for r in self.requests:
                if r.status and predicate(r):
                    found.append(r)
                    return True
            return False

        try:
            await self._wait_until(check, timeout)
        except TimeoutError:
            seen = [f"{r.method} {r.path} -> {r.status}" for r in self.requests[-10:]]
            raise TimeoutError(f"no matching request within {timeout}s; last requests: {seen}") from None
        return found[0]

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[JSON], bool] | None = None,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> JSON:
        """First (oldest) bot-authored message in channel_id matching predicate, already sent or upcoming."""
        found: list[JSON] = []

        def check() -> bool:
            for msg in self.state.messages.get(channel_id, []):
                if int(msg["author"]["id"]) == self.bot_user_id and (predicate is None or predicate(msg)):
                    found.append(msg)
                    return True
            return False

        try:
            await self._wait_until(check, timeout)
        except TimeoutError:
            n = len(self.state.messages.get(channel_id, []))
            raise TimeoutError(
                f"no matching bot message in channel {channel_id} within {timeout}s ({n} there)"
            ) from None
        return found[0]

    async def wait_for_dm(
        self,
        user_id: int,
        predicate: Callable[[JSON], bool] | None = None,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> JSON:
        try:
            await self._wait_until(lambda: user_id in self.state.dm_channels, timeout)
        except TimeoutError:
            raise TimeoutError(f"bot never opened a DM with user {user_id} within {timeout}s") from None
        return await self.wait_for_message(self.state.dm_channels[user_id], predicate, timeout)

    def bot_messages(self, channel_id: int) -> list[JSON]:
        return [m for m in self.state.messages.get(channel_id, []) if int(m["author"]["id"]) == self.bot_user_id]

    # ================================================================== seeding

    def make_role(
        self,
        name: str,
        *,
        role_id: int | None = None,
        permissions: int = 0,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> JSON:
        rid = role_id or new_snowflake()
        role: JSON = {
            "id": str(rid),
            "name": name,
            "description": None,
            "color": color,
            "colors": {"primary_color": color, "secondary_color": None, "tertiary_color": None},
            "hoist": hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": 0 if rid == self.guild_id else len(self.state.roles),
            "permissions": str(permissions),
            "managed": False,
            "mentionable": mentionable,
            "flags": 0,
        }
        self.state.roles[rid] = role
        return role

    def add_role(self, name: str, *, role_id: int | None = None, permissions: int = 0) -> int:
        role = self.make_role(name, role_id=role_id, permissions=permissions)
        if hasattr(self, "gateway"):
            self.gateway.dispatch_nowait("GUILD_ROLE_CREATE", {"guild_id": str(self.guild_id), "role": role})
            self.notify()
        return int(role["id"])

    def add_channel(
        self,
        name: str,
        *,
        type: int = 0,
        parent_id: int | None = None,
        channel_id: int | None = None,
        overwrites: list[dict[str, Any]] | None = None,
        topic: str | None = None,
    ) -> int:
        ch = rest.channel_payload(
            self,
            {
                "name": name,
                "type": type,
                "parent_id": parent_id,
                "permission_overwrites": overwrites or [],
                "topic": topic,
            },
            channel_id=channel_id,
        )
        self.state.channels[int(ch["id"])] = ch
        self.gateway.dispatch_nowait("CHANNEL_CREATE", ch)
        self.notify()
        return int(ch["id"])

    def add_member(
        self, name: str, *, user_id: int | None = None, roles: Iterable[int] = (), _user: JSON | None = None
    ) -> int:
        uid = user_id or new_snowflake()
        user = _user or user_payload(uid, name)
        self.state.users[uid] = user
        self.state.members[uid] = {
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in roles],
            "joined_at": iso_now(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if hasattr(self, "gateway"):
            member = self.state.full_member(uid)
            assert member is not None
            self.gateway.dispatch_nowait("GUILD_MEMBER_ADD", {**member, "guild_id": str(self.guild_id)})
            self.state.guild["member_count"] = len(self.state.members)
            self.notify()
        return uid

    def add_user(self, name: str, *, user_id: int | None = None) -> int:
        """A user who is not a guild member (e.g. for DMs only)."""
        uid = user_id or new_snowflake()
        self.state.users[uid] = user_payload(uid, name)
        return uid

    def remove_member(self, user_id: int) -> None:
        self.state.members.pop(user_id, None)
        self.gateway.dispatch_nowait(
            "GUILD_MEMBER_REMOVE", {"guild_id": str(self.guild_id), "user": self.state.users[user_id]}
        )
        self.notify()

    def ensure_dm_channel(self, user_id: int) -> JSON:
        cid = self.state.dm_channels.get(user_id)
        if cid is None:
            cid = new_snowflake()
            self.state.dm_channels[user_id] = cid
            self.state.channels[cid] = {
                "id": str(cid),
                "type": DM,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.state.users[user_id]],
            }
            self.notify()
        return self.state.channels[cid]

    def make_attachment(
        self,
        channel_id: int,
        filename: str,
        data: bytes,
        *,
        content_type: str | None = None,
        description: str | None = None,
    ) -> JSON:
        att_id = new_snowflake()
        self._blobs[att_id] = data
        url = f"{self.http_base}/attachments/{channel_id}/{att_id}/{filename}"
        att: JSON = {
            "id": str(att_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type or "application/octet-stream",
        }
        if description is not None:
            att["description"] = description
        return att

    def bot_author(self) -> JSON:
        return self.state.bot_user

    # ================================================================== person actions

    def _author_payloads(self, author_id: int, guild: bool) -> tuple[JSON, JSON | None]:
        user = self.state.users.get(author_id)
        if user is None:
            raise ValueError(f"unknown user {author_id}; seed it with add_member()/add_user() first")
        member = self.state.members.get(author_id) if guild else None
        return user, member

    async def send_message(self, channel_id: int, author_id: int, content: str, **extra: Any) -> JSON:
        """A person posts `content` in a guild channel (MESSAGE_CREATE)."""
        if channel_id not in self.state.channels:
            raise ValueError(f"unknown channel {channel_id}")
        user, member = self._author_payloads(author_id, True)
        msg = self.state.build_message(channel_id, user, content=content, extra=extra or None)
        if member is not None:
            msg["member"] = dict(member)
        self.state.store_message(msg)
        self.gateway.dispatch_nowait("MESSAGE_CREATE", msg)
        self.notify()
        await self.gateway.flush()
        return msg

    async def send_dm(self, author_id: int, content: str) -> JSON:
        """A person DMs the bot (creates the DM channel if needed)."""
        channel = self.ensure_dm_channel(author_id)
        user, _ = self._author_payloads(author_id, False)
        msg = self.state.build_message(int(channel["id"]), user, content=content)
        self.state.store_message(msg)
        self.gateway.dispatch_nowait("MESSAGE_CREATE", msg)
        self.notify()
        await self.gateway.flush()
        return msg

    async def edit_user_message(self, channel_id: int, message_id: int, content: str) -> JSON:
        """The author edits their message (MESSAGE_UPDATE with the full message and an edited_timestamp)."""
        msg = self.state.find_message(channel_id, message_id)
        if msg is None:
            raise ValueError(f"unknown message {message_id}")
        msg["content"] = content
        msg["edited_timestamp"] = iso_now()
        self.gateway.dispatch_nowait("MESSAGE_UPDATE", rest._public(msg))
        self.notify()
        await self.gateway.flush()
        return msg

    async def delete_message(self, channel_id: int, message_id: int) -> None:
        """Someone (e.g. a moderator) deletes a message (MESSAGE_DELETE); later requests for it get 404 10008."""
        msg = self.state.find_message(channel_id, message_id)
        if msg is None:
            raise ValueError(f"unknown message {message_id}")
        rest._delete_message(self, msg)
        await self.gateway.flush()

    async def add_reaction(self, channel_id: int, message_id: int, user_id: int, emoji: str) -> None:
        msg = self.state.find_message(channel_id, message_id)
        if msg is None:
            raise ValueError(f"unknown message {message_id}")
        users = self.state.reactions.setdefault(message_id, {}).setdefault(emoji, [])
        if user_id not in users:
            users.append(user_id)
        rest._sync_reaction_counts(self, msg)
        self.gateway.dispatch_nowait("MESSAGE_REACTION_ADD", rest._reaction_event(self, msg, emoji, user_id))
        self.notify()
        await self.gateway.flush()

    def interaction_metadata(self, handle: InteractionHandle) -> JSON:
        """Fields Discord puts on messages created in answer to an interaction."""
        p = handle.payload
        user = p["member"]["user"] if "member" in p else p["user"]
        meta: JSON = {
            "id": str(handle.id),
            "type": handle.type,
            "user": user,
            "authorizing_integration_owners": p.get("authorizing_integration_owners", {}),
        }
        extra: JSON = {"interaction_metadata": meta}
        if handle.type == 2:
            extra["type"] = 20  # CHAT_INPUT_COMMAND message
            extra["interaction"] = {"id": str(handle.id), "type": 2, "name": p["data"]["name"], "user": user}
        elif handle.type in (3, 5) and p.get("message"):
            meta["interacted_message_id"] = p["message"]["id"]
        return extra

    def _interaction_base(self, itype: int, user_id: int, channel_id: int | None, dm: bool) -> JSON:
        user = self.state.users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}; seed it with add_member() first")
        iid, token = new_interaction_ids()
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)} if not dm else {"1": str(user_id)},
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if dm:
            channel = self.ensure_dm_channel(user_id)
            payload.update(
                channel_id=channel["id"],
                channel=channel,
                user=user,
                context=1,
                app_permissions=str(rest_perms_dm()),
            )
        else:
            if user_id not in self.state.members:
                raise ValueError(f"user {user_id} is not a guild member; pass dm=True or add_member() first")
            if channel_id is None:
                channel_id = next(
                    (int(c["id"]) for c in self.state.channels.values() if c.get("guild_id") and c["type"] == 0),
                    None,
                )
                if channel_id is None:
                    channel_id = self.add_channel("general")
            guild_channel = self.state.channels.get(channel_id)
            if guild_channel is None:
                raise ValueError(f"unknown channel {channel_id}")
            member = {
                **self.state.members[user_id],
                "user": user,
                "permissions": str(self.state.member_permissions(user_id, channel_id)),
            }
            payload.update(
                guild_id=str(self.guild_id),
                guild={"id": str(self.guild_id), "locale": "en-US", "features": self.state.guild["features"]},
                guild_locale="en-US",
                channel_id=str(channel_id),
                channel={**guild_channel, "permissions": member["permissions"]},
                member=member,
                context=0,
                app_permissions=str(self.state.member_permissions(self.bot_user_id, channel_id)),
            )
        return payload

    async def _fire(self, payload: JSON) -> InteractionHandle:
        handle = InteractionHandle(emu=self, id=int(payload["id"]), token=payload["token"], payload=payload)
        self.interactions.append(handle)
        self.interactions_by_token[handle.token] = handle
        if self.interaction_deadline is not None:
            loop = asyncio.get_running_loop()
            loop.call_later(self.interaction_deadline, lambda: payload.__setitem__("_expired", True))
        # "_expired" is emulator-internal; never send it
        self.gateway.dispatch_nowait("INTERACTION_CREATE", {k: v for k, v in payload.items() if k != "_expired"})
        await self.gateway.flush()
        return handle

    def _command(self, name: str, type_: int) -> JSON:
        cmd = self.state.find_command(name, type_)
        if cmd is None:
            synced = [(c["name"], c.get("type", 1)) for c in self.state.commands]
            raise LookupError(f"command {name!r} (type {type_}) was not synced by the bot; synced: {synced}")
        return cmd

    async def invoke_slash(
        self,
        name: str,
        *,
        user_id: int,
        options: Mapping[str, Any] | list[JSON] | None = None,
        subcommand: str | list[str] | None = None,
        channel_id: int | None = None,
        dm: bool = False,
    ) -> InteractionHandle:
        """A person runs `/name [subcommand] options...`; options typed from the synced definition."""
        cmd = self._command(name, 1)
        payload = self._interaction_base(2, user_id, channel_id, dm)
        resolved: JSON = {}
        opts = build_command_options(self, cmd, options=options, subcommand=subcommand, resolved=resolved)
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if opts:
            data["options"] = opts
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        payload["data"] = data
        return await self._fire(payload)

    async def invoke_autocomplete(
        self,
        name: str,
        *,
        user_id: int,
        focused: str,
        value: str,
        options: Mapping[str, Any] | None = None,
        subcommand: str | list[str] | None = None,
        channel_id: int | None = None,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> list[JSON]:
        """A person types `value` into option `focused`; returns the bot's choices."""
        cmd = self._command(name, 1)
        payload = self._interaction_base(4, user_id, channel_id, False)
        resolved: JSON = {}
        opts = build_command_options(
            self,
            cmd,
            options={**(options or {}), focused: value},
            subcommand=subcommand,
            resolved=resolved,
            focused=focused,
        )
        payload["data"] = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": opts}
        if "guild_id" in cmd:  # guild commands carry it, as for slash commands; without it the client finds none
            payload["data"]["guild_id"] = cmd["guild_id"]
        handle = await self._fire(payload)
        await handle.wait_response(timeout)
        return handle.choices or []

    async def invoke_message_command(
        self, name: str, *, user_id: int, message: JSON, channel_id: int | None = None
    ) -> InteractionHandle:
        cmd = self._command(name, 3)
        payload = self._interaction_base(2, user_id, channel_id or int(message["channel_id"]), False)
        payload["data"] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        if "guild_id" in cmd:  # guild commands carry it, as for slash commands
            payload["data"]["guild_id"] = cmd["guild_id"]
        return await self._fire(payload)

    async def invoke_user_command(
        self, name: str, *, user_id: int, target_id: int, channel_id: int | None = None
    ) -> InteractionHandle:
        cmd = self._command(name, 2)
        payload = self._interaction_base(2, user_id, channel_id, False)
        resolved: JSON = {"users": {str(target_id): self.state.users[target_id]}}
        if target_id in self.state.members:
            resolved["members"] = {
                str(target_id): {
                    **self.state.members[target_id],
                    "permissions": str(self.state.member_permissions(target_id)),
                }
            }
        payload["data"] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 2,
            "target_id": str(target_id),
            "resolved": resolved,
        }
        if "guild_id" in cmd:
            payload["data"]["guild_id"] = cmd["guild_id"]
        return await self._fire(payload)

    def _component_message(self, message: JSON | None, custom_id: str) -> JSON:
        if message is None:
            found = self.state.find_message_with_custom_id(custom_id)
            if found is None:
                raise LookupError(f"no captured message has a component with custom_id {custom_id!r}")
            return found
        # use the current stored state of the message (after edits) when we have it
        current = self.state.all_messages.get(int(message["id"]), message)
        if find_component(current.get("components") or [], custom_id) is None:
            raise LookupError(f"message {message['id']} has no component with custom_id {custom_id!r}")
        return current

    async def _component(
        self, message: JSON | None, custom_id: str, user_id: int, channel_id: int | None, data: JSON
    ) -> InteractionHandle:
        msg = self._component_message(message, custom_id)
        comp = find_component(msg.get("components") or [], custom_id)
        assert comp is not None
        if comp.get("disabled"):
            raise LookupError(f"component {custom_id!r} is disabled; a person cannot use it")
        cid = channel_id or int(msg["channel_id"])
        dm = self.state.channels.get(cid, {}).get("type") == DM
        payload = self._interaction_base(3, user_id, None if dm else cid, dm)
        payload["message"] = msg
        payload["data"] = {"custom_id": custom_id, "component_type": comp["type"], **data}
        return await self._fire(payload)

    async def click_button(
        self, message: JSON | None, custom_id: str, *, user_id: int, channel_id: int | None = None
    ) -> InteractionHandle:
        """A person clicks a button; `message=None` finds it among all messages (incl. ephemeral ones)."""
        return await self._component(message, custom_id, user_id, channel_id, {})

    async def select(
        self,
        message: JSON | None,
        custom_id: str,
        values: list[str],
        *,
        user_id: int,
        channel_id: int | None = None,
    ) -> InteractionHandle:
        msg = self._component_message(message, custom_id)
        comp = find_component(msg.get("components") or [], custom_id) or {}
        data: JSON = {"values": [str(v) for v in values]}
        if comp.get("type") == 3:
            allowed = [o["value"] for o in comp.get("options") or []]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValueError(f"select {custom_id!r} has no options {bad}; options are {allowed}")
        elif comp.get("type") in (5, 6, 7, 8):
            resolved: JSON = {}
            for v in values:
                if int(v) in self.state.users:
                    resolved.setdefault("users", {})[v] = self.state.users[int(v)]
                    if int(v) in self.state.members:
                        resolved.setdefault("members", {})[v] = self.state.members[int(v)]
                elif int(v) in self.state.roles:
                    resolved.setdefault("roles", {})[v] = self.state.roles[int(v)]
                elif int(v) in self.state.channels:
                    resolved.setdefault("channels", {})[v] = self.state.channels[int(v)]
            data["resolved"] = resolved
        return await self._component(msg, custom_id, user_id, channel_id, data)

    async def submit_modal(
        self,
        custom_id: str,
        values: Mapping[str, Any],
        *,
        user_id: int,
        channel_id: int | None = None,
    ) -> InteractionHandle:
        """A person submits the modal the bot opened (found by custom_id); values keyed by input custom_id."""
        source: InteractionHandle | None = None
        for h in reversed(self.interactions):
            if h.modal is not None and h.modal.get("custom_id") == custom_id:
                source = h
                break
        if source is None:
            raise LookupError(f"the bot never opened a modal with custom_id {custom_id!r}")
        src = source.payload
        dm = "guild_id" not in src
        cid = channel_id or int(src["channel_id"])
        payload = self._interaction_base(5, user_id, None if dm else cid, dm)
        if src.get("message"):
            payload["message"] = self.state.all_messages.get(int(src["message"]["id"]), src["message"])
        payload["data"] = {"custom_id": custom_id, "components": modal_submit_components(source.modal, values)}
        return await self._fire(payload)

    # ================================================================== gateway control

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send an arbitrary gateway DISPATCH (subject to the client's intents)."""
        self.gateway.dispatch_nowait(event, data)
        await self.gateway.flush()

    async def gateway_reconnect(self, *, wait: bool = True, timeout: float = 5) -> None:  # noqa: ASYNC109
        """Send op 7 RECONNECT; by default wait until the client has RESUMED."""
        await self.gateway.send_reconnect(wait=wait, timeout=timeout)

    async def wait_for_identify(self, count: int = 1, timeout: float = 5) -> None:  # noqa: ASYNC109
        """Wait until `count` IDENTIFYs happened in total (e.g. 2 after a bot restart)."""
        await self.gateway.wait_for(lambda: self.gateway.identify_count >= count, timeout)

    # ================================================================== failure injection

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        *,
        status: int,
        code: int | None = None,
        retry_after: float | None = None,
        times: int = 1,
        message: str | None = None,
        after_handling: bool = False,
    ) -> None:
        """The next `times` matching requests get this error instead of being handled.

        With ``after_handling=True`` the request IS handled (e.g. the message is created) and
        only the response is replaced by the error, as when a response is lost in transit.
        """
        self._failures.append(
            _Failure(
                method.upper(), _compile_path_pattern(path_pattern), status, code, retry_after, message, times,
                after_handling,
            )
        )

    def drop_next(self, method: str, path_pattern: str, *, times: int = 1, after_handling: bool = False) -> None:
        """The next `times` matching requests get no answer: the connection is cut (a network error).

        With ``after_handling=True`` the request IS handled first (e.g. the message is created), as when
        the connection drops after Discord did the work.
        """
        self._failures.append(
            _Failure(
                method.upper(), _compile_path_pattern(path_pattern), 0, None, None, None, times, after_handling,
                drop=True,
            )
        )

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        for f in self._failures:
            if f.remaining > 0 and f.method in (method, "*") and f.pattern.fullmatch(path):
                f.remaining -= 1
                return f
        return None

    def _failure_response(self, f: _Failure) -> tuple[int, Any, dict[str, str]]:
        if f.status == 429:
            retry = f.retry_after if f.retry_after is not None else 0.05
            body: Any = {"message": f.message or "You are being rate limited.", "retry_after": retry, "global": False}
            headers = {
                "Retry-After": str(max(1, int(retry + 0.999))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry:.3f}",
                "X-RateLimit-Reset-After": f"{retry:.3f}",
                "X-RateLimit-Bucket": "emulated-bucket",
                "X-RateLimit-Scope": "user",
                "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban
            }
            return 429, body, headers
        if f.status >= 500:
            return f.status, f.message or f"{f.status}: Server Error", {}
        defaults = {
            403: (50013, "Missing Permissions"),
            404: (10003, "Unknown Channel"),
            400: (50035, "Invalid Form Body"),
        }
        code, msg = defaults.get(f.status, (0, "Error"))
        if f.code == 50007:
            msg = "Cannot send messages to this user"
        if f.code is not None:
            code = f.code
        return f.status, {"message": f.message or msg, "code": code}, {}

    # ================================================================== HTTP plumbing

    def record_problem(self, problem: str) -> None:
        self._problems.append(problem)

    def problems(self) -> list[str]:
        return list(self._problems)

    def take_problems(self) -> list[str]:
        """Return and clear the recorded problems (for tests that provoke them on purpose)."""
        out, self._problems = self._problems, []
        return out

    def assert_clean(self) -> None:
        if self._problems:
            raise AssertionError("Discord emulator problems:\n  " + "\n  ".join(self._problems))

    async def _read_body(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes, str]]]:
        ctype = request.content_type
        if ctype == "multipart/form-data":
            files: list[tuple[str, bytes, str]] = []
            payload: Any = None
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    raise ValueError("nested multipart bodies are not something Discord accepts")
                data = await part.read(decode=False)
                if part.name == "payload_json":
                    payload = json.loads(data)
                else:
                    files.append(
                        (part.filename or part.name or "file", bytes(data), part.headers.get("Content-Type", ""))
                    )
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        if ctype == "application/json":
            return json.loads(raw), []
        self.record_problem(f"{request.method} {request.path}: body with unexpected Content-Type {ctype!r}")
        return None, []

    @staticmethod
    def _json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
        hdrs = dict(headers or {})
        if status == 204 or body is None:
            return web.Response(status=status, headers=hdrs)
        if isinstance(body, str):
            hdrs["Content-Type"] = "text/plain"
            return web.Response(status=status, body=body.encode(), headers=hdrs)
        # discord.py only parses JSON when Content-Type is exactly "application/json" (no charset suffix).
        hdrs["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(body).encode(), headers=hdrs)

    async def _handle_rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        try:
            body, files = await self._read_body(request)
        except (json.JSONDecodeError, ValueError) as exc:
            self.record_problem(f"{method} {path}: unparseable body: {exc}")
            return self._json_response(400, {"message": "400: Bad Request", "code": 50109})
        matched = rest.match_route(method, path)
        captured = CapturedRequest(
            method=method,
            path=path,
            route=matched[0] if matched else None,
            query=dict(request.query),
            json=body,
            files=files,
            headers=dict(request.headers),
        )
        self.requests.append(captured)
        status, resp_body, headers = await self._process(captured, matched)
        captured.status = status
        captured.response = resp_body
        self.notify()
        if captured.dropped and request.transport is not None:
            request.transport.abort()
        return self._json_response(status, resp_body, headers)

    async def _process(
        self, captured: CapturedRequest, matched: tuple[str, rest.Handler, dict[str, str]] | None
    ) -> tuple[int, Any, dict[str, str]]:
        method, path = captured.method, captured.path
        if not rest.unauthenticated(path) and captured.headers.get("Authorization") != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        if self.spec is not None:
            for violation in self.spec.validate(method, path, captured.json):
                self.record_problem(violation[:1000])
        failure = self._take_failure(method, path)
        if failure is not None and not failure.after_handling:
            captured.injected = True
            if failure.drop:
                captured.dropped = True
                return 0, None, {}
            return self._failure_response(failure)
        if matched is None:
            self.record_problem(f"unhandled route: {method} {path}")
            return 404, {"message": "404: Not Found", "code": 0}, {}
        _, handler, params = matched
        ctx = rest.Ctx(self, method, path, params, captured.query, captured.json, captured.files)
        try:
            reply = await handler(ctx)
        except rest.ApiError as err:
            reply = err.reply()
        except Exception as exc:  # a bug in the emulator or a body the handler did not expect
            self.record_problem(f"{method} {path}: handler exception {exc!r}\n{traceback.format_exc()}")
            return 500, {"message": "500: Internal Server Error", "code": 0}, {}
        if failure is not None:  # after_handling: the work is done, the answer is "lost"
            captured.injected = True
            if failure.drop:
                captured.dropped = True
                return 0, None, {}
            return self._failure_response(failure)
        return reply.status, reply.json, reply.headers

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        data = self._blobs.get(int(request.match_info["attachment_id"]))
        if data is None:
            return web.Response(status=404)
        # A guessed type lets a browser show an image inline (the sandbox's web client).
        ctype = mimetypes.guess_type(request.match_info["filename"])[0] or "application/octet-stream"
        return web.Response(body=data, headers={"Content-Type": ctype})

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        self.record_problem(f"request outside the API: {request.method} {request.path}")
        return web.Response(status=404)

    # ================================================================== convenience

    def channel_by_name(self, name: str) -> JSON:
        for ch in self.state.channels.values():
            if ch.get("name") == name and ch["type"] not in THREAD_TYPES:
                return ch
        raise LookupError(f"no channel named {name!r}")

    def role_by_name(self, name: str) -> JSON:
        for role in self.state.roles.values():
            if role["name"] == name:
                return role
        raise LookupError(f"no role named {name!r}")


def _default_spec_path() -> Path | None:
    """Discord's OpenAPI spec beside a source checkout (../shared/discord-api-spec), when jsonschema is there."""
    try:
        from .openapi import DEFAULT_SPEC_PATH
    except ImportError:
        return None
    return DEFAULT_SPEC_PATH


def rest_perms_dm() -> int:
    # In DMs the app has the implicit permissions for text chat
    return (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18) | (1 << 6)
