-- Daily check-ins, reminders, pauses, group shares and concern signals (issue 4).
-- All times are UTC ISO-8601 text; local_date is the person's calendar day (YYYY-MM-DD)
-- in their own time zone when the check-in was made.

CREATE TABLE checkins (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    local_date   TEXT NOT NULL,
    mood         INTEGER CHECK (mood IS NULL OR mood BETWEEN 1 AND 10),
    cravings     INTEGER CHECK (cravings IS NULL OR cravings BETWEEN 0 AND 10),
    sleep_hours  REAL CHECK (sleep_hours IS NULL OR sleep_hours BETWEEN 0 AND 24),
    note         TEXT,
    source       TEXT NOT NULL,            -- 'modal' | 'message'
    channel_id   INTEGER,
    message_id   INTEGER,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (user_id, local_date)
);

-- Reminder settings. next_due_at is the UTC moment of the next reminder slot, kept up to
-- date by the service, so the scheduler's next_due() and a restart's rebuild are a single
-- indexed MIN()/range query instead of a scan with per-person time-zone arithmetic.
CREATE TABLE checkin_reminders (
    user_id       INTEGER PRIMARY KEY,
    local_time    TEXT NOT NULL,           -- HH:MM in the person's zone
    zone          TEXT NOT NULL,           -- zone next_due_at was computed in
    enabled       INTEGER NOT NULL DEFAULT 1,
    paused_until  TEXT,                    -- last paused local date (inclusive)
    next_due_at   TEXT,                    -- NULL when off
    dm_closed_at  TEXT,                    -- last time a DM failed with 50007
    updated_at    TEXT NOT NULL
);
CREATE INDEX checkin_reminders_next_due ON checkin_reminders (next_due_at) WHERE next_due_at IS NOT NULL;

-- One row per person per local day a reminder slot was handled: the claim that makes
-- delivery at-most-once across restarts. status: sending | sent | skipped_checked_in |
-- skipped_paused | skipped_quiet | dm_closed
CREATE TABLE checkin_reminder_deliveries (
    user_id     INTEGER NOT NULL,
    local_date  TEXT NOT NULL,
    status      TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (user_id, local_date)
);

-- Paused days (holidays): no reminders, and they neither break nor extend a streak.
CREATE TABLE checkin_pauses (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX checkin_pauses_user ON checkin_pauses (user_id);

-- A check-in the person chose to share in a group channel (what was shared, and where).
CREATE TABLE checkin_shares (
    id          INTEGER PRIMARY KEY,
    checkin_id  INTEGER NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    group_id    INTEGER NOT NULL,
    with_note   INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER,
    at          TEXT NOT NULL
);
CREATE INDEX checkin_shares_group_user ON checkin_shares (group_id, user_id);
CREATE INDEX checkin_shares_user ON checkin_shares (user_id);

-- The one-time "here is the format" DM after a note-only in-channel check-in.
CREATE TABLE checkin_hints (
    user_id  INTEGER PRIMARY KEY,
    sent_at  TEXT NOT NULL
);

-- Concern signals (not crisis): one row per episode; ended_at set when the condition clears.
CREATE TABLE checkin_concerns (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL,
    kind          TEXT NOT NULL,           -- 'low_mood' | 'high_craving'
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    notified      INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX checkin_concerns_open ON checkin_concerns (user_id, kind) WHERE ended_at IS NULL;
CREATE INDEX checkin_concerns_user ON checkin_concerns (user_id);

-- "I reached out": which facilitator followed up on an episode, and when.
CREATE TABLE checkin_outreach (
    id              INTEGER PRIMARY KEY,
    concern_id      INTEGER NOT NULL REFERENCES checkin_concerns (id) ON DELETE CASCADE,
    facilitator_id  INTEGER NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX checkin_outreach_concern ON checkin_outreach (concern_id);
CREATE INDEX checkin_outreach_facilitator ON checkin_outreach (facilitator_id);
