-- Emails no longer worth sending (the review of issue 14): a TICKET whose
-- booking was canceled before it went, a sign-in link (ACCESS) older than
-- the link's 30 minutes. mail.claim (db/functions/mail.sql) marks them
-- obsolete_at instead of sending them: done, neither sent nor dead, so
-- make retry-dead never sends them. mail.message itself is 018's.
ALTER TABLE mail.message
    ADD COLUMN obsolete_at timestamptz,
    ADD CONSTRAINT message_sent_or_obsolete CHECK (sent_at IS NULL OR obsolete_at IS NULL);

-- The due index leaves them out, as it leaves out sent and dead ones.
DROP INDEX mail.message_due;
CREATE INDEX message_due ON mail.message (available_at, id)
    WHERE sent_at IS NULL AND obsolete_at IS NULL AND NOT dead;

-- mail.claim returns the booking's updated_at too (the .ics's DTSTAMP, as
-- GET /books/{id}/visit.ics has it), and mail.queue_status counts the
-- obsolete ones: new return types, so the old ones go and
-- db/functions/mail.sql creates the new ones.
DROP FUNCTION IF EXISTS mail.claim(text);
DROP FUNCTION IF EXISTS mail.queue_status();
