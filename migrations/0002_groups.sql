-- Group channels (issue 3): private IOP groups, their members, facilitators, join requests,
-- weekly sessions, skipped dates and reminder deliveries. Moderation actions go to the shared
-- audit_log table (feature = 'groups', subject_id = group id).

CREATE TABLE groups (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    -- casefolded name: names are unique regardless of case
    name_key          TEXT NOT NULL UNIQUE,
    slug              TEXT NOT NULL,
    topic             TEXT,
    timezone          TEXT NOT NULL,
    channel_id        INTEGER,
    voice_channel_id  INTEGER,
    role_id           INTEGER,
    wants_voice       INTEGER NOT NULL DEFAULT 0,
    locked            INTEGER NOT NULL DEFAULT 0,
    slowmode_seconds  INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    archived_at       TEXT
);
CREATE INDEX groups_channel ON groups (channel_id);
CREATE INDEX groups_role ON groups (role_id);

-- One row per membership period; a person who leaves and rejoins gets a new row.
CREATE TABLE group_members (
    id         INTEGER PRIMARY KEY,
    group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    joined_at  TEXT NOT NULL,
    left_at    TEXT
);
CREATE UNIQUE INDEX group_members_current ON group_members (group_id, user_id) WHERE left_at IS NULL;
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE group_facilitators (
    group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_facilitators_user ON group_facilitators (user_id);

-- status: pending | approved | denied
CREATE TABLE group_join_requests (
    id            INTEGER PRIMARY KEY,
    group_id      INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending',
    requested_at  TEXT NOT NULL,
    decided_at    TEXT,
    decided_by    INTEGER
);
CREATE UNIQUE INDEX group_join_requests_pending ON group_join_requests (group_id, user_id) WHERE status = 'pending';
CREATE INDEX group_join_requests_user ON group_join_requests (user_id);

-- Where a request's Approve/Deny buttons were posted (one per facilitator DM), so every copy
-- is updated once someone decides.
CREATE TABLE group_join_request_messages (
    request_id    INTEGER NOT NULL REFERENCES group_join_requests (id) ON DELETE CASCADE,
    recipient_id  INTEGER,
    channel_id    INTEGER NOT NULL,
    message_id    INTEGER NOT NULL,
    PRIMARY KEY (request_id, message_id)
);
CREATE INDEX group_join_request_messages_recipient ON group_join_request_messages (recipient_id);

-- Weekly sessions, in the group's time zone. weekday: 0 = Monday ... 6 = Sunday; start_time 'HH:MM'.
CREATE TABLE group_sessions (
    id                INTEGER PRIMARY KEY,
    group_id          INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    weekday           INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time        TEXT NOT NULL,
    duration_minutes  INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    UNIQUE (group_id, weekday, start_time)
);

-- Local dates (YYYY-MM-DD, group's zone) on which no session takes place (holidays).
CREATE TABLE group_skipped_dates (
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    local_date  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (group_id, local_date)
);

-- One row per reminder, claimed before it is sent: a reminder is never posted twice.
-- status: sending | sent | failed
CREATE TABLE group_reminder_deliveries (
    session_id  INTEGER NOT NULL REFERENCES group_sessions (id) ON DELETE CASCADE,
    local_date  TEXT NOT NULL,
    status      TEXT NOT NULL,
    late        INTEGER NOT NULL DEFAULT 0,
    claimed_at  TEXT NOT NULL,
    message_id  INTEGER,
    PRIMARY KEY (session_id, local_date)
);
