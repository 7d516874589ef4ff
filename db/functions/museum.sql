-- museum: exhibitions and their seats left. What the app calls to create,
-- read and delete exhibitions, and the listener's effect of a cancel (the
-- seat comes back).
--
-- Re-applied by db/migrate.sh on every run (see db/README.md). Domain
-- errors are raised with SQLSTATE 'SKnnn', nnn being the HTTP status the
-- caller should answer with; the message is the problem's detail.

-- The public exhibition reads, made cheap (docs/PERFORMANCE.md): a
-- SECURITY DEFINER plpgsql function costs every GET /museums a function
-- call, a search_path switch and a tuplestore; pgbench at 16 clients runs
-- such a museum.get at 30,400 calls/s and the bare SELECT at 44,600/s.
--
-- So museum_app reads exhibitions through one view of the live ones and
-- their public columns, and museum.get/museum.list are plain SQL functions
-- over it (not SECURITY DEFINER, no SET clause: either would stop the
-- inlining): PostgreSQL inlines them into the worker's prepared statement,
-- which is planned once per connection. The view runs with its owner's
-- rights; museum_app may SELECT from it and from nothing else, and what it
-- shows is exactly what GET /museums shows anyone.
-- Not a security_barrier view: that keeps "id > coalesce(...)" above the
-- view (coalesce is not leakproof), and museum.list becomes a sequential
-- scan and a sort. Without it, a query of museum_app's own could at most
-- reveal the public columns of deleted exhibitions.
CREATE OR REPLACE VIEW museum.live_exhibition AS
SELECT id, name, chk_date, capacity, pcnt
FROM museum.exhibition
WHERE deleted_at IS NULL;

COMMENT ON VIEW museum.live_exhibition IS
    'Exhibitions not deleted, public columns only: what GET /museums shows. museum_app reads exhibitions only through this view.';

GRANT SELECT ON museum.live_exhibition TO museum_app;

-- POST /museums: a new exhibition, all its seats free. SK422 (on column
-- chk_date: the app answers it as that field's error) for a date before
-- today in the session's time zone (the museum's: MUSEUM_TZ).
CREATE OR REPLACE FUNCTION museum.create(p_name text, p_chk_date date, p_capacity integer)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_chk_date < current_date THEN
        RAISE EXCEPTION 'must not be in the past (today is % in %)', current_date,
                        current_setting('TimeZone')
            USING ERRCODE = 'SK422', COLUMN = 'chk_date';
    END IF;
    RETURN QUERY
    INSERT INTO museum.exhibition AS e (name, chk_date, capacity, pcnt)
    VALUES (p_name, p_chk_date, p_capacity, p_capacity)
    RETURNING e.id, e.name, e.chk_date, e.capacity, e.pcnt;
END
$$;
GRANT EXECUTE ON FUNCTION museum.create(text, date, integer) TO museum_app;

-- GET /museums/{id}: the live exhibition, or no row (the worker answers
-- 404) for a missing or deleted one, since an inlinable function cannot
-- raise.
CREATE OR REPLACE FUNCTION museum.get(p_id bigint)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer)
LANGUAGE sql STABLE AS $$
    SELECT e.id, e.name, e.chk_date, e.capacity, e.pcnt
    FROM museum.live_exhibition e
    WHERE e.id = p_id
$$;
GRANT EXECUTE ON FUNCTION museum.get(bigint) TO museum_app;

-- GET /museums: up to p_limit live exhibitions after id p_after, in id order.
CREATE OR REPLACE FUNCTION museum.list(p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer)
LANGUAGE sql STABLE AS $$
    SELECT e.id, e.name, e.chk_date, e.capacity, e.pcnt
    FROM museum.live_exhibition e
    WHERE e.id > coalesce(p_after, 0)
    ORDER BY e.id
    LIMIT p_limit
$$;
GRANT EXECUTE ON FUNCTION museum.list(bigint, integer) TO museum_app;

-- The date of exhibition p_id, deleted or not; NULL if there is none. Where
-- museum.list_from continues after p_id (still right when p_id has been
-- deleted since the client saw it).
CREATE OR REPLACE FUNCTION museum.chk_date_of(p_id bigint) RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.chk_date FROM museum.exhibition e WHERE e.id = p_id
$$;
GRANT EXECUTE ON FUNCTION museum.chk_date_of(bigint) TO museum_app;

-- GET /museums?from=: up to p_limit live exhibitions on or after p_from, by
-- date then id (what is on soonest first), after exhibition p_after (the
-- last one of the previous page). Plain SQL over the view, like
-- museum.list, so that it is inlined: an index scan of
-- exhibition_live_date (migration 014), museum.chk_date_of run once.
CREATE OR REPLACE FUNCTION museum.list_from(p_from date, p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer)
LANGUAGE sql STABLE AS $$
    SELECT e.id, e.name, e.chk_date, e.capacity, e.pcnt
    FROM museum.live_exhibition e
    WHERE e.chk_date >= p_from
      AND (e.chk_date, e.id) > (coalesce(museum.chk_date_of(p_after), p_from), coalesce(p_after, 0))
    ORDER BY e.chk_date, e.id
    LIMIT p_limit
$$;
GRANT EXECUTE ON FUNCTION museum.list_from(date, bigint, integer) TO museum_app;

-- GET /museums as staff: the page museum.list (p_from NULL) or
-- museum.list_from would answer, each row with its live bookings (booked)
-- and the ones the visitor canceled (canceled), counted as
-- report.occupancy counts them: the staff page's occupancy, one request
-- per page of exhibitions. Counts by the booking_museum_id index, per
-- exhibition of the page.
CREATE OR REPLACE FUNCTION museum.occupancy(p_from date, p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer, booked bigint,
               canceled bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT p.id, p.name, p.chk_date, p.capacity, p.pcnt, c.booked, c.canceled
    FROM (SELECT * FROM museum.list(p_after, p_limit) WHERE p_from IS NULL
          UNION ALL
          SELECT * FROM museum.list_from(p_from, p_after, p_limit) WHERE p_from IS NOT NULL) p
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE b.status IN ('REQUESTED', 'REQUEST_COMPLETED')) AS booked,
               count(*) FILTER (WHERE b.status = 'CANCELED') AS canceled
        FROM book.booking b
        WHERE b.museum_id = p.id) c
    ORDER BY CASE WHEN p_from IS NULL THEN NULL ELSE p.chk_date END, p.id;
END
$$;
GRANT EXECUTE ON FUNCTION museum.occupancy(date, bigint, integer) TO museum_app;

-- DELETE /museums/{id}: marks the exhibition deleted (the row stays, for
-- history and reports) and queues the force-cancel of its bookings
-- (book.on_museum_deleted). SK404 if there is no live exhibition p_id.
CREATE OR REPLACE FUNCTION museum.delete(p_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE museum.exhibition SET deleted_at = now()
    WHERE id = p_id AND deleted_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'exhibition % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    INSERT INTO outbox.event (kind, museum_id) VALUES ('MUSEUM_DELETED', p_id);
END
$$;
GRANT EXECUTE ON FUNCTION museum.delete(bigint) TO museum_app;

-- Effect of CANCELED events (called by outbox.apply_batch): the seats come
-- back and the confirmations are canceled. p_museum_ids holds the
-- exhibition of each canceled booking (one seat each, repeated for several
-- bookings of one exhibition); p_book_ids the canceled bookings. Only the
-- call that actually cancels a booking writes its CANCELED event, so each
-- seat comes back once.
CREATE OR REPLACE FUNCTION museum.on_canceled(p_museum_ids bigint[], p_book_ids bigint[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE museum.exhibition x SET pcnt = x.pcnt + c.seats
    FROM (SELECT m.id, count(*)::integer AS seats FROM unnest(p_museum_ids) m(id) GROUP BY m.id) c
    WHERE x.id = c.id;
    UPDATE confirm.confirmation SET status = 'CANCELED', updated_at = now()
    WHERE book_id = ANY (p_book_ids) AND status <> 'CANCELED';
END
$$;
