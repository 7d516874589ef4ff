-- The waiting list's emails (issue 15): mail.claim returns the entry's
-- id and its offer's expiry too (entry_id, offer_expires_at): a new return
-- type, so the old one goes and db/functions/mail.sql creates the new one.
DROP FUNCTION IF EXISTS mail.claim(text);
