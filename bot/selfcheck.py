"""Startup self-check and ``python -m bot doctor``: is the server set up so that Hearth, above all its crisis
path, can work?

``findings(snapshot)`` is pure (tested without Discord); ``snapshot_of(guild, settings)`` reads what a
connected client sees. Findings on the crisis path (the staff and on-call roles, the staff alerts channel)
are ``crisis=True``: logged at ERROR and make ``doctor`` exit 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.config import Settings

__all__ = ["ChannelView", "Finding", "RoleView", "Snapshot", "findings", "snapshot_of", "staff_channel_usable"]

# What the bot needs where, with the words Discord's UI uses for each permission.
CHANNEL_NEEDS: dict[str, tuple[bool, tuple[tuple[str, str], ...]]] = {
    # config key → (crisis path?, ((permission attribute, UI name), ...))
    "staff_alerts": (True, (("view_channel", "View Channel"), ("send_messages", "Send Messages"),
                            ("embed_links", "Embed Links"), ("read_message_history", "Read Message History"))),
    "checkins": (False, (("view_channel", "View Channel"), ("send_messages", "Send Messages"),
                         ("add_reactions", "Add Reactions"), ("read_message_history", "Read Message History"),
                         ("create_private_threads", "Create Private Threads"))),
    "celebrations": (False, (("view_channel", "View Channel"), ("send_messages", "Send Messages"),
                             ("embed_links", "Embed Links"))),
    "groups_category": (False, (("view_channel", "View Channel"), ("manage_channels", "Manage Channels"),
                                ("manage_roles", "Manage Roles"))),
}
CRISIS_ROLES = ("staff", "on_call")


@dataclass(frozen=True, slots=True)
class RoleView:
    id: int
    exists: bool
    members: int = 0
    mentionable: bool = False
    from_rota: bool = False  # members: who the [oncall] rota has on call now (the role is about to follow it)


@dataclass(frozen=True, slots=True)
class ChannelView:
    id: int
    exists: bool
    granted: frozenset[str] = frozenset()  # permission attribute names the bot has there


@dataclass(frozen=True, slots=True)
class Snapshot:
    in_guild: bool
    roles: dict[str, RoleView]
    channels: dict[str, ChannelView]
    bot_mentions_everyone: bool  # in the staff alerts channel, where crisis alerts ping the on-call role
    available: bool = True  # False while Discord reports the server unavailable (an outage)


@dataclass(frozen=True, slots=True)
class Finding:
    crisis: bool
    text: str


def findings(snapshot: Snapshot) -> list[Finding]:
    if not snapshot.in_guild:
        return [Finding(True, "discord.guild_id: the bot is not in this server (invite it, README: Discord setup)")]
    if not snapshot.available:
        return [Finding(True, "discord.guild_id: Discord reports the server unavailable (an outage); check again "
                              "later")]
    found: list[Finding] = []
    for key, role in snapshot.roles.items():
        crisis = key in CRISIS_ROLES
        if not role.exists:
            found.append(Finding(crisis, f"roles.{key} {role.id}: no such role in the server"))
            continue
        if key == "on_call":
            if role.members == 0:
                who = "the [oncall] rota has nobody on call now" if role.from_rota else "nobody has this role"
                found.append(Finding(True, f"roles.on_call {role.id}: {who}, so crisis alerts ping nobody"))
            if not role.mentionable and not snapshot.bot_mentions_everyone:
                found.append(Finding(True, f"roles.on_call {role.id}: the role cannot be pinged (make it "
                                           "mentionable, or give the bot Mention Everyone)"))
    for key, (crisis, needs) in CHANNEL_NEEDS.items():
        channel = snapshot.channels.get(key)
        if channel is None:
            continue
        if not channel.exists:
            found.append(Finding(crisis, f"channels.{key} {channel.id}: no such channel in the server"))
            continue
        missing = [name for attr, name in needs if attr not in channel.granted]
        if missing:
            found.append(Finding(crisis, f"channels.{key} {channel.id}: the bot lacks {', '.join(missing)}"))
    return found


def staff_channel_usable(snapshot: Snapshot) -> bool:
    """Can the bot post in the staff alerts channel at all (so the report goes there, not by DM)?"""
    channel = snapshot.channels.get("staff_alerts")
    return (snapshot.in_guild and channel is not None and channel.exists
            and {"view_channel", "send_messages"} <= channel.granted)


def snapshot_of(
    guild: discord.Guild | None, settings: Settings, *, on_call_now: frozenset[int] | None = None
) -> Snapshot:
    """What the bot sees. ``on_call_now``: with an [oncall] rota, who it has on call now (counted instead of
    the role's current holders, which the rota is about to change on start)."""
    if guild is None or guild.me is None:
        return Snapshot(False, {}, {}, False)
    if guild.unavailable:
        return Snapshot(True, {}, {}, False, available=False)
    me = guild.me
    roles: dict[str, RoleView] = {}
    for key in ("participant", "facilitator", "staff", "on_call"):
        role_id = getattr(settings.roles, key)
        role = guild.get_role(role_id)
        if role is None:
            roles[key] = RoleView(role_id, False)
            continue
        from_rota = key == "on_call" and on_call_now is not None
        if from_rota:
            assert on_call_now is not None
            holders = [m for m in (guild.get_member(i) for i in on_call_now) if m is not None and not m.bot]
        else:
            holders = [m for m in role.members if not m.bot]
        roles[key] = RoleView(role_id, True, len(holders), role.mentionable, from_rota)
    channels: dict[str, ChannelView] = {}
    for key in CHANNEL_NEEDS:
        channel_id = getattr(settings.channels, key)
        channel = guild.get_channel(channel_id)
        if channel is None:
            channels[key] = ChannelView(channel_id, False)
            continue
        perms = channel.permissions_for(me)
        # By attribute, not by iterating: aliases such as view_channel (read_messages) are not iterated.
        granted = frozenset(attr for attr, _name in CHANNEL_NEEDS[key][1] if getattr(perms, attr))
        channels[key] = ChannelView(channel_id, True, granted)
    # Crisis alerts ping the on-call role in the staff alerts channel: a channel overwrite there decides.
    alerts = guild.get_channel(settings.channels.staff_alerts)
    perms = alerts.permissions_for(me) if alerts is not None else me.guild_permissions
    return Snapshot(True, roles, channels, perms.mention_everyone)


def report_text(found: list[Finding]) -> str:
    """The one message posted to staff (or printed by ``doctor``)."""
    if not found:
        return "Hearth self-check: crisis path OK; every configured role and channel is usable."
    crisis = any(f.crisis for f in found)
    lines = [
        "Hearth self-check: the CRISIS PATH IS NOT SOUND." if crisis else "Hearth self-check: crisis path OK.",
        "Problems (fix them in Server Settings; `python -m bot doctor` checks again):",
    ]
    lines += [f"- {'CRISIS PATH: ' if f.crisis else ''}{f.text}" for f in found]
    return "\n".join(lines)
