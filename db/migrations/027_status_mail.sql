-- GET /status shows the email queue too: outbox.status() returns one
-- column more (mail), a new return type, so the old one goes and
-- db/functions/outbox.sql creates the new one.
DROP FUNCTION IF EXISTS outbox.status();
