-- The event pipeline, hardened: listener heartbeats, configurable retry
-- backoff, pruning of done events, seats released by force-cancel, and the
-- MyPage read model's rebuild and check.

-- Listener instances report here; status output and readiness read it.
CREATE TABLE outbox.listener (
    name       text PRIMARY KEY,
    pid        integer     NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    events     bigint      NOT NULL DEFAULT 0
);

-- Records that listener p_name (process p_pid) is alive and has applied
-- p_events events since it started.
CREATE FUNCTION outbox.listener_beat(p_name text, p_pid integer, p_events bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO outbox.listener AS l (name, pid, events) VALUES (p_name, p_pid, p_events)
    ON CONFLICT (name) DO UPDATE
    SET last_seen = now(), events = excluded.events,
        pid = excluded.pid,
        started_at = CASE WHEN l.pid = excluded.pid THEN l.started_at ELSE now() END;
$$;

-- Force-cancel now releases the seats of the bookings it cancels (each
-- live booking's seat comes back exactly once: by its CANCELED event or by
-- the force-cancel, never both, since force-cancel skips canceled ones).
CREATE OR REPLACE FUNCTION book.on_museum_deleted(p_museum_id bigint) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    WITH fc AS (
        UPDATE book.booking
        SET status = 'FORCE_CANCELED', canceled_at = now(), updated_at = now()
        WHERE museum_id = p_museum_id AND status IN ('REQUESTED', 'REQUEST_COMPLETED')
        RETURNING id
    )
    SELECT coalesce(array_agg(id), '{}') INTO changed FROM fc;
    IF cardinality(changed) > 0 THEN
        UPDATE museum.exhibition SET pcnt = pcnt + cardinality(changed) WHERE id = p_museum_id;
        UPDATE confirm.confirmation SET status = 'FORCE_CANCELED', updated_at = now()
        WHERE book_id = ANY (changed);
    END IF;
    RETURN changed;
END
$$;

-- process() with the retry backoff as a parameter: a failing event waits
-- p_backoff_ms * 2^attempts (capped at 5 minutes) times a jitter factor in
-- [0.5, 1.5) before its next try.
DROP FUNCTION outbox.process(integer, boolean, integer);
CREATE FUNCTION outbox.process(p_limit integer, p_isolate boolean DEFAULT false,
                               p_max_attempts integer DEFAULT 10,
                               p_backoff_ms integer DEFAULT 100)
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
                    make_interval(secs => p_backoff_ms / 1000.0 * power(2, attempts)
                                          * (0.5 + random())))
            WHERE id = ev.id;
        END;
    END LOOP;
    RETURN n;
END
$$;

-- Deletes up to p_batch events done more than p_retention ago. Returns how
-- many; the caller repeats while it gets a full batch.
CREATE FUNCTION outbox.prune(p_retention interval, p_batch integer) RETURNS integer
LANGUAGE sql AS $$
    WITH old AS (
        SELECT id FROM outbox.event
        WHERE done_at IS NOT NULL AND done_at < now() - p_retention
        ORDER BY done_at
        LIMIT p_batch
    ), gone AS (
        DELETE FROM outbox.event e USING old WHERE e.id = old.id RETURNING 1
    )
    SELECT count(*)::integer FROM gone;
$$;

-- The MyPage rows as the source tables say they should be: one per booking
-- whose BOOKED event has been applied, i.e. that has its confirmation.
CREATE VIEW mypage.expected AS
SELECT b.id AS book_id, b.cust_nm, b.museum_id, b.name, b.chk_date,
       b.status, c.status AS confirm_status
FROM book.booking b
JOIN confirm.confirmation c ON c.book_id = b.id;

-- Differences between the live read model and a fresh computation,
-- leaving out bookings whose events are still pending (they are merely
-- behind, not wrong). No rows = the read model is right.
CREATE FUNCTION mypage.diff()
RETURNS TABLE (book_id bigint, problem text, live text, expected text)
LANGUAGE sql STABLE AS $$
    WITH pending AS (
        SELECT e.book_id FROM outbox.event e WHERE e.done_at IS NULL AND e.book_id IS NOT NULL
        UNION
        SELECT b.id FROM outbox.event e JOIN book.booking b ON b.museum_id = e.museum_id
        WHERE e.done_at IS NULL AND e.kind = 'MUSEUM_DELETED'
    ), cmp AS (
        SELECT coalesce(m.book_id, x.book_id) AS book_id,
               CASE WHEN m.book_id IS NULL THEN 'missing'
                    WHEN x.book_id IS NULL THEN 'unexpected'
                    ELSE 'different' END AS problem,
               CASE WHEN m.book_id IS NOT NULL THEN
                   concat_ws(' ', m.cust_nm, m.museum_id, m.name, m.chk_date, m.status,
                             m.confirm_status) END AS live,
               CASE WHEN x.book_id IS NOT NULL THEN
                   concat_ws(' ', x.cust_nm, x.museum_id, x.name, x.chk_date, x.status,
                             x.confirm_status) END AS expected
        FROM mypage.entry m
        FULL JOIN mypage.expected x ON x.book_id = m.book_id
        WHERE m.book_id IS NULL OR x.book_id IS NULL
           OR (m.cust_nm, m.museum_id, m.name, m.chk_date, m.status, m.confirm_status)
              IS DISTINCT FROM
              (x.cust_nm, x.museum_id, x.name, x.chk_date, x.status, x.confirm_status)
    )
    SELECT * FROM cmp WHERE book_id NOT IN (SELECT p.book_id FROM pending p)
    ORDER BY book_id;
$$;

-- Recomputes the whole read model from the source tables (in one
-- transaction: readers see the old model until it commits). Returns the
-- number of rows changed, added or removed.
CREATE FUNCTION mypage.rebuild() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
    removed integer;
BEGIN
    LOCK TABLE mypage.entry IN SHARE ROW EXCLUSIVE MODE; -- one rebuild at a time; the listener waits
    WITH up AS (
        INSERT INTO mypage.entry AS m
            (book_id, cust_nm, museum_id, name, chk_date, status, confirm_status)
        SELECT book_id, cust_nm, museum_id, name, chk_date, status, confirm_status
        FROM mypage.expected
        ON CONFLICT (book_id) DO UPDATE
        SET cust_nm = excluded.cust_nm, museum_id = excluded.museum_id, name = excluded.name,
            chk_date = excluded.chk_date, status = excluded.status,
            confirm_status = excluded.confirm_status, updated_at = now()
        WHERE (m.cust_nm, m.museum_id, m.name, m.chk_date, m.status, m.confirm_status)
              IS DISTINCT FROM
              (excluded.cust_nm, excluded.museum_id, excluded.name, excluded.chk_date,
               excluded.status, excluded.confirm_status)
        RETURNING 1
    )
    SELECT count(*) INTO changed FROM up;
    DELETE FROM mypage.entry m
    WHERE NOT EXISTS (SELECT 1 FROM mypage.expected x WHERE x.book_id = m.book_id);
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN changed + removed;
END
$$;

-- Listener instances and how long since each was last seen.
CREATE VIEW report.listeners AS
SELECT name, pid, started_at, last_seen, now() - last_seen AS silent_for, events
FROM outbox.listener
ORDER BY name;

-- What the listener calls, as museum_app (see 006_roles.sql).
SELECT public.grant_api(ARRAY[
    'outbox.process(integer, boolean, integer, integer)',
    'outbox.listener_beat(text, integer, bigint)',
    'outbox.prune(interval, integer)'
]::regprocedure[]);
