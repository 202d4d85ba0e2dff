"""The emulated Discord world: one guild, its roles/channels/members, messages, commands.

Everything is stored as raw Discord JSON payloads (snowflakes as strings, like the real API) so that
tests can assert on exactly what Discord would hold.  Helpers here build payloads; they never do I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .snowflake import iso_now, new_snowflake

JSON = dict[str, Any]

# Permission bits used when computing member / app permissions.
ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = (1 << 51) - 1
DEFAULT_EVERYONE_PERMISSIONS = 0x0000_0006_3FE4_0E41 & ~ADMINISTRATOR  # roughly Discord's @everyone defaults

# Channel types
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = {10, PUBLIC_THREAD, PRIVATE_THREAD}

EPHEMERAL = 1 << 6
LOADING = 1 << 7

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def user_payload(user_id: int, name: str, *, bot: bool = False) -> JSON:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": None if bot else name,
        "avatar": None,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "primary_guild": None,
        "collectibles": None,
    }


@dataclass
class EmulatorState:
    """Mutable Discord state.  Keys are ints; payload values use string snowflakes like Discord."""

    guild: JSON
    bot_user: JSON
    application: JSON
    roles: dict[int, JSON] = field(default_factory=dict)
    channels: dict[int, JSON] = field(default_factory=dict)
    members: dict[int, JSON] = field(default_factory=dict)
    users: dict[int, JSON] = field(default_factory=dict)
    # channel id -> messages in creation order (non-ephemeral only); deleted messages are removed.
    messages: dict[int, list[JSON]] = field(default_factory=dict)
    # every message ever created by anyone incl. ephemeral interaction responses, by id (for lookups).
    all_messages: dict[int, JSON] = field(default_factory=dict)
    ephemeral_messages: list[JSON] = field(default_factory=list)
    dm_channels: dict[int, int] = field(default_factory=dict)  # user id -> DM channel id
    global_commands: list[JSON] = field(default_factory=list)
    guild_commands: dict[int, list[JSON]] = field(default_factory=dict)
    pins: dict[int, list[int]] = field(default_factory=dict)  # channel id -> pinned message ids (newest first)
    # message id -> emoji (as sent in the route, e.g. "%E2%9C%85" decoded to "✅" or "name:id") -> user ids
    reactions: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    threads: dict[int, JSON] = field(default_factory=dict)  # thread id -> channel payload (also in channels)
    thread_members: dict[int, set[int]] = field(default_factory=dict)
    # (channel id, nonce) -> (message id, monotonic time) for enforce_nonce de-duplication
    nonces: dict[tuple[int, str], tuple[int, float]] = field(default_factory=dict)

    @property
    def guild_id(self) -> int:
        return int(self.guild["id"])

    @property
    def bot_user_id(self) -> int:
        return int(self.bot_user["id"])

    @property
    def commands(self) -> list[JSON]:
        """All synced application commands, guild ones first then global ones."""
        out: list[JSON] = []
        for cmds in self.guild_commands.values():
            out.extend(cmds)
        out.extend(self.global_commands)
        return out

    # ----------------------------------------------------------------- lookup helpers

    def get_user(self, user_id: int) -> JSON | None:
        return self.users.get(user_id)

    def channel_guild_id(self, channel_id: int) -> int | None:
        ch = self.channels.get(channel_id)
        if ch is None or "guild_id" not in ch:
            return None
        return int(ch["guild_id"])

    def dm_recipient(self, channel_id: int) -> int | None:
        for uid, cid in self.dm_channels.items():
            if cid == channel_id:
                return uid
        return None

    def find_command(self, name: str, type_: int = 1) -> JSON | None:
        for cmd in self.commands:
            if cmd["name"] == name and cmd.get("type", 1) == type_:
                return cmd
        return None

    # ----------------------------------------------------------------- payload builders

    def full_member(self, user_id: int) -> JSON | None:
        """Member payload including `user` (as in GUILD_CREATE / GET member)."""
        m = self.members.get(user_id)
        if m is None:
            return None
        return {**m, "user": self.users[user_id]}

    def member_permissions(self, user_id: int, channel_id: int | None = None) -> int:
        """Discord's permission algorithm: base role permissions then channel overwrites."""
        if int(self.guild["owner_id"]) == user_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        everyone = self.roles.get(self.guild_id)
        perms = int(everyone["permissions"]) if everyone else 0
        role_ids = [int(r) for r in member["roles"]] if member else []
        for rid in role_ids:
            role = self.roles.get(rid)
            if role:
                perms |= int(role["permissions"])
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel_id is None or channel_id not in self.channels:
            return perms
        channel = self.channels[channel_id]
        if channel.get("type") in THREAD_TYPES and channel.get("parent_id"):
            channel = self.channels.get(int(channel["parent_id"]), channel)
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
        ow = overwrites.get(self.guild_id)
        if ow:
            perms = (perms & ~int(ow["deny"])) | int(ow["allow"])
        allow = deny = 0
        for rid in role_ids:
            ow = overwrites.get(rid)
            if ow and ow["type"] == 0:
                allow |= int(ow["allow"])
                deny |= int(ow["deny"])
        perms = (perms & ~deny) | allow
        ow = overwrites.get(user_id)
        if ow and ow["type"] == 1:
            perms = (perms & ~int(ow["deny"])) | int(ow["allow"])
        return perms

    def guild_create_payload(self) -> JSON:
        """The full GUILD_CREATE payload Discord sends after READY."""
        channels = [c for c in self.channels.values() if c.get("guild_id") and c["type"] not in THREAD_TYPES]
        threads = [c for c in self.threads.values() if not c.get("thread_metadata", {}).get("archived")]
        members = [self.full_member(uid) for uid in self.members]
        return {
            **self.guild,
            "roles": list(self.roles.values()),
            "channels": [_strip_guild_id(c) for c in channels],
            "threads": threads,
            "members": members,
            "member_count": len(self.members),
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": self.members[self.bot_user_id]["joined_at"],
        }

    def rest_guild_payload(self) -> JSON:
        return {**self.guild, "roles": list(self.roles.values())}

    # ----------------------------------------------------------------- messages

    def compute_mentions(
        self,
        content: str,
        allowed_mentions: JSON | None,
        replied_author: int | None,
    ) -> tuple[list[JSON], list[str], bool]:
        """(mentions, mention_roles, mention_everyone) honouring allowed_mentions like Discord does."""
        if allowed_mentions is None:
            parse = {"users", "roles", "everyone"}
            allowed_users: set[int] = set()
            allowed_roles: set[int] = set()
            replied_user = True
        else:
            parse = set(allowed_mentions.get("parse") or [])
            allowed_users = {int(u) for u in allowed_mentions.get("users") or []}
            allowed_roles = {int(r) for r in allowed_mentions.get("roles") or []}
            replied_user = bool(allowed_mentions.get("replied_user", False))
        user_ids: list[int] = []
        for match in _USER_MENTION.finditer(content):
            uid = int(match.group(1))
            if ("users" in parse or uid in allowed_users) and uid in self.users and uid not in user_ids:
                user_ids.append(uid)
        if replied_author is not None and replied_user and replied_author not in user_ids:
            user_ids.append(replied_author)
        role_ids: list[str] = []
        for match in _ROLE_MENTION.finditer(content):
            rid = int(match.group(1))
            if ("roles" in parse or rid in allowed_roles) and rid in self.roles and str(rid) not in role_ids:
                role_ids.append(str(rid))
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        mentions = []
        for uid in user_ids:
            u = dict(self.users[uid])
            if uid in self.members:
                u["member"] = {k: v for k, v in self.members[uid].items() if k != "user"}
            mentions.append(u)
        return mentions, role_ids, everyone

    def build_message(
        self,
        channel_id: int,
        author: JSON,
        *,
        content: str = "",
        embeds: list[JSON] | None = None,
        components: list[JSON] | None = None,
        attachments: list[JSON] | None = None,
        flags: int = 0,
        nonce: str | int | None = None,
        allowed_mentions: JSON | None = None,
        message_reference: JSON | None = None,
        webhook_id: int | None = None,
        msg_type: int = 0,
        extra: JSON | None = None,
    ) -> JSON:
        """A complete message payload as Discord returns it."""
        msg_id = new_snowflake()
        guild_id = self.channel_guild_id(channel_id)
        referenced: JSON | None = None
        replied_author: int | None = None
        if message_reference and message_reference.get("message_id") is not None:
            referenced = self.all_messages.get(int(message_reference["message_id"]))
            if referenced is not None:
                replied_author = int(referenced["author"]["id"])
                if msg_type == 0:
                    msg_type = 19
        mentions, mention_roles, everyone = self.compute_mentions(content, allowed_mentions, replied_author)
        msg: JSON = {
            "id": str(msg_id),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": everyone,
            "mentions": mentions,
            "mention_roles": mention_roles,
            "mention_channels": [],
            "attachments": attachments or [],
            "embeds": [_normalise_embed(e) for e in embeds or []],
            "reactions": [],
            "pinned": False,
            "type": msg_type,
            "flags": flags,
            "components": components or [],
            "sticker_items": [],
        }
        if guild_id is not None:
            msg["guild_id"] = str(guild_id)
            author_id = int(author["id"])
            if author_id in self.members and webhook_id is None:
                msg["member"] = dict(self.members[author_id])
        if nonce is not None:
            msg["nonce"] = nonce
        if webhook_id is not None:
            msg["webhook_id"] = str(webhook_id)
            msg["application_id"] = self.application["id"]
        if message_reference is not None:
            ref = {k: v for k, v in message_reference.items() if k != "fail_if_not_exists"}
            ref.setdefault("channel_id", str(channel_id))
            ref = {k: (str(v) if k.endswith("_id") and v is not None else v) for k, v in ref.items()}
            if guild_id is not None:
                ref.setdefault("guild_id", str(guild_id))
            msg["message_reference"] = {"type": 0, **ref}
            msg["referenced_message"] = referenced
        if extra:
            msg.update(extra)
        return msg

    def store_message(self, msg: JSON) -> None:
        msg_id = int(msg["id"])
        self.all_messages[msg_id] = msg
        if msg.get("flags", 0) & EPHEMERAL:
            self.ephemeral_messages.append(msg)
            return
        channel_id = int(msg["channel_id"])
        self.messages.setdefault(channel_id, []).append(msg)
        channel = self.channels.get(channel_id)
        if channel is not None:
            channel["last_message_id"] = msg["id"]
            if channel.get("type") in THREAD_TYPES:
                channel["message_count"] = channel.get("message_count", 0) + 1
                channel["total_message_sent"] = channel.get("total_message_sent", 0) + 1

    def find_message(self, channel_id: int, message_id: int) -> JSON | None:
        for msg in self.messages.get(channel_id, []):
            if int(msg["id"]) == message_id:
                return msg
        return None

    def remove_message(self, channel_id: int, message_id: int) -> JSON | None:
        msgs = self.messages.get(channel_id, [])
        for i, msg in enumerate(msgs):
            if int(msg["id"]) == message_id:
                del msgs[i]
                return msg
        return None

    def find_message_with_custom_id(self, custom_id: str) -> JSON | None:
        """Newest message (incl. ephemeral / webhook ones) with a component of that custom_id."""
        for msg in reversed(list(self.all_messages.values())):
            if find_component(msg.get("components") or [], custom_id) is not None:
                return msg
        return None


def find_component(components: list[JSON], custom_id: str) -> JSON | None:
    """Depth-first search through action rows, containers, sections and labels."""
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        children: list[JSON] = list(comp.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                children.append(comp[key])
        found = find_component(children, custom_id)
        if found is not None:
            return found
    return None


def _strip_guild_id(channel: JSON) -> JSON:
    # GUILD_CREATE channels do not carry guild_id (discord.py fills it in); keep payloads realistic.
    return {k: v for k, v in channel.items() if k != "guild_id"}


def _normalise_embed(embed: JSON) -> JSON:
    out = dict(embed)
    out.setdefault("type", "rich")
    out.setdefault("content_scan_version", 0)
    return out


def normalise_overwrite(ow: JSON) -> JSON:
    """discord.py sends ids as ints and allow/deny as strings or ints; Discord stores strings."""
    return {
        "id": str(ow["id"]),
        "type": int(ow.get("type", 0)),
        "allow": str(ow.get("allow", "0") or "0"),
        "deny": str(ow.get("deny", "0") or "0"),
    }
