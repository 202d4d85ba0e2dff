"""Builds the domain services from settings, database and clock, in one place.

``main()`` calls ``build_services`` and hands the result to the Bot; tests and
benchmarks call it too, so the bot always runs with the same wiring.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.crisis.incidents import CrisisService
from bot.db import Database
from bot.privacy import DataRights
from bot.services.audit import AuditService
from bot.services.checkins import CheckinService
from bot.services.groups import GroupsService
from bot.services.milestones import MilestoneService
from bot.services.people import PeopleService


@dataclass(frozen=True, slots=True)
class Services:
    people: PeopleService
    audit: AuditService
    data_rights: DataRights
    groups: GroupsService
    checkins: CheckinService
    milestones: MilestoneService
    crisis: CrisisService


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    people = PeopleService(db, clock, settings.community.timezone)
    audit = AuditService(db, clock, retention_days=settings.crisis.retention_days)
    data_rights = DataRights(clock)
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
    crisis = CrisisService(db, clock, settings.crisis, audit, groups=groups)
    data_rights.register(crisis)
    return Services(
        people=people, audit=audit, data_rights=data_rights, groups=groups, checkins=checkins,
        milestones=milestones, crisis=crisis,
    )
