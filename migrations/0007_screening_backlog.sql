-- Every risky message is screened, once; incidents, deliveries and people are kept consistent under races.
--
-- screening_cursors: per watched channel (check-ins, group channels, DMs with the bot), the
-- newest message id screened. On start the bot screens what was posted after it while it was
-- down. Holds channel and message ids only; user_id is set for DM channels so that a person's
-- deletion removes their row.
CREATE TABLE screening_cursors (
    channel_id      INTEGER PRIMARY KEY,
    user_id         INTEGER,                 -- the person, for a DM channel; NULL otherwise
    last_message_id INTEGER NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX screening_cursors_user ON screening_cursors (user_id) WHERE user_id IS NOT NULL;

-- The person-notice slot is reserved in the same transaction as the incident write, so two
-- messages a second apart give one resource message (person_notified_at says it was sent).
ALTER TABLE crisis_incidents ADD COLUMN person_notice_reserved_at TEXT;
-- When the message that opened the incident was written, if earlier than opened_at (screened
-- from the backlog on start, or written while the database was busy).
ALTER TABLE crisis_incidents ADD COLUMN posted_at TEXT;
-- The alert was posted on the degraded path (database unavailable) before this row existed.
ALTER TABLE crisis_incidents ADD COLUMN degraded_at TEXT;
-- Escalated by hand from a message of an incident that was already closed: that earlier incident.
ALTER TABLE crisis_incidents ADD COLUMN linked_incident_id INTEGER;

-- One instance per database: the running bot holds this row and refreshes heartbeat_at; a second
-- `run` on the same database refuses to start until the heartbeat is older than the lease's time
-- to live (a crashed instance does not block a restart for long). No user data.
CREATE TABLE instance_lease (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    holder       TEXT NOT NULL,   -- host:pid:random of the running process
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);

-- Who asked for their data to be deleted, and when (a Discord user id and a time, nothing else), so
-- that restoring an older backup deletes them again before the bot starts.
CREATE TABLE deletion_log (
    user_id    INTEGER PRIMARY KEY,
    deleted_at TEXT NOT NULL
);

-- Pagers beyond Discord (PagerDuty, a signed webhook, e-mail) are outbox rows like any crisis send:
-- kind page_pagerduty / page_webhook / page_email, and which event they carry.
ALTER TABLE crisis_outbox ADD COLUMN page_event TEXT;   -- trigger, acknowledge, resolve

-- A feature's part of a /privacy delete that failed is retried until it succeeds (not forgotten).
CREATE TABLE deletion_retries (
    user_id  INTEGER NOT NULL,
    feature  TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, feature)
);

-- Check-in concern notices to facilitators, queued per recipient: a 5xx for one facilitator does not
-- drop the others, and each is retried until sent or refused for good. The sent message is
-- remembered so that the person's /privacy delete removes it.
CREATE TABLE checkin_concern_notices (
    concern_id     INTEGER NOT NULL REFERENCES checkin_concerns (id) ON DELETE CASCADE,
    facilitator_id INTEGER NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        TEXT,                 -- NULL once sent or refused
    sent_at        TEXT,
    failed_at      TEXT,
    channel_id     INTEGER,
    message_id     INTEGER,
    PRIMARY KEY (concern_id, facilitator_id)
);
CREATE INDEX checkin_concern_notices_due ON checkin_concern_notices (next_at) WHERE next_at IS NOT NULL;

-- "I'm worried about this person": one report per reporter per person per day.
CREATE TABLE crisis_peer_reports (
    reporter_id INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX crisis_peer_reports_pair ON crisis_peer_reports (reporter_id, user_id, at);

-- /group timeout is a mute in the group's own channels (a member permission overwrite), lifted by the
-- scheduler when it ends, instead of a server-wide Discord timeout.
CREATE TABLE group_mutes (
    group_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    until      TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    ended_at   TEXT,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_mutes_due ON group_mutes (until) WHERE ended_at IS NULL;

-- /incident drill: a practice incident that runs every real step (alert, escalation, pagers) except
-- contacting a participant; kept apart from the figures about real incidents.
ALTER TABLE crisis_incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;

-- On-call overrides (/oncall override): someone is on call for a window on top of the weekly rota.
CREATE TABLE oncall_overrides (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX oncall_overrides_ends ON oncall_overrides (ends_at);

-- Acknowledge means "I'm handling this": who holds the incident now, and since when (a hand-off moves it).
ALTER TABLE crisis_incidents ADD COLUMN held_by INTEGER;
ALTER TABLE crisis_incidents ADD COLUMN held_since TEXT;
