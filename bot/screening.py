"""The seam between features that accept free text and crisis escalation.

Check-in notes, modal text, DMs and encouragement messages are handed to
``bot.crisis_screen.screen(...)``. The crisis extension installs the real screen when it
loads; until then ``UnscreenedText`` only records, by ID, that text went unscreened, so
a deployment without the crisis extension is visible in the logs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import discord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScreenRequest:
    user_id: int
    text: str
    # Where the text came from: "checkin_note", "checkin_message", "group_message", "dm",
    # "encouragement", "modal" ... Used for the staff alert's "where" and for logs.
    source: str
    guild_id: int | None = None
    channel_id: int | None = None
    message_id: int | None = None
    posted_at: datetime | None = None  # when the message was written, if the text is a message


class CrisisScreen(Protocol):
    async def screen(
        self, request: ScreenRequest, interaction: discord.Interaction[Any] | None = None
    ) -> bool:
        """Assess the text; on risk, respond to the person and alert staff.

        Returns True when a crisis response was started (the caller should then keep its
        own reply brief and must not add cheerful content). When ``interaction`` is given
        and not yet responded to, the screen may use it for an ephemeral fallback.
        """
        ...


class UnscreenedText:
    async def screen(
        self, request: ScreenRequest, interaction: discord.Interaction[Any] | None = None
    ) -> bool:
        log.warning("crisis screening is not loaded; text from user %s (%s) was not screened",
                    request.user_id, request.source)
        return False
