-- Milestone celebrations: recovery counters, their earlier runs, the precomputed next
-- celebration per counter / streak / group membership, celebrations (exactly once),
-- cheers, encouragement deliveries (metadata only, never the text) and visibility.

-- A person's recovery counter. start_date is the person's local date (YYYY-MM-DD).
CREATE TABLE milestone_counters (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    label       TEXT NOT NULL,
    label_key   TEXT NOT NULL,          -- casefolded label, unique per person
    start_date  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (user_id, label_key)
);

-- Earlier runs of a counter (private history), kept so totals keep counting after a reset.
CREATE TABLE milestone_runs (
    id          INTEGER PRIMARY KEY,
    counter_id  INTEGER NOT NULL REFERENCES milestone_counters (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    start_date  TEXT NOT NULL,          -- local date the run started
    reset_date  TEXT NOT NULL,          -- local date of the reset (the next run's start)
    recorded_at TEXT NOT NULL
);
CREATE INDEX milestone_runs_counter ON milestone_runs (counter_id);
CREATE INDEX milestone_runs_user ON milestone_runs (user_id);

-- The next celebration for each counter / streak / membership, recomputed whenever its
-- inputs change and after each delivery. subject: counter id, group id, or 0 for streaks.
-- run_key distinguishes runs (counter start date, streak milestone date, join date).
CREATE TABLE milestone_pending (
    user_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('counter', 'streak', 'group')),
    subject     INTEGER NOT NULL,
    run_key     TEXT NOT NULL,
    milestone   INTEGER NOT NULL,
    local_date  TEXT NOT NULL,          -- the milestone day in the person's zone
    due_at      TEXT NOT NULL,          -- announce_hour on local_date, in UTC
    PRIMARY KEY (user_id, kind, subject)
);
CREATE INDEX milestone_pending_due ON milestone_pending (due_at);

-- Every celebration ever claimed; the UNIQUE key is what makes delivery happen once.
-- status: sending (claimed, not yet confirmed), sent, skipped (past the grace window),
-- failed (could not be delivered, e.g. DMs closed).
CREATE TABLE milestone_celebrations (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    subject     INTEGER NOT NULL,
    run_key     TEXT NOT NULL,
    milestone   INTEGER NOT NULL,
    local_date  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'skipped', 'failed')),
    visibility  TEXT,
    late        INTEGER NOT NULL DEFAULT 0,
    channel_id  INTEGER,
    message_id  INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (user_id, kind, subject, run_key, milestone)
);
CREATE INDEX milestone_celebrations_status ON milestone_celebrations (status);

CREATE TABLE milestone_cheers (
    celebration_id INTEGER NOT NULL REFERENCES milestone_celebrations (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL,
    at             TEXT NOT NULL,
    PRIMARY KEY (celebration_id, user_id)
);
CREATE INDEX milestone_cheers_user ON milestone_cheers (user_id);

-- Who sent encouragement to whom and what happened to it. The text itself is never stored.
CREATE TABLE milestone_encouragements (
    id             INTEGER PRIMARY KEY,
    celebration_id INTEGER NOT NULL REFERENCES milestone_celebrations (id) ON DELETE CASCADE,
    author_id      INTEGER NOT NULL,
    recipient_id   INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('delivered', 'held', 'undeliverable')),
    at             TEXT NOT NULL,
    UNIQUE (celebration_id, author_id)
);
CREATE INDEX milestone_encouragements_author ON milestone_encouragements (author_id);
CREATE INDEX milestone_encouragements_recipient ON milestone_encouragements (recipient_id);

CREATE TABLE milestone_preferences (
    user_id     INTEGER PRIMARY KEY,
    visibility  TEXT NOT NULL CHECK (visibility IN ('private', 'group', 'community')),
    updated_at  TEXT NOT NULL
);
