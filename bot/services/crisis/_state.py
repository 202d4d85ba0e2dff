"""What every part of the crisis service shares: its collaborators, settings and small lookups."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import CrisisSettings
from bot.crisis.backlog import ScreeningCursors
from bot.crisis.detector import CrisisDetector, Severity
from bot.crisis.screening import Screener
from bot.db import Database
from bot.errors import DomainError, NotFound
from bot.repositories import crisis as repo
from bot.repositories.crisis import Incident, OutboxItem
from bot.scheduler import nothing_to_wake
from bot.services.audit import AuditService
from bot.services.contracts import GroupDirectory
from bot.services.crisis.models import (
    EXCERPT_LIMIT,
    FEATURE,
    Courier,
    Pager,
    StaffDirectory,
)
from bot.services.discord_cleanup import DiscordCleanup
from bot.text import neutralize_mentions, truncate


class _CrisisState:
    """Collaborators, settings and the lookups every layer uses."""

    feature = FEATURE
    tables = ("crisis_incidents", "crisis_matches", "crisis_outbox", "crisis_peer_reports")
    # What screening has seen, per channel (its own data hook; see bot.crisis.backlog).
    cursors: ScreeningCursors

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: CrisisSettings,
        audit: AuditService,
        *,
        groups: GroupDirectory | None = None,
        detector: CrisisDetector | None = None,
        clinician_roles: Collection[int] = (),
        pager: Pager | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.settings = settings
        self._audit = audit
        self.groups = groups
        self.detector = detector or CrisisDetector()
        self.screener = Screener(self.detector)
        self.cursors = ScreeningCursors(db, clock)
        self._clinician_roles = frozenset(clinician_roles)
        self.pager = pager
        # Re-arms the "crisis" timer after anything that changes what is due (wired to the scheduler).
        self.wake: Callable[[], None] = nothing_to_wake
        self._courier: Courier | None = None
        self._staff: StaffDirectory | None = None
        self._in_flight: set[int] = set()
        self._unreached_said: dict[int, datetime] = {}
        self._started = False
        # What must still be undone in Discord (messages about a deleted person, purged alerts' excerpts).
        self.cleanup: DiscordCleanup | None = None

    def attach(self, courier: Courier, staff: StaffDirectory) -> None:
        self._courier = courier
        self._staff = staff
        self._started = False  # the next run_due is a start: deliver everything undelivered

    def detach(self) -> None:
        self._courier = None
        self._staff = None

    def ack_timeout(self, severity: str) -> timedelta:
        minutes = (
            self.settings.ack_timeout_minutes.imminent
            if severity == Severity.IMMINENT
            else self.settings.ack_timeout_minutes.concern
        )
        return timedelta(minutes=minutes)

    def excerpt(self, text: str | None) -> str | None:
        if not self.settings.include_excerpt or not text:
            return None
        return neutralize_mentions(truncate(" ".join(text.split()), EXCERPT_LIMIT))[: EXCERPT_LIMIT + 20]

    async def get(self, incident_id: int) -> Incident:
        incident = await repo.get(self._db, incident_id)
        if incident is None:
            raise NotFound(f"There is no incident #{incident_id}.")
        return incident

    async def _owned(self, incident_id: int, user_id: int) -> Incident:
        incident = await repo.get(self._db, incident_id)
        if incident is None or incident.user_id != user_id:
            raise DomainError("This button belongs to someone else's message.")
        return incident

    @staticmethod
    def _reached(incident: Incident) -> bool:
        return incident.staff_reached_at is not None or incident.acknowledged_at is not None or not incident.is_open

    async def outbox(self, incident_id: int) -> list[OutboxItem]:
        return await repo.outbox_of(self._db, incident_id)

    async def incident_if_any(self, incident_id: int) -> Incident | None:
        return await repo.get(self._db, incident_id)

    async def group_for_channel(self, channel_id: int) -> int | None:
        if self.groups is None:
            return None
        group = await self.groups.group_by_channel(channel_id)
        return None if group is None or group.archived else group.id
