-- What Hearth must still undo in Discord after a deletion or a retention purge: a message
-- the bot posted about a person (deleted, or edited to "Removed at the person's request." when Discord refuses
-- the deletion), or a crisis alert whose excerpt must go. Retried with backoff until done; rows hold ids only,
-- never text. user_id is the person the message is about (NULL for a retention purge, which forgets the person).
CREATE TABLE discord_cleanup (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER,
    action     TEXT NOT NULL CHECK (action IN ('delete', 'drop_excerpt')),
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX discord_cleanup_message ON discord_cleanup (message_id, action);
CREATE INDEX discord_cleanup_due ON discord_cleanup (next_at);
CREATE INDEX discord_cleanup_user ON discord_cleanup (user_id) WHERE user_id IS NOT NULL;
