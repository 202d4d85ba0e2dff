"""Recording check-ins: from the form or the channel, written in group commits, feeding streaks."""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.config import CheckinSettings
from bot.db import Database
from bot.errors import NotAllowed, NotFound
from bot.permissions import HearthRole, Person, require
from bot.repositories import checkins as repo
from bot.services.checkin_parser import parse_checkin
from bot.services.checkins.models import (
    GATHER_SECONDS,
    WRITE_BATCH,
    CheckinInput,
    CheckinOutcome,
    MessageOutcome,
    _fail,
    _Queued,
    compute_streak,
)
from bot.services.concern_notices import LOW_MOOD_RUN, ConcernNotice, ConcernNotices
from bot.services.contracts import GroupDirectory, Streak
from bot.services.people import PeopleService
from bot.services.reminders import ReminderService
from bot.signals import UserSignal

log = logging.getLogger(__name__)


class _RecordingLayer:
    """Recording check-ins: from the form or the channel, written in group commits, feeding streaks."""

    feature = "checkins"
    tables = (
        "checkins", "checkin_reminders", "checkin_reminder_deliveries", "checkin_pauses",
        "checkin_shares", "checkin_hints", "checkin_concerns", "checkin_outreach", "checkin_concern_notices",
    )

    def __init__(
        self,
        db: Database,
        clock: Clock,
        people: PeopleService,
        groups: GroupDirectory,
        settings: CheckinSettings,
    ) -> None:
        self._db = db
        self._clock = clock
        self._people = people
        self._groups = groups
        self.settings = settings
        self.reminders = ReminderService(db, clock, people, settings)
        self.concern_notices = ConcernNotices(db, clock, groups)
        self.recorded = UserSignal("checkin_recorded")
        self._queue: list[_Queued] = []
        self._writer: asyncio.Task[None] | None = None
        # Streaks record() has just computed, while its listeners run (see streak()).
        self._fresh: dict[int, tuple[date, Streak]] = {}

    async def streak(self, user_id: int) -> Streak:
        today = await self._people.local_today(user_id)
        fresh = self._fresh.get(user_id)
        if fresh is not None and fresh[0] == today:
            # record() is telling its listeners (milestones) about this check-in: the streak it just
            # computed from the rows it wrote is what the query below would return.
            return fresh[1]
        dates, pauses = await self._db.run_sync(
            functools.partial(repo.streak_inputs_sync, user_id=user_id), write=False
        )
        return compute_streak(dates, pauses, today)

    async def checkin_dates(self, user_id: int, since: date) -> list[date]:
        return await repo.checkin_dates(self._db, user_id, since)

    @staticmethod
    def require_participant(person: Person) -> None:
        require(person, HearthRole.PARTICIPANT, HearthRole.FACILITATOR, action="checking in")

    async def record(
        self,
        person: Person,
        data: CheckinInput,
        *,
        source: str = "modal",
        channel_id: int | None = None,
        message_id: int | None = None,
    ) -> CheckinOutcome:
        outcome, _ = await self._record(
            person, data, source=source, channel_id=channel_id, message_id=message_id, claim_hint=False
        )
        return outcome

    async def _record(
        self,
        person: Person,
        data: CheckinInput,
        *,
        source: str,
        channel_id: int | None,
        message_id: int | None,
        claim_hint: bool,
    ) -> tuple[CheckinOutcome, bool]:
        self.require_participant(person)
        user_id = person.user_id
        now = self._clock.now()
        today = await self._people.local_today(user_id)
        # The check-in is written, and everything the streak and concern rules need is read, in one
        # transaction shared with the other check-ins waiting at that moment (see _write).
        rec, hint = await self._write(repo.CheckinWrite(
            user_id=user_id, local_date=today, mood=data.mood, cravings=data.cravings,
            sleep_hours=data.sleep_hours, note=data.note, source=source, channel_id=channel_id,
            message_id=message_id, now=now, keep_existing_values=data.mood is None, recent_limit=LOW_MOOD_RUN,
            claim_hint=claim_hint,
        ))
        checkin_id, updated, dates, pauses = rec.checkin_id, rec.updated, rec.dates_before, rec.pauses
        before = compute_streak(dates, pauses, today)
        after_dates = dates if today in dates else sorted({*dates, today})
        streak = compute_streak(after_dates, pauses, today)
        last_30 = sum(1 for day in after_dates if day >= today - timedelta(days=29))
        restarted = not updated and streak.current == 1 and before.last_checkin is not None
        concerns = await self._evaluate_concerns(user_id, now, rec)
        log.debug("check-in %s by user %s (%s, updated=%s)", checkin_id, user_id, source, updated)
        fresh = (today, streak)
        self._fresh[user_id] = fresh
        try:
            await self.recorded.emit(user_id)
        finally:
            if self._fresh.get(user_id) is fresh:
                del self._fresh[user_id]
        outcome = CheckinOutcome(
            checkin_id=checkin_id, local_date=today, updated=updated, streak=streak, last_30_days=last_30,
            streak_restarted=restarted, has_mood=rec.has_mood,
            concerns=concerns,
        )
        return outcome, hint

    async def record_message(
        self, person: Person, text: str, *, channel_id: int, message_id: int, flagged: bool = False
    ) -> MessageOutcome:
        """An in-channel check-in. The whole message is kept as the note, as written.

        ``flagged``: crisis screening answered this message; it is stored, but no format tip is planned (the
        person gets the crisis response only).
        """
        parsed = parse_checkin(text)
        note = text if text.strip() else None
        if note is not None and len(note) > 4000:
            note = note[:4000]
        outcome, hint = await self._record(
            person,
            CheckinInput(parsed.mood, parsed.cravings, parsed.sleep_hours, note),
            source="message", channel_id=channel_id, message_id=message_id,
            claim_hint=not parsed.has_mood and not flagged,
        )
        return MessageOutcome(outcome=outcome, parsed=parsed, send_format_hint=hint)

    async def record_edit(self, person: Person, text: str, *, message_id: int) -> bool:
        """The person edited an in-channel check-in: the stored values and note follow the edit.

        Only the check-in that was recorded from this very message changes (a later check-in the same day
        replaced it otherwise). Returns whether a check-in was updated.
        """
        parsed = parse_checkin(text)
        note = text[:4000] if text.strip() else None
        updated = await repo.update_from_message(
            self._db, user_id=person.user_id, message_id=message_id, mood=parsed.mood, cravings=parsed.cravings,
            sleep_hours=parsed.sleep_hours, note=note, now=self._clock.now(),
        )
        if updated:
            log.debug("check-in message %s by user %s edited", message_id, person.user_id)
        return updated

    async def _write(self, write: repo.CheckinWrite) -> tuple[repo.RecordedCheckin, bool]:
        """Queue one check-in for the writer task and wait until it is committed.

        Under a burst (hundreds of in-channel check-ins a second) one transaction, one hop to the
        database thread, carries every check-in that arrived while the previous one ran, instead of
        a hop each. The writer waits GATHER_SECONDS (3 ms) before its first batch so that a burst
        gathers; a check-in alone is written after those 3 ms. Order is arrival order.
        """
        future: asyncio.Future[tuple[repo.RecordedCheckin, bool]] = asyncio.get_running_loop().create_future()
        self._queue.append((write, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_queued(), name="hearth: check-in writer")
        return await future

    async def _write_queued(self) -> None:
        try:
            # Let the check-ins that arrive in the next moments join this transaction: under a
            # burst that is dozens, and one transaction (and one scheduler re-arm) instead of one each.
            await asyncio.sleep(GATHER_SECONDS)
            while self._queue:
                batch = [item for item in self._queue[:WRITE_BATCH] if not item[1].done()]  # done: caller gone
                del self._queue[:WRITE_BATCH]
                if batch:
                    await self._write_batch(batch)
        except BaseException as exc:  # cancelled at shutdown: nobody may wait forever
            _fail(self._queue, exc)
            self._queue.clear()
            raise
        finally:
            self._writer = None

    async def _write_batch(self, batch: list[_Queued]) -> None:
        writes = [write for write, _ in batch]
        try:
            try:
                results = await self._db.run_sync(functools.partial(repo.record_checkins_sync, writes=writes))
            except Exception as exc:
                if len(batch) == 1:
                    batch[0][1].set_exception(exc)
                    return
                # One bad check-in must not fail the others: the transaction was rolled back, so
                # write each on its own and give each caller its own result or error.
                log.warning("a batch of %d check-ins failed (%s); writing them one by one", len(batch),
                            type(exc).__name__)
                for item in batch:
                    await self._write_batch([item])
                return
        except BaseException as exc:
            _fail(batch, exc)
            raise
        if len(batch) > 1:
            log.debug("%d check-ins written in one transaction", len(batch))
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _evaluate_concerns(
        self, user_id: int, now: datetime, rec: repo.RecordedCheckin
    ) -> tuple[ConcernNotice, ...]:
        recent, cravings = rec.recent_moods, rec.latest_cravings
        low = len(recent) == LOW_MOOD_RUN and all(mood <= self.settings.low_mood for mood in recent)
        high = cravings is not None and cravings >= self.settings.high_craving
        notices: list[ConcernNotice] = []
        for kind, active in (("low_mood", low), ("high_craving", high)):
            if not active:
                # Only an episode open before this check-in can end (no statement otherwise).
                if kind in rec.open_concerns and await repo.end_concern(self._db, user_id, kind, now):
                    log.info("concern episode %s ended for user %s", kind, user_id)
                continue
            if kind in rec.open_concerns:
                continue  # episode already open: notified once already
            concern_id = await repo.start_concern(self._db, user_id, kind, now)
            if concern_id is None:
                continue  # episode already open: notified once already
            facilitators, names = await self._facilitators_for(user_id)
            await repo.mark_concern_notified(self._db, concern_id, len(facilitators))
            await self.concern_notices.queue(concern_id, facilitators)
            log.info("concern episode %s (%s) for user %s: %d facilitator(s)", concern_id, kind, user_id,
                     len(facilitators))
            notices.append(ConcernNotice(concern_id, user_id, kind, facilitators, names))
        return tuple(notices)

    async def _facilitators_for(self, user_id: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
        found: list[int] = []
        names: list[str] = []
        for group in await self._groups.groups_of_member(user_id):
            names.append(group.name)
            for fid in await self._groups.facilitators_of_group(group.id):
                if fid != user_id and fid not in found:
                    found.append(fid)
        return tuple(found), tuple(names)

    async def record_outreach(self, concern_id: int, person: Person) -> list[tuple[int, datetime]]:
        row = await repo.concern(self._db, concern_id)
        if row is None:
            raise NotFound("That notice is no longer available (the person may have deleted their data).")
        if not person.is_staff:
            facilitators, _ = await self._facilitators_for(int(row["user_id"]))
            if person.user_id not in facilitators:
                raise NotAllowed("Only this person's group facilitators or staff can record outreach.")
        await repo.record_outreach(self._db, concern_id, person.user_id, self._clock.now())
        log.info("outreach on concern %s recorded by %s", concern_id, person.user_id)
        return await repo.outreach_for(self._db, concern_id)
