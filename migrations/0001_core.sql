-- Core tables: per-person settings and the shared audit log.

CREATE TABLE user_settings (
    user_id     INTEGER PRIMARY KEY,
    timezone    TEXT,
    updated_at  TEXT NOT NULL
);

-- Who did what to whom, for moderation and crisis accountability. Features write here
-- through bot.repositories.audit; detail is JSON without message text.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    feature     TEXT NOT NULL,
    action      TEXT NOT NULL,
    actor_id    INTEGER,
    target_id   INTEGER,
    subject_id  INTEGER,
    reason      TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_feature_subject ON audit_log (feature, subject_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE INDEX audit_log_target ON audit_log (target_id);
