"""One delivery port for everything Hearth sends: one result, one failure, one classification of errors.

Every feature's sender (crisis alerts and notices, check-in reminders, concern notices, celebrations, group
session reminders, pagers) returns :class:`Delivered` or raises :class:`DeliveryFailed`; ``permanent`` says the
destination refused for good (DMs closed, unknown channel, missing permissions: any 4xx but 429), otherwise the
caller retries (429, 5xx, network errors, timeouts). ``classify`` turns whatever a Discord or network call raised
into that one failure. Pure Python: it reads ``status`` and ``code`` off Discord's HTTP errors without importing
discord, so services can use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

__all__ = ["DMS_CLOSED", "Delivered", "DeliveryFailed", "classify"]

DMS_CLOSED = 50007  # Discord: "Cannot send messages to this user"


@dataclass(frozen=True, slots=True)
class Delivered:
    channel_id: int | None
    message_id: int | None
    # How the person was reached (dm, ephemeral, thread), for crisis person notices; pager name for pages.
    via: str | None = None
    # A crisis alert edit found the alert deleted and posted it again as ``message_id``.
    replaced_alert: bool = False


class DeliveryFailed(Exception):
    """A send did not go through. ``permanent``: this destination refused for good (e.g. unknown channel)."""

    def __init__(self, reason: str, *, permanent: bool = False, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code  # Discord's JSON error code, when there was one

    @property
    def dms_closed(self) -> bool:
        return self.code == DMS_CLOSED


def classify(exc: BaseException) -> DeliveryFailed:
    """Retry rate limits, server errors and network trouble; any other 4xx is a refusal for good."""
    if isinstance(exc, DeliveryFailed):
        return exc
    status = getattr(exc, "status", None)
    code = getattr(exc, "code", None)
    if isinstance(status, int) and not isinstance(exc, aiohttp.ClientError):  # discord.HTTPException
        code = code if isinstance(code, int) else None
        if status == 429 or status >= 500:
            return DeliveryFailed(f"http {status}", code=code)
        return DeliveryFailed(f"http {status} code {code}", permanent=400 <= status < 500, code=code)
    return DeliveryFailed(type(exc).__name__)  # network, timeouts, rate limits: try again
