-- What was last synced to Discord as application commands, per application and scope (a hash of the payload),
-- so a restart syncs only when the commands changed. Holds no data about any person.
CREATE TABLE command_sync (
    scope        TEXT PRIMARY KEY,  -- "<application id>:global" or "<application id>:guild:<guild id>"
    payload_hash TEXT NOT NULL,     -- sha256 of the JSON payload, keys sorted
    synced_at    TEXT NOT NULL
);
