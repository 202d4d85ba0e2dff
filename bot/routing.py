"""One message router: every gateway message is classified once and handed to the features in a fixed order.

Features register a handler for the places they care about (``bot.router.add`` in ``cog_load``, ``remove`` in
``cog_unload``). Crisis screening runs first (:data:`SCREENING`), so the features after it (:data:`FEATURES`,
e.g. in-channel check-ins) see whether the message was flagged and can answer accordingly. A message in a
channel Hearth does not watch costs one lookup and reaches no feature.

A handler that raises is logged with an incident code (IDs only) and the next handler still runs.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import discord

from bot.errors import new_incident_code

__all__ = ["FEATURES", "SCREENING", "MessageRouter", "Place", "Routed"]

log = logging.getLogger(__name__)

SCREENING = 10
FEATURES = 20


class Place(enum.StrEnum):
    CHECKINS = "checkins"  # the check-ins channel or a thread in it
    GROUP = "group"  # a group's channel, a thread in it, or its voice channel's text chat
    DM = "dm"  # a direct message to the bot
    OTHER = "other"  # anywhere else: no feature listens


@dataclass(slots=True)
class Routed:
    message: discord.Message
    place: Place
    group_id: int | None = None
    flagged: bool = False  # set by crisis screening when the message opened or joined an incident
    edited: bool = False  # an edit of an earlier message (on_raw_message_edit), not a new one
    replayed: bool = False  # posted while Hearth was down, screened on start (crisis screening only)
    notes: dict[str, object] = field(default_factory=dict)


Handler = Callable[[Routed], Awaitable[None]]
GroupLookup = Callable[[int], Awaitable[int | None]]


@dataclass(frozen=True, slots=True)
class _Route:
    name: str
    order: int
    places: frozenset[Place]
    handler: Handler


class MessageRouter:
    def __init__(self, *, guild_id: int, checkins_channel: int, group_of_channel: GroupLookup) -> None:
        self._guild_id = guild_id
        self._checkins = checkins_channel
        self._group_of_channel = group_of_channel
        self._routes: list[_Route] = []

    def add(self, name: str, order: int, places: set[Place], handler: Handler) -> None:
        self.remove(name)
        self._routes.append(_Route(name, order, frozenset(places), handler))
        self._routes.sort(key=lambda r: (r.order, r.name))

    def remove(self, name: str) -> None:
        self._routes = [r for r in self._routes if r.name != name]

    @property
    def names(self) -> list[str]:
        return [r.name for r in self._routes]

    async def classify(self, message: discord.Message, *, edited: bool = False) -> Routed | None:
        """Where a message was posted; None for messages no feature takes (bots, webhooks, other servers)."""
        if message.author.bot or message.webhook_id is not None:
            return None
        if message.guild is None:
            return Routed(message, Place.DM, edited=edited) if isinstance(message.channel, discord.DMChannel) else None
        if message.guild.id != self._guild_id:
            return None
        channel = message.channel
        parent_id = getattr(channel, "parent_id", None)
        if self._checkins in (channel.id, parent_id):
            return Routed(message, Place.CHECKINS, edited=edited)
        group_id = await self._group_of_channel(channel.id)
        if group_id is None and parent_id is not None:
            group_id = await self._group_of_channel(parent_id)
        if group_id is not None:
            return Routed(message, Place.GROUP, group_id=group_id, edited=edited)
        return Routed(message, Place.OTHER, edited=edited)

    async def route(self, message: discord.Message, *, edited: bool = False) -> Routed | None:
        """Hand a message (or, with ``edited``, its new version) to the features that watch its place."""
        routed = await self.classify(message, edited=edited)
        if routed is None or routed.place is Place.OTHER:
            return routed
        for route in list(self._routes):
            if routed.place not in route.places:
                continue
            try:
                await route.handler(routed)
            except Exception:
                log.exception("message %s: %s failed [%s]", message.id, route.name, new_incident_code())
        return routed
