-- The listener's steady-state cost (docs/PERFORMANCE.md). mypage.refresh
-- became plpgsql here (see db/functions/mypage.sql). And:
-- Every done event leaves a dead entry in the pending-event indexes until
-- VACUUM; by default autovacuum waits for 20 % of the table to be dead
-- (170,000 rows in a week's outbox), and each claim walks the dead
-- entries: an empty claim took 0.63 ms before a VACUUM, 0.08 ms after.
-- The queue is vacuumed after every 20,000 changed rows instead.

ALTER TABLE outbox.event SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 20000,
    autovacuum_vacuum_insert_scale_factor = 0,
    autovacuum_vacuum_insert_threshold = 20000,
    autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 20000
);
