"""Group channels: private IOP groups, their members, facilitators, sessions and moderation.

Pure domain logic (no Discord): cogs/groups does the Discord I/O and calls in here for every
decision. Every permission check happens here, server-side, from a ``Person``.

Built in layers: ``_core`` (lookups, checks, create) → ``_membership`` → ``service``; shared names in ``models``.
"""

from bot.repositories.groups import GroupRow
from bot.services.groups.models import (
    CHANNEL_NAME_MAX,
    DURATION_DEFAULT,
    DURATION_MAX,
    DURATION_MIN,
    FEATURE,
    GUIDELINES_MAX,
    NAME_MAX,
    REASON_MAX,
    SLOWMODE_MAX,
    TIMEOUT_MAX_MINUTES,
    TOPIC_MAX,
    WEEKDAYS,
    Decision,
    GroupInfo,
    GroupPlan,
    GroupSummary,
    name_key,
    parse_date,
    parse_time,
    parse_weekday,
    session_label,
    shown,
    slugify,
)
from bot.services.groups.service import GroupsService

__all__ = [
    "CHANNEL_NAME_MAX",
    "DURATION_DEFAULT",
    "DURATION_MAX",
    "DURATION_MIN",
    "FEATURE",
    "GUIDELINES_MAX",
    "NAME_MAX",
    "REASON_MAX",
    "SLOWMODE_MAX",
    "TIMEOUT_MAX_MINUTES",
    "TOPIC_MAX",
    "WEEKDAYS",
    "Decision",
    "GroupInfo",
    "GroupPlan",
    "GroupRow",
    "GroupSummary",
    "GroupsService",
    "name_key",
    "parse_date",
    "parse_time",
    "parse_weekday",
    "session_label",
    "shown",
    "slugify",
]
