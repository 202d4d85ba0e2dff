"""Turning crisis outbox rows into Discord messages, exactly once.

Every send carries a deterministic nonce with ``enforce_nonce`` (discord.py sets it
whenever a nonce is given), so when a send's outcome is unknown (the response was lost,
or the bot stopped between sending and recording) the retry gets the original message
back from Discord instead of posting a second one. For the staff alert, whose nonce may
have expired after a long outage, a retry first looks for the alert in the channel's
recent history by its footer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.crisis.incidents import Delivered, DeliveryFailed, nonce_for
from bot.repositories.crisis import Incident, OutboxItem
from cogs.crisis import _embeds
from cogs.crisis._views import alert_view, person_view

if TYPE_CHECKING:
    from bot.app import HearthBot

log = logging.getLogger(__name__)

DMS_CLOSED = 50007
HISTORY_SCAN = 50


def classify(exc: BaseException) -> DeliveryFailed:
    """Which failures are worth retrying: rate limits, server errors and network trouble."""
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429 or exc.status >= 500:
            return DeliveryFailed(f"http {exc.status}")
        return DeliveryFailed(f"http {exc.status} code {exc.code}", permanent=exc.code == DMS_CLOSED)
    if isinstance(exc, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        return DeliveryFailed(type(exc).__name__)
    return DeliveryFailed(type(exc).__name__)


class DiscordCourier:
    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot

    @property
    def _staff_channel(self) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(
            self.bot.settings.channels.staff_alerts, guild_id=self.bot.guild_id, type=discord.ChannelType.text
        )

    def _roles(self, *role_ids: int) -> discord.AllowedMentions:
        return discord.AllowedMentions(
            everyone=False, users=False, roles=[discord.Object(r) for r in role_ids], replied_user=False
        )

    def _reference(self, incident: Incident) -> discord.MessageReference | None:
        if incident.alert_channel_id is None or incident.alert_message_id is None:
            return None
        return discord.MessageReference(
            message_id=incident.alert_message_id, channel_id=incident.alert_channel_id,
            guild_id=self.bot.guild_id, fail_if_not_exists=False,
        )

    def alert_url(self, incident: Incident) -> str | None:
        if incident.alert_channel_id is None or incident.alert_message_id is None:
            return None
        return f"https://discord.com/channels/{self.bot.guild_id}/{incident.alert_channel_id}/{incident.alert_message_id}"

    async def deliver(self, item: OutboxItem, incident: Incident) -> Delivered:
        try:
            return await self._deliver(item, incident)
        except DeliveryFailed:
            raise
        except Exception as exc:  # every Discord or network failure becomes a retry decision
            raise classify(exc) from exc

    async def _deliver(self, item: OutboxItem, incident: Incident) -> Delivered:
        settings = self.bot.settings
        on_call = settings.roles.on_call
        nonce = nonce_for(item)
        if item.kind == "alert":
            channel = self._staff_channel
            if item.attempts > 0:
                found = await self._find_alert(channel, incident.id)
                if found is not None:
                    return found
            message = await channel.send(
                _embeds.alert_content(on_call, incident), embed=_embeds.alert_embed(incident),
                view=alert_view(incident), allowed_mentions=self._roles(on_call), nonce=nonce,
            )
            return Delivered(message.channel.id, message.id)
        if item.kind == "alert_edit":
            if incident.alert_message_id is None or incident.alert_channel_id is None:
                return Delivered(None, None)  # the alert itself is not out yet; it will be sent current
            partial = self.bot.get_partial_messageable(incident.alert_channel_id, guild_id=self.bot.guild_id)
            await partial.get_partial_message(incident.alert_message_id).edit(
                embed=_embeds.alert_embed(incident), view=alert_view(incident)
            )
            return Delivered(incident.alert_channel_id, incident.alert_message_id)
        if item.kind in ("repeat", "upgrade", "talk", "reminder"):
            escalation = tuple(settings.crisis.escalation_roles)
            if item.kind == "repeat":
                content = _embeds.repeat_content(
                    on_call, escalation, incident, item.round, settings.crisis.max_repeats
                )
                mentions = self._roles(on_call, *escalation)
            elif item.kind == "upgrade":
                content, mentions = _embeds.upgrade_content(on_call, incident), self._roles(on_call)
            elif item.kind == "talk":
                content, mentions = _embeds.talk_content(on_call, incident), self._roles(on_call)
            else:
                content = _embeds.reminder_content(incident)
                users = [discord.Object(incident.acknowledged_by)] if incident.acknowledged_by else False
                mentions = discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)
            message = await self._staff_channel.send(
                content, allowed_mentions=mentions, reference=self._reference(incident),  # type: ignore[arg-type]
                nonce=nonce,
            )
            return Delivered(message.channel.id, message.id)
        if item.kind == "staff_dm":
            assert item.target_id is not None
            dm = await self._dm(item.target_id)
            message = await dm.send(
                _embeds.staff_dm_content(incident, self.alert_url(incident)),
                allowed_mentions=discord.AllowedMentions.none(), nonce=nonce,
            )
            return Delivered(message.channel.id, message.id)
        if item.kind == "peer_concern":
            group_name = await self._group_name(incident)
            content = _embeds.peer_concern_content(incident, group_name)
            if item.target_id is None:  # nobody facilitates their group: staff channel, no ping
                message = await self._staff_channel.send(
                    content, allowed_mentions=discord.AllowedMentions.none(), nonce=nonce
                )
            else:
                dm = await self._dm(item.target_id)
                message = await dm.send(content, allowed_mentions=discord.AllowedMentions.none(), nonce=nonce)
            return Delivered(message.channel.id, message.id)
        if item.kind == "person_notice":
            return await self._person_notice(item, incident, nonce)
        raise DeliveryFailed(f"unknown outbox kind {item.kind}", permanent=True)

    async def _dm(self, user_id: int) -> discord.DMChannel:
        user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
        return await user.create_dm()

    async def _group_name(self, incident: Incident) -> str | None:
        groups = self.bot.services.crisis.groups
        if incident.group_id is None or groups is None:
            return None
        for ref in await groups.groups_of_member(incident.user_id):
            if ref.id == incident.group_id:
                return ref.name
        return None

    async def _person_notice(self, item: OutboxItem, incident: Incident, nonce: str) -> Delivered:
        """A retry of the resources after a transient failure; no interaction exists any more."""
        try:
            dm = await self._dm(incident.user_id)
            message = await dm.send(
                _embeds.PERSON_MESSAGE, embed=_embeds.resources_embed(self.bot.settings.crisis.resources),
                view=person_view(incident.id), allowed_mentions=discord.AllowedMentions.none(), nonce=nonce,
            )
            return Delivered(message.channel.id, message.id)
        except discord.Forbidden as exc:
            if exc.code != DMS_CLOSED or incident.channel_id is None or incident.guild_id is None:
                raise
        channel = self.bot.get_partial_messageable(incident.channel_id, guild_id=incident.guild_id)
        message = await channel.send(
            _embeds.CHANNEL_FALLBACK.format(mention=f"<@{incident.user_id}>"),
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(incident.user_id)], replied_user=False
            ),
            nonce=nonce,
        )
        return Delivered(message.channel.id, message.id)

    async def _find_alert(self, channel: discord.PartialMessageable, incident_id: int) -> Delivered | None:
        """After an attempt with an unknown outcome, look for the alert before sending again."""
        marker = f"Hearth incident #{incident_id}"
        me = self.bot.user
        async for message in channel.history(limit=HISTORY_SCAN):
            if me is not None and message.author.id != me.id:
                continue
            if any(e.footer and e.footer.text == marker for e in message.embeds):
                log.info("crisis alert for incident %s was already posted as message %s", incident_id, message.id)
                return Delivered(message.channel.id, message.id)
        return None


def mention_only(user_id: int) -> discord.AllowedMentions:
    return discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)], replied_user=False)


def kwargs_for_person(resources: Any, incident_id: int) -> dict[str, Any]:
    return {
        "embed": _embeds.resources_embed(resources),
        "view": person_view(incident_id),
        "allowed_mentions": discord.AllowedMentions.none(),
    }
