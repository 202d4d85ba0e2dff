"""Pagers beyond Discord, end to end: the real bot against the emulator and a local fake
pager server that records PagerDuty events and webhook deliveries and can answer 500."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from tests.cogs.test_crisis import IMMINENT, click, wait_alert
from tests.harness import Harness

SECRET = "webhook-test-secret"
ROUTING_KEY = "pd-test-routing-key"


@dataclass
class FakePagers:
    base: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)  # PagerDuty events accepted (202)
    hooks: list[tuple[dict[str, str], bytes]] = field(default_factory=list)  # webhook deliveries accepted (200)
    seen: int = 0  # every request, accepted or not
    fail_next: int = 0

    def _failing(self) -> bool:
        self.seen += 1
        if self.fail_next > 0:
            self.fail_next -= 1
            return True
        return False

    async def pagerduty(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self._failing():
            return web.Response(status=500)
        self.events.append(body)
        return web.json_response({"status": "success", "dedup_key": body["dedup_key"]}, status=202)

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self._failing():
            return web.Response(status=500)
        self.hooks.append(({k: v for k, v in request.headers.items() if k.startswith("X-Hearth")}, body))
        return web.Response(status=200)

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.hooks]


@pytest.fixture
async def pagers() -> AsyncIterator[FakePagers]:
    fake = FakePagers()
    app = web.Application()
    app.router.add_post("/v2/enqueue", fake.pagerduty)
    app.router.add_post("/hook", fake.webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.base = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()


@pytest.fixture
async def paged(
    harness_factory: Harness, pagers: FakePagers, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    monkeypatch.setenv("HEARTH_TEST_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("HEARTH_TEST_PD_KEY", ROUTING_KEY)
    harness_factory.write_config(
        f"""
[crisis]
max_repeats = 2

[crisis.ack_timeout_minutes]
imminent = 0.5
concern = 10

[paging.pagerduty]
routing_key_env = "HEARTH_TEST_PD_KEY"
events_url = "{pagers.base}/v2/enqueue"
from_round = 1

[paging.webhook]
url = "{pagers.base}/hook"
secret_env = "HEARTH_TEST_WEBHOOK_SECRET"
from_round = 0
"""
    )
    await harness_factory.start()
    try:
        yield harness_factory
    finally:
        await harness_factory.stop()


async def wait_for(hearth: Harness, predicate: Any, what: str) -> None:
    for _ in range(200):
        if predicate():
            return
        await hearth.settle(rounds=1)
    raise AssertionError(f"never happened: {what}")


async def test_webhook_pages_with_the_alert_signed_and_without_text_then_hears_ack_and_resolve(
    paged: Harness, pagers: FakePagers
) -> None:
    emu, seed = paged.emu, paged.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(paged)
    await wait_for(paged, lambda: len(pagers.hooks) == 1, "the webhook trigger")
    headers, body = pagers.hooks[0]
    expected = "sha256=" + hmac.new(
        SECRET.encode(), headers["X-Hearth-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["X-Hearth-Signature"], expected)
    trigger = json.loads(body)
    assert trigger["event"] == "trigger" and trigger["incident_id"] == 1 and trigger["severity"] == "imminent"
    assert headers["X-Hearth-Delivery"] == str(trigger["delivery_id"]) and trigger["drill"] is False
    assert "kill" not in body.decode().lower() and "excerpt" not in trigger
    assert pagers.events == []  # PagerDuty joins at round 1

    await click(paged, alert, "hearth:crisis:ack:", seed.on_call)
    await wait_for(paged, lambda: len(pagers.hooks) == 2, "the webhook acknowledge")
    await click(paged, emu.state.all_messages[int(alert["id"])], "hearth:crisis:resolve:", seed.on_call)
    await wait_for(paged, lambda: len(pagers.hooks) == 3, "the webhook resolve")
    assert [p["event"] for p in pagers.payloads()] == ["trigger", "acknowledge", "resolve"]
    paged.clock.advance(minutes=5)
    await paged.run_due("crisis")
    await paged.settle()
    assert pagers.events == []  # acknowledged before round 1: PagerDuty was never needed


async def test_pagerduty_joins_at_round_one_and_follows_ack_and_resolve_with_one_dedup_key(
    paged: Harness, pagers: FakePagers
) -> None:
    emu, seed = paged.emu, paged.seed
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    alert = await wait_alert(paged)
    paged.clock.advance(seconds=31)
    await paged.run_due("crisis")
    await wait_for(paged, lambda: len(pagers.events) == 1, "the PagerDuty trigger")
    trigger = pagers.events[0]
    assert trigger["routing_key"] == ROUTING_KEY and trigger["event_action"] == "trigger"
    assert trigger["payload"]["severity"] == "critical" and trigger["payload"]["custom_details"]["drill"] is False
    assert trigger["links"][0]["href"].endswith(f"/{seed.staff_alerts}/{alert['id']}")
    await click(paged, alert, "hearth:crisis:ack:", seed.on_call)
    await wait_for(paged, lambda: len(pagers.events) == 2, "the PagerDuty acknowledge")
    await click(paged, emu.state.all_messages[int(alert["id"])], "hearth:crisis:resolve:", seed.on_call)
    await wait_for(paged, lambda: len(pagers.events) == 3, "the PagerDuty resolve")
    assert [e["event_action"] for e in pagers.events] == ["trigger", "acknowledge", "resolve"]
    assert {e["dedup_key"] for e in pagers.events} == {"hearth-incident-1"}


async def test_a_500_then_success_and_a_restart_deliver_the_page_once(paged: Harness, pagers: FakePagers) -> None:
    emu, seed = paged.emu, paged.seed
    pagers.fail_next = 1
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await wait_alert(paged)
    await wait_for(paged, lambda: pagers.seen >= 1, "the first (failing) webhook attempt")

    async def failed_once() -> bool:
        rows = [o for o in await paged.running.services.crisis.outbox(1) if o.kind == "page_webhook"]
        return bool(rows and rows[0].last_error)

    for _ in range(200):
        if await failed_once():
            break
        await paged.settle(rounds=1)
    await paged.restart()  # the row is still pending in the database
    paged.clock.advance(seconds=10)
    await paged.run_due("crisis")
    await wait_for(paged, lambda: len(pagers.hooks) == 1, "the retried webhook")
    await paged.run_due("crisis")
    await paged.settle()
    assert len(pagers.hooks) == 1 and pagers.seen == 2
    rows = [o for o in await paged.running.services.crisis.outbox(1) if o.kind == "page_webhook"]
    assert len(rows) == 1 and rows[0].sent_at is not None and rows[0].attempts == 2


class Mailbox:
    """An aiosmtpd handler: keeps what it accepts; answers 451 (try again later) ``refuse_next`` times first."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse_next = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
async def mailed(harness_factory: Harness) -> AsyncIterator[tuple[Harness, Mailbox]]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port (the controller checks its own port by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        harness_factory.write_config(
            f"""
[paging.email]
host = "127.0.0.1"
port = {port}
starttls = false
sender = "hearth@program.example"
to = ["oncall@program.example", "director@program.example"]
from_round = 0
"""
        )
        await harness_factory.start()
        try:
            yield harness_factory, mailbox
        finally:
            await harness_factory.stop()
    finally:
        controller.stop()


async def test_email_page_reaches_every_recipient_once_with_no_text_after_a_temporary_refusal(
    mailed: tuple[Harness, Mailbox],
) -> None:
    hearth, mailbox = mailed
    emu, seed = hearth.emu, hearth.seed
    mailbox.refuse_next = 1
    await emu.send_message(seed.checkins, seed.participant, IMMINENT)
    await wait_alert(hearth)

    async def refused_once() -> bool:
        rows = [o for o in await hearth.running.services.crisis.outbox(1) if o.kind == "page_email"]
        return bool(rows and rows[0].last_error)

    for _ in range(200):
        if await refused_once():
            break
        await hearth.settle(rounds=1)
    hearth.clock.advance(seconds=10)
    await hearth.run_due("crisis")
    await wait_for(hearth, lambda: len(mailbox.messages) == 1, "the e-mail page")
    await hearth.run_due("crisis")
    await hearth.settle()
    [mail] = mailbox.messages
    assert mail["Subject"] == "[Hearth] IMMINENT crisis alert, incident #1 not acknowledged"
    assert mail["To"] == "oncall@program.example, director@program.example"
    assert mail["Message-ID"].startswith("<hearth-page-")
    body = mail.get_payload()
    assert "discord.com/channels/" in body and "kill" not in body.lower()
