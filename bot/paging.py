"""Pagers beyond Discord: PagerDuty's Events API v2 and a signed webhook, sent through the crisis outbox.

Every page is an outbox row (kind ``page_pagerduty`` or ``page_webhook``, ``page_event`` trigger, acknowledge
or resolve), written before it is sent and retried through 429, 5xx, network errors and restarts like a
Discord alert. Delivery is idempotent on the receiving side: PagerDuty deduplicates on ``dedup_key`` (one per
incident), the webhook carries the outbox row's id as ``X-Hearth-Delivery``.

Webhook signature: ``X-Hearth-Timestamp`` is the Unix time of sending, ``X-Hearth-Signature`` is
``sha256=`` + hex HMAC-SHA256, keyed with the secret, of ``<timestamp>.<raw body>``. A receiver recomputes it
and rejects old timestamps. The body never carries message text unless ``include_excerpt`` is set.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.config import PagingSettings
from bot.crisis.incidents import Delivered, DeliveryFailed
from bot.repositories.crisis import Incident, OutboxItem

__all__ = ["DESTINATIONS", "PagerCourier", "sign"]

log = logging.getLogger(__name__)

DESTINATIONS = ("pagerduty", "webhook")
TIMEOUT = aiohttp.ClientTimeout(total=15)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def dedup_key(incident: Incident) -> str:
    return f"hearth-incident-{incident.id}"


class PagerCourier:
    """Sends pager rows. ``alert_url`` makes the link to the Discord alert message (or None before it exists)."""

    def __init__(self, settings: PagingSettings, clock: Clock, alert_url: Callable[[Incident], str | None]) -> None:
        self._settings = settings
        self._clock = clock
        self._alert_url = alert_url
        self._session: aiohttp.ClientSession | None = None

    def rounds(self) -> dict[str, int]:
        """Configured destinations → the escalation round at which they join."""
        found: dict[str, int] = {}
        if self._settings.pagerduty is not None:
            found["pagerduty"] = self._settings.pagerduty.from_round
        if self._settings.webhook is not None:
            found["webhook"] = self._settings.webhook.from_round
        return found

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def deliver(self, item: OutboxItem, incident: Incident) -> Delivered:
        destination = item.kind.removeprefix("page_")
        try:
            if destination == "pagerduty":
                await self._pagerduty(item, incident)
            elif destination == "webhook":
                await self._webhook(item, incident)
            else:
                raise DeliveryFailed(f"no pager {destination!r} configured", permanent=True)
        except DeliveryFailed:
            raise
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryFailed(f"network: {type(exc).__name__}") from exc
        log.info("page %s (%s %s) for incident %s delivered", item.id, destination, item.page_event, incident.id)
        return Delivered(None, None, via=destination)

    @staticmethod
    def _secret(env: str, key: str) -> str:
        value = os.environ.get(env)
        if not value:
            raise DeliveryFailed(f"{key}: the environment variable ${env} is not set", permanent=True)
        return value

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        async with self._http().post(url, data=body, headers={"Content-Type": "application/json", **headers}) as r:
            await r.read()
            if r.status == 429 or r.status >= 500:
                raise DeliveryFailed(f"HTTP {r.status}")
            if r.status >= 400:
                raise DeliveryFailed(f"HTTP {r.status} (refused)", permanent=True)

    async def _pagerduty(self, item: OutboxItem, incident: Incident) -> None:
        settings = self._settings.pagerduty
        if settings is None:
            raise DeliveryFailed("paging.pagerduty is not configured any more", permanent=True)
        event: dict[str, Any] = {
            "routing_key": self._secret(settings.routing_key_env, "paging.pagerduty.routing_key_env"),
            "event_action": item.page_event or "trigger",
            "dedup_key": dedup_key(incident),
        }
        if event["event_action"] == "trigger":
            url = self._alert_url(incident)
            event["payload"] = {
                "summary": f"Hearth crisis alert: {incident.severity} (incident #{incident.id})",
                "source": "hearth",
                "severity": "critical" if incident.severity == "imminent" else "warning",
                "timestamp": incident.opened_at.isoformat(),
                "custom_details": {"incident_id": incident.id, "round": item.round, "alert_url": url, "drill": False},
            }
            if url:
                event["links"] = [{"href": url, "text": "The alert in Discord"}]
        await self._post(settings.events_url, json.dumps(event).encode("utf-8"), {})

    async def _webhook(self, item: OutboxItem, incident: Incident) -> None:
        settings = self._settings.webhook
        if settings is None:
            raise DeliveryFailed("paging.webhook is not configured any more", permanent=True)
        secret = self._secret(settings.secret_env, "paging.webhook.secret_env")
        payload: dict[str, Any] = {
            "delivery_id": item.id,
            "event": item.page_event or "trigger",
            "incident_id": incident.id,
            "severity": incident.severity,
            "status": incident.status,
            "round": item.round,
            "opened_at": incident.opened_at.isoformat(),
            "sent_at": self._clock.now().isoformat(),
            "alert_url": self._alert_url(incident),
            "drill": False,
        }
        if settings.include_excerpt and incident.excerpt:
            payload["excerpt"] = incident.excerpt
        body = json.dumps(payload).encode("utf-8")
        timestamp = str(int(time.time()))
        await self._post(settings.url, body, {
            "X-Hearth-Delivery": str(item.id),
            "X-Hearth-Timestamp": timestamp,
            "X-Hearth-Signature": sign(secret, timestamp, body),
        })
