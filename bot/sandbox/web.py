"""The sandbox's web client and its JSON API, served by the emulator's own aiohttp app.

Everything a person can do goes through the emulator's person actions (``send_message``,
``invoke_slash``, ``click_button``, ``submit_modal``...), so the bot sees exactly what it would
see from Discord. Visibility follows Discord's rules closely enough for a demo: a persona sees a
channel when its permissions include View Channel, a private thread when it is a member, its own
DM with the bot, and the private ("only you can see this") replies to its own interactions.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.emulator import CommandInvocationError, InteractionHandle
from bot.sandbox.emulator.state import DM, EPHEMERAL, GUILD_CATEGORY, LOADING, PRIVATE_THREAD, THREAD_TYPES

if TYPE_CHECKING:
    from bot.sandbox.app import Sandbox

JSON = dict[str, Any]
STATIC = Path(__file__).resolve().parent / "web"
PREFIX = "/sandbox/api"
VIEW_CHANNEL = 1 << 10
MANAGE_THREADS = 1 << 34
RESPONSE_WAIT = 8.0  # seconds to wait for the bot to answer an interaction before telling the page
# Application command option types
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = range(1, 11)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class SandboxWeb:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    @property
    def state(self) -> Any:
        return self.sandbox.emu.state

    # ------------------------------------------------------------------ routes

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/", self.index)
        app.router.add_get("/favicon.ico", self.favicon)
        app.router.add_get("/static/{name}", self.static)
        api: list[tuple[str, str, Handler]] = [
            ("GET", "/personas", self.personas),
            ("GET", "/channels", self.channels),
            ("GET", "/messages", self.messages),
            ("GET", "/view", self.view),
            ("GET", "/commands", self.commands),
            ("GET", "/clock", self.clock),
            ("POST", "/clock", self.advance_clock),
            ("POST", "/messages", self.send),
            ("POST", "/commands", self.command),
            ("POST", "/autocomplete", self.autocomplete),
            ("POST", "/click", self.click),
            ("POST", "/select", self.select),
            ("POST", "/modal", self.modal),
            ("POST", "/message-command", self.message_command),
            ("POST", "/react", self.react),
        ]
        for method, path, handler in api:
            app.router.add_route(method, PREFIX + path, self._json(handler))

    def _json(self, handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except BadRequest as err:
                return web.json_response({"error": err.message}, status=err.status)
            except (CommandInvocationError, LookupError, ValueError) as err:
                return web.json_response({"error": str(err)}, status=400)

        return wrapped

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def favicon(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=204)

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "no-store"})

    # ------------------------------------------------------------------ reading

    async def personas(self, request: web.Request) -> web.StreamResponse:
        demo = self.sandbox.demo
        people = [] if demo is None else demo.personas
        return web.json_response([{"id": str(p.user_id), "name": p.name, "role": p.role} for p in people])

    async def channels(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.channel_list(self._persona(request.query.get("persona"))))

    async def messages(self, request: web.Request) -> web.StreamResponse:
        persona = self._persona(request.query.get("persona"))
        return web.json_response(self.message_list(persona, self._channel(persona, request.query.get("channel"))))

    async def view(self, request: web.Request) -> web.StreamResponse:
        """Everything the page shows at once; the page polls it every second."""
        persona = self._persona(request.query.get("persona"))
        channels = self.channel_list(persona)
        body: JSON = {"clock": self.clock_payload(), "channels": channels, "names": self.names()}
        wanted = request.query.get("channel")
        if wanted and any(c["id"] == wanted for c in channels):
            body["messages"] = self.message_list(persona, int(wanted))
        return web.json_response(body)

    async def commands(self, request: web.Request) -> web.StreamResponse:
        out: list[JSON] = []
        message_commands: list[str] = []
        for cmd in self.state.commands:
            if cmd.get("type", 1) == 3:
                message_commands.append(cmd["name"])
                continue
            if cmd.get("type", 1) != 1:
                continue
            out.extend(_flatten(cmd["name"], cmd.get("description", ""), cmd.get("options") or []))
        out.sort(key=lambda c: c["name"])
        return web.json_response({"commands": out, "message_commands": sorted(message_commands)})

    async def clock(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.clock_payload())

    def clock_payload(self) -> JSON:
        now = self.sandbox.clock.now()
        local = self.sandbox.local_now()
        return {
            "utc": now.isoformat(),
            "local": local.strftime("%a %d %b %Y, %H:%M"),
            "zone": str(self.sandbox.zone),
        }

    def names(self) -> JSON:
        s = self.state
        users = {str(uid): (u.get("global_name") or u["username"]) for uid, u in s.users.items()}
        for uid, m in s.members.items():
            if m.get("nick"):
                users[str(uid)] = m["nick"]
        members = [
            {"id": str(uid), "name": users[str(uid)]}
            for uid in s.members
            if not s.users[uid].get("bot")
        ]
        return {
            "members": sorted(members, key=lambda m: m["name"].lower()),
            "users": users,
            "roles": {str(rid): r["name"] for rid, r in s.roles.items()},
            "channels": {str(cid): c.get("name") or "direct message" for cid, c in s.channels.items()},
        }

    def can_see(self, persona: int, channel_id: int) -> bool:
        s = self.state
        channel = s.channels.get(channel_id)
        if channel is None:
            return False
        if channel["type"] == DM:
            return s.dm_channels.get(persona) == channel_id
        perms = s.member_permissions(persona, channel_id)
        if not perms & VIEW_CHANNEL:
            return False
        if channel["type"] == PRIVATE_THREAD:
            return persona in s.thread_members.get(channel_id, set()) or bool(perms & MANAGE_THREADS)
        return True

    def channel_list(self, persona: int) -> list[JSON]:
        """Text channels in Discord's order (uncategorised first, then by category), each followed by its
        threads; the persona's DM with the bot last."""
        s = self.state
        guild_channels = [c for c in s.channels.values() if c.get("guild_id") and c["type"] not in THREAD_TYPES]
        categories = {int(c["id"]): c for c in guild_channels if c["type"] == GUILD_CATEGORY}

        def order(c: JSON) -> tuple[int, int, int]:
            parent = c.get("parent_id")
            category = categories.get(int(parent)) if parent else None
            cat_key = (int(category.get("position") or 0), int(category["id"])) if category else (-1, 0)
            return (*cat_key, int(c["id"]))

        out: list[JSON] = []
        for channel in sorted((c for c in guild_channels if c["type"] in (0, 5)), key=order):
            cid = int(channel["id"])
            if not self.can_see(persona, cid):
                continue
            parent = channel.get("parent_id")
            category = categories.get(int(parent)) if parent else None
            out.append({
                "id": str(cid), "name": channel["name"], "kind": "text",
                "category": category["name"] if category else None,
                "private": self._private(cid),
                "topic": channel.get("topic"),
            })
            for thread in sorted(s.threads.values(), key=lambda t: int(t["id"])):
                if int(thread.get("parent_id") or 0) == cid and self.can_see(persona, int(thread["id"])):
                    out.append({
                        "id": thread["id"], "name": thread["name"], "kind": "thread", "parent": str(cid),
                        "category": category["name"] if category else None,
                        "private": thread["type"] == PRIVATE_THREAD, "topic": None,
                    })
        dm = s.dm_channels.get(persona)
        if dm is not None:
            out.append({"id": str(dm), "name": "Hearth", "kind": "dm", "category": "Direct messages",
                        "private": True, "topic": "Your direct messages with the bot"})
        return out

    def _private(self, channel_id: int) -> bool:
        """Hidden from @everyone (a group channel, staff-alerts)."""
        s = self.state
        channel = s.channels[channel_id]
        for ow in channel.get("permission_overwrites") or []:
            if int(ow["id"]) == int(s.guild["id"]) and int(ow["deny"]) & VIEW_CHANNEL:
                return True
        return False

    def message_list(self, persona: int, channel_id: int) -> list[JSON]:
        s = self.state
        msgs = list(s.messages.get(channel_id, []))
        hidden = {str(i) for i in self.sandbox.hidden_interactions}
        for msg in s.ephemeral_messages:
            meta = msg.get("interaction_metadata") or {}
            if (
                int(msg["channel_id"]) == channel_id
                and int(msg["id"]) in s.all_messages
                and str((meta.get("user") or {}).get("id")) == str(persona)
                and str(meta.get("id")) not in hidden
            ):
                msgs.append(s.all_messages[int(msg["id"])])
        msgs.sort(key=lambda m: int(m["id"]))
        return [self._message(persona, m) for m in msgs[-200:]]

    def _message(self, persona: int, msg: JSON) -> JSON:
        s = self.state
        author = msg["author"]
        reactions = [
            {"emoji": emoji, "count": len(users), "me": persona in users}
            for emoji, users in (s.reactions.get(int(msg["id"])) or {}).items()
            if users
        ]
        meta = msg.get("interaction_metadata") or {}
        interaction = msg.get("interaction")
        return {
            "id": msg["id"],
            "channel_id": msg["channel_id"],
            "author": {
                "id": author["id"],
                "name": author.get("global_name") or author["username"],
                "bot": bool(author.get("bot")),
            },
            "content": msg.get("content") or "",
            "timestamp": msg.get("timestamp"),
            "edited": msg.get("edited_timestamp") is not None,
            "embeds": msg.get("embeds") or [],
            "attachments": msg.get("attachments") or [],
            "components": msg.get("components") or [],
            "reactions": reactions,
            "ephemeral": bool(int(msg.get("flags") or 0) & EPHEMERAL),
            "loading": bool(int(msg.get("flags") or 0) & LOADING),
            "command": (
                {"name": interaction.get("name"), "user": str(meta.get("user", {}).get("id", ""))}
                if interaction else None
            ),
        }

    # ------------------------------------------------------------------ acting

    async def send(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        persona = self._persona(body.get("persona"))
        channel_id = self._channel(persona, body.get("channel"))
        content = str(body.get("content") or "").strip()
        if not content:
            raise BadRequest("write something first")
        if len(content) > 2000:
            raise BadRequest("Discord messages are at most 2000 characters")
        emu = self.sandbox.emu
        if self.state.channels[channel_id]["type"] == DM:
            msg = await emu.send_dm(persona, content)
        else:
            msg = await emu.send_message(channel_id, persona, content)
        return web.json_response({"id": msg["id"]})

    async def command(self, request: web.Request) -> web.StreamResponse:
        """``{"persona", "channel", "command": "group pulse", "options": {"group": "..."}}``: form strings
        are typed from the synced command definition."""
        body = await _body(request)
        persona = self._persona(body.get("persona"))
        channel_id = self._channel(persona, body.get("channel"))
        name, subcommand, schema = self._command_schema(str(body.get("command") or ""))
        options = _typed_options(schema, body.get("options") or {})
        dm = self.state.channels[channel_id]["type"] == DM
        handle = await self.sandbox.emu.invoke_slash(
            name, user_id=persona, subcommand=subcommand or None, options=options,
            channel_id=None if dm else channel_id, dm=dm,
        )
        return web.json_response(await self._outcome(handle))

    async def autocomplete(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        persona = self._persona(body.get("persona"))
        channel_id = self._channel(persona, body.get("channel"))
        name, subcommand, schema = self._command_schema(str(body.get("command") or ""))
        focused = str(body.get("focused") or "")
        given = {k: v for k, v in (body.get("options") or {}).items() if k != focused}
        try:
            choices = await self.sandbox.emu.invoke_autocomplete(
                name, user_id=persona, focused=focused, value=str(body.get("value") or ""),
                options=_typed_options(schema, given), subcommand=subcommand or None, channel_id=channel_id,
                timeout=RESPONSE_WAIT,
            )
        except TimeoutError:
            choices = []  # suggestions are a convenience; the person can still type the value
        return web.json_response([{"name": c["name"], "value": c["value"]} for c in choices])

    async def click(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        persona = self._persona(body.get("persona"))
        msg = self._message_for(persona, body.get("message"))
        handle = await self.sandbox.emu.click_button(msg, str(body.get("custom_id") or ""), user_id=persona)
        return web.json_response(await self._outcome(handle))

    async def select(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        persona = self._persona(body.get("persona"))
        msg = self._message_for(persona, body.get("message"))
        values = [str(v) for v in body.get("values") or []]
        handle = await self.sandbox.emu.select(msg, str(body.get("custom_id") or ""), values, user_id=persona)
        return web.json_response(await self._outcome(handle))

    async def modal(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        persona = self._persona(body.get("persona"))
        values = {str(k): v for k, v in (body.get("values") or {}).items()}
        handle = await self.sandbox.emu.submit_modal(str(body.get("custom_id") or ""), values, user_id=persona)
        return web.json_response(await self._outcome(handle))

    async def message_command(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        persona = self._persona(body.get("persona"))
        msg = self._message_for(persona, body.get("message"))
        if self.state.channels[int(msg["channel_id"])]["type"] == DM:
            raise BadRequest("message commands work in server channels")
        handle = await self.sandbox.emu.invoke_message_command(str(body.get("name") or ""), user_id=persona,
                                                                message=msg)
        return web.json_response(await self._outcome(handle))

    async def react(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        persona = self._persona(body.get("persona"))
        msg = self._message_for(persona, body.get("message"))
        emoji = str(body.get("emoji") or "")
        if not emoji:
            raise BadRequest("which emoji?")
        await self.sandbox.emu.add_reaction(int(msg["channel_id"]), int(msg["id"]), persona, emoji)
        return web.json_response({"ok": True})

    async def advance_clock(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        await self.sandbox.advance(str(body.get("step") or ""))
        return web.json_response(self.clock_payload())

    async def _outcome(self, handle: InteractionHandle) -> JSON:
        """What the page needs to know: a modal to show, or that the bot answered (or is still busy)."""
        try:
            response = await handle.wait_response(RESPONSE_WAIT)
        except TimeoutError:
            return {"interaction": str(handle.id), "answered": False}
        out: JSON = {"interaction": str(handle.id), "answered": True}
        if handle.modal is not None:
            out["modal"] = handle.modal
        elif response.get("type") == 8:
            out["choices"] = handle.choices
        return out

    # ------------------------------------------------------------------ lookups

    def _persona(self, raw: object) -> int:
        demo = self.sandbox.demo
        try:
            uid = int(str(raw))
        except ValueError:
            raise BadRequest("choose a persona") from None
        if demo is None or all(p.user_id != uid for p in demo.personas):
            raise BadRequest(f"no persona {raw}", 404)
        return uid

    def _channel(self, persona: int, raw: object) -> int:
        try:
            cid = int(str(raw))
        except ValueError:
            raise BadRequest("choose a channel") from None
        if not self.can_see(persona, cid):
            raise BadRequest("this persona cannot see that channel", 403)
        return cid

    def _message_for(self, persona: int, raw: object) -> JSON:
        try:
            msg = self.state.all_messages.get(int(str(raw)))
        except ValueError:
            msg = None
        if msg is None:
            raise BadRequest("that message is gone", 404)
        if not self.can_see(persona, int(msg["channel_id"])):
            raise BadRequest("this persona cannot see that message", 403)
        if int(msg.get("flags") or 0) & EPHEMERAL:
            owner = str(((msg.get("interaction_metadata") or {}).get("user") or {}).get("id"))
            if owner != str(persona):
                raise BadRequest("only the person it was sent to can use that message", 403)
        return msg

    def _command_schema(self, text: str) -> tuple[str, str, list[JSON]]:
        parts = text.strip().lstrip("/").split()
        if not parts:
            raise BadRequest("which command?")
        cmd = self.state.find_command(parts[0], 1)
        if cmd is None:
            raise BadRequest(f"there is no /{parts[0]} command")
        schema: list[JSON] = list(cmd.get("options") or [])
        for part in parts[1:]:
            found = next((o for o in schema if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)),
                         None)
            if found is None:
                raise BadRequest(f"/{parts[0]} has no subcommand {part!r}")
            schema = list(found.get("options") or [])
        return parts[0], " ".join(parts[1:]), schema


def _flatten(path: str, description: str, options: list[JSON]) -> list[JSON]:
    subs = [o for o in options if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    if not subs:
        return [{"name": path, "description": description, "options": [_option_form(o) for o in options]}]
    out: list[JSON] = []
    for sub in subs:
        out.extend(_flatten(f"{path} {sub['name']}", sub.get("description", ""), sub.get("options") or []))
    return out


def _option_form(option: JSON) -> JSON:
    kind = {
        STRING: "string", INTEGER: "integer", BOOLEAN: "boolean", USER: "user", CHANNEL: "channel",
        ROLE: "role", MENTIONABLE: "user", NUMBER: "number", 11: "attachment",
    }.get(option["type"], "string")
    return {
        "name": option["name"],
        "description": option.get("description", ""),
        "type": kind,
        "required": bool(option.get("required")),
        "choices": [{"name": c["name"], "value": c["value"]} for c in option.get("choices") or []],
        "autocomplete": bool(option.get("autocomplete")),
    }


def _typed_options(schema: list[JSON], given: object) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise BadRequest("options must be an object")
    by_name = {o["name"]: o for o in schema}
    out: dict[str, Any] = {}
    for name, raw in given.items():
        option = by_name.get(name)
        if option is None:
            raise BadRequest(f"no option {name!r}")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        text = str(raw).strip()
        kind = option["type"]
        try:
            if kind == INTEGER:
                out[name] = int(text)
            elif kind == NUMBER:
                out[name] = float(text)
            elif kind == BOOLEAN:
                out[name] = raw is True or text.lower() in ("true", "yes", "1", "on")
            elif kind in (USER, CHANNEL, ROLE, MENTIONABLE):
                out[name] = int(text)
            else:
                out[name] = text
        except ValueError:
            raise BadRequest(f"{name}: expected {'a whole number' if kind == INTEGER else 'a number or id'}") from None
    return out


async def _body(request: web.Request) -> JSON:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise BadRequest("send a JSON body") from None
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object")
    return body
