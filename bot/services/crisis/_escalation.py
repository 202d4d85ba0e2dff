"""Timers on incidents: unacknowledged alerts escalate round by round, open ones are reminded."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.db import Queryable
from bot.repositories import crisis as repo
from bot.services.crisis._outbox import _OutboxLayer
from bot.services.crisis.models import (
    ALERT_KINDS,
    FEATURE,
)

log = logging.getLogger(__name__)


class _EscalationLayer(_OutboxLayer):
    """Turns due timers into outbox rows and delivers everything due."""

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
