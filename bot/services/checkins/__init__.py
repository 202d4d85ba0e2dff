"""Daily check-ins: recording, streaks, progress, group pulse, shares and concern signals.

Plain types in and out; no Discord here. A person's day is their local calendar day in
their own IANA zone (PeopleService), so "one check-in per day" and streaks follow them
across DST changes and moves. Implements ``contracts.StreakSource`` for milestones.

The service is built in layers: _recording → service; shared names in ``models``.
"""

from bot.services.checkins.models import (
    GATHER_SECONDS,
    MIN_TREND_SAMPLE,
    NOTE_LIMIT,
    WRITE_BATCH,
    CheckinInput,
    CheckinOutcome,
    MessageOutcome,
    Progress,
    ProgressPoint,
    PulseReport,
    ShareDraft,
    TrendPoint,
    compute_streak,
    validate_modal,
)
from bot.services.checkins.service import (
    CheckinService,
)

__all__ = [
    "GATHER_SECONDS",
    "MIN_TREND_SAMPLE",
    "NOTE_LIMIT",
    "WRITE_BATCH",
    "CheckinInput",
    "CheckinOutcome",
    "CheckinService",
    "MessageOutcome",
    "Progress",
    "ProgressPoint",
    "PulseReport",
    "ShareDraft",
    "TrendPoint",
    "compute_streak",
    "validate_modal",
]
