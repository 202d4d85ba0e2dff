"""Pagers beyond Discord: PagerDuty's Events API v2, a signed webhook and e-mail, sent through the crisis outbox.

Every page is an outbox row (kind ``page_pagerduty``, ``page_webhook`` or ``page_email``; ``page_event``
trigger, acknowledge or resolve), written before it is sent and retried through 429, 5xx, network errors and
restarts like a Discord alert. Delivery is idempotent on the receiving side: PagerDuty deduplicates on
``dedup_key`` (one per incident), the webhook carries the outbox row's id as ``X-Hearth-Delivery``, an e-mail
a Message-ID made from it. E-mail only wakes people (trigger); acknowledge and resolve are seen in Discord.

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
from email.message import EmailMessage
from typing import Any

import aiohttp
import aiosmtplib

from bot.clock import Clock
from bot.config import PagingSettings
from bot.delivery import Delivered, DeliveryFailed
from bot.repositories.crisis import Incident, OutboxItem

__all__ = ["DESTINATIONS", "PagerCourier", "sign"]

log = logging.getLogger(__name__)

DESTINATIONS = ("pagerduty", "webhook", "email")
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
        if self._settings.email is not None:
            found["email"] = self._settings.email.from_round
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
            elif destination == "email":
                await self._email(item, incident)
            else:
                raise DeliveryFailed(f"no pager {destination!r} configured", permanent=True)
        except DeliveryFailed:
            raise
        except (TimeoutError, aiohttp.ClientError, OSError, aiosmtplib.SMTPServerDisconnected,
                aiosmtplib.SMTPConnectError, aiosmtplib.SMTPTimeoutError) as exc:
            raise DeliveryFailed(f"network: {type(exc).__name__}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 4xx replies are temporary by SMTP's own definition; 5xx are refusals.
            raise DeliveryFailed(f"SMTP {exc.code}", permanent=exc.code >= 500) from exc
        except aiosmtplib.SMTPException as exc:
            raise DeliveryFailed(f"SMTP: {type(exc).__name__}") from exc
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
                "summary": f"{'[DRILL] ' if incident.drill else ''}Hearth crisis alert: {incident.severity} "
                           f"(incident #{incident.id})",
                "source": "hearth",
                "severity": "critical" if incident.severity == "imminent" else "warning",
                "timestamp": incident.opened_at.isoformat(),
                "custom_details": {
                    "incident_id": incident.id, "round": item.round, "alert_url": url, "drill": incident.drill,
                },
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
            "drill": incident.drill,
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

    async def _email(self, item: OutboxItem, incident: Incident) -> None:
        settings = self._settings.email
        if settings is None:
            raise DeliveryFailed("paging.email is not configured any more", permanent=True)
        event = item.page_event or "trigger"
        if event != "trigger":
            return  # e-mail only wakes people; acknowledge and resolve are seen in Discord
        severity = "IMMINENT" if incident.severity == "imminent" else "Concern"
        message = EmailMessage()
        message["From"] = settings.sender
        message["To"] = ", ".join(settings.to)
        drill = "[DRILL] " if incident.drill else ""
        message["Subject"] = f"{drill}[Hearth] {severity} crisis alert, incident #{incident.id} not acknowledged"
        # Stable per outbox row: a retry after an uncertain send carries the same Message-ID, so mail systems
        # and people can recognise the duplicate.
        message["Message-ID"] = f"<hearth-page-{item.id}@{settings.sender.rpartition('@')[2] or 'hearth'}>"
        url = self._alert_url(incident)
        message.set_content(
            f"A {severity.lower()} crisis alert (incident #{incident.id}) has not been acknowledged in Discord "
            f"(escalation round {item.round}).\n\n"
            + (f"Open the alert: {url}\n\n" if url else "Open the staff alerts channel in Discord.\n\n")
            + "This e-mail carries no message text or names; everything is in Discord.\n"
        )
        username = os.environ.get(settings.username_env) if settings.username_env else None
        password = os.environ.get(settings.password_env) if settings.password_env else None
        await aiosmtplib.send(
            message, hostname=settings.host, port=settings.port, start_tls=settings.starttls,
            username=username, password=password, timeout=15,
        )
