"""Crisis incidents: the outbox, escalation timers, and the decisions around them.

Pure: no Discord import. The cog supplies a ``Courier`` that turns an outbox row into a
Discord message, and a ``StaffDirectory`` that knows who holds the on-call and staff roles.

The order of things is the safety argument:

1. ``report`` writes the incident, its match and the outbox rows in ONE transaction.
   Nothing has been sent yet; a crash here loses nothing.
2. ``deliver`` sends outbox rows. Each row's attempt is counted *before* the send, the
   send carries a deterministic nonce (``nonce_for``) that Discord uses to return the
   original message instead of creating a second one, and the message id is stored as
   soon as it is known. Transient failures (429, 5xx, network) are retried with backoff.
3. A destination that refuses for good (another 4xx) is recorded on its row with the
   reason. If it is the staff alerts channel, the alert goes by DM to every on-call and
   staff member at once. As soon as any alert reached someone, refused destinations are
   no longer retried; while nobody at all could be reached, every destination is retried
   with backoff, each round is logged at ERROR, ``/incident show`` says so, and the person
   is told (once) to use the crisis resources now.
4. Timers (ack timeout, resolve reminder) are columns on the incident; ``run_due``
   turns due timers into outbox rows and delivers everything due. On start the first
   ``run_due`` delivers every undelivered row regardless of its backoff.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.clock import Clock, from_db, to_db
from bot.config import CrisisSettings
from bot.crisis.backlog import ScreeningCursors
from bot.crisis.detector import Assessment, CrisisDetector, Severity
from bot.crisis.screening import Screener
from bot.db import Database, Queryable
from bot.delivery import Delivered, DeliveryFailed
from bot.errors import DomainError, InvalidInput, NotFound, new_incident_code
from bot.permissions import HearthRole, Person, require
from bot.privacy import DeletionResult, PostedMessage
from bot.repositories import crisis as repo
from bot.repositories import deletion_log
from bot.repositories.crisis import STATUSES, Incident, Match, OutboxItem
from bot.scheduler import nothing_to_wake
from bot.services.audit import AuditService
from bot.services.contracts import GroupDirectory
from bot.services.discord_cleanup import DROP_EXCERPT, DiscordCleanup
from bot.text import neutralize_mentions, truncate

log = logging.getLogger(__name__)

# Scheduled work the crisis service owns (registered by the crisis extension, woken by the service itself).
WORK_NAME = "crisis"
RETENTION_WORK = "crisis-retention"
CURSORS_WORK = "crisis-screening-cursors"

FEATURE = "crisis"
EXCERPT_LIMIT = 300
# Kinds of outbox rows that only make sense while nobody has acknowledged.
_ESCALATION_KINDS = ("repeat", "staff_dm", "alert_dm")
# Messages about the person removed from Discord once their incident is closed and they asked for deletion: notes
# to facilitators, "would like to talk" pings naming them, the support thread's greeting.
_ABOUT_THE_PERSON = ("peer_concern", "talk", "support_thread")
# Their resources, when they went to a private thread with on-call staff (DMs closed) rather than to their DMs.
_THREAD_NOTES = ("person_notice", "person_followup")
# The alert itself: in the staff alerts channel, or by DM to one staff member when that channel refuses.
ALERT_KINDS = ("alert", "alert_dm")
# Sends that reach staff: once one of them is delivered, a staff member has been told.
STAFF_KINDS = ("alert", "alert_dm", "repeat", "staff_dm", "upgrade", "talk", "reminder")
# Sends to the person the incident is about.
PERSON_KINDS = ("person_notice", "person_followup")
MAX_BACKOFF = timedelta(minutes=5)


def nonce_for(item: OutboxItem) -> str:
    """Deterministic per outbox row; at most 25 characters as Discord requires."""
    if item.kind == "alert":
        return f"hearth-incident-{item.incident_id}"
    if item.kind == "person_notice":
        return person_nonce(item.incident_id)
    return f"hearth-ob-{item.id}"


def person_nonce(incident_id: int) -> str:
    """The person's resources: the first attempt and every retry share it, so they get them once."""
    return f"hearth-person-{incident_id}"


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... capped at 5 minutes."""
    return min(timedelta(seconds=5 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


class Courier(Protocol):
    async def deliver(self, item: OutboxItem, incident: Incident) -> Delivered: ...


class StaffDirectory(Protocol):
    def on_call_members(self) -> list[int]: ...

    def staff_members(self) -> list[int]:
        """Every member of the on-call and the staff roles (the alert's fallback by DM)."""
        ...


class Pager(Protocol):
    """Pagers beyond Discord (bot.paging): which destinations join at which escalation round, and delivery."""

    def rounds(self) -> dict[str, int]: ...

    async def deliver(self, item: OutboxItem, incident: Incident) -> Delivered: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Report:
    """One reason to open or extend an incident. ``text`` is used only for the excerpt."""

    user_id: int
    severity: Severity
    categories: tuple[str, ...]
    source: str
    origin: str = "detector"
    text: str | None = None
    guild_id: int | None = None
    channel_id: int | None = None
    message_id: int | None = None
    group_id: int | None = None
    reported_by: int | None = None
    # When the message was written, if known (a backlog message screened on start may be hours old).
    posted_at: datetime | None = None
    # Sent on the degraded path before this report could be written (the database was unavailable).
    degraded: DegradedSend | None = None
    # A practice incident (/incident drill): every staff-side step, no participant, apart in the figures.
    drill: bool = False


@dataclass(frozen=True, slots=True)
class DegradedSend:
    """What went out while the incident could not be written: the alert message, and how the person was reached."""

    at: datetime
    alert_channel_id: int | None
    alert_message_id: int | None
    person_via: str | None


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    incident: Incident
    created: bool
    # The same Discord message was already screened; nothing changed.
    duplicate: bool
    # Send the person resources now (outside the cooldown).
    notify_person: bool
    # Staff-side rows to send now (the person's notice is not among them: see person_notice_id).
    outbox_ids: tuple[int, ...]
    # What happened, in words a reply can use: opened, updated, raised (severity raised by hand), reopened (a
    # new incident for a message whose incident was closed), unchanged (already open at that severity or
    # higher), duplicate (the message was already screened).
    action: str = "opened"
    # The person's resources, an outbox row like every crisis send; the caller delivers it at once so that it
    # can use the interaction (an ephemeral reply) when the person's DMs are closed.
    person_notice_id: int | None = None


@dataclass(frozen=True, slots=True)
class IncidentFigures:
    """/incident stats for one kind (real incidents or drills): counts and times only."""

    days: int
    total: int
    by_severity: dict[str, int]
    by_status: dict[str, int]
    ack_p50: timedelta | None
    ack_p90: timedelta | None
    ack_longest: timedelta | None
    escalated: int  # incidents that reached at least one unacknowledged re-ping
    pages_sent: int
    pages_refused: int
    pages_waiting: int

    @classmethod
    def of(cls, rows: Sequence[Any], pages: Any, days: int) -> IncidentFigures:
        waits = sorted(
            from_db(r["acknowledged_at"]) - from_db(r["opened_at"]) for r in rows if r["acknowledged_at"] is not None
        )

        def pct(q: float) -> timedelta | None:
            return waits[min(len(waits) - 1, int(q * len(waits)))] if waits else None

        severities: dict[str, int] = {}
        statuses: dict[str, int] = {}
        for r in rows:
            severities[r["severity"]] = severities.get(r["severity"], 0) + 1
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        return cls(
            days=days, total=len(rows), by_severity=severities, by_status=statuses, ack_p50=pct(0.5),
            ack_p90=pct(0.9), ack_longest=waits[-1] if waits else None,
            escalated=sum(1 for r in rows if r["escalations"] > 0),
            pages_sent=int(pages["sent"] or 0) if pages else 0,
            pages_refused=int(pages["refused"] or 0) if pages else 0,
            pages_waiting=int(pages["waiting"] or 0) if pages else 0,
        )


@dataclass(frozen=True, slots=True)
class IncidentDetail:
    incident: Incident
    matches: list[Match]
    outbox: list[OutboxItem]
    audit: list[Any]


class CrisisService:
    feature = FEATURE
    tables = ("crisis_incidents", "crisis_matches", "crisis_outbox", "crisis_peer_reports")
    # What screening has seen, per channel (its own data hook; see bot.crisis.backlog).
    cursors: ScreeningCursors

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: CrisisSettings,
        audit: AuditService,
        *,
        groups: GroupDirectory | None = None,
        detector: CrisisDetector | None = None,
        clinician_roles: Collection[int] = (),
        pager: Pager | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.settings = settings
        self._audit = audit
        self.groups = groups
        self.detector = detector or CrisisDetector()
        self.screener = Screener(self.detector)
        self.cursors = ScreeningCursors(db, clock)
        self._clinician_roles = frozenset(clinician_roles)
        self.pager = pager
        # Re-arms the "crisis" timer after anything that changes what is due (wired to the scheduler).
        self.wake: Callable[[], None] = nothing_to_wake
        self._courier: Courier | None = None
        self._staff: StaffDirectory | None = None
        self._in_flight: set[int] = set()
        self._unreached_said: dict[int, datetime] = {}
        self._started = False
        # What must still be undone in Discord (messages about a deleted person, purged alerts' excerpts).
        self.cleanup: DiscordCleanup | None = None

    # ------------------------------------------------------------------ wiring with the cog
    def attach(self, courier: Courier, staff: StaffDirectory) -> None:
        self._courier = courier
        self._staff = staff
        self._started = False  # the next run_due is a start: deliver everything undelivered

    def detach(self) -> None:
        self._courier = None
        self._staff = None

    # ------------------------------------------------------------------ screening
    def screens_author(self, role_ids: Collection[int]) -> bool:
        """Whether chat by someone with these roles is screened as being about themselves.

        Staff and on-call members talk about risk in order to help (a clinician asking "have you thought about
        suicide today?" in a support thread); their messages are not screened as their own crisis.
        """
        return self._clinician_roles.isdisjoint(role_ids)

    async def assess(self, text: str) -> Assessment:
        """Screen free text on its own (modal notes, encouragements)."""
        return await self.screener.assess(text)

    async def assess_message(self, text: str, *, author_id: int, channel_id: int) -> Assessment:
        """Screen a chat message together with the author's recent messages in that channel."""
        return await self.screener.screen_message(
            text, author_id=author_id, channel_id=channel_id, at=self._clock.now()
        )

    def ack_timeout(self, severity: str) -> timedelta:
        minutes = (
            self.settings.ack_timeout_minutes.imminent
            if severity == Severity.IMMINENT
            else self.settings.ack_timeout_minutes.concern
        )
        return timedelta(minutes=minutes)

    def excerpt(self, text: str | None) -> str | None:
        if not self.settings.include_excerpt or not text:
            return None
        return neutralize_mentions(truncate(" ".join(text.split()), EXCERPT_LIMIT))[: EXCERPT_LIMIT + 20]

    async def group_for_channel(self, channel_id: int) -> int | None:
        if self.groups is None:
            return None
        group = await self.groups.group_by_channel(channel_id)
        return None if group is None or group.archived else group.id

    async def report(self, report: Report) -> ReportOutcome:
        """Open an incident or fold this report into the person's open one (written before any send)."""
        outcome = await self._report(report)
        self.wake()
        if outcome.action == "raised":
            try:
                await self._audit.record(
                    feature=FEATURE, action="incident_raised", actor_id=report.reported_by,
                    target_id=report.user_id, subject_id=outcome.incident.id,
                    detail={"severity": str(report.severity), "message_id": report.message_id},
                )
            except Exception:
                log.exception("crisis incident %s: audit record not written [%s]", outcome.incident.id,
                              new_incident_code())
        return outcome

    async def _report(self, report: Report) -> ReportOutcome:
        if report.severity is Severity.NONE:
            raise ValueError("report() needs a risk severity")
        route = "facilitators" if report.origin == "peer" else "staff"
        now = self._clock.now()
        facilitators: list[int] = []
        if route == "facilitators":
            facilitators = await self._facilitators_for(report)
        async with self._db.transaction() as tx:
            linked: int | None = None
            if report.message_id is not None:
                seen = await repo.incident_of_message(tx, report.message_id)
                if seen is not None and report.origin == "manual" and route == "staff":
                    if not seen.is_open:
                        linked = seen.id  # closed: escalating it again opens a new incident, linked to it
                    else:
                        return await self._raise_by_hand(tx, seen, report, now)
                elif seen is not None:
                    return ReportOutcome(seen, False, True, False, (), action="duplicate")
            current = None if report.drill else await repo.open_for(tx, report.user_id, route)
            excerpt = self.excerpt(report.text)
            outbox: list[int] = []
            if current is None:
                escalate_at = now + self.ack_timeout(report.severity) if route == "staff" else None
                if route == "staff" and self.settings.max_repeats == 0:
                    escalate_at = None
                incident_id = await repo.insert_incident(
                    tx, user_id=report.user_id, route=route, origin=report.origin,
                    severity=str(report.severity), categories=report.categories, source=report.source,
                    guild_id=report.guild_id, channel_id=report.channel_id, message_id=report.message_id,
                    group_id=report.group_id, excerpt=excerpt, reported_by=report.reported_by, at=now,
                    next_escalation_at=escalate_at, posted_at=report.posted_at,
                    degraded_at=None if report.degraded is None else report.degraded.at,
                    linked_incident_id=linked, drill=report.drill,
                )
                created = True
                if route == "staff":
                    alert_id = await repo.enqueue(tx, incident_id, "alert", at=now)
                    sent = report.degraded
                    if sent is not None and sent.alert_message_id is not None:
                        # The degraded alert is this incident's alert: recorded as sent, then edited into the
                        # full alert with its buttons.
                        await repo.mark_sent(
                            tx, alert_id, at=sent.at, channel_id=sent.alert_channel_id,
                            message_id=sent.alert_message_id,
                        )
                        await repo.set_fields(
                            tx, incident_id, alert_channel_id=sent.alert_channel_id,
                            alert_message_id=sent.alert_message_id,
                        )
                        await repo.mark_staff_reached(tx, incident_id, at=sent.at)
                        outbox.append(await repo.enqueue(tx, incident_id, "alert_edit", at=now))
                    else:
                        outbox.append(alert_id)
                    outbox.extend(await self._enqueue_pages(tx, incident_id, 0, now))
            else:
                incident_id = current.id
                created = False
                severity = current.severity
                escalate_at = current.next_escalation_at
                if report.severity is Severity.IMMINENT and current.severity != Severity.IMMINENT:
                    severity = str(Severity.IMMINENT)
                    if current.status == "open" and route == "staff":
                        sooner = now + self.ack_timeout(severity)
                        escalate_at = sooner if escalate_at is None else min(escalate_at, sooner)
                        outbox.append(await repo.enqueue(tx, incident_id, "upgrade", at=now))
                categories = tuple(dict.fromkeys(current.categories + report.categories))
                await repo.fold_match(
                    tx, incident_id, severity=severity, categories=categories, source=report.source,
                    guild_id=report.guild_id, channel_id=report.channel_id, message_id=report.message_id,
                    excerpt=excerpt, at=now, next_escalation_at=escalate_at,
                )
                if route == "staff":
                    outbox.append(await repo.enqueue(tx, incident_id, "alert_edit", at=now))
            await repo.add_match(
                tx, incident_id, at=now, source=report.source, severity=str(report.severity),
                categories=report.categories, channel_id=report.channel_id, message_id=report.message_id,
            )
            if route == "facilitators":
                targets: list[int | None] = list(facilitators) or [None]
                for facilitator_id in targets:
                    outbox.append(
                        await repo.enqueue(tx, incident_id, "peer_concern", at=now, target_id=facilitator_id)
                    )
            notify = False
            person_notice: int | None = None
            if report.origin in ("detector", "manual") and not report.drill:
                last = await repo.last_person_notice(tx, report.user_id)
                cooldown = timedelta(minutes=self.settings.cooldown_minutes)
                notify = last is None or now - last >= cooldown
                if notify:  # reserved with the incident write: a message a second later finds it taken
                    await repo.set_fields(tx, incident_id, person_notice_reserved_at=now)
                    person_notice = await repo.enqueue(tx, incident_id, "person_notice", at=now)
            if report.degraded is not None and report.degraded.person_via is not None:
                sent_at = report.degraded.at
                await repo.set_fields(
                    tx, incident_id, person_notified_at=sent_at, person_notice_via=report.degraded.person_via,
                    person_notice_reserved_at=sent_at,
                )
                if person_notice is not None:
                    await repo.cancel(tx, person_notice, at=now, reason="sent on the degraded path")
                notify, person_notice = False, None
            incident = await repo.get(tx, incident_id)
        assert incident is not None
        await self._audit_report(report, incident, created)
        log.info(
            "crisis incident %s %s for user %s (origin %s, severity %s, source %s)",
            incident.id, "opened" if created else "updated", report.user_id, report.origin,
            incident.severity, report.source,
        )
        action = ("reopened" if linked is not None else "opened") if created else "updated"
        return ReportOutcome(
            incident, created, False, notify, tuple(outbox), action=action, person_notice_id=person_notice
        )

    async def _raise_by_hand(self, tx: Queryable, seen: Incident, report: Report, now: datetime) -> ReportOutcome:
        """Escalated by hand from a message already in an open incident: raise its severity if the chosen one
        is higher (acknowledgement timer re-armed for it, a fresh alert ping), otherwise change nothing."""
        if Severity(seen.severity).rank >= report.severity.rank:
            return ReportOutcome(seen, False, False, False, (), action="unchanged")
        severity = str(report.severity)
        escalate_at = seen.next_escalation_at
        if seen.status == "open" and self.settings.max_repeats > 0:
            escalate_at = now + self.ack_timeout(severity)
        categories = tuple(dict.fromkeys(seen.categories + report.categories))
        await repo.fold_match(
            tx, seen.id, severity=severity, categories=categories, source=seen.source, guild_id=seen.guild_id,
            channel_id=seen.channel_id, message_id=seen.message_id, excerpt=seen.excerpt, at=now,
            next_escalation_at=escalate_at,
        )
        outbox = (
            await repo.enqueue(tx, seen.id, "upgrade", at=now),
            await repo.enqueue(tx, seen.id, "alert_edit", at=now),
        )
        incident = await repo.get(tx, seen.id)
        assert incident is not None
        log.info("crisis incident %s raised to %s by hand", seen.id, severity)
        return ReportOutcome(incident, False, False, False, outbox, action="raised")

    async def _audit_report(self, report: Report, incident: Incident, created: bool) -> None:
        """The audit row of a report. The incident is already written: a failure here is logged, never raised
        (a retry of the whole report would find the message already screened and send nothing)."""
        try:
            await self._audit.record(
                feature=FEATURE,
                action="incident_opened" if created else "incident_updated",
                # A peer reporter stays anonymous: the audit row is exported to the person.
                actor_id=report.reported_by if report.origin == "manual" else None,
                target_id=report.user_id,
                subject_id=incident.id,
                detail={
                    "origin": report.origin, "severity": str(report.severity), "source": report.source,
                    "categories": list(report.categories), "channel_id": report.channel_id,
                    "message_id": report.message_id, "degraded": report.degraded is not None,
                },
            )
        except Exception:
            log.exception("crisis incident %s: audit record not written [%s]", incident.id, new_incident_code())

    async def claim_peer_report(self, reporter_id: int, user_id: int) -> bool:
        """One "I'm worried about this person" per reporter per person per day; False if already made."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            return await repo.claim_peer_report(tx, reporter_id, user_id, at=now, since=now - timedelta(days=1))

    async def start_drill(self, actor: Person, severity: Severity) -> ReportOutcome:
        """A practice incident: the alert, escalation rounds and pagers run as for a real one (pagers marked as a
        drill), no participant is contacted, and the figures keep it apart."""
        require(actor, HearthRole.STAFF, action="starting a crisis drill")
        outcome = await self.report(Report(
            user_id=actor.user_id, severity=severity, categories=("drill",), source="drill", origin="manual",
            reported_by=actor.user_id, drill=True,
        ))
        log.info("crisis drill %s started by %s (%s)", outcome.incident.id, actor.user_id, severity)
        return outcome

    async def stats(self, actor: Person, days: int) -> tuple[IncidentFigures, IncidentFigures]:
        """Figures about real incidents and about drills over the last ``days``: counts and times, no names."""
        require(actor, HearthRole.STAFF, action="seeing incident figures")
        since = self._clock.now() - timedelta(days=days)
        rows = await repo.figures_since(self._db, since)
        pages = {bool(r["drill"]): r for r in await repo.page_counts(self._db, since)}
        real, drills = (
            IncidentFigures.of([r for r in rows if bool(r["drill"]) is drill], pages.get(drill), days)
            for drill in (False, True)
        )
        return real, drills

    async def _facilitators_for(self, report: Report) -> list[int]:
        if self.groups is None:
            return []
        group_ids: list[int] = []
        if report.group_id is not None:
            group_ids.append(report.group_id)
        else:
            group_ids.extend(g.id for g in await self.groups.groups_of_member(report.user_id))
        found: list[int] = []
        for group_id in group_ids:
            for user_id in await self.groups.facilitators_of_group(group_id):
                if user_id not in found and user_id != report.user_id:
                    found.append(user_id)
        return found

    # ------------------------------------------------------------------ the person
    async def record_person_notice(self, incident_id: int, via: str) -> None:
        await repo.set_fields(self._db, incident_id, person_notified_at=self._clock.now(), person_notice_via=via)
        log.info("crisis resources for incident %s delivered via %s", incident_id, via)

    async def _person_unreachable(self, incident: Incident, reason: str, code: str) -> list[int]:
        if incident.person_notified_at is not None:
            return []
        await repo.set_fields(self._db, incident.id, person_notice_via="undeliverable")
        await self._audit.record(
            feature=FEATURE, action="resources_undeliverable", actor_id=None, target_id=incident.user_id,
            subject_id=incident.id, detail={"reason": reason, "code": code},
        )
        return [await repo.enqueue(self._db, incident.id, "alert_edit", at=self._clock.now())]

    async def _owned(self, incident_id: int, user_id: int) -> Incident:
        incident = await repo.get(self._db, incident_id)
        if incident is None or incident.user_id != user_id:
            raise DomainError("This button belongs to someone else's message.")
        return incident

    async def mark_safe(self, incident_id: int, user_id: int) -> Incident:
        incident = await self._owned(incident_id, user_id)
        now = self._clock.now()
        await repo.set_fields(self._db, incident_id, safe_at=now)
        await repo.enqueue(self._db, incident_id, "alert_edit", at=now)
        await self._audit.record(
            feature=FEATURE, action="person_safe", actor_id=user_id, target_id=user_id, subject_id=incident_id
        )
        refreshed = await repo.get(self._db, incident.id)
        assert refreshed is not None
        return refreshed

    async def request_talk(self, user_id: int, incident_id: int | None) -> tuple[Incident, bool]:
        """The person asked to talk to someone. Returns the incident and whether this is a new request."""
        incident: Incident | None = None
        if incident_id:
            incident = await self._owned(incident_id, user_id)
            if not incident.is_open:
                incident = None
        if incident is None:
            incident = await repo.open_for(self._db, user_id, "staff")
        fresh = False
        if incident is None:
            outcome = await self.report(
                Report(user_id=user_id, severity=Severity.CONCERN, categories=("asked_to_talk",),
                       source="help_now", origin="self")
            )
            incident, fresh = outcome.incident, True
        if incident.talk_requested_at is not None:
            return incident, False
        now = self._clock.now()
        await repo.set_fields(self._db, incident.id, talk_requested_at=now)
        # The private thread is a send like any other: retried through the outbox if Discord does not answer.
        await repo.enqueue(self._db, incident.id, "support_thread", at=now)
        if not fresh:  # a fresh incident's own alert already says they asked to talk
            await repo.enqueue(self._db, incident.id, "talk", at=now)
        await repo.enqueue(self._db, incident.id, "alert_edit", at=now)
        await self._audit.record(
            feature=FEATURE, action="talk_requested", actor_id=user_id, target_id=user_id, subject_id=incident.id
        )
        refreshed = await repo.get(self._db, incident.id)
        assert refreshed is not None
        return refreshed, True

    async def set_talk_thread(self, incident_id: int, thread_id: int | None) -> None:
        await repo.set_fields(self._db, incident_id, talk_thread_id=thread_id)

    # ------------------------------------------------------------------ staff actions
    async def get(self, incident_id: int) -> Incident:
        incident = await repo.get(self._db, incident_id)
        if incident is None:
            raise NotFound(f"There is no incident #{incident_id}.")
        return incident

    async def acknowledge(
        self, incident_id: int, actor: Person, *, via: str = "button", refresh_alert: bool = False
    ) -> tuple[Incident, bool]:
        """``via`` is how staff acted (button or command); ``refresh_alert`` also updates the alert message."""
        require(actor, HearthRole.ON_CALL, action="acknowledging a crisis alert")
        incident = await self.get(incident_id)
        now = self._clock.now()
        reminder = now + timedelta(minutes=self.settings.resolve_reminder_minutes)
        changed = await repo.transition(
            self._db, incident_id, from_statuses=("open",), status="acknowledged", acknowledged_by=actor.user_id,
            acknowledged_at=now, next_escalation_at=None, resolve_reminder_at=reminder, held_by=actor.user_id,
            held_since=now,
        )
        if changed:
            await self._stop_chasing(incident_id, _ESCALATION_KINDS, refresh_alert=refresh_alert)
            await self._page_followup(incident_id, "acknowledge")
            await self._audit.record(
                feature=FEATURE, action="acknowledged", actor_id=actor.user_id, target_id=incident.user_id,
                subject_id=incident_id, detail={"via": via},
            )
            log.info("crisis incident %s acknowledged by %s (%s)", incident_id, actor.user_id, via)
            self.wake()
        return await self.get(incident_id), changed

    async def hand_off(self, incident_id: int, actor: Person, to: Person, note: str) -> Incident:
        """The holder (or any staff member) moves an acknowledged incident to another staff or on-call member,
        with a note; audit-logged, and the resolve reminder is re-armed for the new holder."""
        require(actor, HearthRole.ON_CALL, action="handing off a crisis incident")
        if not to.has_any(HearthRole.STAFF, HearthRole.ON_CALL):
            raise InvalidInput("member", "hand off to a staff or on-call member")
        clean = note.strip()
        if not clean:
            raise InvalidInput("note", "say briefly what the next person needs to know")
        incident = await self.get(incident_id)
        if incident.status != "acknowledged":
            raise DomainError(f"Incident #{incident_id} is {incident.status.replace('_', ' ')}: only an acknowledged "
                              "incident has a holder to hand off from.")
        if to.user_id == (incident.held_by or incident.acknowledged_by):
            raise InvalidInput("member", "they already hold it")
        now = self._clock.now()
        reminder = now + timedelta(minutes=self.settings.resolve_reminder_minutes)
        changed = await repo.transition(
            self._db, incident_id, from_statuses=("acknowledged",), held_by=to.user_id, held_since=now,
            resolve_reminder_at=reminder,
        )
        if not changed:
            raise DomainError(f"Incident #{incident_id} changed a moment ago; look at it again.")
        await repo.cancel_kinds(self._db, incident_id, ("reminder",), at=now)
        await repo.enqueue(self._db, incident_id, "alert_edit", at=now)
        await self._audit.record(
            feature=FEATURE, action="handed_off", actor_id=actor.user_id, target_id=to.user_id,
            subject_id=incident_id, reason=clean,
        )
        log.info("crisis incident %s handed off by %s to %s", incident_id, actor.user_id, to.user_id)
        self.wake()
        return await self.get(incident_id)

    async def close(
        self, incident_id: int, actor: Person, *, false_alarm: bool, note: str | None = None, via: str = "button",
        refresh_alert: bool = False,
    ) -> tuple[Incident, bool]:
        require(actor, HearthRole.ON_CALL, action="closing a crisis alert")
        incident = await self.get(incident_id)
        now = self._clock.now()
        status = "false_alarm" if false_alarm else "resolved"
        fields: dict[str, Any] = {
            "status": status, "closed_by": actor.user_id, "closed_at": now,
            "next_escalation_at": None, "resolve_reminder_at": None,
        }
        if incident.acknowledged_at is None:
            fields.update(acknowledged_by=actor.user_id, acknowledged_at=now)
        changed = await repo.transition(self._db, incident_id, from_statuses=("open", "acknowledged"), **fields)
        if changed:
            await self._stop_chasing(incident_id, (*_ESCALATION_KINDS, "reminder"), refresh_alert=refresh_alert)
            await self._page_followup(incident_id, "resolve")
            await self._audit.record(
                feature=FEATURE, action=status, actor_id=actor.user_id, target_id=incident.user_id,
                subject_id=incident_id, reason=note, detail={"via": via},
            )
            log.info("crisis incident %s closed (%s) by %s (%s)", incident_id, status, actor.user_id, via)
            if await deletion_log.of(self._db, incident.user_id) is not None:
                # The person asked for deletion while this was open: now it is kept as metadata only.
                posts = await self._forget_text(incident.user_id, [await self.get(incident_id)])
                if self.cleanup is not None:
                    await self.cleanup.queue_posts(incident.user_id, posts)
            self.wake()
        return await self.get(incident_id), changed

    async def _forget_text(self, user_id: int, incidents: Sequence[Incident]) -> list[PostedMessage]:
        """A closed incident of a person who asked for deletion keeps metadata only: its excerpt goes (from the row,
        the staff alert and the alert's DM copies). Returns the messages about the person to remove from Discord."""
        now = self._clock.now()
        had = await repo.forget_excerpts(self._db, [i.id for i in incidents])
        for incident_id in had:
            await repo.enqueue(self._db, incident_id, "alert_edit", at=now)
        copies = await repo.sent_messages(self._db, had, ("alert_dm",))
        if copies and self.cleanup is not None:
            await self.cleanup.queue(user_id, DROP_EXCERPT, [(c, m) for _k, c, m in copies])
        messages = await repo.sent_messages(self._db, [i.id for i in incidents], _ABOUT_THE_PERSON)
        threads = [i.id for i in incidents if i.person_notice_via == "thread"]
        messages += await repo.sent_messages(self._db, threads, _THREAD_NOTES)
        if had:
            log.info("dropped the excerpt of %d closed incident(s) of user %s", len(had), user_id)
        return [PostedMessage(c, m) for _k, c, m in messages]

    async def _enqueue_pages(self, tx: Queryable, incident_id: int, round_no: int, now: datetime) -> list[int]:
        """Trigger the pagers that join at this escalation round (written with the round, sent like any row)."""
        if self.pager is None:
            return []
        return [
            await repo.enqueue(tx, incident_id, f"page_{name}", at=now, round=round_no, page_event="trigger")
            for name, joins_at in self.pager.rounds().items() if joins_at == round_no
        ]

    async def _page_followup(self, incident_id: int, event: str) -> None:
        """Staff acted in Discord: pagers that were paged hear ``acknowledge`` / ``resolve``; pages not yet sent
        are cancelled (nobody needs waking any more)."""
        if self.pager is None:
            return
        now = self._clock.now()
        rows = await repo.outbox_of(self._db, incident_id)
        for name in self.pager.rounds():
            triggers = [o for o in rows if o.kind == f"page_{name}" and o.page_event == "trigger"]
            for trigger in triggers:
                if trigger.pending:
                    await repo.cancel(self._db, trigger.id, at=now, reason=f"{event} before paging")
            if any(t.sent_at is not None for t in triggers):
                await repo.enqueue(self._db, incident_id, f"page_{name}", at=now, page_event=event)

    async def _stop_chasing(self, incident_id: int, kinds: tuple[str, ...], *, refresh_alert: bool) -> None:
        """Someone on staff acted: stop escalating and stop retrying destinations that refused."""
        now = self._clock.now()
        await repo.cancel_kinds(self._db, incident_id, kinds, at=now)
        await repo.cancel_refused(self._db, incident_id, ALERT_KINDS, at=now)
        await repo.set_fields(self._db, incident_id, unreached_since=None)
        if refresh_alert:
            await repo.enqueue(self._db, incident_id, "alert_edit", at=now)

    async def refresh_alert(self, incident_id: int) -> None:
        """Bring the alert message up to date (e.g. after staff acted on a copy of it sent by DM)."""
        await repo.enqueue(self._db, incident_id, "alert_edit", at=self._clock.now())

    async def list_incidents(self, actor: Person, status: str | None) -> list[Incident]:
        require(actor, HearthRole.STAFF, action="viewing incidents")
        if status is not None and status not in (*STATUSES, "open_any"):
            raise InvalidInput("status", "use one of open, acknowledged, resolved, false_alarm", got=status)
        return await repo.listing(self._db, status)

    async def detail(self, actor: Person, incident_id: int) -> IncidentDetail:
        require(actor, HearthRole.STAFF, action="viewing incidents")
        incident = await self.get(incident_id)
        return IncidentDetail(
            incident=incident,
            matches=await repo.matches_of(self._db, incident_id),
            outbox=await repo.outbox_of(self._db, incident_id),
            audit=await self._audit.for_subject(FEATURE, incident_id),
        )

    # ------------------------------------------------------------------ timers (DueWork)
    async def next_due(self) -> datetime | None:
        if self._courier is not None and not self._started:
            return self._clock.now()
        return await repo.next_timer(self._db)

    async def run_due(self, now: datetime) -> None:
        await self._escalate_due(now)
        await self._remind_due(now)
        if self._courier is None:
            return
        starting = not self._started
        self._started = True
        # On start everything undelivered goes out at once, whatever its backoff said.
        await self.deliver_pending(None if starting else now)

    async def _escalate_due(self, now: datetime) -> None:
        for incident in await repo.due_escalations(self._db, now):
            round_no = incident.escalations + 1
            more = round_no < self.settings.max_repeats
            next_at = now + self.ack_timeout(incident.severity) if more else None
            members = self._staff.on_call_members() if self._staff is not None else []
            async with self._db.transaction() as tx:
                changed = await repo.advance_round(
                    tx, incident.id, from_round=incident.escalations, next_escalation_at=next_at
                )
                if not changed:  # acknowledged meanwhile, or another worker already sent this round
                    continue
                await repo.enqueue(tx, incident.id, "repeat", at=now, round=round_no)
                await self._enqueue_pages(tx, incident.id, round_no, now)
                for member_id in members:
                    await repo.enqueue(tx, incident.id, "staff_dm", at=now, target_id=member_id, round=round_no)
            await self._audit.record(
                feature=FEATURE, action="escalated", actor_id=None, target_id=incident.user_id,
                subject_id=incident.id, detail={"round": round_no, "on_call_dms": len(members)},
            )
            log.warning("crisis incident %s not acknowledged: escalation round %s", incident.id, round_no)

    async def _remind_due(self, now: datetime) -> None:
        for incident in await repo.due_reminders(self._db, now):
            async with self._db.transaction() as tx:
                changed = await repo.transition(
                    tx, incident.id, from_statuses=("acknowledged",), resolve_reminder_at=None
                )
                if changed:
                    await repo.enqueue(tx, incident.id, "reminder", at=now)

    # ------------------------------------------------------------------ delivery
    async def deliver_pending(self, due_by: datetime | None) -> int:
        items = await repo.pending(self._db, due_by)
        return await self._deliver_items(items)

    async def deliver(self, item_ids: Sequence[int]) -> int:
        items = [i for i in [await repo.outbox_item(self._db, x) for x in item_ids] if i is not None]
        return await self._deliver_items(items)

    async def deliver_incident(self, incident_id: int) -> int:
        """Send what is due now for one incident (e.g. before telling the person what happened)."""
        now = self._clock.now()
        items = [o for o in await repo.outbox_of(self._db, incident_id) if o.pending and o.due_at <= now]
        items.sort(key=lambda o: (o.kind != "alert", o.id))
        return await self._deliver_items(items)

    async def _deliver_items(self, items: Sequence[OutboxItem]) -> int:
        courier = self._courier
        if courier is None:
            return 0
        sent = 0
        queue = list(items)
        while queue:
            touched: set[int] = set()
            follow: list[int] = []
            for stale in queue:
                if stale.id in self._in_flight:
                    continue
                self._in_flight.add(stale.id)
                try:
                    delivered, more = await self._deliver_one(courier, stale.id)
                finally:
                    self._in_flight.discard(stale.id)
                sent += delivered
                follow.extend(more)
                if stale.kind in STAFF_KINDS:
                    touched.add(stale.incident_id)
            for incident_id in sorted(touched):
                follow.extend(await self._after_staff_sends(incident_id))
            queue = [i for i in [await repo.outbox_item(self._db, x) for x in follow] if i is not None]
        self.wake()  # retries were scheduled, or rows were added
        return sent

    async def _deliver_one(self, courier: Courier, item_id: int) -> tuple[bool, list[int]]:
        """Send one row; returns whether it was delivered and the rows to send next in the same pass."""
        # Re-read under the in-flight guard: another path may have sent it meanwhile.
        item = await repo.outbox_item(self._db, item_id)
        if item is None or not item.pending:
            return False, []
        incident = await repo.get(self._db, item.incident_id)
        if incident is None:
            return False, []
        now = self._clock.now()
        if item.kind in _ESCALATION_KINDS and incident.status != "open":
            await repo.cancel(self._db, item.id, at=now, reason="acknowledged before sending")
            return False, []
        if item.kind == "reminder" and incident.status != "acknowledged":
            await repo.cancel(self._db, item.id, at=now, reason="closed before sending")
            return False, []
        if item.kind in ALERT_KINDS and item.failed_at is not None and self._reached(incident):
            await repo.cancel(self._db, item.id, at=now, reason="refused; staff were reached another way")
            return False, []
        sender: Courier | Pager = courier
        if item.kind.startswith("page_"):
            if self.pager is None:
                await repo.cancel(self._db, item.id, at=now, reason="paging is not configured")
                return False, []
            sender = self.pager
        await repo.mark_attempt(self._db, item.id)
        try:
            result = await sender.deliver(item, incident)
        except DeliveryFailed as exc:
            return False, await self._failed(item, incident, exc)
        return True, await self._record_delivery(item, incident, result)

    @staticmethod
    def _reached(incident: Incident) -> bool:
        return incident.staff_reached_at is not None or incident.acknowledged_at is not None or not incident.is_open

    async def _failed(self, item: OutboxItem, incident: Incident, exc: DeliveryFailed) -> list[int]:
        now = self._clock.now()
        attempts = item.attempts + 1
        if not exc.permanent:
            retry_at = now + backoff(attempts)
            await repo.mark_failed(self._db, item.id, error=exc.reason, retry_at=retry_at)
            log.warning(
                "crisis outbox %s (%s, incident %s) attempt %s failed (%s); retrying at %s",
                item.id, item.kind, item.incident_id, attempts, exc.reason, retry_at.isoformat(),
            )
            return []
        code = new_incident_code()
        await repo.mark_refused(self._db, item.id, at=now, failure=f"{exc.reason} [{code}]")
        if item.kind in ALERT_KINDS:
            # Not given up: cancelled once the alert reached someone another way, and retried with
            # backoff for as long as nobody at all could be reached.
            await repo.mark_failed(
                self._db, item.id, error=f"refused: {exc.reason}", retry_at=now + backoff(attempts)
            )
            where = "the staff alerts channel" if item.target_id is None else f"a DM to staff member {item.target_id}"
            log.error(
                "crisis incident %s: %s refused the alert for good (outbox %s, %s) [%s]",
                incident.id, where, item.id, exc.reason, code,
            )
            return []
        await repo.cancel(self._db, item.id, at=now, reason=f"refused: {exc.reason}")
        log.error(
            "crisis outbox %s (%s, incident %s) cannot be delivered: %s [%s]",
            item.id, item.kind, item.incident_id, exc.reason, code,
        )
        if item.kind == "person_notice":
            # Neither a DM nor a note in the channel reached them: staff must reach out themselves.
            return await self._person_unreachable(incident, exc.reason, code)
        return []

    async def _after_staff_sends(self, incident_id: int) -> list[int]:
        """After a pass that sent (or failed to send) to staff: fall back to DMs, or say nobody was reached."""
        incident = await repo.get(self._db, incident_id)
        if incident is None:
            return []
        now = self._clock.now()
        if self._reached(incident):
            await repo.cancel_refused(self._db, incident_id, ALERT_KINDS, at=now)
            if incident.unreached_since is not None:
                self._unreached_said.pop(incident_id, None)
                await repo.set_fields(self._db, incident_id, unreached_since=None)
                log.warning("crisis incident %s: staff reached after all; no longer retrying refused destinations",
                            incident_id)
            return []
        rows = await repo.outbox_of(self._db, incident_id)
        if any(r.kind == "alert" and r.failed_at is not None for r in rows) and not any(
            r.kind == "alert_dm" for r in rows
        ):
            fallback = await self._alert_by_dm(incident)
            if fallback:
                return fallback  # judged once these were tried
            rows = await repo.outbox_of(self._db, incident_id)
        live = [r for r in rows if r.kind in ALERT_KINDS and r.cancelled_at is None]
        if not live or any(r.failed_at is None for r in live):
            return []
        code = new_incident_code()
        said = self._unreached_said.get(incident_id)
        if said is None or now - said >= timedelta(seconds=1):  # once per retry round, not once per pass
            self._unreached_said[incident_id] = now
            log.error(
                "crisis incident %s: NO staff member could be reached (%d destination(s) refused); "
                "retrying every destination with backoff [%s]",
                incident_id, len(live), code,
            )
        if incident.unreached_since is not None or not await repo.mark_unreached(self._db, incident_id, at=now):
            return []  # another pass got here first: the person is told once
        await self._audit.record(
            feature=FEATURE, action="staff_unreachable", actor_id=None, target_id=incident.user_id,
            subject_id=incident_id, detail={"destinations": len(live), "code": code},
        )
        # The person must not wait for a call that may not come.
        return [await repo.enqueue(self._db, incident_id, "person_followup", at=now)]

    async def _alert_by_dm(self, incident: Incident) -> list[int]:
        """The staff alerts channel refused: the full alert by DM to every on-call and staff member."""
        members = self._staff.staff_members() if self._staff is not None else []
        members = [m for m in dict.fromkeys(members) if m != incident.user_id]
        if not members:
            log.error("crisis incident %s: the staff alerts channel refused the alert and there is no on-call or "
                      "staff member to send it to by DM", incident.id)
            return []
        now = self._clock.now()
        ids: list[int] = []
        async with self._db.transaction() as tx:
            if any(o.kind == "alert_dm" for o in await repo.outbox_of(tx, incident.id)):
                return []  # another pass already did
            for member_id in members:
                ids.append(await repo.enqueue(tx, incident.id, "alert_dm", at=now, target_id=member_id))
        log.error(
            "crisis incident %s: the staff alerts channel refused the alert; sending it by DM to %d on-call "
            "and staff member(s)",
            incident.id, len(ids),
        )
        await self._audit.record(
            feature=FEATURE, action="alert_sent_by_dm", actor_id=None, target_id=incident.user_id,
            subject_id=incident.id, detail={"staff_members": len(ids)},
        )
        return ids

    async def _record_delivery(self, item: OutboxItem, incident: Incident, result: Delivered) -> list[int]:
        now = self._clock.now()
        follow: list[int] = []
        await repo.mark_sent(self._db, item.id, at=now, channel_id=result.channel_id, message_id=result.message_id)
        if item.kind == "alert" and result.message_id is not None:
            await repo.set_fields(
                self._db, item.incident_id, alert_channel_id=result.channel_id, alert_message_id=result.message_id
            )
        if (
            item.kind == "alert_edit" and result.replaced_alert
            and result.channel_id is not None and result.message_id is not None
        ):
            await repo.replace_alert(
                self._db, item.incident_id, channel_id=result.channel_id, message_id=result.message_id
            )
            log.warning(
                "crisis incident %s: the alert message %s was deleted; posted it again as %s",
                item.incident_id, incident.alert_message_id, result.message_id,
            )
        if item.kind in STAFF_KINDS:
            await repo.mark_staff_reached(self._db, item.incident_id, at=now)
        if item.kind == "person_notice":
            await repo.set_fields(
                self._db, item.incident_id, person_notified_at=now, person_notice_via=result.via or "dm"
            )
            follow.append(await repo.enqueue(self._db, item.incident_id, "alert_edit", at=now))
        if item.kind == "support_thread" and result.channel_id is not None:
            await repo.set_fields(self._db, item.incident_id, talk_thread_id=result.channel_id)
            follow.append(await repo.enqueue(self._db, item.incident_id, "alert_edit", at=now))
        log.info(
            "crisis outbox %s (%s, incident %s) delivered as message %s",
            item.id, item.kind, item.incident_id, result.message_id,
        )
        return follow

    async def outbox(self, incident_id: int) -> list[OutboxItem]:
        return await repo.outbox_of(self._db, incident_id)

    async def incident_if_any(self, incident_id: int) -> Incident | None:
        return await repo.get(self._db, incident_id)

    # ------------------------------------------------------------------ retention & data rights
    async def purge_expired(self) -> int:
        cutoff = self._clock.now() - timedelta(days=self.settings.retention_days)
        removed = await repo.purge_closed_before(self._db, cutoff, now=self._clock.now())
        if removed:
            log.info("purged %d closed crisis incident(s) past retention", removed)
            if self.cleanup is not None:
                self.cleanup.wake()  # their alerts lose the excerpt in Discord
        return removed

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        about = await repo.about(self._db, user_id)
        incidents = []
        for incident in about:
            data = asdict(incident)
            data.pop("reported_by")  # a peer reporter stays anonymous to the person
            data["categories"] = list(incident.categories)
            incidents.append(_jsonable(data))
        matches = [
            _jsonable(asdict(m)) for incident in about for m in await repo.matches_of(self._db, incident.id)
        ]
        reported = [
            {"incident_id": i.id, "opened_at": to_db(i.opened_at), "origin": i.origin}
            for i in await repo.reported_by(self._db, user_id)
        ]
        rows = await self._db.fetch_all(
            "SELECT id, incident_id, kind, sent_at FROM crisis_outbox WHERE target_id = ? ORDER BY id", (user_id,)
        )
        return {
            "incidents_about_you": incidents,
            "matched_messages": matches,
            "reports_you_made": reported,
            "messages_sent_to_you": [dict(r) for r in rows],
        }

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        about = await repo.about(self._db, user_id)
        open_count = sum(1 for i in about if i.is_open)
        closed_count = len(about) - open_count
        anonymised = await repo.anonymise_reporter(self._db, user_id)
        await repo.delete_peer_reports(self._db, user_id)
        posts = await self._forget_text(user_id, [i for i in about if not i.is_open])
        kept: list[str] = []
        if open_count:
            kept.append(
                f"{open_count} open safety incident(s) about you are kept while staff are still following up; "
                "they cannot be deleted until staff close them. When they are closed, the excerpt of your message "
                "and the notes Hearth sent about you are removed, as for closed ones."
            )
        if closed_count:
            kept.append(
                f"{closed_count} closed safety incident(s) about you are kept for {self.settings.retention_days} "
                "days after they were closed, so the program can account for how it responded, and are then "
                "deleted automatically. They keep only what happened and when: the excerpt of your message was "
                "removed, from the staff alert too."
            )
        if anonymised:
            kept.append(f"Your name was removed from {anonymised} concern(s) you raised about someone else.")
        return DeletionResult(self.feature, 0, tuple(kept), posts=tuple(posts))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v)))
