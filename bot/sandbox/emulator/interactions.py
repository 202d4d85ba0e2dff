"""Interactions a person triggers (slash commands, components, modals) and what the bot answered.

`build_command_options` turns test-friendly `{"name": value}` dicts into the nested option payload Discord
sends, typed from the *synced* command definition (so an INTEGER option arrives as an int, a USER option is
resolved into `resolved.users/members`, etc.).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .snowflake import new_snowflake
from .state import EPHEMERAL, JSON, LOADING

if TYPE_CHECKING:
    from .server import Emulator

# Application command option types
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(
    1, 12
)

# Interaction callback types
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 1, 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9


class CommandInvocationError(ValueError):
    """The test asked for an invocation the Discord client would not allow (unknown option, bad choice...)."""


@dataclass
class InteractionHandle:
    """What happened to one interaction: the callback, follow-ups, and the @original message."""

    emu: Emulator
    id: int
    token: str
    payload: JSON
    response: JSON | None = None  # {"type": ..., "data": ...} as POSTed to /callback
    followups: list[JSON] = field(default_factory=list)
    original_message_id: int | None = None
    # Files uploaded in the callback, follow-ups and edits, in order.
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    deleted_original: bool = False

    @property
    def type(self) -> int:
        return int(self.payload["type"])

    @property
    def original_message(self) -> JSON | None:
        """Current state of @original (after edits), or None if there is none / it was deleted."""
        if self.original_message_id is None or self.deleted_original:
            return None
        return self.emu.state.all_messages.get(self.original_message_id)

    @property
    def modal(self) -> JSON | None:
        if self.response is not None and self.response.get("type") == MODAL:
            data: JSON = self.response.get("data") or {}
            return data
        return None

    @property
    def deferred(self) -> bool:
        return self.response is not None and self.response.get("type") in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE)

    @property
    def ephemeral(self) -> bool:
        if self.response is None:
            return False
        data = self.response.get("data") or {}
        if int(data.get("flags") or 0) & EPHEMERAL:
            return True
        msg = self.original_message
        return bool(msg is not None and int(msg.get("flags", 0)) & EPHEMERAL)

    @property
    def choices(self) -> list[JSON] | None:
        if self.response is not None and self.response.get("type") == AUTOCOMPLETE_RESULT:
            return list((self.response.get("data") or {}).get("choices") or [])
        return None

    async def wait_response(self, timeout: float = 5) -> JSON:  # noqa: ASYNC109
        """The callback payload ({type, data}); raises TimeoutError naming the interaction if none came."""
        try:
            await self.emu._wait_until(lambda: self.response is not None, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"bot did not answer interaction {self.id} ({self.describe()}) within {timeout}s"
            ) from None
        assert self.response is not None
        return self.response

    async def wait_followup(self, n: int = 1, timeout: float = 5) -> JSON:  # noqa: ASYNC109
        """The n-th (1-based) follow-up message."""
        try:
            await self.emu._wait_until(lambda: len(self.followups) >= n, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"bot sent {len(self.followups)} follow-up(s) to {self.describe()}, expected {n} within {timeout}s"
            ) from None
        return self.followups[n - 1]

    async def wait_original(self, predicate: Callable[[JSON], bool] | None = None, timeout: float = 5) -> JSON:  # noqa: ASYNC109
        """Wait until @original exists (and is no longer 'thinking'), optionally matching predicate."""

        def ready() -> bool:
            msg = self.original_message
            if msg is None or int(msg.get("flags", 0)) & LOADING:
                return False
            return predicate is None or predicate(msg)

        await self.emu._wait_until(ready, timeout)
        msg = self.original_message
        assert msg is not None
        return msg

    def describe(self) -> str:
        data = self.payload.get("data") or {}
        return str(data.get("name") or data.get("custom_id") or f"type {self.type}")

    def all_messages(self) -> list[JSON]:
        """@original (if any) followed by follow-ups."""
        out = [self.original_message] if self.original_message else []
        return out + [m for m in self.followups if m is not self.original_message]


def split_subcommand(subcommand: str | list[str] | None) -> list[str]:
    if subcommand is None:
        return []
    if isinstance(subcommand, str):
        return subcommand.split()
    return list(subcommand)


def build_command_options(
    emu: Emulator,
    command: JSON,
    *,
    options: Mapping[str, Any] | list[JSON] | None,
    subcommand: str | list[str] | None,
    resolved: JSON,
    focused: str | None = None,
) -> list[JSON]:
    """Nested options payload for a CHAT_INPUT command, validated against the synced definition."""
    path = split_subcommand(subcommand)
    schema: list[JSON] = list(command.get("options") or [])
    containers: list[JSON] = []
    for part in path:
        found = next((o for o in schema if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None)
        if found is None:
            names = [o["name"] for o in schema if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
            raise CommandInvocationError(f"/{command['name']}: no subcommand {part!r}; synced ones are {names}")
        containers.append({"type": found["type"], "name": found["name"]})
        schema = list(found.get("options") or [])
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in schema):
        names = [o["name"] for o in schema]
        raise CommandInvocationError(f"/{command['name']}: a subcommand is required, one of {names}")

    if isinstance(options, list):
        leaf = options  # raw option dicts, passed through untouched
    else:
        leaf = []
        given = dict(options or {})
        for name in given:
            if not any(o["name"] == name for o in schema):
                raise CommandInvocationError(
                    f"/{command['name']}: unknown option {name!r}; synced options are {[o['name'] for o in schema]}"
                )
        for opt in schema:
            name = opt["name"]
            if name not in given:
                if opt.get("required") and focused is None:
                    raise CommandInvocationError(f"/{command['name']}: required option {name!r} missing")
                continue
            leaf.append(_option_value(emu, command["name"], opt, given[name], resolved, focused == name))

    result = leaf
    for container in reversed(containers):
        result = [{**container, "options": result}]
    return result


def _option_value(emu: Emulator, cmd: str, opt: JSON, value: Any, resolved: JSON, is_focused: bool) -> JSON:
    otype = opt["type"]
    name = opt["name"]
    out: JSON = {"name": name, "type": otype}
    if is_focused:
        # Autocomplete sends what the person typed so far, as a string (even for numbers).
        out["value"] = str(value)
        out["focused"] = True
        return out
    state = emu.state
    if otype == STRING:
        value = str(value)
        if "min_length" in opt and len(value) < opt["min_length"]:
            raise CommandInvocationError(f"/{cmd} {name}: shorter than min_length {opt['min_length']}")
        if "max_length" in opt and len(value) > opt["max_length"]:
            raise CommandInvocationError(f"/{cmd} {name}: longer than max_length {opt['max_length']}")
    elif otype == INTEGER:
        if isinstance(value, bool) or int(value) != value:
            raise CommandInvocationError(f"/{cmd} {name}: integer expected, got {value!r}")
        value = int(value)
    elif otype == NUMBER:
        value = float(value)
    elif otype == BOOLEAN:
        if not isinstance(value, bool):
            raise CommandInvocationError(f"/{cmd} {name}: boolean expected, got {value!r}")
    elif otype in (USER, MENTIONABLE) and int(value) in state.users:
        uid = int(value)
        resolved.setdefault("users", {})[str(uid)] = state.users[uid]
        if uid in state.members:
            member = dict(state.members[uid])
            member["permissions"] = str(state.member_permissions(uid))
            resolved.setdefault("members", {})[str(uid)] = member
        value = str(uid)
    elif otype in (ROLE, MENTIONABLE) and int(value) in state.roles:
        resolved.setdefault("roles", {})[str(int(value))] = state.roles[int(value)]
        value = str(int(value))
    elif otype == CHANNEL:
        cid = int(value)
        ch = state.channels.get(cid)
        if ch is None:
            raise CommandInvocationError(f"/{cmd} {name}: unknown channel {cid}")
        if opt.get("channel_types") and ch["type"] not in opt["channel_types"]:
            raise CommandInvocationError(f"/{cmd} {name}: channel type {ch['type']} not in {opt['channel_types']}")
        resolved.setdefault("channels", {})[str(cid)] = {
            k: ch[k]
            for k in ("id", "name", "type", "parent_id", "guild_id", "thread_metadata", "flags", "last_message_id")
            if k in ch
        } | {"permissions": str(ALL_CHANNEL_PERMS)}
        value = str(cid)
    elif otype in (USER, ROLE, MENTIONABLE):
        raise CommandInvocationError(f"/{cmd} {name}: unknown user/role id {value!r}")
    elif otype == ATTACHMENT:
        filename, data = value if isinstance(value, tuple) else (value["filename"], value["data"])
        att = emu.make_attachment(0, filename, data)
        resolved.setdefault("attachments", {})[att["id"]] = att
        value = att["id"]
    if opt.get("choices") and otype in (STRING, INTEGER, NUMBER):
        allowed = [c["value"] for c in opt["choices"]]
        if value not in allowed:
            raise CommandInvocationError(f"/{cmd} {name}: {value!r} is not one of the choices {allowed}")
    if otype in (INTEGER, NUMBER):
        if "min_value" in opt and value < opt["min_value"]:
            raise CommandInvocationError(f"/{cmd} {name}: {value} below min_value {opt['min_value']}")
        if "max_value" in opt and value > opt["max_value"]:
            raise CommandInvocationError(f"/{cmd} {name}: {value} above max_value {opt['max_value']}")
    out["value"] = value
    return out


ALL_CHANNEL_PERMS = (1 << 51) - 1


def modal_submit_components(modal: JSON | None, values: Mapping[str, Any]) -> list[JSON]:
    """Mirror the modal the bot sent (action rows or type 18 labels) with the person's values filled in."""
    if modal is None:
        return [
            {"type": 1, "components": [{"type": 4, "custom_id": cid, "value": v, "id": i + 1}]}
            for i, (cid, v) in enumerate(values.items())
        ]
    remaining = dict(values)

    def fill(comp: JSON) -> JSON | None:
        ctype = comp.get("type")
        if ctype == 1:
            children = [c for c in (fill(x) for x in comp.get("components", [])) if c is not None]
            return {"type": 1, "id": comp.get("id", 0), "components": children}
        if ctype == 18:
            inner = fill(comp["component"])
            return None if inner is None else {"type": 18, "id": comp.get("id", 0), "component": inner}
        if ctype == 10:
            return {"type": 10, "id": comp.get("id", 0)}
        cid = comp.get("custom_id")
        if cid is None:
            return None
        val = remaining.pop(cid, None)
        out: JSON = {"type": ctype, "id": comp.get("id", 0), "custom_id": cid}
        if ctype == 4:
            out["value"] = "" if val is None else str(val)
        elif ctype == 21:  # radio group: one value
            out["value"] = val
        elif ctype == 23:  # checkbox: a boolean
            out["value"] = bool(val)
        else:
            out["values"] = [] if val is None else ([val] if isinstance(val, str) else list(val))
        return out

    comps = [c for c in (fill(x) for x in modal.get("components", [])) if c is not None]
    if remaining:
        raise CommandInvocationError(f"modal {modal.get('custom_id')!r} has no inputs {sorted(remaining)}")
    return comps


def new_interaction_ids() -> tuple[int, str]:
    iid = new_snowflake()
    return iid, f"itok-{iid}-{asyncio.get_running_loop().time():.0f}"
