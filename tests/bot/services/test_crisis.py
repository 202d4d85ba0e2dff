"""CrisisService against a real SQLite file, with a fake courier and a fake group directory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import AckTimeouts, CrisisSettings
from bot.crisis.detector import Severity
from bot.db import Database, migrate
from bot.delivery import Delivered, DeliveryFailed
from bot.errors import DomainError, InvalidInput, NotAllowed
from bot.permissions import HearthRole, Person
from bot.repositories.crisis import Incident, OutboxItem
from bot.services.audit import AuditService
from bot.services.contracts import GroupRef, MembershipRef
from bot.services.crisis import CrisisService, Report, backoff, nonce_for

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PERSON = 10
ON_CALL = Person(5, frozenset({HearthRole.ON_CALL}))
STAFF = Person(1, frozenset({HearthRole.STAFF}))
PARTICIPANT = Person(11, frozenset({HearthRole.PARTICIPANT}))


class FakeCourier:
    """Records staff-side sends in ``sent``; the person's resources and alert refreshes go to ``person``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int, int | None]] = []
        self.person: list[tuple[str, int]] = []
        self.fail: list[DeliveryFailed] = []
        self._next = 1000

    async def deliver(self, item: OutboxItem, incident: Incident) -> Delivered:
        if item.kind in ("person_notice", "alert_edit"):
            self.person.append((item.kind, incident.id))
            return Delivered(channel_id=88, message_id=1, via="dm")
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append((item.kind, incident.id, item.target_id))
        self._next += 1
        return Delivered(channel_id=77, message_id=self._next)


class FakeStaff:
    def on_call_members(self) -> list[int]:
        return [5, 6]

    def staff_members(self) -> list[int]:
        return [5, 6, 1]


class FakeGroups:
    async def groups_of_member(self, user_id: int) -> list[GroupRef]:
        return [GroupRef(3, "Tuesday", 300, None, "America/New_York", False)] if user_id == PERSON else []

    async def group_by_channel(self, channel_id: int) -> GroupRef | None:
        return GroupRef(3, "Tuesday", 300, None, "America/New_York", False) if channel_id == 300 else None

    async def facilitators_of_group(self, group_id: int) -> list[int]:
        return [20, 21] if group_id == 3 else []

    async def members_of_group(self, group_id: int) -> list[int]:
        return [PERSON, 11]

    async def memberships_of(self, user_id: int) -> list[MembershipRef]:
        return []


Env = tuple[CrisisService, ManualClock, FakeCourier, Database]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    db = await Database.open(tmp_path / "crisis.sqlite3")
    await migrate(db)
    clock = ManualClock(START)
    settings = CrisisSettings(
        ack_timeout_minutes=AckTimeouts(imminent=5, concern=30), max_repeats=2, cooldown_minutes=30,
        resolve_reminder_minutes=120, retention_days=365,
    )
    service = CrisisService(db, clock, settings, AuditService(db, clock, 365), groups=FakeGroups())
    courier = FakeCourier()
    service.attach(courier, FakeStaff())
    try:
        yield service, clock, courier, db
    finally:
        await db.close()


def report(severity: Severity = Severity.IMMINENT, message_id: int | None = 1, **kw: object) -> Report:
    base: dict[str, object] = {
        "user_id": PERSON, "severity": severity, "categories": ("intent",), "source": "checkin_message",
        "text": "<@123> @everyone " + "x" * 400, "guild_id": 1, "channel_id": 50, "message_id": message_id,
    }
    base.update(kw)
    return Report(**base)  # type: ignore[arg-type]


async def test_report_writes_incident_and_outbox_before_any_send(env: Env) -> None:
    service, _clock, courier, _db = env
    outcome = await service.report(report())
    assert outcome.created and outcome.notify_person and not outcome.duplicate
    assert courier.sent == []  # nothing sent by report()
    rows = await service.outbox(outcome.incident.id)
    assert [r.kind for r in rows] == ["alert", "person_notice"] and rows[0].sent_at is None
    assert outcome.person_notice_id == rows[1].id and outcome.outbox_ids == (rows[0].id,)
    incident = outcome.incident
    assert incident.next_escalation_at == START + timedelta(minutes=5)
    assert incident.excerpt is not None and len(incident.excerpt) <= 320
    assert "@everyone" not in incident.excerpt and "<@123>" not in incident.excerpt
    await service.deliver(outcome.outbox_ids)
    assert courier.sent == [("alert", incident.id, None)]
    assert (await service.get(incident.id)).alert_message_id == 1001
    # Delivering the same row again sends nothing.
    await service.deliver(outcome.outbox_ids)
    await service.deliver_pending(None)
    assert len(courier.sent) == 1


async def test_no_excerpt_when_disabled(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.sqlite3")
    await migrate(db)
    clock = ManualClock(START)
    service = CrisisService(db, clock, CrisisSettings(include_excerpt=False), AuditService(db, clock, 365))
    outcome = await service.report(report())
    assert outcome.incident.excerpt is None
    await db.close()


async def test_fold_dedup_and_cooldown(env: Env) -> None:
    service, clock, _courier, _db = env
    first = await service.report(report(Severity.CONCERN, message_id=1))
    await service.record_person_notice(first.incident.id, "dm")
    again = await service.report(report(Severity.CONCERN, message_id=1))
    assert again.duplicate and again.incident.match_count == 1
    clock.advance(minutes=1)
    second = await service.report(report(Severity.IMMINENT, message_id=2, categories=("timing",)))
    assert not second.created and not second.notify_person  # inside the cooldown
    incident = second.incident
    assert incident.id == first.incident.id and incident.match_count == 2 and incident.severity == "imminent"
    assert incident.message_id == 2 and set(incident.categories) == {"intent", "timing"}
    # Upgrading to imminent shortens the ack timer.
    assert incident.next_escalation_at == START + timedelta(minutes=6)
    kinds = [r.kind for r in await service.outbox(incident.id)]
    assert kinds == ["alert", "person_notice", "upgrade", "alert_edit"]
    clock.advance(minutes=30)
    third = await service.report(report(Severity.CONCERN, message_id=3))
    assert third.notify_person  # cooldown over


async def test_escalation_rounds_until_max_then_stop(env: Env) -> None:
    service, clock, courier, _db = env
    outcome = await service.report(report())
    await service.run_due(clock.now())  # first run: start, deliver everything
    assert courier.sent == [("alert", 1, None)]
    clock.advance(minutes=5)
    await service.run_due(clock.now())
    assert courier.sent[1:] == [("repeat", 1, None), ("staff_dm", 1, 5), ("staff_dm", 1, 6)]
    clock.advance(minutes=5)
    await service.run_due(clock.now())
    clock.advance(minutes=50)
    await service.run_due(clock.now())
    assert [k for k, _, _ in courier.sent].count("repeat") == 2
    incident = await service.get(outcome.incident.id)
    assert incident.escalations == 2 and incident.next_escalation_at is None


async def test_acknowledge_cancels_escalation_and_sets_reminder(env: Env) -> None:
    service, clock, courier, _db = env
    outcome = await service.report(report())
    with pytest.raises(NotAllowed):
        await service.acknowledge(outcome.incident.id, PARTICIPANT)
    incident, changed = await service.acknowledge(outcome.incident.id, ON_CALL)
    assert changed and incident.status == "acknowledged" and incident.next_escalation_at is None
    assert incident.resolve_reminder_at == START + timedelta(minutes=120)
    _, again = await service.acknowledge(outcome.incident.id, STAFF)
    assert not again
    assert await service.next_due() == START  # the undelivered alert
    await service.run_due(clock.now())
    clock.advance(minutes=120)
    await service.run_due(clock.now())
    assert [k for k, _, _ in courier.sent] == ["alert", "reminder"]
    closed, changed = await service.close(outcome.incident.id, STAFF, false_alarm=True)
    assert changed and closed.status == "false_alarm" and closed.closed_by == STAFF.user_id
    assert await service.next_due() is None


async def test_failures_back_off_and_permanent_failures_stop(env: Env) -> None:
    service, clock, courier, _db = env
    outcome = await service.report(report())
    courier.fail = [DeliveryFailed("http 503"), DeliveryFailed("http 429")]
    await service.deliver(outcome.outbox_ids)
    row = (await service.outbox(1))[0]
    assert row.attempts == 1 and row.last_error == "http 503" and row.due_at == START + backoff(1)
    await service.run_due(clock.now())  # start: delivers regardless of backoff → second failure
    row = (await service.outbox(1))[0]
    assert row.attempts == 2 and row.sent_at is None
    await service.run_due(clock.now())  # not due yet
    assert courier.sent == []
    clock.advance(backoff(2))
    await service.run_due(clock.now())
    assert courier.sent == [("alert", 1, None)]
    assert backoff(1) == timedelta(seconds=5) and backoff(30) == timedelta(minutes=5)


async def test_nonces_are_deterministic_and_short(env: Env) -> None:
    service, _clock, _courier, _db = env
    outcome = await service.report(report())
    row = (await service.outbox(outcome.incident.id))[0]
    assert nonce_for(row) == f"hearth-incident-{outcome.incident.id}"
    assert len(nonce_for(row)) <= 25


async def test_peer_concern_goes_to_facilitators(env: Env) -> None:
    service, _clock, courier, _db = env
    outcome = await service.report(
        report(Severity.CONCERN, message_id=None, origin="peer", reported_by=11, group_id=3, source="peer")
    )
    assert outcome.incident.route == "facilitators" and not outcome.notify_person
    assert outcome.incident.next_escalation_at is None
    await service.deliver(outcome.outbox_ids)
    assert courier.sent == [("peer_concern", 1, 20), ("peer_concern", 1, 21)]
    exported = await service.export_user_data(PERSON)
    assert "reported_by" not in exported["incidents_about_you"][0]
    reporter = await service.export_user_data(11)
    assert reporter["reports_you_made"][0]["incident_id"] == 1


async def test_person_buttons_and_talk(env: Env) -> None:
    service, _clock, _courier, _db = env
    outcome = await service.report(report())
    with pytest.raises(DomainError):
        await service.mark_safe(outcome.incident.id, 999)
    safe = await service.mark_safe(outcome.incident.id, PERSON)
    assert safe.safe_at == START
    incident, new = await service.request_talk(PERSON, outcome.incident.id)
    assert new and incident.talk_requested_at == START
    _, again = await service.request_talk(PERSON, outcome.incident.id)
    assert not again
    # Without an incident, asking to talk opens one for on-call staff.
    fresh, new = await service.request_talk(77, None)
    assert new and fresh.origin == "self" and fresh.route == "staff"


async def test_listing_validation_and_retention(env: Env) -> None:
    service, clock, _courier, _db = env
    outcome = await service.report(report())
    with pytest.raises(InvalidInput):
        await service.list_incidents(STAFF, "bogus")
    with pytest.raises(NotAllowed):
        await service.list_incidents(PARTICIPANT, None)
    assert [i.id for i in await service.list_incidents(STAFF, "open")] == [outcome.incident.id]
    result = await service.delete_user_data(PERSON)
    assert result.rows_deleted == 0 and "open safety incident" in result.kept[0]
    await service.close(outcome.incident.id, STAFF, false_alarm=False)
    result = await service.delete_user_data(PERSON)
    assert "365 days" in result.kept[0]
    clock.advance(days=364)
    assert await service.purge_expired() == 0
    clock.advance(days=2)
    assert await service.purge_expired() == 1
    assert await service.outbox(outcome.incident.id) == []


async def test_audit_trail_lives_as_long_as_its_incident(env: Env) -> None:
    """Issue 12 §4: the trail is not purged by its own age while the incident exists; it goes with it."""
    service, clock, _courier, db = env
    audit = AuditService(db, clock, 30)  # the general audit log's own, shorter retention
    outcome = await service.report(report())
    await service.close(outcome.incident.id, STAFF, false_alarm=False)
    trail = await db.fetch_value(
        "SELECT COUNT(*) FROM audit_log WHERE feature = 'crisis' AND subject_id = ?", (outcome.incident.id,)
    )
    assert trail >= 2
    clock.advance(days=100)
    await audit.record(feature="groups", action="timeout", actor_id=7, target_id=8)
    clock.advance(days=31)
    assert await audit.purge_expired() == 1  # only the old groups row; the incident still exists
    assert await db.fetch_value("SELECT COUNT(*) FROM audit_log WHERE feature = 'crisis'") == trail
    clock.advance(days=365)
    assert await service.purge_expired() == 1
    assert await db.fetch_value("SELECT COUNT(*) FROM audit_log WHERE feature = 'crisis'") == 0


async def test_D17_two_workers_never_send_the_same_escalation_round_twice(env: Env, tmp_path: Path) -> None:
    service, clock, courier, _db = env
    second_db = await Database.open(tmp_path / "crisis.sqlite3")
    try:
        settings = service.settings
        other = CrisisService(second_db, clock, settings, AuditService(second_db, clock, 365), groups=FakeGroups())
        other_courier = FakeCourier()
        other.attach(other_courier, FakeStaff())
        await service.report(report())
        await service.run_due(clock.now())
        clock.advance(minutes=5)
        # Both read the same due incident at round 0, then race to write round 1.
        await asyncio.gather(service.run_due(clock.now()), other.run_due(clock.now()))
        # The round is written once: one repeat row and one DM row per on-call member. (Both workers may then try
        # to send that same row; its fixed nonce makes Discord keep one message, and the instance lease keeps a
        # second worker from running at all.)
        outbox = await service.outbox(1)
        repeats = [o for o in outbox if o.kind == "repeat"]
        assert len(repeats) == 1 and repeats[0].round == 1
        assert len([o for o in outbox if o.kind == "staff_dm"]) == 2
        assert {k for k, _, _ in courier.sent + other_courier.sent} >= {"repeat", "staff_dm"}
        assert (await service.get(1)).escalations == 1
    finally:
        await second_db.close()
