-- The outbox, made fast (measurements in docs/PERFORMANCE.md). The
-- functions (the rate-limited wake-up, the claim query, the batch apply)
-- are in db/functions/outbox.sql; here, the pending-events index leaves out
-- parked (dead) events, which the claim never takes.

DROP INDEX outbox.event_pending;
CREATE INDEX event_pending ON outbox.event (id) WHERE done_at IS NULL AND NOT dead;
