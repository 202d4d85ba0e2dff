"""Screening and reporting: one transaction writes the incident, its match and everything it must send."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from bot.crisis.detector import Assessment, Severity
from bot.db import Queryable
from bot.errors import new_incident_code
from bot.permissions import HearthRole, Person, require
from bot.repositories import crisis as repo
from bot.repositories.crisis import Incident
from bot.services.crisis._escalation import _EscalationLayer
from bot.services.crisis.models import (
    FEATURE,
    Report,
    ReportOutcome,
)

log = logging.getLogger(__name__)


class _ReportingLayer(_EscalationLayer):
    """Screens text and writes incidents."""

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
