-- PROPOSED (bench, measured in docs/PERFORMANCE.md; not a migration of this
-- branch): what a db/migrations/005 would hold.
--
-- 1. No NOTIFY inside the writing transactions. A NOTIFY takes a
--    cluster-wide lock at commit and holds it through the WAL flush, so
--    every booking commit was serialized behind one fsync. The FastCGI
--    workers wake the listener themselves, after commit, at most once per
--    few milliseconds (bench/proposals/fast-path.patch, fcgi/db.c).
DROP TRIGGER IF EXISTS event_wake ON outbox.event;

-- 2. outbox.process applies a batch with one statement per kind of effect
--    instead of six statements (and a re-planned SQL function) per event.
--    Safe because the claim query already puts at most one event per
--    booking in a batch (an event waits while an earlier one of its booking
--    is pending), and never a deletion together with events of its
--    exhibition. p_isolate = true keeps the per-event path for the retry.
CREATE OR REPLACE FUNCTION outbox.process(p_limit integer, p_isolate boolean DEFAULT false,
                                          p_max_attempts integer DEFAULT 10)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ev outbox.event;
    n  integer := 0;
    ids bigint[];
    booked bigint[];
    canceled bigint[];
    canceled_museums bigint[];
    deleted bigint[];
BEGIN
    IF NOT p_isolate THEN
        WITH claimed AS (
            SELECT e.id, e.kind, e.museum_id, e.book_id FROM outbox.event e
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
        )
        SELECT coalesce(array_agg(c.id ORDER BY c.id), '{}'),
               coalesce(array_agg(c.book_id ORDER BY c.book_id) FILTER (WHERE c.kind = 'BOOKED'), '{}'),
               coalesce(array_agg(c.book_id ORDER BY c.book_id) FILTER (WHERE c.kind = 'CANCELED'), '{}'),
               coalesce(array_agg(c.museum_id) FILTER (WHERE c.kind = 'CANCELED'), '{}'),
               coalesce(array_agg(c.museum_id ORDER BY c.id) FILTER (WHERE c.kind = 'MUSEUM_DELETED'), '{}')
        INTO ids, booked, canceled, canceled_museums, deleted
        FROM claimed c;
        n := cardinality(ids);
        IF n = 0 THEN
            RETURN 0;
        END IF;
        -- BOOKED: confirm.on_booked for the whole batch.
        IF cardinality(booked) > 0 THEN
            UPDATE book.booking SET status = 'REQUEST_COMPLETED', updated_at = now()
            WHERE id = ANY (booked) AND status = 'REQUESTED';
            INSERT INTO confirm.confirmation (book_id, museum_id, cust_nm, name, chk_date, status)
            SELECT b.id, b.museum_id, b.cust_nm, b.name, b.chk_date,
                   CASE WHEN b.status IN ('CANCELED', 'FORCE_CANCELED') THEN b.status::text
                        ELSE 'REQUEST_COMPLETED' END
            FROM book.booking b WHERE b.id = ANY (booked)
            ORDER BY b.id
            ON CONFLICT (book_id) DO NOTHING;
        END IF;
        -- CANCELED: museum.on_canceled for the whole batch (seats per exhibition).
        IF cardinality(canceled) > 0 THEN
            UPDATE museum.exhibition e SET pcnt = e.pcnt + c.seats
            FROM (SELECT m AS museum_id, count(*)::integer AS seats
                  FROM unnest(canceled_museums) m GROUP BY m ORDER BY m) c
            WHERE e.id = c.museum_id;
            UPDATE confirm.confirmation SET status = 'CANCELED', updated_at = now()
            WHERE book_id = ANY (canceled) AND status <> 'CANCELED';
        END IF;
        -- MUSEUM_DELETED: rare, one at a time.
        FOR i IN 1 .. cardinality(deleted) LOOP
            PERFORM mypage.refresh(book.on_museum_deleted(deleted[i]));
        END LOOP;
        PERFORM mypage.refresh(booked || canceled);
        UPDATE outbox.event SET done_at = clock_timestamp(), attempts = attempts + 1
        WHERE id = ANY (ids);
        RETURN n;
    END IF;

    -- p_isolate: unchanged, one subtransaction per event.
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
