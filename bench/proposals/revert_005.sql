-- Puts back what 005_outbox_batch.sql replaced (db/migrations/003_outbox.sql
-- as of this branch): the NOTIFY trigger; outbox.process is restored by
-- re-running its definition from 003 (see bench/proposals/README.md).
CREATE TRIGGER event_wake AFTER INSERT ON outbox.event
    FOR EACH STATEMENT EXECUTE FUNCTION outbox.wake();
