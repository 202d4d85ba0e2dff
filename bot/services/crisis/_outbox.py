"""Sending outbox rows: counted before the send, one nonce per row, refusals rerouted, never dropped."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.delivery import Delivered, DeliveryFailed
from bot.errors import new_incident_code
from bot.repositories import crisis as repo
from bot.repositories.crisis import Incident, OutboxItem
from bot.services.crisis._state import _CrisisState
from bot.services.crisis.models import (
    ALERT_KINDS,
    ESCALATION_KINDS,
    FEATURE,
    STAFF_KINDS,
    Courier,
    Pager,
    backoff,
)

log = logging.getLogger(__name__)


class _OutboxLayer(_CrisisState):
    """Delivers outbox rows through the courier (Discord) and the pager (beyond Discord)."""

    async def record_person_notice(self, incident_id: int, via: str) -> None:
        await repo.set_fields(self._db, incident_id, person_notified_at=self._clock.now(), person_notice_via=via)
        log.info("crisis resources for incident %s delivered via %s", incident_id, via)

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
        if item.kind in ESCALATION_KINDS and incident.status != "open":
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

    async def _person_unreachable(self, incident: Incident, reason: str, code: str) -> list[int]:
        if incident.person_notified_at is not None:
            return []
        await repo.set_fields(self._db, incident.id, person_notice_via="undeliverable")
        await self._audit.record(
            feature=FEATURE, action="resources_undeliverable", actor_id=None, target_id=incident.user_id,
            subject_id=incident.id, detail={"reason": reason, "code": code},
        )
        return [await repo.enqueue(self._db, incident.id, "alert_edit", at=self._clock.now())]

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
