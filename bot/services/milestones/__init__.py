"""Milestone celebrations: recovery counters, check-in streaks and weeks in a group.

Design:
- Counters hold a start date in the person's *local* calendar. Milestone N of a counter
  falls on ``start + N days``; it is celebrated at ``announce_hour`` on that local date.
- ``milestone_pending`` holds, per counter / streak / group membership, the next
  celebration with its UTC ``due_at`` (indexed), recomputed whenever an input changes
  (set, reset, remove, time zone change) and after each delivery. ``MilestoneWork`` is
  the scheduler's DueWork: ``next_due`` is one indexed MIN query.
- ``milestone_celebrations`` has a UNIQUE key (person, kind, subject, run, milestone);
  a celebration is claimed there *before* it is sent, so it is delivered at most once
  across restarts and retried only while still marked ``sending``.
- Streaks and group weeks belong to other features. The work sweeps the people the
  cog names (guild members) at most once per ``SWEEP_INTERVAL`` through the
  StreakSource / GroupDirectory protocols; ``checkin_recorded`` lets the check-ins
  feature ask for an immediate look after a check-in.

The service is built in layers: _counters → _celebrations → service; shared names in ``models``.
"""

from bot.services.milestones.models import (
    DEFAULT_LABEL,
    DEFAULT_VISIBILITY,
    EARLIEST,
    LABEL_MAX,
    MAX_ATTEMPTS,
    MAX_COUNTERS,
    VISIBILITIES,
    WORK_NAME,
    CelebrationSender,
    CheerOutcome,
    CounterView,
    DueCelebration,
    SetResult,
    announce_moment,
    clean_label,
    first_milestone_at_least,
    milestone_sequence,
    parse_local_date,
    recovery_totals,
)
from bot.services.milestones.service import (
    MilestoneService,
)
from bot.services.milestones.work import (
    MilestoneWork,
)

__all__ = [
    "DEFAULT_LABEL",
    "DEFAULT_VISIBILITY",
    "EARLIEST",
    "LABEL_MAX",
    "MAX_ATTEMPTS",
    "MAX_COUNTERS",
    "VISIBILITIES",
    "WORK_NAME",
    "CelebrationSender",
    "CheerOutcome",
    "CounterView",
    "DueCelebration",
    "MilestoneService",
    "MilestoneWork",
    "SetResult",
    "announce_moment",
    "clean_label",
    "first_milestone_at_least",
    "milestone_sequence",
    "parse_local_date",
    "recovery_totals",
]
