"""The crisis service staff and participants act on: acknowledge, hand off, close, talk, export, delete."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from bot.clock import to_db
from bot.crisis.detector import Severity
from bot.errors import DomainError, InvalidInput
from bot.permissions import HearthRole, Person, require
from bot.privacy import DeletionResult, PostedMessage
from bot.repositories import crisis as repo
from bot.repositories import deletion_log
from bot.repositories.crisis import STATUSES, Incident
from bot.services.crisis._reporting import _ReportingLayer
from bot.services.crisis.models import (
    ABOUT_THE_PERSON,
    ESCALATION_KINDS,
    FEATURE,
    THREAD_NOTES,
    IncidentDetail,
    IncidentFigures,
    Report,
)
from bot.services.discord_cleanup import DROP_EXCERPT

log = logging.getLogger(__name__)


class CrisisService(_ReportingLayer):
    """Incidents as staff and participants see them."""

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
            await self._stop_chasing(incident_id, ESCALATION_KINDS, refresh_alert=refresh_alert)
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
            await self._stop_chasing(incident_id, (*ESCALATION_KINDS, "reminder"), refresh_alert=refresh_alert)
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
        messages = await repo.sent_messages(self._db, [i.id for i in incidents], ABOUT_THE_PERSON)
        threads = [i.id for i in incidents if i.person_notice_via == "thread"]
        messages += await repo.sent_messages(self._db, threads, THREAD_NOTES)
        if had:
            log.info("dropped the excerpt of %d closed incident(s) of user %s", len(had), user_id)
        return [PostedMessage(c, m) for _k, c, m in messages]

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
        return {
            "incidents_about_you": incidents,
            "matched_messages": matches,
            "reports_you_made": reported,
            "messages_sent_to_you": await repo.sent_to(self._db, user_id),
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
        if about:
            self.wake()  # staff alerts of closed incidents lose the excerpt
        return DeletionResult(self.feature, 0, tuple(kept), posts=tuple(posts))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v)))
