"""Check-ins as people and facilitators use them: progress, sharing, pulse, data rights."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.permissions import Person
from bot.privacy import DeletionResult, PostedMessage
from bot.repositories import checkins as repo
from bot.repositories import concern_notices as notices_repo
from bot.services.checkins._recording import (
    _RecordingLayer,
)
from bot.services.checkins.models import (
    MIN_TREND_SAMPLE,
    Progress,
    ProgressPoint,
    PulseReport,
    ShareDraft,
    TrendPoint,
)
from bot.services.contracts import GroupRef

log = logging.getLogger(__name__)


class CheckinService(_RecordingLayer):
    """Check-ins as people and facilitators use them: progress, sharing, pulse, data rights."""

    async def progress(self, user_id: int, days: int) -> Progress:
        if not 7 <= days <= 365:
            raise InvalidInput("days", "a whole number from 7 to 365", got=str(days))
        today = await self._people.local_today(user_id)
        first = today - timedelta(days=days - 1)
        rows = await repo.checkins_between(self._db, user_id, first, today)
        points = tuple(ProgressPoint(r.local_date, r.mood, r.cravings, r.sleep_hours) for r in rows)
        return Progress(first, today, points, await self.streak(user_id), len(rows))

    async def share_draft(self, checkin_id: int, user_id: int, *, with_note: bool) -> ShareDraft:
        checkin = await repo.get_checkin_by_id(self._db, checkin_id)
        if checkin is None or checkin.user_id != user_id:
            raise NotFound("That check-in is not available to share any more.")
        groups = [g for g in await self._groups.groups_of_member(user_id) if g.channel_id is not None]
        if not groups:
            raise NotFound("You're not in a group with a channel yet, so there is nowhere to share this.")
        group = groups[0]
        assert group.channel_id is not None
        return ShareDraft(checkin_id, group, group.channel_id, checkin, with_note and bool(checkin.note))

    async def record_share(self, draft: ShareDraft, message_id: int | None) -> None:
        await repo.record_share(
            self._db, checkin_id=draft.checkin_id, user_id=draft.checkin.user_id, group_id=draft.group.id,
            with_note=draft.with_note, channel_id=draft.channel_id, message_id=message_id, now=self._clock.now(),
        )

    async def pulse(self, person: Person, group: GroupRef, days: int) -> PulseReport:
        if not 1 <= days <= 90:
            raise InvalidInput("days", "a whole number from 1 to 90", got=str(days))
        if not person.is_staff and person.user_id not in await self._groups.facilitators_of_group(group.id):
            raise NotAllowed(
                f"Sorry, the pulse of {group.name} is only for that group's facilitators and program staff."
            )
        members = await self._groups.members_of_group(group.id)
        sharing = await repo.sharing_members(self._db, group.id)
        zones = await self._people.zones_for(members)
        last = await repo.last_dates_for(self._db, members)
        now = self._clock.now()
        checked: list[int] = []
        not_yet: list[int] = []
        silent: list[tuple[int, date | None]] = []
        for uid in members:
            today = now.astimezone(zones[uid]).date()
            last_day = last.get(uid)
            if uid not in sharing:
                continue  # someone who does not share with the group is never shown, not even as silent
            (checked if last_day == today else not_yet).append(uid)
            if last_day is None or (today - last_day).days >= self.settings.silent_days:
                silent.append((uid, last_day))
        group_today = now.astimezone(ZoneInfo(group.timezone)).date()
        first = group_today - timedelta(days=days - 1)
        by_day: dict[date, list[int]] = {}
        # Averages of sharing members only: a non-sharing member's mood must not be computable from the reply.
        sharing_members = [m for m in members if m in sharing]
        for day, mood in await repo.moods_between_for(
            self._db, sharing_members, first, group_today + timedelta(days=1)
        ):
            by_day.setdefault(day, []).append(mood)
        trend = []
        for k in range(days):
            day = first + timedelta(days=k)
            moods = by_day.get(day, [])
            average = round(sum(moods) / len(moods), 1) if len(moods) >= MIN_TREND_SAMPLE else None
            trend.append(TrendPoint(day, average, len(moods)))
        return PulseReport(
            group=group, days=days, sharing_checked_in=tuple(checked), sharing_not_yet=tuple(not_yet),
            not_sharing=len([m for m in members if m not in sharing]), trend=tuple(trend),
            silent=tuple(silent), silent_days=self.settings.silent_days,
        )

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return await repo.export(self._db, user_id)

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        async with self._db.transaction() as tx:
            posts = await repo.shared_posts(tx, user_id) + await notices_repo.messages_about(tx, user_id)
            count = await notices_repo.delete_for(tx, user_id)
            count += await repo.delete(tx, user_id)
        return DeletionResult(
            self.feature, count, posts=tuple(PostedMessage(channel, message) for channel, message in posts)
        )
