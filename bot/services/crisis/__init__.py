"""The crisis service: incidents, the outbox, escalation timers, and the decisions around them.

Pure: no Discord import. The cog supplies a ``Courier`` that turns an outbox row into a
Discord message, and a ``StaffDirectory`` that knows who holds the on-call and staff roles.

The order of things is the safety argument:

1. ``report`` writes the incident, its match and the outbox rows in ONE transaction.
   Nothing has been sent yet; a crash here loses nothing.
2. ``deliver`` sends outbox rows. Each row's attempt is counted *before* the send, the
   send carries a deterministic nonce (``nonce_for``) that Discord uses to return the
   original message instead of creating a second one, and the message id is stored as
   soon as it is known. Transient failures (429, 5xx, network) are retried with backoff.
3. A destination that refuses for good (another 4xx) is recorded on its row with the
   reason. If it is the staff alerts channel, the alert goes by DM to every on-call and
   staff member at once. As soon as any alert reached someone, refused destinations are
   no longer retried; while nobody at all could be reached, every destination is retried
   with backoff, each round is logged at ERROR, ``/incident show`` says so, and the person
   is told (once) to use the crisis resources now.
4. Timers (ack timeout, resolve reminder) are columns on the incident; ``run_due``
   turns due timers into outbox rows and delivers everything due. On start the first
   ``run_due`` delivers every undelivered row regardless of its backoff.

The service is built in layers, each a module that adds to the one below: ``_state`` (collaborators and
lookups) → ``_outbox`` (sending) → ``_escalation`` (timers) → ``_reporting`` (writing incidents) →
``service`` (what staff and participants do). The vocabulary shared by all of them is in ``models``.
"""

from bot.repositories.crisis import Incident, Match, OutboxItem
from bot.services.crisis.models import (
    ALERT_KINDS,
    CURSORS_WORK,
    EXCERPT_LIMIT,
    FEATURE,
    MAX_BACKOFF,
    PERSON_KINDS,
    RETENTION_WORK,
    STAFF_KINDS,
    WORK_NAME,
    Courier,
    DegradedSend,
    IncidentDetail,
    IncidentFigures,
    Pager,
    Report,
    ReportOutcome,
    StaffDirectory,
    backoff,
    nonce_for,
    person_nonce,
)
from bot.services.crisis.service import CrisisService

__all__ = [
    "ALERT_KINDS",
    "CURSORS_WORK",
    "EXCERPT_LIMIT",
    "FEATURE",
    "MAX_BACKOFF",
    "PERSON_KINDS",
    "RETENTION_WORK",
    "STAFF_KINDS",
    "WORK_NAME",
    "Courier",
    "CrisisService",
    "DegradedSend",
    "Incident",
    "IncidentDetail",
    "IncidentFigures",
    "Match",
    "OutboxItem",
    "Pager",
    "Report",
    "ReportOutcome",
    "StaffDirectory",
    "backoff",
    "nonce_for",
    "person_nonce",
]
