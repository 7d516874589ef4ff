-- The outbox, made fast (measurements in docs/PERFORMANCE.md):
-- 1. NOTIFY takes a cluster-wide lock at commit and holds it through the
--    WAL flush, serialising the commits of every writer. A writing session
--    now notifies at most once per 200 ms. The listener keeps polling every
--    5 ms for 250 ms after it last found work, so a wake-up a session skips
--    lands while some listener is still looking; an idle listener is woken
--    by the first write of any session that has not notified lately.
-- 2. The claim query only checks the ordering against exhibition
--    deletions when a deletion is pending (almost never): the check made
--    the planner scan every pending event per candidate.
-- 3. A batch is applied with one statement per kind of effect instead of
--    several per event. The claim never puts two events of one booking in
--    one batch, and (but for a deletion committed between its "any
--    deletion pending?" check and its query) no deletion together with its
--    exhibition's events; even then every effect reads the rows' current
--    state, so the outcome is that of applying the events one by one.

CREATE OR REPLACE FUNCTION outbox.wake() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    now_ms double precision := extract(epoch FROM clock_timestamp()) * 1000;
    last_ms double precision := nullif(current_setting('museum.wake_ms', true), '')::double precision;
BEGIN
    IF last_ms IS NULL OR now_ms - last_ms >= 200 OR now_ms < last_ms THEN
        PERFORM pg_notify('museum_outbox', '');
        PERFORM set_config('museum.wake_ms', now_ms::text, false);
    END IF;
    RETURN NULL;
END
$$;

DROP INDEX outbox.event_pending;
CREATE INDEX event_pending ON outbox.event (id) WHERE done_at IS NULL AND NOT dead;

-- Claims (locks, skipping what other listeners hold) up to p_limit ready
-- events in id order that may run now: none with an earlier pending event
-- of its booking, and none on either side of a pending exhibition deletion.
CREATE FUNCTION outbox.claim(p_limit integer) RETURNS SETOF outbox.event
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM outbox.event
                   WHERE done_at IS NULL AND kind = 'MUSEUM_DELETED') THEN
        RETURN QUERY
        SELECT * FROM outbox.event e
        WHERE e.done_at IS NULL AND NOT e.dead AND e.available_at <= now()
          AND (e.book_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM outbox.event p
                WHERE p.done_at IS NULL AND p.book_id = e.book_id AND p.id < e.id))
        ORDER BY e.id
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED;
        RETURN;
    END IF;
    RETURN QUERY
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
    FOR UPDATE SKIP LOCKED;
END
$$;

-- Applies a claimed batch (fast mode): same effects as outbox.apply per
-- event, one statement per kind. Returns the number of events.
CREATE FUNCTION outbox.apply_batch(p_events outbox.event[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    booked   bigint[];
    canceled bigint[];
    ev       outbox.event;
BEGIN
    IF cardinality(p_events) = 0 THEN
        RETURN 0;
    END IF;
    SELECT coalesce(array_agg(e.book_id ORDER BY e.book_id) FILTER (WHERE e.kind = 'BOOKED'), '{}'),
           coalesce(array_agg(e.book_id ORDER BY e.book_id) FILTER (WHERE e.kind = 'CANCELED'), '{}')
    INTO booked, canceled
    FROM unnest(p_events) e;
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
    IF cardinality(canceled) > 0 THEN
        UPDATE museum.exhibition x SET pcnt = x.pcnt + c.seats
        FROM (SELECT e.museum_id, count(*)::integer AS seats
              FROM unnest(p_events) e WHERE e.kind = 'CANCELED' GROUP BY e.museum_id) c
        WHERE x.id = c.museum_id;
        UPDATE confirm.confirmation SET status = 'CANCELED', updated_at = now()
        WHERE book_id = ANY (canceled) AND status <> 'CANCELED';
    END IF;
    FOREACH ev IN ARRAY p_events LOOP
        IF ev.kind = 'MUSEUM_DELETED' THEN
            PERFORM mypage.refresh(book.on_museum_deleted(ev.museum_id));
        END IF;
    END LOOP;
    PERFORM mypage.refresh(booked || canceled);
    UPDATE outbox.event SET done_at = clock_timestamp(), attempts = attempts + 1
    WHERE id = ANY (SELECT e.id FROM unnest(p_events) e);
    RETURN cardinality(p_events);
END
$$;

CREATE OR REPLACE FUNCTION outbox.process(p_limit integer, p_isolate boolean DEFAULT false,
                                          p_max_attempts integer DEFAULT 10,
                                          p_backoff_ms integer DEFAULT 100)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ev outbox.event;
    n  integer := 0;
BEGIN
    IF NOT p_isolate THEN
        RETURN outbox.apply_batch(ARRAY(SELECT c FROM outbox.claim(p_limit) c));
    END IF;
    FOR ev IN SELECT * FROM outbox.claim(p_limit) LOOP
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
                    make_interval(secs => p_backoff_ms / 1000.0 * power(2, attempts)
                                          * (0.5 + random())))
            WHERE id = ev.id;
        END;
    END LOOP;
    RETURN n;
END
$$;

-- CREATE OR REPLACE reset process()'s SECURITY DEFINER and search_path.
SELECT public.grant_api(ARRAY['outbox.process(integer, boolean, integer, integer)']::regprocedure[]);
