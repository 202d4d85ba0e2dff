-- Crisis escalation: incidents, the messages that matched, and an outbox of everything
-- the bot must send about an incident. Rows are written before anything is sent; a row
-- in crisis_outbox is "delivered" once sent_at is set, and each send carries a
-- deterministic nonce so a retry after an ambiguous failure never duplicates.

CREATE TABLE crisis_incidents (
    id                  INTEGER PRIMARY KEY,
    user_id             INTEGER NOT NULL,          -- the person the incident is about
    route               TEXT NOT NULL CHECK (route IN ('staff', 'facilitators')),
    origin              TEXT NOT NULL CHECK (origin IN ('detector', 'manual', 'peer', 'self')),
    severity            TEXT NOT NULL CHECK (severity IN ('imminent', 'concern')),
    status              TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved', 'false_alarm')),
    categories          TEXT NOT NULL DEFAULT '[]', -- JSON list of detector category names
    source              TEXT NOT NULL,             -- checkin_message, group_message, dm, modal, manual ...
    guild_id            INTEGER,
    channel_id          INTEGER,
    message_id          INTEGER,                   -- newest matching message
    group_id            INTEGER,
    excerpt             TEXT,                      -- only when crisis.include_excerpt; <= 300 chars, neutralised
    match_count         INTEGER NOT NULL DEFAULT 1,
    reported_by         INTEGER,                   -- staff/facilitator (manual) or participant (peer); never shown to the person
    opened_at           TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    acknowledged_by     INTEGER,
    acknowledged_at     TEXT,
    closed_by           INTEGER,
    closed_at           TEXT,
    safe_at             TEXT,                      -- the person pressed "I'm safe right now"
    talk_requested_at   TEXT,
    talk_thread_id      INTEGER,
    person_notified_at  TEXT,
    person_notice_via   TEXT,                      -- dm, ephemeral, channel
    escalations         INTEGER NOT NULL DEFAULT 0,
    next_escalation_at  TEXT,                      -- ack timer (NULL when acknowledged/closed/exhausted)
    resolve_reminder_at TEXT,                      -- after acknowledge
    alert_channel_id    INTEGER,
    alert_message_id    INTEGER
);
CREATE INDEX crisis_incidents_user ON crisis_incidents (user_id, status);
CREATE INDEX crisis_incidents_escalation ON crisis_incidents (next_escalation_at) WHERE next_escalation_at IS NOT NULL;
CREATE INDEX crisis_incidents_reminder ON crisis_incidents (resolve_reminder_at) WHERE resolve_reminder_at IS NOT NULL;
CREATE INDEX crisis_incidents_closed ON crisis_incidents (closed_at) WHERE closed_at IS NOT NULL;

-- One row per matching message (or manual report) folded into an incident.
CREATE TABLE crisis_matches (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES crisis_incidents (id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    source      TEXT NOT NULL,
    severity    TEXT NOT NULL,
    categories  TEXT NOT NULL DEFAULT '[]',
    channel_id  INTEGER,
    message_id  INTEGER
);
CREATE INDEX crisis_matches_incident ON crisis_matches (incident_id);
-- The same Discord message screened twice (e.g. by two listeners) counts once.
CREATE UNIQUE INDEX crisis_matches_message ON crisis_matches (message_id) WHERE message_id IS NOT NULL;

-- Everything to send about an incident. kind: alert (the staff alert, edited later),
-- repeat (re-ping + tier 2 roles), staff_dm (tier 2 DM to one on-call member),
-- reminder (resolve reminder), alert_edit (refresh the alert embed), peer_concern
-- (DM to one facilitator), person_notice (resources to the person after a transient failure),
-- talk (the person asked to talk to someone).
CREATE TABLE crisis_outbox (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES crisis_incidents (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    target_id     INTEGER,                         -- user for DMs; NULL for the staff channel
    round         INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    due_at        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,                            -- HTTP status / error class, never text
    sent_at       TEXT,
    cancelled_at  TEXT,
    channel_id    INTEGER,
    message_id    INTEGER
);
CREATE INDEX crisis_outbox_pending ON crisis_outbox (due_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX crisis_outbox_incident ON crisis_outbox (incident_id);
