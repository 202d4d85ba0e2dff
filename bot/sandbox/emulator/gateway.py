"""Gateway v10 over a plain-text JSON websocket (discord.py accepts TEXT frames, so no zlib is needed).

One `GatewaySession` per IDENTIFY.  Dispatches go to the newest session; every dispatch is kept in the
session's log so that a RESUME (after op 7 RECONNECT or a dropped socket) replays what was missed.
Sending is done by one writer task per connection fed by a queue, so `dispatch_nowait` can be called from
synchronous code (seeding helpers, REST handlers) while preserving event order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .server import Emulator

_log = logging.getLogger("bot.sandbox.emulator.gateway")

HEARTBEAT_INTERVAL_MS = 41250

# op codes
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

# intents
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

_GUILD_EVENTS = {
    "GUILD_CREATE": GUILDS,
    "GUILD_UPDATE": GUILDS,
    "GUILD_DELETE": GUILDS,
    "GUILD_ROLE_CREATE": GUILDS,
    "GUILD_ROLE_UPDATE": GUILDS,
    "GUILD_ROLE_DELETE": GUILDS,
    "CHANNEL_CREATE": GUILDS,
    "CHANNEL_UPDATE": GUILDS,
    "CHANNEL_DELETE": GUILDS,
    "THREAD_CREATE": GUILDS,
    "THREAD_UPDATE": GUILDS,
    "THREAD_DELETE": GUILDS,
    "THREAD_LIST_SYNC": GUILDS,
    "THREAD_MEMBER_UPDATE": GUILDS,
    "THREAD_MEMBERS_UPDATE": GUILD_MEMBERS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": GUILD_MEMBERS,
    "PRESENCE_UPDATE": GUILD_PRESENCES,
}
_MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"}
_REACTION_EVENTS = {
    "MESSAGE_REACTION_ADD",
    "MESSAGE_REACTION_REMOVE",
    "MESSAGE_REACTION_REMOVE_ALL",
    "MESSAGE_REACTION_REMOVE_EMOJI",
}


@dataclass
class GatewaySession:
    session_id: str
    intents: int
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)  # every frame with a sequence number
    conn: GatewayConnection | None = None


class GatewayConnection:
    """One websocket; owns a writer task that sends queued frames in order."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.writer = asyncio.get_running_loop().create_task(self._write_loop())
        self.session: GatewaySession | None = None

    async def _write_loop(self) -> None:
        while True:
            frame = await self.queue.get()
            try:
                if frame is None:
                    return
                if not self.ws.closed:
                    # ConnectionResetError can happen if the client closed first; frames then live only in the log.
                    with contextlib.suppress(ConnectionError, RuntimeError):
                        await self.ws.send_str(json.dumps(frame))
            finally:
                self.queue.task_done()

    def send(self, frame: dict[str, Any]) -> None:
        self.queue.put_nowait(frame)

    async def flush(self) -> None:
        await self.queue.join()

    async def shutdown(self) -> None:
        self.queue.put_nowait(None)
        with contextlib.suppress(asyncio.CancelledError):
            await self.writer


class Gateway:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None
        self.connections: list[GatewayConnection] = []
        self.identify_count = 0
        self.resume_count = 0
        self.privileged_intents_enabled = PRIVILEGED_INTENTS
        self._state_changed = asyncio.Event()
        self.frames_received: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ dispatching

    def _allowed(self, session: GatewaySession, event: str, data: dict[str, Any]) -> bool:
        intents = session.intents
        if event in _GUILD_EVENTS:
            return bool(intents & _GUILD_EVENTS[event])
        in_guild = "guild_id" in data
        if event in _MESSAGE_EVENTS:
            return bool(intents & (GUILD_MESSAGES if in_guild else DIRECT_MESSAGES))
        if event in _REACTION_EVENTS:
            return bool(intents & (GUILD_MESSAGE_REACTIONS if in_guild else DIRECT_MESSAGE_REACTIONS))
        if event == "CHANNEL_PINS_UPDATE":
            return bool(intents & (GUILDS if in_guild else DIRECT_MESSAGES))
        return True

    def _redact_content(self, session: GatewaySession, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Without MESSAGE_CONTENT, Discord blanks content except in DMs, mentions of the bot, and own messages."""
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or session.intents & MESSAGE_CONTENT:
            return data
        bot_id = str(self.emu.bot_user_id)
        if "guild_id" not in data or data.get("author", {}).get("id") == bot_id:
            return data
        if any(m.get("id") == bot_id for m in data.get("mentions", [])):
            return data
        redacted = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        redacted.pop("poll", None)
        return redacted

    def dispatch_nowait(self, event: str, data: dict[str, Any]) -> None:
        session = self.current
        if session is None or not self._allowed(session, event, data):
            return
        data = self._redact_content(session, event, data)
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.log.append(frame)
        if session.conn is not None:
            session.conn.send(frame)

    async def flush(self) -> None:
        session = self.current
        if session is not None and session.conn is not None:
            await session.conn.flush()

    def _notify(self) -> None:
        self._state_changed.set()
        self._state_changed = asyncio.Event()

    async def wait_for(self, predicate: Any, timeout: float) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._state_changed.wait()

    # ------------------------------------------------------------------ websocket

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws)
        self.connections.append(conn)
        conn.send({"op": HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    payload = json.loads(msg.data)
                except json.JSONDecodeError:
                    self.emu.record_problem(f"gateway: client sent invalid JSON: {msg.data[:200]!r}")
                    await ws.close(code=4002)
                    break
                self.frames_received.append(payload)
                await self._on_frame(conn, payload)
        except Exception as exc:  # never let the handler die silently; tests fail on it instead
            self.emu.record_problem(f"gateway handler exception: {exc!r}")
            _log.exception("gateway handler failed")
        finally:
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            await conn.shutdown()
            self.connections.remove(conn)
            self._notify()
        return ws

    async def _on_frame(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        d = payload.get("d")
        if op == HEARTBEAT:
            conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, d or {})
        elif op == RESUME:
            await self._resume(conn, d or {})
        elif op == REQUEST_MEMBERS:
            self._request_members(conn, d or {})
        elif op in (PRESENCE, VOICE_STATE):
            pass  # accepted and ignored
        else:
            self.emu.record_problem(f"gateway: unknown op {op!r}")
            await conn.ws.close(code=4001)

    async def _identify(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        if d.get("token") != self.emu.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents_enabled:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identify_count += 1
        session = GatewaySession(session_id=secrets.token_hex(16), intents=intents, conn=conn)
        self.sessions[session.session_id] = session
        self.current = session
        conn.session = session
        state = self.emu.state
        self.dispatch_nowait(
            "READY",
            {
                "v": 10,
                "user": state.bot_user,
                "user_settings": {},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": ["us-east"],
                "guilds": [{"id": str(state.guild_id), "unavailable": True}],
                "session_id": session.session_id,
                "session_type": "normal",
                "resume_gateway_url": self.emu.gateway_url,
                "shard": d.get("shard", [0, 1]),
                "application": {"id": state.application["id"], "flags": state.application["flags"]},
                "auth": {},
                "_trace": ['["emulator"]'],
            },
        )
        if intents & GUILDS:
            self.dispatch_nowait("GUILD_CREATE", state.guild_create_payload())
        self._notify()

    async def _resume(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        session = self.sessions.get(str(d.get("session_id")))
        if d.get("token") != self.emu.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or session is not self.current:
            conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        seq = d.get("seq") or 0
        old = session.conn
        session.conn = conn
        conn.session = session
        if old is not None and old is not conn and not old.ws.closed:
            await old.ws.close(code=4000)
        for frame in session.log:
            if frame["s"] > seq:
                conn.send(frame)
        self.resume_count += 1
        self.dispatch_nowait("RESUMED", {"_trace": ['["emulator"]']})
        self._notify()

    def _request_members(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        state = self.emu.state
        session = conn.session
        if session is None:
            return
        query = (d.get("query") or "").lower()
        limit = d.get("limit") or 0
        user_ids = {int(u) for u in (d.get("user_ids") or [])}
        members = []
        for uid in state.members:
            user = state.users[uid]
            if user_ids and uid not in user_ids:
                continue
            if query and not user["username"].lower().startswith(query):
                continue
            members.append(state.full_member(uid))
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(state.guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in user_ids if u not in state.members],
        }
        if d.get("presences"):
            chunk["presences"] = []
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        # Chunks are dispatches of the requesting session.
        if session is self.current:
            self.dispatch_nowait("GUILD_MEMBERS_CHUNK", chunk)

    # ------------------------------------------------------------------ control

    async def send_reconnect(self, *, wait: bool, timeout: float) -> None:  # noqa: ASYNC109
        session = self.current
        if session is None or session.conn is None:
            raise RuntimeError("no connected gateway client to RECONNECT")
        before = self.resume_count
        session.conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})
        await session.conn.flush()
        if wait:
            await self.wait_for(lambda: self.resume_count > before and session.conn is not None, timeout)
            await self.flush()

    async def close_all(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001)
