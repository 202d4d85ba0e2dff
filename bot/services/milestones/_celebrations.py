"""Planning and delivering celebrations of counters, check-in streaks and weeks in a group."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery import Delivered, DeliveryFailed
from bot.repositories import milestones as repo
from bot.repositories.milestones import PendingRow
from bot.services.milestones._counters import (
    _CounterLayer,
)
from bot.services.milestones.models import (
    DEFAULT_VISIBILITY,
    MAX_ATTEMPTS,
    CelebrationSender,
    DueCelebration,
    announce_moment,
    with_due,
)

log = logging.getLogger(__name__)


class _CelebrationLayer(_CounterLayer):
    """Planning and delivering celebrations of counters, check-in streaks and weeks in a group."""

    # ------------------------------------------------------------- streaks & groups

    async def checkin_recorded(self, user_id: int) -> bool:
        """Called after a check-in (or by the sweep): schedule a streak celebration if one was reached.

        Returns True when a celebration was newly planned (so the scheduler needs re-arming).
        """
        if self.streaks is None:
            return False
        today, zone = await self._today(user_id)
        streak = await self.streaks.streak(user_id)
        if streak.last_checkin is None or streak.current not in self.settings.checkin_streaks:
            return False
        if (today - streak.last_checkin).days > self.settings.late_grace_days:
            return False
        run_key = streak.last_checkin.isoformat()
        async with self._db.transaction() as tx:
            if await repo.pending_one(tx, user_id, "streak", 0) is not None:
                return False
            if await repo.celebration_by_key(tx, user_id, "streak", 0, run_key, streak.current) is not None:
                return False
            await repo.upsert_pending(tx, PendingRow(
                user_id=user_id, kind="streak", subject=0, run_key=run_key, milestone=streak.current,
                local_date=streak.last_checkin,
                due_at=announce_moment(streak.last_checkin, self.settings.announce_hour, zone),
            ))
        return True

    async def memberships_changed(self, user_id: int) -> None:
        """Plan group-week celebrations for current memberships; drop those of groups left."""
        if self.groups is None:
            return
        today, zone = await self._today(user_id)
        memberships = [m for m in await self.groups.memberships_of(user_id) if m.left_at is None]
        current = {m.group_id for m in memberships}
        async with self._db.transaction() as tx:
            for subject in await repo.pending_subjects(tx, user_id, "group"):
                if subject not in current:
                    await repo.delete_pending(tx, user_id, "group", subject)
            for m in memberships:
                run_key = m.joined_at.isoformat()
                existing = await repo.pending_one(tx, user_id, "group", m.group_id)
                if existing is not None and existing.run_key == run_key:
                    continue
                joined = m.joined_at.astimezone(zone).date()
                await self._plan_group(tx, user_id, m.group_id, run_key, joined, zone, today, after=None)

    async def _plan_group(
        self, db: Any, user_id: int, group_id: int, run_key: str, joined: date, zone: ZoneInfo, today: date,
        *, after: int | None,
    ) -> None:
        for weeks in self.settings.group_weeks:
            local = joined + timedelta(weeks=weeks)
            if after is not None and weeks <= after:
                continue
            if after is None and local < today:
                continue
            if await repo.celebration_by_key(db, user_id, "group", group_id, run_key, weeks) is not None:
                continue
            await repo.upsert_pending(db, PendingRow(
                user_id=user_id, kind="group", subject=group_id, run_key=run_key, milestone=weeks,
                local_date=local, due_at=announce_moment(local, self.settings.announce_hour, zone),
            ))
            return
        await repo.delete_pending(db, user_id, "group", group_id)

    async def sweep(self, user_ids: list[int]) -> None:
        for user_id in user_ids:
            try:
                await self.checkin_recorded(user_id)
                await self.memberships_changed(user_id)
            except Exception:
                log.exception("milestone sweep failed for user %s", user_id)

    async def next_due(self) -> datetime | None:
        return await repo.earliest_due(self._db)

    async def deliver_due(self, now: datetime, sender: CelebrationSender) -> int:
        """Handle every pending celebration due at ``now``. Returns how many were delivered."""
        delivered = 0
        failed: set[tuple[int, str, int]] = set()
        for _ in range(1000):  # bounded: each pass advances or parks every row it saw
            rows = [p for p in await repo.due_pending(self._db, now) if (p.user_id, p.kind, p.subject) not in failed]
            if not rows:
                break
            for p in rows:
                outcome = await self._process(p, now, sender)
                if outcome == "retry":
                    failed.add((p.user_id, p.kind, p.subject))
                elif outcome == "sent":
                    delivered += 1
        return delivered

    async def _process(self, p: PendingRow, now: datetime, sender: CelebrationSender) -> str:
        zone = await self._people.zone(p.user_id)
        due = announce_moment(p.local_date, self.settings.announce_hour, zone)
        if due > now:  # the time zone changed since it was planned: not yet its moment there
            await repo.upsert_pending(self._db, with_due(p, due))
            return "moved"
        label: str | None = None
        group_name: str | None = None
        if p.kind == "counter":
            counter = await repo.counter_by_id(self._db, p.subject)
            if counter is None or counter.start_date.isoformat() != p.run_key:
                await repo.delete_pending(self._db, p.user_id, p.kind, p.subject)
                return "cancelled"
            label = counter.label
        days_late = (now.astimezone(zone).date() - p.local_date).days
        existing = await repo.celebration_by_key(self._db, p.user_id, p.kind, p.subject, p.run_key, p.milestone)
        if existing is None:
            if days_late > self.settings.late_grace_days:
                await repo.claim_celebration(self._db, p, status="skipped", visibility=None, late=True, now=now)
                log.info("milestone %s/%s for user %s skipped: %d days late", p.kind, p.milestone, p.user_id,
                         days_late)
                await self._replan(p, zone, now)
                return "skipped"
            visibility = await self.visibility(p.user_id)
            await repo.claim_celebration(
                self._db, p, status="sending", visibility=visibility, late=days_late > 0, now=now
            )
            existing = await repo.celebration_by_key(self._db, p.user_id, p.kind, p.subject, p.run_key, p.milestone)
            assert existing is not None
        if existing.status != "sending":
            await self._replan(p, zone, now)
            return "done"
        if days_late > self.settings.late_grace_days:  # claimed earlier, never confirmed, now too late
            await repo.finish_celebration(
                self._db, existing.id, status="skipped", channel_id=None, message_id=None, now=now
            )
            await self._replan(p, zone, now)
            return "skipped"
        visibility, channel_id, group_name = await self._target(p, existing.visibility or DEFAULT_VISIBILITY)
        due_item = DueCelebration(
            id=existing.id, user_id=p.user_id, kind=p.kind, milestone=p.milestone, local_date=p.local_date,
            days_late=max(0, days_late), visibility=visibility, channel_id=channel_id, label=label,
            group_name=group_name,
        )
        result: Delivered | None = None
        try:
            result = await sender.deliver(due_item)
        except DeliveryFailed as failure:
            if not failure.permanent:
                attempts = await repo.mark_attempt(self._db, existing.id)
                log.warning("milestone celebration %s could not be sent (attempt %s: %s)", existing.id, attempts,
                            failure.reason)
                if int(attempts) < MAX_ATTEMPTS:
                    return "retry"
            else:
                log.warning("milestone celebration %s refused for good (%s)", existing.id, failure.reason)
        status = "sent" if result is not None else "failed"
        await repo.finish_celebration(
            self._db, existing.id, status=status, channel_id=result.channel_id if result else None,
            message_id=result.message_id if result else None, now=self._clock.now(),
        )
        log.info("milestone celebration %s for user %s: %s (%s)", existing.id, p.user_id, status, visibility)
        await self._replan(p, zone, now)
        return status

    async def _target(self, p: PendingRow, visibility: str) -> tuple[str, int | None, str | None]:
        group_name: str | None = None
        groups = await self.groups.groups_of_member(p.user_id) if self.groups is not None else []
        if p.kind == "group":
            group_name = next((g.name for g in groups if g.id == p.subject), None)
            if group_name is None and self.groups is not None:
                group_name = next(
                    (m.group_name for m in await self.groups.memberships_of(p.user_id) if m.group_id == p.subject),
                    None,
                )
        if visibility == "community":
            return "community", self.celebrations_channel_id, group_name
        if visibility == "group":
            ordered = sorted(groups, key=lambda g: g.id != p.subject) if p.kind == "group" else groups
            channel = next((g.channel_id for g in ordered if g.channel_id is not None and not g.archived), None)
            if channel is not None:
                return "group", channel, group_name
        return "private", None, group_name

    async def _replan(self, p: PendingRow, zone: ZoneInfo, now: datetime) -> None:
        async with self._db.transaction() as tx:
            current = await repo.pending_one(tx, p.user_id, p.kind, p.subject)
            if current is None or (current.run_key, current.milestone) != (p.run_key, p.milestone):
                return  # replaced meanwhile (reset, set, sweep)
            today = now.astimezone(zone).date()
            if p.kind == "counter":
                counter = await repo.counter_by_id(tx, p.subject)
                if counter is None:
                    await repo.delete_pending(tx, p.user_id, p.kind, p.subject)
                else:
                    await self._plan_counter(tx, counter, zone, today, after=p.milestone)
            elif p.kind == "group":
                joined = datetime.fromisoformat(p.run_key).astimezone(zone).date()
                await self._plan_group(tx, p.user_id, p.subject, p.run_key, joined, zone, today, after=p.milestone)
            else:
                await repo.delete_pending(tx, p.user_id, p.kind, p.subject)
