-- outbox.prune deletes the emails sent (or passed over) before the
-- retention: found by when they were done, as done events are
-- (event_done_at), instead of walking every message in id order (issue 16:
-- tests/sql/plans.sql found it scanning the whole table each minute).
CREATE INDEX message_done ON mail.message ((coalesce(sent_at, obsolete_at)))
    WHERE sent_at IS NOT NULL OR obsolete_at IS NOT NULL;
