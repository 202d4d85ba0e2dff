-- Crisis delivery that cannot fail silently (issue 10).
--
-- A destination that refuses for good (a 4xx other than 429: missing permissions, unknown
-- channel, DMs closed) is recorded on its outbox row: when and why. If the staff alert
-- channel refuses, the alert is sent by DM to every on-call and staff member (kind
-- alert_dm). An incident remembers when its alert first reached a staff member (the
-- person is told "a staff member has been told" only after that) and, while every
-- destination refuses, since when nobody could be reached (every destination is then
-- retried with backoff). New outbox kinds: alert_dm, person_followup (the person is told
-- to use the resources now when nobody could be reached), support_thread (the private
-- thread the person asked for, retried like any other send).

ALTER TABLE crisis_outbox ADD COLUMN failed_at TEXT;     -- first refusal for good of this destination
ALTER TABLE crisis_outbox ADD COLUMN failure TEXT;       -- why: HTTP status and code or error class, and the log's code; never text

ALTER TABLE crisis_incidents ADD COLUMN staff_reached_at TEXT;   -- first alert (channel or DM) that reached staff
ALTER TABLE crisis_incidents ADD COLUMN unreached_since TEXT;    -- every destination refused; NULL once someone is reached
ALTER TABLE crisis_incidents ADD COLUMN alert_reposts INTEGER NOT NULL DEFAULT 0;  -- re-posts after the alert was deleted
