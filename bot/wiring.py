"""Builds the domain services from settings, database and clock, in one place.

``main()`` calls ``build_services`` and hands the result to the Bot; tests and
benchmarks call it too, so the bot always runs with the same wiring.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.privacy import DataRights
from bot.services.audit import AuditService
from bot.services.people import PeopleService


@dataclass(frozen=True, slots=True)
class Services:
    people: PeopleService
    audit: AuditService
    data_rights: DataRights


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    people = PeopleService(db, clock, settings.community.timezone)
    audit = AuditService(db, clock, retention_days=settings.crisis.retention_days)
    data_rights = DataRights(clock)
    # Every feature that stores anything about a person registers here; the
    # coverage test in tests/bot/test_data_rights.py checks no table is forgotten.
    data_rights.register(people)
    data_rights.register(audit)
    return Services(people=people, audit=audit, data_rights=data_rights)
