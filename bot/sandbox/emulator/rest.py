"""REST API v10 route handlers.

Each handler receives a `Ctx` and returns a `Reply`; they mutate `emu.state` the way Discord would and
enqueue the gateway events Discord would send.  Routes are registered with the `@route` decorator; the
route key ("POST /channels/{channel_id}/messages") is what `CapturedRequest.route` holds.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .interactions import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    MODAL,
    PONG,
    UPDATE_MESSAGE,
    InteractionHandle,
)
from .snowflake import iso_now, new_snowflake
from .state import DM, EPHEMERAL, GUILD_CATEGORY, JSON, LOADING, PRIVATE_THREAD, THREAD_TYPES, normalise_overwrite

if TYPE_CHECKING:
    from .server import Emulator

NONCE_WINDOW_SECONDS = 300
MAX_CONTENT = 2000  # the spec allows 4000; Discord enforces 2000 for bots without Nitro-style limits


@dataclass
class Ctx:
    emu: Emulator
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[tuple[str, bytes, str]]

    def pint(self, name: str) -> int:
        return int(self.params[name])

    @property
    def body(self) -> JSON:
        return self.json if isinstance(self.json, dict) else {}


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """Raised by handlers to answer with a Discord error body."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def reply(self) -> Reply:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return Reply(self.status, body)


def form_error(field_name: str, code: str, message: str) -> ApiError:
    errors: JSON = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field_name.split(".")):
        errors = {part: errors}
    return ApiError(400, 50035, "Invalid Form Body", errors)


Handler = Callable[[Ctx], Awaitable[Reply]]
ROUTES: list[tuple[str, str, re.Pattern[str], Handler]] = []


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    regex = re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")

    def deco(fn: Handler) -> Handler:
        ROUTES.append((method, template, regex, fn))
        return fn

    return deco


def match_route(method: str, path: str) -> tuple[str, Handler, dict[str, str]] | None:
    # literal routes (e.g. /messages/@original, /users/@me) are registered before parametrised ones
    for m, template, regex, fn in ROUTES:
        if m != method:
            continue
        found = regex.match(path)
        if found:
            return f"{method} {template}", fn, found.groupdict()
    return None


def unauthenticated(path: str) -> bool:
    """Webhook-token and interaction-callback routes are authorised by the token in the URL, not a header."""
    return bool(re.match(r"^/(webhooks/\d+/[^/]+|interactions/\d+/[^/]+/callback)(/|$)", path))


# ====================================================================== helpers


def _channel(emu: Emulator, channel_id: int) -> JSON:
    ch = emu.state.channels.get(channel_id)
    if ch is None:
        raise ApiError(404, 10003, "Unknown Channel")
    return ch


def _message(emu: Emulator, channel_id: int, message_id: int) -> JSON:
    msg = emu.state.find_message(channel_id, message_id)
    if msg is None:
        raise ApiError(404, 10008, "Unknown Message")
    return msg


def _guild(ctx: Ctx) -> None:
    if ctx.pint("guild_id") != ctx.emu.state.guild_id:
        raise ApiError(404, 10004, "Unknown Guild")


def _member(emu: Emulator, user_id: int) -> JSON:
    m = emu.state.members.get(user_id)
    if m is None:
        raise ApiError(404, 10007, "Unknown Member")
    return m


def _role(emu: Emulator, role_id: int) -> JSON:
    r = emu.state.roles.get(role_id)
    if r is None:
        raise ApiError(404, 10011, "Unknown Role")
    return r


def _emoji(raw: str) -> str:
    return urllib.parse.unquote(raw)


def validate_message_body(body: JSON, *, has_files: bool, require_something: bool = True) -> None:
    content = body.get("content")
    if content is not None and len(content) > MAX_CONTENT:
        raise form_error("content", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        raise form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, e in enumerate(embeds):
        if e.get("title") and len(e["title"]) > 256:
            raise form_error(f"embeds.{i}.title", "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length.")
        if e.get("description") and len(e["description"]) > 4096:
            raise form_error(f"embeds.{i}.description", "BASE_TYPE_MAX_LENGTH", "Must be 4096 or fewer in length.")
        for j, f in enumerate(e.get("fields") or []):
            if len(f.get("name", "")) > 256 or len(f.get("value", "")) > 1024:
                raise form_error(f"embeds.{i}.fields.{j}", "BASE_TYPE_MAX_LENGTH", "Field too long.")
        total += len(e.get("title") or "") + len(e.get("description") or "")
        total += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in e.get("fields") or [])
    if total > 6000:
        raise form_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    if require_something and not (
        content or embeds or has_files or body.get("components") or body.get("sticker_ids") or body.get("poll")
    ):
        raise ApiError(400, 50006, "Cannot send an empty message")


def build_attachments(emu: Emulator, channel_id: int, body: JSON, files: list[tuple[str, bytes, str]]) -> list[JSON]:
    """Attachments for uploaded `files[n]`; `attachments[].id` in the payload refers to the n."""
    meta = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
    out = []
    for index, (filename, data, content_type) in enumerate(files):
        m = meta.get(str(index), {})
        out.append(
            emu.make_attachment(
                channel_id,
                m.get("filename") or filename,
                data,
                content_type=content_type,
                description=m.get("description"),
            )
        )
    return out


def message_fields(body: JSON) -> JSON:
    return {
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "flags": int(body.get("flags") or 0),
        "allowed_mentions": body.get("allowed_mentions"),
        "message_reference": body.get("message_reference"),
    }


def apply_edit(emu: Emulator, msg: JSON, body: JSON, files: list[tuple[str, bytes, str]]) -> None:
    """PATCH semantics for a message: only fields present are replaced."""
    state = emu.state
    if "content" in body:
        msg["content"] = body["content"] or ""
    if "embeds" in body:
        msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
    if "components" in body:
        msg["components"] = body["components"] or []
    if "flags" in body and body["flags"] is not None:
        # only SUPPRESS_EMBEDS (4) can be toggled; keep ephemeral and other server-side flags
        msg["flags"] = (int(msg.get("flags", 0)) & ~4) | (int(body["flags"]) & 4)
    if "attachments" in body or files:
        keep_ids = {str(a.get("id")) for a in body.get("attachments") or []} if "attachments" in body else None
        kept = [a for a in msg["attachments"] if keep_ids is None or a["id"] in keep_ids]
        msg["attachments"] = kept + build_attachments(emu, int(msg["channel_id"]), body, files)
    if "content" in body or "allowed_mentions" in body:
        mentions, roles, everyone = state.compute_mentions(msg["content"], body.get("allowed_mentions"), None)
        msg["mentions"], msg["mention_roles"], msg["mention_everyone"] = mentions, roles, everyone
    msg["flags"] = int(msg.get("flags", 0)) & ~LOADING
    msg["edited_timestamp"] = iso_now()


def create_message(
    emu: Emulator,
    channel_id: int,
    body: JSON,
    files: list[tuple[str, bytes, str]],
    *,
    webhook_id: int | None = None,
    extra: JSON | None = None,
    force_flags: int = 0,
) -> JSON:
    """Create a bot-authored message (channel message, interaction response or follow-up)."""
    state = emu.state
    channel = _channel(emu, channel_id)
    if channel["type"] == DM:
        recipient = state.dm_recipient(channel_id)
        if recipient in emu.closed_dms:
            raise ApiError(403, 50007, "Cannot send messages to this user")
    if channel["type"] == GUILD_CATEGORY:
        raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
    if channel.get("thread_metadata", {}).get("archived") and webhook_id is None:
        raise ApiError(400, 50083, "Thread is archived")
    validate_message_body(body, has_files=bool(files))

    nonce = body.get("nonce")
    if nonce is not None and body.get("enforce_nonce"):
        key = (channel_id, str(nonce))
        seen = state.nonces.get(key)
        if seen is not None and time.monotonic() - seen[1] < NONCE_WINDOW_SECONDS:
            existing = state.all_messages.get(seen[0])
            if existing is not None:
                return existing

    fields = message_fields(body)
    flags = (fields["flags"] & (EPHEMERAL | 4 | 4096 | 32768)) | force_flags
    msg = state.build_message(
        channel_id,
        emu.bot_author(),
        content=fields["content"],
        embeds=fields["embeds"],
        components=fields["components"],
        attachments=build_attachments(emu, channel_id, body, files),
        flags=flags,
        nonce=nonce,
        allowed_mentions=fields["allowed_mentions"],
        message_reference=fields["message_reference"],
        webhook_id=webhook_id,
        extra=extra,
    )
    state.store_message(msg)
    if nonce is not None and body.get("enforce_nonce"):
        state.nonces[(channel_id, str(nonce))] = (int(msg["id"]), time.monotonic())
    if not flags & EPHEMERAL:
        emu.gateway.dispatch_nowait("MESSAGE_CREATE", msg)
    emu.notify()
    return msg


def channel_payload(emu: Emulator, body: JSON, *, channel_id: int | None = None) -> JSON:
    """A new guild channel from a create body (or the seeding helper)."""
    state = emu.state
    ch_type = int(body.get("type") or 0)
    cid = channel_id or new_snowflake()
    parent_id = body.get("parent_id")
    ch: JSON = {
        "id": str(cid),
        "type": ch_type,
        "guild_id": str(state.guild_id),
        "name": body["name"],
        "position": body.get("position")
        if body.get("position") is not None
        else sum(1 for c in state.channels.values() if c.get("guild_id")),
        "permission_overwrites": [normalise_overwrite(o) for o in body.get("permission_overwrites") or []],
        "parent_id": str(parent_id) if parent_id is not None else None,
        "flags": 0,
        "nsfw": bool(body.get("nsfw", False)),
    }
    if ch_type != GUILD_CATEGORY:
        ch.update(
            {
                "topic": body.get("topic"),
                "last_message_id": None,
                "rate_limit_per_user": int(body.get("rate_limit_per_user") or 0),
            }
        )
    if ch_type == 2:
        ch.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
    return ch


# ====================================================================== users / gateway / application


@route("GET", "/users/@me")
async def get_me(ctx: Ctx) -> Reply:
    return Reply(json=ctx.emu.state.bot_user)


@route("GET", "/oauth2/applications/@me")
@route("GET", "/applications/@me")
async def get_application(ctx: Ctx) -> Reply:
    return Reply(json=ctx.emu.state.application)


@route("GET", "/gateway/bot")
async def get_gateway_bot(ctx: Ctx) -> Reply:
    return Reply(
        json={
            "url": ctx.emu.gateway_url,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1},
        }
    )


@route("GET", "/gateway")
async def get_gateway(ctx: Ctx) -> Reply:
    return Reply(json={"url": ctx.emu.gateway_url})


@route("POST", "/users/@me/channels")
async def create_dm(ctx: Ctx) -> Reply:
    user_id = int(ctx.body["recipient_id"])
    if user_id not in ctx.emu.state.users:
        raise ApiError(400, 50033, "Invalid Recipient(s)")
    return Reply(json=ctx.emu.ensure_dm_channel(user_id))


@route("GET", "/users/{user_id}")
async def get_user(ctx: Ctx) -> Reply:
    user = ctx.emu.state.users.get(ctx.pint("user_id"))
    if user is None:
        raise ApiError(404, 10013, "Unknown User")
    return Reply(json=user)


# ====================================================================== application commands


def _commands_list(ctx: Ctx) -> list[JSON]:
    if "guild_id" in ctx.params:
        _guild(ctx)
        return ctx.emu.state.guild_commands.setdefault(ctx.pint("guild_id"), [])
    return ctx.emu.state.global_commands


def _check_app(ctx: Ctx) -> None:
    if ctx.pint("application_id") != ctx.emu.application_id:
        raise ApiError(403, 50001, "Missing Access")


@route("PUT", "/applications/{application_id}/commands")
@route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
async def bulk_overwrite_commands(ctx: Ctx) -> Reply:
    _check_app(ctx)
    existing = {(c.get("type", 1), c["name"]): c for c in _commands_list(ctx)}
    guild_id = ctx.params.get("guild_id")
    out = []
    if not isinstance(ctx.json, list):
        raise form_error("_root", "BASE_TYPE_REQUIRED", "Expected an array of commands.")
    if len(ctx.json) > 100:
        raise form_error("_root", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    seen: set[tuple[int, str]] = set()
    for i, body in enumerate(ctx.json):
        key = (int(body.get("type", 1)), body["name"])
        if key in seen:
            raise form_error(
                f"{i}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique"
            )
        seen.add(key)
        if key[0] == 1 and not re.fullmatch(r"[-_\w]{1,32}", body["name"]):
            raise form_error(f"{i}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        old = existing.get(key)
        cmd: JSON = {
            "id": old["id"] if old else str(new_snowflake()),
            "application_id": str(ctx.emu.application_id),
            "version": str(new_snowflake()),
            "default_member_permissions": body.get("default_member_permissions"),
            "type": key[0],
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description", ""),
            "description_localizations": body.get("description_localizations"),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "nsfw": bool(body.get("nsfw", False)),
        }
        if body.get("options"):
            cmd["options"] = body["options"]
        if guild_id is not None:
            cmd["guild_id"] = guild_id
        out.append(cmd)
    target = _commands_list(ctx)
    target[:] = out
    ctx.emu.notify()
    return Reply(json=out)


@route("GET", "/applications/{application_id}/commands")
@route("GET", "/applications/{application_id}/guilds/{guild_id}/commands")
async def get_commands(ctx: Ctx) -> Reply:
    _check_app(ctx)
    return Reply(json=list(_commands_list(ctx)))


@route("GET", "/applications/{application_id}/guilds/{guild_id}/commands/permissions")
async def get_command_permissions(ctx: Ctx) -> Reply:
    return Reply(json=[])


# ====================================================================== interactions


def _handle(ctx: Ctx, id_param: str) -> InteractionHandle:
    handle = ctx.emu.interactions_by_token.get(ctx.params["token"])
    if handle is None or (id_param == "interaction_id" and handle.id != ctx.pint("interaction_id")):
        raise ApiError(404, 10062, "Unknown interaction")
    if id_param == "application_id" and ctx.pint("application_id") != ctx.emu.application_id:
        raise ApiError(404, 10015, "Unknown Webhook")
    return handle


def _interaction_channel_id(handle: InteractionHandle) -> int:
    return int(handle.payload["channel_id"])


@route("POST", "/interactions/{interaction_id}/{token}/callback")
async def interaction_callback(ctx: Ctx) -> Reply:
    emu = ctx.emu
    handle = _handle(ctx, "interaction_id")
    if handle.response is not None:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    body = ctx.body
    cb_type = int(body.get("type", 0))
    data: JSON = body.get("data") or {}
    itype = handle.type
    allowed = {
        2: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
        3: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
        4: {AUTOCOMPLETE_RESULT},
        5: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
    }.get(itype, {PONG})
    if cb_type not in allowed:
        raise ApiError(400, 40043, f"Interaction callback type {cb_type} is not valid for interaction type {itype}")
    if handle.payload.get("_expired"):
        raise ApiError(404, 10062, "Unknown interaction")
    channel_id = _interaction_channel_id(handle)
    resource: JSON = {"type": cb_type}
    message: JSON | None = None
    if cb_type == CHANNEL_MESSAGE:
        message = create_message(
            emu,
            channel_id,
            data,
            ctx.files,
            webhook_id=emu.application_id,
            extra=emu.interaction_metadata(handle),
        )
        handle.original_message_id = int(message["id"])
    elif cb_type == DEFERRED_CHANNEL_MESSAGE:
        flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
        message = emu.state.build_message(
            channel_id,
            emu.bot_author(),
            flags=flags,
            webhook_id=emu.application_id,
            extra=emu.interaction_metadata(handle),
        )
        emu.state.store_message(message)
        if not flags & EPHEMERAL:
            emu.gateway.dispatch_nowait("MESSAGE_CREATE", message)
        handle.original_message_id = int(message["id"])
    elif cb_type in (DEFERRED_UPDATE, UPDATE_MESSAGE):
        target = handle.payload.get("message")
        if target is None:
            raise ApiError(400, 40043, "Interaction has no message to update")
        handle.original_message_id = int(target["id"])
        if cb_type == UPDATE_MESSAGE:
            stored = emu.state.all_messages.get(int(target["id"]))
            if stored is None:
                raise ApiError(404, 10008, "Unknown Message")
            validate_message_body(data, has_files=bool(ctx.files), require_something=False)
            apply_edit(emu, stored, data, ctx.files)
            message = stored
            if not int(stored.get("flags", 0)) & EPHEMERAL:
                emu.gateway.dispatch_nowait("MESSAGE_UPDATE", stored)
    elif cb_type == MODAL and (not data.get("custom_id") or not data.get("title")):
        raise form_error("data", "BASE_TYPE_REQUIRED", "Modal needs custom_id and title")
    handle.response = {"type": cb_type, "data": data}
    handle.attachments.extend((f[0], f[1]) for f in ctx.files)
    if message is not None:
        resource["message"] = message
    interaction_info: JSON = {"id": str(handle.id), "type": itype}
    if message is not None and cb_type in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
        interaction_info.update(
            {
                "response_message_id": message["id"],
                "response_message_loading": cb_type == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(int(message.get("flags", 0)) & EPHEMERAL),
            }
        )
    emu.notify()
    if ctx.query.get("with_response", "").lower() in ("1", "true"):
        return Reply(json={"interaction": interaction_info, "resource": resource})
    return Reply(status=204)


@route("GET", "/webhooks/{application_id}/{token}/messages/@original")
async def get_original(ctx: Ctx) -> Reply:
    handle = _handle(ctx, "application_id")
    msg = handle.original_message
    if msg is None:
        raise ApiError(404, 10008, "Unknown Message")
    return Reply(json=msg)


@route("PATCH", "/webhooks/{application_id}/{token}/messages/@original")
async def edit_original(ctx: Ctx) -> Reply:
    handle = _handle(ctx, "application_id")
    msg = handle.original_message
    if msg is None:
        raise ApiError(404, 10008, "Unknown Message")
    return Reply(json=_edit_webhook_message(ctx, handle, msg))


@route("DELETE", "/webhooks/{application_id}/{token}/messages/@original")
async def delete_original(ctx: Ctx) -> Reply:
    handle = _handle(ctx, "application_id")
    msg = handle.original_message
    if msg is None:
        raise ApiError(404, 10008, "Unknown Message")
    _delete_message(ctx.emu, msg)
    handle.deleted_original = True
    return Reply(status=204)


def _edit_webhook_message(ctx: Ctx, handle: InteractionHandle, msg: JSON) -> JSON:
    validate_message_body(ctx.body, has_files=bool(ctx.files), require_something=False)
    apply_edit(ctx.emu, msg, ctx.body, ctx.files)
    handle.attachments.extend((f[0], f[1]) for f in ctx.files)
    if not int(msg.get("flags", 0)) & EPHEMERAL:
        ctx.emu.gateway.dispatch_nowait("MESSAGE_UPDATE", msg)
    ctx.emu.notify()
    return msg


def _delete_message(emu: Emulator, msg: JSON) -> None:
    channel_id = int(msg["channel_id"])
    emu.state.remove_message(channel_id, int(msg["id"]))
    emu.state.all_messages.pop(int(msg["id"]), None)
    if not int(msg.get("flags", 0)) & EPHEMERAL:
        event: JSON = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if "guild_id" in msg:
            event["guild_id"] = msg["guild_id"]
        emu.gateway.dispatch_nowait("MESSAGE_DELETE", event)
    emu.notify()


@route("POST", "/webhooks/{application_id}/{token}")
async def create_followup(ctx: Ctx) -> Reply:
    emu = ctx.emu
    handle = _handle(ctx, "application_id")
    if handle.response is None:
        raise ApiError(404, 10015, "Unknown Webhook")
    original = handle.original_message
    # After a "thinking" defer, Discord turns the first follow-up into the deferred message itself.
    if (
        original is not None
        and handle.response.get("type") == DEFERRED_CHANNEL_MESSAGE
        and int(original.get("flags", 0)) & LOADING
    ):
        validate_message_body(ctx.body, has_files=bool(ctx.files))
        msg = _edit_webhook_message(ctx, handle, original)
    else:
        msg = create_message(
            emu,
            _interaction_channel_id(handle),
            ctx.body,
            ctx.files,
            webhook_id=emu.application_id,
            extra=emu.interaction_metadata(handle),
        )
        handle.attachments.extend((f[0], f[1]) for f in ctx.files)
    handle.followups.append(msg)
    emu.notify()
    if ctx.query.get("wait", "").lower() in ("1", "true"):
        return Reply(json=msg)
    return Reply(status=204)


def _followup(ctx: Ctx, handle: InteractionHandle) -> JSON:
    mid = ctx.pint("message_id")
    for msg in handle.all_messages():
        if int(msg["id"]) == mid:
            return msg
    raise ApiError(404, 10008, "Unknown Message")


@route("GET", "/webhooks/{application_id}/{token}/messages/{message_id}")
async def get_followup(ctx: Ctx) -> Reply:
    return Reply(json=_followup(ctx, _handle(ctx, "application_id")))


@route("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}")
async def edit_followup(ctx: Ctx) -> Reply:
    handle = _handle(ctx, "application_id")
    return Reply(json=_edit_webhook_message(ctx, handle, _followup(ctx, handle)))


@route("DELETE", "/webhooks/{application_id}/{token}/messages/{message_id}")
async def delete_followup(ctx: Ctx) -> Reply:
    handle = _handle(ctx, "application_id")
    msg = _followup(ctx, handle)
    _delete_message(ctx.emu, msg)
    if handle.original_message_id == int(msg["id"]):
        handle.deleted_original = True
    return Reply(status=204)


# ====================================================================== channel messages


@route("POST", "/channels/{channel_id}/messages")
async def post_message(ctx: Ctx) -> Reply:
    body = ctx.body
    if int(body.get("flags") or 0) & EPHEMERAL:
        raise form_error("flags", "MESSAGE_FLAGS_INVALID", "Ephemeral flag is only valid for interaction responses")
    return Reply(json=create_message(ctx.emu, ctx.pint("channel_id"), body, ctx.files))


@route("GET", "/channels/{channel_id}/messages")
async def list_messages(ctx: Ctx) -> Reply:
    _channel(ctx.emu, ctx.pint("channel_id"))
    msgs = list(ctx.emu.state.messages.get(ctx.pint("channel_id"), []))
    limit = max(1, min(100, int(ctx.query.get("limit", 50))))
    if "before" in ctx.query:
        before = int(ctx.query["before"])
        out = [m for m in msgs if int(m["id"]) < before][-limit:]
        out.reverse()
    elif "after" in ctx.query:
        after = int(ctx.query["after"])
        out = [m for m in msgs if int(m["id"]) > after][:limit]
        out.reverse()
    elif "around" in ctx.query:
        around = int(ctx.query["around"])
        older = [m for m in msgs if int(m["id"]) <= around][-(limit // 2 + 1) :]
        newer = [m for m in msgs if int(m["id"]) > around][: limit - len(older)]
        out = list(reversed(older + newer))
    else:
        out = list(reversed(msgs[-limit:]))
    return Reply(json=out)  # newest first, like Discord


@route("GET", "/channels/{channel_id}/messages/pins")
async def list_pins_new(ctx: Ctx) -> Reply:
    cid = ctx.pint("channel_id")
    _channel(ctx.emu, cid)
    items = []
    for mid in ctx.emu.state.pins.get(cid, []):
        msg = ctx.emu.state.find_message(cid, mid)
        if msg is not None:
            items.append({"pinned_at": msg.get("_pinned_at", iso_now()), "message": _public(msg)})
    return Reply(json={"items": items, "has_more": False})


@route("GET", "/channels/{channel_id}/pins")
async def list_pins_old(ctx: Ctx) -> Reply:
    cid = ctx.pint("channel_id")
    _channel(ctx.emu, cid)
    msgs = [ctx.emu.state.find_message(cid, mid) for mid in ctx.emu.state.pins.get(cid, [])]
    return Reply(json=[_public(m) for m in msgs if m is not None])


def _public(msg: JSON) -> JSON:
    return {k: v for k, v in msg.items() if not k.startswith("_")}


@route("PUT", "/channels/{channel_id}/messages/pins/{message_id}")
@route("PUT", "/channels/{channel_id}/pins/{message_id}")
async def pin(ctx: Ctx) -> Reply:
    emu, cid, mid = ctx.emu, ctx.pint("channel_id"), ctx.pint("message_id")
    msg = _message(emu, cid, mid)
    pins = emu.state.pins.setdefault(cid, [])
    if mid not in pins:
        if len(pins) >= 250:
            raise ApiError(400, 30003, "Maximum number of pins reached (250)")
        pins.insert(0, mid)
        msg["pinned"] = True
        msg["_pinned_at"] = iso_now()
        _pins_changed(emu, cid, msg)
    return Reply(status=204)


@route("DELETE", "/channels/{channel_id}/messages/pins/{message_id}")
@route("DELETE", "/channels/{channel_id}/pins/{message_id}")
async def unpin(ctx: Ctx) -> Reply:
    emu, cid, mid = ctx.emu, ctx.pint("channel_id"), ctx.pint("message_id")
    msg = _message(emu, cid, mid)
    pins = emu.state.pins.setdefault(cid, [])
    if mid in pins:
        pins.remove(mid)
        msg["pinned"] = False
        msg.pop("_pinned_at", None)
        _pins_changed(emu, cid, msg)
    return Reply(status=204)


def _pins_changed(emu: Emulator, cid: int, msg: JSON) -> None:
    event: JSON = {"channel_id": str(cid), "last_pin_timestamp": iso_now()}
    if "guild_id" in msg:
        event["guild_id"] = msg["guild_id"]
    emu.gateway.dispatch_nowait("MESSAGE_UPDATE", _public(msg))
    emu.gateway.dispatch_nowait("CHANNEL_PINS_UPDATE", event)
    emu.notify()


@route("GET", "/channels/{channel_id}/messages/{message_id}")
async def get_message(ctx: Ctx) -> Reply:
    return Reply(json=_public(_message(ctx.emu, ctx.pint("channel_id"), ctx.pint("message_id"))))


@route("PATCH", "/channels/{channel_id}/messages/{message_id}")
async def edit_message(ctx: Ctx) -> Reply:
    emu = ctx.emu
    msg = _message(emu, ctx.pint("channel_id"), ctx.pint("message_id"))
    if int(msg["author"]["id"]) != emu.bot_user_id and set(ctx.body) - {"flags"}:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    validate_message_body(ctx.body, has_files=bool(ctx.files), require_something=False)
    apply_edit(emu, msg, ctx.body, ctx.files)
    emu.gateway.dispatch_nowait("MESSAGE_UPDATE", _public(msg))
    emu.notify()
    return Reply(json=_public(msg))


@route("DELETE", "/channels/{channel_id}/messages/{message_id}")
async def delete_message(ctx: Ctx) -> Reply:
    msg = _message(ctx.emu, ctx.pint("channel_id"), ctx.pint("message_id"))
    _delete_message(ctx.emu, msg)
    return Reply(status=204)


@route("POST", "/channels/{channel_id}/messages/bulk-delete")
async def bulk_delete(ctx: Ctx) -> Reply:
    cid = ctx.pint("channel_id")
    for mid in ctx.body.get("messages", []):
        msg = ctx.emu.state.find_message(cid, int(mid))
        if msg is not None:
            _delete_message(ctx.emu, msg)
    return Reply(status=204)


@route("POST", "/channels/{channel_id}/typing")
async def typing(ctx: Ctx) -> Reply:
    _channel(ctx.emu, ctx.pint("channel_id"))
    return Reply(status=204)


# ---------------------------------------------------------------------- reactions


@route("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def add_reaction(ctx: Ctx) -> Reply:
    emu = ctx.emu
    msg = _message(emu, ctx.pint("channel_id"), ctx.pint("message_id"))
    emoji = _emoji(ctx.params["emoji"])
    users = emu.state.reactions.setdefault(int(msg["id"]), {}).setdefault(emoji, [])
    if emu.bot_user_id not in users:
        users.append(emu.bot_user_id)
        _sync_reaction_counts(emu, msg)
        emu.gateway.dispatch_nowait("MESSAGE_REACTION_ADD", _reaction_event(emu, msg, emoji, emu.bot_user_id))
        emu.notify()
    return Reply(status=204)


@route("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def remove_own_reaction(ctx: Ctx) -> Reply:
    return await _remove_reaction(ctx, ctx.emu.bot_user_id)


@route("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}")
async def remove_user_reaction(ctx: Ctx) -> Reply:
    return await _remove_reaction(ctx, ctx.pint("user_id"))


async def _remove_reaction(ctx: Ctx, user_id: int) -> Reply:
    emu = ctx.emu
    msg = _message(emu, ctx.pint("channel_id"), ctx.pint("message_id"))
    emoji = _emoji(ctx.params["emoji"])
    users = emu.state.reactions.get(int(msg["id"]), {}).get(emoji, [])
    if user_id in users:
        users.remove(user_id)
        _sync_reaction_counts(emu, msg)
        emu.gateway.dispatch_nowait("MESSAGE_REACTION_REMOVE", _reaction_event(emu, msg, emoji, user_id))
        emu.notify()
    return Reply(status=204)


@route("GET", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}")
async def list_reactors(ctx: Ctx) -> Reply:
    msg = _message(ctx.emu, ctx.pint("channel_id"), ctx.pint("message_id"))
    users = ctx.emu.state.reactions.get(int(msg["id"]), {}).get(_emoji(ctx.params["emoji"]), [])
    return Reply(json=[ctx.emu.state.users[u] for u in users if u in ctx.emu.state.users])


def _emoji_payload(emoji: str) -> JSON:
    if ":" in emoji:
        name, _, eid = emoji.partition(":")
        return {"id": eid, "name": name}
    return {"id": None, "name": emoji}


def _reaction_event(emu: Emulator, msg: JSON, emoji: str, user_id: int) -> JSON:
    event: JSON = {
        "user_id": str(user_id),
        "channel_id": msg["channel_id"],
        "message_id": msg["id"],
        "emoji": _emoji_payload(emoji),
        "burst": False,
        "type": 0,
    }
    if "guild_id" in msg:
        event["guild_id"] = msg["guild_id"]
        if user_id in emu.state.members:
            event["member"] = emu.state.full_member(user_id)
    return event


def _sync_reaction_counts(emu: Emulator, msg: JSON) -> None:
    reactions = []
    for emoji, users in emu.state.reactions.get(int(msg["id"]), {}).items():
        if users:
            reactions.append(
                {
                    "emoji": _emoji_payload(emoji),
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "me": emu.bot_user_id in users,
                    "me_burst": False,
                    "burst_colors": [],
                }
            )
    msg["reactions"] = reactions


# ====================================================================== channels


@route("GET", "/channels/{channel_id}")
async def get_channel(ctx: Ctx) -> Reply:
    return Reply(json=_channel(ctx.emu, ctx.pint("channel_id")))


@route("PATCH", "/channels/{channel_id}")
async def edit_channel(ctx: Ctx) -> Reply:
    emu = ctx.emu
    ch = _channel(emu, ctx.pint("channel_id"))
    body = ctx.body
    if "name" in body and not (1 <= len(body["name"] or "") <= 100):
        raise form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if "rate_limit_per_user" in body and not (0 <= int(body["rate_limit_per_user"] or 0) <= 21600):
        raise form_error("rate_limit_per_user", "NUMBER_TYPE_MAX", "Must be between 0 and 21600.")
    if "topic" in body and body["topic"] and len(body["topic"]) > 1024:
        raise form_error("topic", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.")
    for key in ("name", "topic", "nsfw", "position", "bitrate", "user_limit"):
        if key in body:
            ch[key] = body[key]
    if "rate_limit_per_user" in body:
        ch["rate_limit_per_user"] = int(body["rate_limit_per_user"] or 0)
    if "parent_id" in body:
        ch["parent_id"] = str(body["parent_id"]) if body["parent_id"] is not None else None
    if "permission_overwrites" in body:
        ch["permission_overwrites"] = [normalise_overwrite(o) for o in body["permission_overwrites"] or []]
    if ch["type"] in THREAD_TYPES:
        meta = ch.setdefault("thread_metadata", {})
        for key in ("archived", "locked", "invitable", "auto_archive_duration"):
            if key in body:
                meta[key] = body[key]
        if "archived" in body:
            meta["archive_timestamp"] = iso_now()
        emu.gateway.dispatch_nowait("THREAD_UPDATE", ch)
    else:
        emu.gateway.dispatch_nowait("CHANNEL_UPDATE", ch)
    emu.notify()
    return Reply(json=ch)


@route("DELETE", "/channels/{channel_id}")
async def delete_channel(ctx: Ctx) -> Reply:
    emu = ctx.emu
    cid = ctx.pint("channel_id")
    ch = _channel(emu, cid)
    if ch["type"] == DM:
        return Reply(json=ch)  # "closing" a DM keeps the channel
    del emu.state.channels[cid]
    emu.state.messages.pop(cid, None)
    if cid in emu.state.threads:
        del emu.state.threads[cid]
        emu.gateway.dispatch_nowait("THREAD_DELETE", {k: ch[k] for k in ("id", "guild_id", "parent_id", "type")})
    else:
        emu.gateway.dispatch_nowait("CHANNEL_DELETE", ch)
    emu.notify()
    return Reply(json=ch)


@route("PUT", "/channels/{channel_id}/permissions/{overwrite_id}")
async def put_overwrite(ctx: Ctx) -> Reply:
    emu = ctx.emu
    ch = _channel(emu, ctx.pint("channel_id"))
    ow = normalise_overwrite({**ctx.body, "id": ctx.params["overwrite_id"]})
    ows = [o for o in ch.get("permission_overwrites", []) if o["id"] != ow["id"]]
    ows.append(ow)
    ch["permission_overwrites"] = ows
    emu.gateway.dispatch_nowait("CHANNEL_UPDATE", ch)
    emu.notify()
    return Reply(status=204)


@route("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}")
async def delete_overwrite(ctx: Ctx) -> Reply:
    emu = ctx.emu
    ch = _channel(emu, ctx.pint("channel_id"))
    ch["permission_overwrites"] = [
        o for o in ch.get("permission_overwrites", []) if o["id"] != ctx.params["overwrite_id"]
    ]
    emu.gateway.dispatch_nowait("CHANNEL_UPDATE", ch)
    emu.notify()
    return Reply(status=204)


# ---------------------------------------------------------------------- threads


def _thread_payload(emu: Emulator, parent: JSON, body: JSON, thread_id: int) -> JSON:
    ttype = int(body.get("type") or (11 if parent["type"] != 5 else 10))
    return {
        "id": str(thread_id),
        "type": ttype,
        "guild_id": parent["guild_id"],
        "parent_id": parent["id"],
        "owner_id": str(emu.bot_user_id),
        "name": body["name"],
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "rate_limit_per_user": int(body.get("rate_limit_per_user") or 0),
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": int(body.get("auto_archive_duration") or 4320),
            "archive_timestamp": iso_now(),
            "locked": False,
            "invitable": bool(body.get("invitable", True)) if ttype == PRIVATE_THREAD else None,
            "create_timestamp": iso_now(),
        },
        "member": {
            "id": str(thread_id),
            "user_id": str(emu.bot_user_id),
            "join_timestamp": iso_now(),
            "flags": 0,
        },
    }


def _create_thread(ctx: Ctx, thread_id: int) -> Reply:
    emu = ctx.emu
    parent = _channel(emu, ctx.pint("channel_id"))
    if parent["type"] not in (0, 5, 15):
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    if not (1 <= len(ctx.body.get("name") or "") <= 100):
        raise form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    thread = _thread_payload(emu, parent, ctx.body, thread_id)
    emu.state.channels[thread_id] = thread
    emu.state.threads[thread_id] = thread
    emu.state.thread_members[thread_id] = {emu.bot_user_id}
    emu.gateway.dispatch_nowait("THREAD_CREATE", {**thread, "newly_created": True})
    emu.notify()
    return Reply(status=201, json=thread)


@route("POST", "/channels/{channel_id}/threads")
async def create_thread(ctx: Ctx) -> Reply:
    return _create_thread(ctx, new_snowflake())


@route("POST", "/channels/{channel_id}/messages/{message_id}/threads")
async def create_thread_from_message(ctx: Ctx) -> Reply:
    msg = _message(ctx.emu, ctx.pint("channel_id"), ctx.pint("message_id"))
    ctx.body.setdefault("type", 11)
    reply = _create_thread(ctx, int(msg["id"]))  # such threads share the starter message id
    msg["thread"] = reply.json
    return reply


def _thread_members_update(emu: Emulator, thread: JSON, added: list[int], removed: list[int]) -> None:
    members = emu.state.thread_members.setdefault(int(thread["id"]), set())
    members.update(added)
    members.difference_update(removed)
    thread["member_count"] = len(members)
    emu.gateway.dispatch_nowait(
        "THREAD_MEMBERS_UPDATE",
        {
            "id": thread["id"],
            "guild_id": thread["guild_id"],
            "member_count": len(members),
            "added_members": [
                {"id": thread["id"], "user_id": str(u), "join_timestamp": iso_now(), "flags": 0} for u in added
            ],
            "removed_member_ids": [str(u) for u in removed],
        },
    )
    emu.notify()


def _thread(ctx: Ctx) -> JSON:
    ch = _channel(ctx.emu, ctx.pint("channel_id"))
    if ch["type"] not in THREAD_TYPES:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    return ch


@route("PUT", "/channels/{channel_id}/thread-members/@me")
async def join_thread(ctx: Ctx) -> Reply:
    _thread_members_update(ctx.emu, _thread(ctx), [ctx.emu.bot_user_id], [])
    return Reply(status=204)


@route("PUT", "/channels/{channel_id}/thread-members/{user_id}")
async def add_thread_member(ctx: Ctx) -> Reply:
    thread = _thread(ctx)
    _member(ctx.emu, ctx.pint("user_id"))
    _thread_members_update(ctx.emu, thread, [ctx.pint("user_id")], [])
    return Reply(status=204)


@route("DELETE", "/channels/{channel_id}/thread-members/@me")
async def leave_thread(ctx: Ctx) -> Reply:
    _thread_members_update(ctx.emu, _thread(ctx), [], [ctx.emu.bot_user_id])
    return Reply(status=204)


@route("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
async def remove_thread_member(ctx: Ctx) -> Reply:
    _thread_members_update(ctx.emu, _thread(ctx), [], [ctx.pint("user_id")])
    return Reply(status=204)


@route("GET", "/channels/{channel_id}/thread-members")
async def list_thread_members(ctx: Ctx) -> Reply:
    thread = _thread(ctx)
    members = ctx.emu.state.thread_members.get(int(thread["id"]), set())
    return Reply(
        json=[{"id": thread["id"], "user_id": str(u), "join_timestamp": iso_now(), "flags": 0} for u in members]
    )


@route("GET", "/guilds/{guild_id}/threads/active")
async def active_threads(ctx: Ctx) -> Reply:
    _guild(ctx)
    threads = [t for t in ctx.emu.state.threads.values() if not t["thread_metadata"]["archived"]]
    return Reply(json={"threads": threads, "members": []})


# ====================================================================== guild


@route("GET", "/guilds/{guild_id}")
async def get_guild(ctx: Ctx) -> Reply:
    _guild(ctx)
    payload = ctx.emu.state.rest_guild_payload()
    if ctx.query.get("with_counts") in ("true", "1"):
        payload.update(approximate_member_count=len(ctx.emu.state.members), approximate_presence_count=0)
    return Reply(json=payload)


@route("GET", "/guilds/{guild_id}/channels")
async def get_guild_channels(ctx: Ctx) -> Reply:
    _guild(ctx)
    chans = [c for c in ctx.emu.state.channels.values() if c.get("guild_id") and c["type"] not in THREAD_TYPES]
    return Reply(json=chans)


@route("POST", "/guilds/{guild_id}/channels")
async def create_guild_channel(ctx: Ctx) -> Reply:
    _guild(ctx)
    emu = ctx.emu
    body = ctx.body
    if not (1 <= len(body.get("name") or "") <= 100):
        raise form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if body.get("parent_id") is not None:
        parent = emu.state.channels.get(int(body["parent_id"]))
        if parent is None or parent["type"] != GUILD_CATEGORY:
            raise form_error("parent_id", "CHANNEL_PARENT_INVALID", "Not a category")
    if int(body.get("type") or 0) == 0 and not re.fullmatch(r"[^\s]+", body["name"]):
        body = {**body, "name": re.sub(r"\s+", "-", body["name"].strip().lower())}  # Discord slugifies text names
    ch = channel_payload(emu, body)
    emu.state.channels[int(ch["id"])] = ch
    emu.gateway.dispatch_nowait("CHANNEL_CREATE", ch)
    emu.notify()
    return Reply(status=201, json=ch)


@route("PATCH", "/guilds/{guild_id}/channels")
async def reorder_channels(ctx: Ctx) -> Reply:
    _guild(ctx)
    for item in ctx.json or []:
        ch = _channel(ctx.emu, int(item["id"]))
        if "position" in item and item["position"] is not None:
            ch["position"] = item["position"]
        if "parent_id" in item:
            ch["parent_id"] = str(item["parent_id"]) if item["parent_id"] is not None else None
        ctx.emu.gateway.dispatch_nowait("CHANNEL_UPDATE", ch)
    ctx.emu.notify()
    return Reply(status=204)


# ---------------------------------------------------------------------- roles


@route("GET", "/guilds/{guild_id}/roles")
async def get_roles(ctx: Ctx) -> Reply:
    _guild(ctx)
    return Reply(json=list(ctx.emu.state.roles.values()))


@route("GET", "/guilds/{guild_id}/roles/{role_id}")
async def get_role(ctx: Ctx) -> Reply:
    _guild(ctx)
    return Reply(json=_role(ctx.emu, ctx.pint("role_id")))


@route("POST", "/guilds/{guild_id}/roles")
async def create_role(ctx: Ctx) -> Reply:
    _guild(ctx)
    body = ctx.body
    role = ctx.emu.make_role(
        body.get("name") or "new role",
        permissions=int(body.get("permissions") or 0),
        color=int(body.get("color") or 0),
        hoist=bool(body.get("hoist", False)),
        mentionable=bool(body.get("mentionable", False)),
    )
    ctx.emu.gateway.dispatch_nowait("GUILD_ROLE_CREATE", {"guild_id": str(ctx.emu.guild_id), "role": role})
    ctx.emu.notify()
    return Reply(json=role)


@route("PATCH", "/guilds/{guild_id}/roles/{role_id}")
async def edit_role(ctx: Ctx) -> Reply:
    _guild(ctx)
    role = _role(ctx.emu, ctx.pint("role_id"))
    for key in ("name", "hoist", "mentionable", "icon", "unicode_emoji"):
        if key in ctx.body:
            role[key] = ctx.body[key]
    if "color" in ctx.body:
        role["color"] = int(ctx.body["color"] or 0)
        role["colors"] = {"primary_color": role["color"], "secondary_color": None, "tertiary_color": None}
    if "permissions" in ctx.body:
        role["permissions"] = str(int(ctx.body["permissions"] or 0))
    ctx.emu.gateway.dispatch_nowait("GUILD_ROLE_UPDATE", {"guild_id": str(ctx.emu.guild_id), "role": role})
    ctx.emu.notify()
    return Reply(json=role)


@route("DELETE", "/guilds/{guild_id}/roles/{role_id}")
async def delete_role(ctx: Ctx) -> Reply:
    _guild(ctx)
    emu = ctx.emu
    rid = ctx.pint("role_id")
    _role(emu, rid)
    if rid == emu.guild_id:
        raise ApiError(400, 50028, "Invalid Role")
    del emu.state.roles[rid]
    for member in emu.state.members.values():
        if str(rid) in member["roles"]:
            member["roles"].remove(str(rid))
    emu.gateway.dispatch_nowait("GUILD_ROLE_DELETE", {"guild_id": str(emu.guild_id), "role_id": str(rid)})
    emu.notify()
    return Reply(status=204)


# ---------------------------------------------------------------------- members


def _member_update_event(emu: Emulator, user_id: int) -> None:
    member = emu.state.full_member(user_id)
    assert member is not None
    emu.gateway.dispatch_nowait("GUILD_MEMBER_UPDATE", {**member, "guild_id": str(emu.guild_id)})
    emu.notify()


@route("GET", "/guilds/{guild_id}/members")
async def list_members(ctx: Ctx) -> Reply:
    _guild(ctx)
    limit = max(1, min(1000, int(ctx.query.get("limit", 1))))
    after = int(ctx.query.get("after", 0))
    ids = sorted(u for u in ctx.emu.state.members if u > after)[:limit]
    return Reply(json=[ctx.emu.state.full_member(u) for u in ids])


@route("GET", "/guilds/{guild_id}/members/{user_id}")
async def get_member(ctx: Ctx) -> Reply:
    _guild(ctx)
    _member(ctx.emu, ctx.pint("user_id"))
    return Reply(json=ctx.emu.state.full_member(ctx.pint("user_id")))


@route("PATCH", "/guilds/{guild_id}/members/{user_id}")
async def edit_member(ctx: Ctx) -> Reply:
    _guild(ctx)
    emu = ctx.emu
    uid = ctx.pint("user_id")
    member = _member(emu, uid)
    body = ctx.body
    if "roles" in body:
        for r in body["roles"] or []:
            _role(emu, int(r))
        member["roles"] = [str(int(r)) for r in body["roles"] or [] if int(r) != emu.guild_id]
    if "nick" in body:
        member["nick"] = body["nick"]
    if "communication_disabled_until" in body:
        until = body["communication_disabled_until"]
        if until is not None:
            parsed = dt.datetime.fromisoformat(until)
            if parsed - dt.datetime.now(dt.UTC) > dt.timedelta(days=28):
                raise form_error(
                    "communication_disabled_until", "BASE_TYPE_BAD_DATETIME", "Timeout is at most 28 days."
                )
        member["communication_disabled_until"] = until
    for key in ("mute", "deaf"):
        if key in body:
            member[key] = bool(body[key])
    _member_update_event(emu, uid)
    return Reply(json=emu.state.full_member(uid))


@route("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def add_member_role(ctx: Ctx) -> Reply:
    _guild(ctx)
    emu = ctx.emu
    member = _member(emu, ctx.pint("user_id"))
    _role(emu, ctx.pint("role_id"))
    if ctx.params["role_id"] not in member["roles"]:
        member["roles"].append(str(ctx.pint("role_id")))
        _member_update_event(emu, ctx.pint("user_id"))
    return Reply(status=204)


@route("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def remove_member_role(ctx: Ctx) -> Reply:
    _guild(ctx)
    emu = ctx.emu
    member = _member(emu, ctx.pint("user_id"))
    _role(emu, ctx.pint("role_id"))
    if str(ctx.pint("role_id")) in member["roles"]:
        member["roles"].remove(str(ctx.pint("role_id")))
        _member_update_event(emu, ctx.pint("user_id"))
    return Reply(status=204)
