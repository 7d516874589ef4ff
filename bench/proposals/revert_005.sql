-- Puts back what 005_outbox_batch.sql replaced (db/migrations/003_outbox.sql
-- as of this branch): the NOTIFY trigger and outbox.process as it is there.
CREATE TRIGGER event_wake AFTER INSERT ON outbox.event
    FOR EACH STATEMENT EXECUTE FUNCTION outbox.wake();

CREATE OR REPLACE FUNCTION outbox.process(p_limit integer, p_isolate boolean DEFAULT false,
                               p_max_attempts integer DEFAULT 10)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ev outbox.event;
    n  integer := 0;
BEGIN
    FOR ev IN
        SELECT * FROM outbox.event e
        WHERE e.done_at IS NULL AND NOT e.dead AND e.available_at <= now()
          AND (e.book_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM outbox.event p
                WHERE p.done_at IS NULL AND p.book_id = e.book_id AND p.id < e.id))
          AND NOT EXISTS (
                SELECT 1 FROM outbox.event p
                WHERE p.done_at IS NULL AND p.kind = 'MUSEUM_DELETED'
                  AND p.museum_id = e.museum_id AND p.id < e.id)
          AND (e.kind <> 'MUSEUM_DELETED' OR NOT EXISTS (
                SELECT 1 FROM outbox.event p
                WHERE p.done_at IS NULL AND p.museum_id = e.museum_id AND p.id < e.id))
        ORDER BY e.id
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    LOOP
        n := n + 1;
        IF NOT p_isolate THEN
            PERFORM outbox.apply(ev);
            UPDATE outbox.event SET done_at = clock_timestamp(), attempts = attempts + 1
            WHERE id = ev.id;
            CONTINUE;
        END IF;
        BEGIN
            PERFORM outbox.apply(ev);
            UPDATE outbox.event SET done_at = clock_timestamp(), attempts = attempts + 1
            WHERE id = ev.id;
        EXCEPTION WHEN OTHERS THEN
            UPDATE outbox.event
            SET attempts = attempts + 1,
                last_error = SQLSTATE || ': ' || SQLERRM,
                dead = attempts + 1 >= p_max_attempts,
                available_at = now() + least(interval '5 minutes',
                    interval '100 milliseconds' * power(2, attempts) * (0.5 + random()))
            WHERE id = ev.id;
        END;
    END LOOP;
    RETURN n;
END
$$;
