"""Builds the domain services from settings, database and clock, in one place.

``main()`` calls ``build_services`` and hands the result to the Bot; tests and
benchmarks call it too, so the bot always runs with the same wiring.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.paging import PagerCourier
from bot.privacy import DataRights, DeletionResult
from bot.repositories.crisis import Incident
from bot.scheduler import Scheduler
from bot.services.audit import AuditService
from bot.services.checkins import CheckinService
from bot.services.concern_notices import WORK_NAME as CONCERN_NOTICES_WORK
from bot.services.crisis import WORK_NAME as CRISIS_WORK
from bot.services.crisis import CrisisService
from bot.services.deletion_log import RETRY_WORK as DELETION_RETRY_WORK
from bot.services.deletion_log import DeletionLog, DeletionRetries
from bot.services.discord_cleanup import WORK_NAME as DISCORD_CLEANUP_WORK
from bot.services.discord_cleanup import DiscordCleanup
from bot.services.group_mutes import WORK_NAME as GROUP_MUTES_WORK
from bot.services.group_mutes import GroupMutes
from bot.services.group_sessions import SessionReminders
from bot.services.groups import GroupsService
from bot.services.milestones import WORK_NAME as MILESTONES_WORK
from bot.services.milestones import MilestoneService
from bot.services.oncall import WORK_NAME as ONCALL_WORK
from bot.services.oncall import OncallRota
from bot.services.people import PeopleService
from bot.services.reminders import WORK_NAME as REMINDERS_WORK


@dataclass(frozen=True, slots=True)
class Services:
    people: PeopleService
    audit: AuditService
    data_rights: DataRights
    groups: GroupsService
    checkins: CheckinService
    milestones: MilestoneService
    crisis: CrisisService
    deletion_retries: DeletionRetries
    group_mutes: GroupMutes
    oncall: OncallRota
    discord_cleanup: DiscordCleanup


def build_services(
    settings: Settings, db: Database, clock: Clock, scheduler: Scheduler | None = None,
    *, crisis_db: Database | None = None,
) -> Services:
    """``crisis_db`` is the crisis lane (``Database.open_lane``): incident writes never queue
    behind check-in and other writes on ``db``. Defaults to ``db``."""
    people = PeopleService(db, clock, settings.community.timezone)
    audit = AuditService(db, clock, retention_days=settings.crisis.retention_days)
    data_rights = DataRights(clock, compact=db.compact)
    groups = GroupsService(
        db, clock, people=people, audit=audit, community_timezone=settings.community.timezone,
        guidelines=settings.groups.guidelines, reminder_minutes_before=settings.groups.reminder_minutes_before,
    )
    # Every feature that stores anything about a person registers here; the
    # coverage test in tests/bot/test_data_rights.py checks no table is forgotten.
    data_rights.register(people)
    data_rights.register(audit)
    data_rights.register(groups)
    checkins = CheckinService(db, clock, people, groups, settings.checkins)
    data_rights.register(checkins)
    milestones = MilestoneService(
        db, clock, settings.milestones, people, celebrations_channel_id=settings.channels.celebrations,
        streaks=checkins, groups=groups,
    )
    data_rights.register(milestones)
    lane = crisis_db or db
    # Crisis audit rows go to the same audit_log table through the crisis lane.
    crisis_audit = audit if lane is db else AuditService(lane, clock, retention_days=settings.crisis.retention_days)
    crisis = CrisisService(
        lane, clock, settings.crisis, crisis_audit, groups=groups,
        clinician_roles=(settings.roles.staff, settings.roles.on_call), pager=_pager(settings, clock),
    )
    data_rights.register(crisis)
    data_rights.register(crisis.cursors)
    group_mutes = GroupMutes(db, clock)
    data_rights.register(group_mutes)
    oncall = OncallRota(db, clock, settings.oncall)
    data_rights.register(oncall)
    # Last, so it is written only once every feature has run (a restore replays it).
    data_rights.register(DeletionLog(db, clock))
    deletion_retries = DeletionRetries(db, clock, data_rights)
    # Messages a hook found about the person are queued for removal from Discord as soon as the hook succeeded.
    discord_cleanup = DiscordCleanup(db, clock)

    async def queue_posts(user_id: int, result: DeletionResult) -> None:
        await discord_cleanup.queue_posts(user_id, result.posts)

    data_rights.on_deleted = queue_posts
    crisis.cleanup = discord_cleanup
    _connect_signals(people, groups, checkins, milestones, scheduler)
    if scheduler is not None:
        # A service that writes something due wakes its own work; callers never talk to the scheduler.
        checkins.reminders.wake = scheduler.waker(REMINDERS_WORK)
        milestones.wake = scheduler.waker(MILESTONES_WORK)
        groups.wake_sessions = scheduler.waker(SessionReminders.NAME)
        deletion_retries.wake = scheduler.waker(DELETION_RETRY_WORK)
        discord_cleanup.wake = scheduler.waker(DISCORD_CLEANUP_WORK)
        checkins.concern_notices.wake = scheduler.waker(CONCERN_NOTICES_WORK)
        crisis.wake = scheduler.waker(CRISIS_WORK)
        group_mutes.wake = scheduler.waker(GROUP_MUTES_WORK)
        oncall.wake = scheduler.waker(ONCALL_WORK)
    return Services(
        people=people, audit=audit, data_rights=data_rights, groups=groups, checkins=checkins,
        milestones=milestones, crisis=crisis, deletion_retries=deletion_retries,
        group_mutes=group_mutes, oncall=oncall,
        discord_cleanup=discord_cleanup,
    )


def _pager(settings: Settings, clock: Clock) -> PagerCourier | None:
    paging = settings.paging
    if paging.pagerduty is None and paging.webhook is None and paging.email is None:
        return None
    guild_id = settings.discord.guild_id

    def alert_url(incident: Incident) -> str | None:
        if incident.alert_channel_id is None or incident.alert_message_id is None:
            return None
        return f"https://discord.com/channels/{guild_id}/{incident.alert_channel_id}/{incident.alert_message_id}"

    return PagerCourier(paging, clock, alert_url)


def _connect_signals(
    people: PeopleService,
    groups: GroupsService,
    checkins: CheckinService,
    milestones: MilestoneService,
    scheduler: Scheduler | None,
) -> None:
    """Who reacts to whose changes. The scheduler is poked so timers re-arm at once."""

    def poke(*names: str) -> Callable[[int], Awaitable[None]]:
        async def wake(user_id: int) -> None:
            if scheduler is not None:
                for name in names:
                    scheduler.poke(name)

        return wake

    people.timezone_changed.connect(milestones.timezone_changed)
    people.timezone_changed.connect(checkins.reminders.timezone_changed)
    people.timezone_changed.connect(poke(MILESTONES_WORK, REMINDERS_WORK))
    async def plan_streak(user_id: int) -> None:
        # Most check-ins reach no streak milestone; re-arm the timer only when one was planned.
        if await milestones.checkin_recorded(user_id) and scheduler is not None:
            scheduler.poke(MILESTONES_WORK)

    checkins.recorded.connect(plan_streak)
    groups.memberships_changed.connect(milestones.memberships_changed)
    groups.memberships_changed.connect(poke(MILESTONES_WORK))
