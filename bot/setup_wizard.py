"""``python -m bot setup``: from a bot token to a checked ``config.toml`` without copying IDs by hand.

Connects with the token (from ``$DISCORD_TOKEN``, or asked for without echo), picks the server (``--guild`` or a
numbered choice), and for every role and channel key offers the server's existing ones by name, with "create it
for me" (a private staff-alerts channel visible to staff and on-call only, an On call role that can be pinged,
a Groups category ...). ``--create-missing`` answers without asking: an existing role or channel with the usual
name is used, anything else is created. Writes the config from ``config.example.toml`` (never the token) and
prints the same findings as ``doctor``.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import discord

from bot.app import hearth_intents
from bot.config import parse_settings
from bot.selfcheck import findings, report_text, snapshot_of

__all__ = ["KEYS", "run_setup"]


@dataclass(frozen=True, slots=True)
class Key:
    section: str
    name: str
    kind: str  # role, text, category
    default_name: str
    what: str


KEYS = (
    Key("roles", "participant", "role", "Participant", "people in the program"),
    Key("roles", "facilitator", "role", "Peer Facilitator", "peer facilitators who run groups"),
    Key("roles", "staff", "role", "Staff", "program staff"),
    Key("roles", "on_call", "role", "On call", "pinged for crisis alerts"),
    Key("channels", "checkins", "text", "check-ins", "daily check-ins"),
    Key("channels", "celebrations", "text", "celebrations", "milestone celebrations"),
    Key("channels", "staff_alerts", "text", "staff-alerts", "private crisis alerts (staff and on-call only)"),
    Key("channels", "groups_category", "category", "Groups", "category for the private group channels"),
)

Ask = Callable[[str], str]


class SetupError(Exception):
    """One plain line for the operator."""


def _choose(ask: Ask, prompt: str, options: Sequence[str], *, allow_create: bool) -> int | None:
    """A numbered choice; returns the index, or None for "create it for me"."""
    lines = [f"  {i}. {name}" for i, name in enumerate(options, 1)]
    if allow_create:
        lines.append("  0. create it for me")
    while True:
        answer = ask(prompt + "\n" + "\n".join(lines) + "\n> ").strip()
        if answer.isdigit():
            n = int(answer)
            if allow_create and n == 0:
                return None
            if 1 <= n <= len(options):
                return n - 1
        print(f"Please answer with a number from {0 if allow_create else 1} to {len(options)}.")


async def _existing(guild: discord.Guild, key: Key) -> list[discord.abc.Snowflake]:
    if key.kind == "role":
        return [r for r in guild.roles if not r.is_default() and not r.managed]
    if key.kind == "category":
        return list(guild.categories)
    return list(guild.text_channels)


async def _create(guild: discord.Guild, key: Key, chosen: dict[str, int]) -> int:
    reason = "python -m bot setup"
    if key.kind == "role":
        role = await guild.create_role(name=key.default_name, mentionable=key.name == "on_call", reason=reason)
        return role.id
    if key.kind == "category":
        return (await guild.create_category(key.default_name, reason=reason)).id
    overwrites: dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite] = {}
    if key.name == "staff_alerts":
        overwrites[guild.default_role] = discord.PermissionOverwrite(view_channel=False)
        for role_key in ("staff", "on_call"):
            overwrites[discord.Object(chosen[f"roles.{role_key}"])] = discord.PermissionOverwrite(
                view_channel=True, read_message_history=True
            )
        overwrites[guild.me] = discord.PermissionOverwrite(
            view_channel=True, send_messages=True, embed_links=True, read_message_history=True
        )
    channel = await guild.create_text_channel(key.default_name, overwrites=overwrites, reason=reason)
    return channel.id


def config_text(guild_id: int, chosen: dict[str, int], names: dict[str, str], api_base: str | None,
                gateway: str | None) -> str:
    lines = [
        "# Written by `python -m bot setup`. Every other key, with its default, is documented in",
        "# config.example.toml; add what you want to change. The token stays in $DISCORD_TOKEN.",
        "",
        "[discord]",
        'token_env = "DISCORD_TOKEN"',
        f"guild_id = {guild_id}",
    ]
    if api_base:
        lines.append(f'api_base = "{api_base}"')
    if gateway:
        lines.append(f'gateway_url = "{gateway}"')
    lines += ["", "[database]", 'path = "hearth.sqlite3"']
    for section in ("roles", "channels"):
        lines += ["", f"[{section}]"]
        for key in KEYS:
            if key.section == section:
                dotted = f"{section}.{key.name}"
                shown = names.get(dotted, "").replace("\n", " ")
                lines.append(f"{key.name} = {chosen[dotted]}  # {shown}: {key.what}")
    return "\n".join(lines) + "\n"


async def run_setup(
    config: Path, *, guild_id: int | None, create_missing: bool, api_base: str | None, gateway_url: str | None,
    ask: Ask = input,
) -> int:
    token = os.environ.get("DISCORD_TOKEN") or getpass.getpass("Bot token (from the Developer Portal; not shown): ")
    if api_base:
        discord.http.Route.BASE = api_base
    if gateway_url:
        import yarl

        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    client = discord.Client(intents=hearth_intents())
    outcome: dict[str, object] = {}

    @client.event
    async def on_ready() -> None:
        try:
            outcome["report"] = await _configure(client, config, guild_id, create_missing, api_base, gateway_url, ask)
        except SetupError as exc:
            outcome["error"] = str(exc)
        except discord.HTTPException as exc:
            outcome["error"] = f"Discord refused a step ({exc.status}, code {exc.code}): {exc.text}"
        finally:
            await client.close()

    try:
        async with client:
            await asyncio.wait_for(client.start(token), timeout=600)
    except discord.LoginFailure:
        print("config error: Discord rejected the token (401 Unauthorized); copy a fresh one", file=sys.stderr)
        return 2
    except (OSError, TimeoutError, discord.GatewayNotFound, discord.ConnectionClosed) as exc:
        print(f"error: cannot reach Discord: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if "error" in outcome:
        print(f"error: {outcome['error']}", file=sys.stderr)
        return 1
    print(outcome.get("report", ""))
    return 0


async def _configure(
    client: discord.Client, config: Path, guild_id: int | None, create_missing: bool, api_base: str | None,
    gateway_url: str | None, ask: Ask,
) -> str:
    guilds = list(client.guilds)
    if not guilds:
        raise SetupError("the bot is in no server yet: invite it first (README: Discord setup, step 3)")
    if guild_id is not None:
        guild = client.get_guild(guild_id)
        if guild is None:
            raise SetupError(f"--guild {guild_id}: the bot is not in that server")
    elif len(guilds) == 1 or create_missing:
        guild = guilds[0]
    else:
        index = await asyncio.to_thread(_choose, ask, "Which server is your program's?", [g.name for g in guilds],
                                        allow_create=False)
        assert index is not None
        guild = guilds[index]
    print(f"Server: {guild.name} ({guild.id})")
    chosen: dict[str, int] = {}
    chosen_names: dict[str, str] = {}
    for key in KEYS:
        existing = await _existing(guild, key)
        names = [getattr(x, "name", str(x.id)) for x in existing]
        if create_missing:
            same = [x for x, n in zip(existing, names, strict=True) if n.casefold() == key.default_name.casefold()]
            chosen[f"{key.section}.{key.name}"] = same[0].id if same else await _create(guild, key, chosen)
        else:
            prompt = f"{key.section}.{key.name} — {key.what}:"
            index = await asyncio.to_thread(_choose, ask, prompt, names, allow_create=True)
            chosen[f"{key.section}.{key.name}"] = (
                existing[index].id if index is not None else await _create(guild, key, chosen)
            )
        dotted = f"{key.section}.{key.name}"
        picked = next((n for x, n in zip(existing, names, strict=True) if x.id == chosen[dotted]), key.default_name)
        chosen_names[dotted] = picked
        print(f"  {dotted} = {chosen[dotted]} ({picked})")
    text = config_text(guild.id, chosen, chosen_names, api_base, gateway_url)
    base = await asyncio.to_thread(lambda: config.resolve().parent)
    settings = parse_settings(tomllib.loads(text), base_dir=base)  # valid, or it raises
    await asyncio.to_thread(config.write_text, text, encoding="utf-8")
    fresh = client.get_guild(guild.id)
    found = findings(snapshot_of(fresh, settings))
    return f"Wrote {config} (the token is not in it).\n" + report_text(found)
