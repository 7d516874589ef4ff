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
-- An exhibition's columns as the API answers them: pcnt is the seats left
-- summed over its open slots that have not ended; capacity is per slot;
-- chk_date (the original system's one date) is start_date. opens and
-- closes stay times (the worker writes a time as HH:MM, fcgi/rowjson.c) and
-- the closures JSON arrays by array_to_json: to_char and to_jsonb cost
-- GET /museums a fifth of its query (docs/PERFORMANCE.md; changing these
-- columns' types: migration 031).
CREATE OR REPLACE VIEW museum.live_exhibition AS
SELECT e.id, e.name, e.start_date AS chk_date, e.capacity,
       coalesce((SELECT sum(s.seats_left) FROM museum.slot s
                 WHERE s.museum_id = e.id AND s.end_at > pg_catalog.now() AND s.open),
                0)::integer AS pcnt,
       e.start_date, e.end_date, e.opens, e.closes, e.slot_minutes,
       pg_catalog.array_to_json(e.closed_weekdays) AS closed_weekdays,
       pg_catalog.array_to_json(e.closed_dates) AS closed_dates, e.description
FROM museum.exhibition e
WHERE e.deleted_at IS NULL;

COMMENT ON VIEW museum.live_exhibition IS
    'Exhibitions not deleted, public columns only: what GET /museums shows. museum_app reads exhibitions only through this view.';

GRANT SELECT ON museum.live_exhibition TO museum_app;

-- true if day p_day is open under closed weekdays p_weekdays (ISO, 1 =
-- Monday) and closed dates p_dates.
CREATE OR REPLACE FUNCTION museum.is_open(p_day date, p_weekdays smallint[], p_dates date[])
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT NOT (pg_catalog.date_part('isodow', p_day)::smallint = ANY (p_weekdays)
                OR p_day = ANY (p_dates));
$$;

-- Makes exhibition p_id's slots for the days p_from..p_to (its hours and
-- slot length, its capacity, open or closed by its closures), in the
-- session's time zone (the museum's). Returns how many. SK422 (on column
-- p_column) when the exhibition would have more than 20,000 slots.
CREATE OR REPLACE FUNCTION museum.make_slots(p_id bigint, p_from date, p_to date, p_column text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    e museum.exhibition;
    step interval;
    per_day integer;
    made integer;
BEGIN
    SELECT * INTO e FROM museum.exhibition x WHERE x.id = p_id;
    step := coalesce(make_interval(mins => e.slot_minutes), e.closes - e.opens);
    per_day := (extract(epoch FROM e.closes - e.opens) / extract(epoch FROM step))::integer;
    IF (SELECT count(*) FROM museum.slot s WHERE s.museum_id = p_id)
       + per_day * greatest(p_to - p_from + 1, 0) > 20000 THEN
        RAISE EXCEPTION 'would make more than 20,000 slots (% a day): choose longer slots or a shorter run',
                        per_day
            USING ERRCODE = 'SK422', COLUMN = p_column;
    END IF;
    INSERT INTO museum.slot (museum_id, day, start_at, end_at, capacity, seats_left, open)
    SELECT e.id, d.day, d.day + e.opens + k * step, d.day + e.opens + (k + 1) * step,
           e.capacity, e.capacity, museum.is_open(d.day, e.closed_weekdays, e.closed_dates)
    FROM generate_series(p_from, p_to, interval '1 day') AS g(t)
    CROSS JOIN LATERAL (SELECT g.t::date AS day) d
    CROSS JOIN generate_series(0, per_day - 1) AS k
    ORDER BY 2, 3;
    GET DIAGNOSTICS made = ROW_COUNT;
    RETURN made;
END
$$;

-- POST /museums: a new exhibition, its slots made, all their seats free.
-- SK422 on the column at fault: a start date before today in the
-- session's time zone (the museum's: MUSEUM_TZ), an end before the start
-- or more than 366 days after it, closing time not after opening time, a
-- slot length that does not divide the opening hours, too many slots.
CREATE OR REPLACE FUNCTION museum.create(p_name text, p_start_date date, p_end_date date,
                                         p_opens time, p_closes time, p_slot_minutes integer,
                                         p_capacity integer, p_closed_weekdays smallint[],
                                         p_closed_dates date[], p_description text)
RETURNS SETOF museum.live_exhibition
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    made bigint;
    last date := coalesce(p_end_date, p_start_date);
BEGIN
    IF p_start_date < current_date THEN
        RAISE EXCEPTION 'must not be in the past (today is % in %)', current_date,
                        current_setting('TimeZone')
            USING ERRCODE = 'SK422', COLUMN = 'start_date';
    ELSIF last < p_start_date THEN
        RAISE EXCEPTION 'must not be before startDate' USING ERRCODE = 'SK422', COLUMN = 'end_date';
    ELSIF last > p_start_date + 365 THEN
        RAISE EXCEPTION 'must be at most 366 days from startDate (extend it later if the exhibition runs longer)'
            USING ERRCODE = 'SK422', COLUMN = 'end_date';
    ELSIF p_closes <= p_opens THEN
        RAISE EXCEPTION 'must be after opens' USING ERRCODE = 'SK422', COLUMN = 'closes';
    ELSIF extract(epoch FROM p_closes - p_opens)::integer % (p_slot_minutes * 60) <> 0 THEN
        RAISE EXCEPTION 'must divide the opening hours (% to %: % minutes)', p_opens, p_closes,
                        extract(epoch FROM p_closes - p_opens)::integer / 60
            USING ERRCODE = 'SK422', COLUMN = 'slot_minutes';
    END IF;
    INSERT INTO museum.exhibition AS e
        (name, start_date, end_date, opens, closes, slot_minutes, capacity, closed_weekdays,
         closed_dates, description)
    VALUES (p_name, p_start_date, last, p_opens, p_closes, p_slot_minutes, p_capacity,
            coalesce(ARRAY(SELECT DISTINCT w FROM unnest(p_closed_weekdays) w ORDER BY w), '{}'),
            coalesce(ARRAY(SELECT DISTINCT d FROM unnest(p_closed_dates) d ORDER BY d), '{}'),
            p_description)
    RETURNING e.id INTO made;
    PERFORM museum.make_slots(made, p_start_date, last, 'slot_minutes');
    RETURN QUERY SELECT * FROM museum.live_exhibition x WHERE x.id = made;
END
$$;
GRANT EXECUTE ON FUNCTION museum.create(text, date, date, time, time, integer, integer, smallint[],
                                        date[], text) TO museum_app;

-- GET /museums/{id}: the live exhibition, or no row (the worker answers
-- 404) for a missing or deleted one, since an inlinable function cannot
-- raise.
CREATE OR REPLACE FUNCTION museum.get(p_id bigint)
RETURNS SETOF museum.live_exhibition
LANGUAGE sql STABLE AS $$
    SELECT * FROM museum.live_exhibition e WHERE e.id = p_id
$$;
GRANT EXECUTE ON FUNCTION museum.get(bigint) TO museum_app;

-- GET /museums: up to p_limit live exhibitions after id p_after, in id order.
CREATE OR REPLACE FUNCTION museum.list(p_after bigint, p_limit integer)
RETURNS SETOF museum.live_exhibition
LANGUAGE sql STABLE AS $$
    SELECT * FROM museum.live_exhibition e
    WHERE e.id > coalesce(p_after, 0)
    ORDER BY e.id
    LIMIT p_limit
$$;
GRANT EXECUTE ON FUNCTION museum.list(bigint, integer) TO museum_app;

-- The end date of exhibition p_id, deleted or not; NULL if there is none.
-- Where museum.list_from continues after p_id (still right when p_id has
-- been deleted since the client saw it).
CREATE OR REPLACE FUNCTION museum.end_date_of(p_id bigint) RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.end_date FROM museum.exhibition e WHERE e.id = p_id
$$;
GRANT EXECUTE ON FUNCTION museum.end_date_of(bigint) TO museum_app;

-- GET /museums?from=: up to p_limit live exhibitions that have not ended by
-- p_from, closing soonest first (by end date, then id), after exhibition
-- p_after (the last one of the previous page). Plain SQL over the view,
-- like museum.list, so that it is inlined: an index scan of
-- exhibition_live_end, museum.end_date_of run once.
CREATE OR REPLACE FUNCTION museum.list_from(p_from date, p_after bigint, p_limit integer)
RETURNS SETOF museum.live_exhibition
LANGUAGE sql STABLE AS $$
    SELECT * FROM museum.live_exhibition e
    WHERE e.end_date >= p_from
      AND (e.end_date, e.id) > (coalesce(museum.end_date_of(p_after), p_from), coalesce(p_after, 0))
    ORDER BY e.end_date, e.id
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
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer,
               start_date date, end_date date, opens time, closes time, slot_minutes integer,
               closed_weekdays json, closed_dates json, description text, booked bigint,
               canceled bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT p.*, c.booked, c.canceled
    FROM (SELECT * FROM museum.list(p_after, p_limit) WHERE p_from IS NULL
          UNION ALL
          SELECT * FROM museum.list_from(p_from, p_after, p_limit) WHERE p_from IS NOT NULL) p
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE b.status IN ('REQUESTED', 'REQUEST_COMPLETED')) AS booked,
               count(*) FILTER (WHERE b.status = 'CANCELED') AS canceled
        FROM book.booking b
        WHERE b.museum_id = p.id) c
    ORDER BY CASE WHEN p_from IS NULL THEN NULL ELSE p.end_date END, p.id;
END
$$;
GRANT EXECUTE ON FUNCTION museum.occupancy(date, bigint, integer) TO museum_app;

-- GET /museums/{id}/slots: exhibition p_id's open slots on days p_from to
-- p_to (local dates, both included; NULL: from today, for 31 days), in
-- time order, start and end in ISO 8601 with the session's (the museum's)
-- offset. SK400 for a range that ends before it starts or is longer than
-- 92 days; SK404 if there is no live exhibition p_id.
CREATE OR REPLACE FUNCTION museum.slots(p_id bigint, p_from date, p_to date)
RETURNS TABLE ("start" text, "end" text, capacity integer, "left" integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    first date := coalesce(p_from, current_date);
    last date := coalesce(p_to, coalesce(p_from, current_date) + 30);
BEGIN
    IF last < first THEN
        RAISE EXCEPTION 'to (%) is before from (%)', last, first USING ERRCODE = 'SK400';
    ELSIF last - first >= 92 THEN
        RAISE EXCEPTION 'from % to % is % days: ask for at most 92 at a time', first, last,
                        last - first + 1
            USING ERRCODE = 'SK400';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM museum.exhibition e WHERE e.id = p_id AND e.deleted_at IS NULL) THEN
        RAISE EXCEPTION 'exhibition % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    RETURN QUERY
    SELECT to_json(s.start_at) #>> '{}', to_json(s.end_at) #>> '{}', s.capacity, s.seats_left
    FROM museum.slot s
    WHERE s.museum_id = p_id AND s.open AND s.day BETWEEN first AND last
    ORDER BY s.start_at;
END
$$;
GRANT EXECUTE ON FUNCTION museum.slots(bigint, date, date) TO museum_app;

-- Live bookings of exhibition p_id on the days p_days whose visit has not
-- ended (those are history: nothing changes them), counted per day (days
-- without any are left out).
CREATE OR REPLACE FUNCTION museum.booked_days(p_id bigint, p_days date[])
RETURNS TABLE (day date, bookings bigint)
LANGUAGE sql STABLE AS $$
    SELECT b.chk_date, count(*) FROM book.booking b
    WHERE b.museum_id = p_id AND b.chk_date = ANY (p_days)
      AND b.status IN ('REQUESTED', 'REQUEST_COMPLETED') AND b.slot_end > now()
    GROUP BY b.chk_date ORDER BY b.chk_date;
$$;

-- PATCH /museums/{id} (staff): changes what is given (NULL = unchanged):
-- the name; the description ('' removes it); the capacity of every slot
-- that has not ended (SK409 if one already has more seats taken); the end
-- date (slots made for new days; SK409 if days dropped have live
-- bookings, SK422 if it is before today); the closed dates (the whole list: days newly closed that have
-- live bookings are SK409, unless p_force_cancel, which queues their
-- force-cancel, a DAY_CLOSED event per day; SK422 for a day before today
-- newly closed). Slots are locked (a booking of them waits) before they
-- are checked, so nothing can slip in between. SK404 if there is no live
-- exhibition p_id.
CREATE OR REPLACE FUNCTION museum.patch(p_id bigint, p_name text, p_description text,
                                        p_capacity integer, p_end_date date,
                                        p_closed_dates date[], p_force_cancel boolean)
RETURNS SETOF museum.live_exhibition
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    e museum.exhibition;
    worst record;
    dates date[];
    closing date[];
    busy text;
BEGIN
    SELECT * INTO e FROM museum.exhibition x WHERE x.id = p_id AND x.deleted_at IS NULL FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'exhibition % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    UPDATE museum.exhibition x
    SET name = coalesce(p_name, x.name),
        description = CASE WHEN p_description IS NULL THEN x.description
                           ELSE nullif(p_description, '') END
    WHERE x.id = p_id;

    IF coalesce(p_capacity <> e.capacity, false) OR coalesce(p_end_date <> e.end_date, false)
       OR p_closed_dates IS NOT NULL THEN
        -- The slots it changes, locked in id order first (bookings of them
        -- wait; nothing else locks several slots in another order).
        PERFORM 1 FROM museum.slot s WHERE s.museum_id = p_id ORDER BY s.id FOR UPDATE;
    END IF;

    IF p_capacity IS NOT NULL AND p_capacity <> e.capacity THEN
        SELECT s.start_at, s.capacity - s.seats_left AS taken INTO worst
        FROM museum.slot s WHERE s.museum_id = p_id AND s.end_at > now()
        ORDER BY s.capacity - s.seats_left DESC, s.start_at LIMIT 1;
        IF worst.taken > p_capacity THEN
            RAISE EXCEPTION 'the slot at % already has % seats taken: the capacity cannot be less',
                            to_char(worst.start_at, 'YYYY-MM-DD HH24:MI'), worst.taken
                USING ERRCODE = 'SK409';
        END IF;
        UPDATE museum.slot s
        SET capacity = p_capacity, seats_left = s.seats_left + (p_capacity - s.capacity)
        WHERE s.museum_id = p_id AND s.end_at > now();
        UPDATE museum.exhibition x SET capacity = p_capacity WHERE x.id = p_id;
    END IF;

    IF p_end_date IS NOT NULL AND p_end_date <> e.end_date THEN
        IF p_end_date < e.start_date THEN
            RAISE EXCEPTION 'must not be before startDate' USING ERRCODE = 'SK422', COLUMN = 'end_date';
        ELSIF p_end_date < current_date THEN
            RAISE EXCEPTION 'must not be before today (%): past days are history', current_date
                USING ERRCODE = 'SK422', COLUMN = 'end_date';
        ELSIF p_end_date > e.start_date + 365 THEN
            RAISE EXCEPTION 'must be at most 366 days from startDate' USING ERRCODE = 'SK422',
                COLUMN = 'end_date';
        END IF;
        UPDATE museum.exhibition x SET end_date = p_end_date WHERE x.id = p_id;
        IF p_end_date > e.end_date THEN -- (days already past get no slots)
            PERFORM museum.make_slots(p_id, greatest(e.end_date + 1, current_date), p_end_date,
                                      'end_date');
        ELSE
            DELETE FROM museum.slot s WHERE s.museum_id = p_id AND s.day > p_end_date;
            SELECT string_agg(d.day || ' (' || d.bookings || ')', ', ') INTO busy
            FROM museum.booked_days(p_id, ARRAY(SELECT generate_series(p_end_date + 1, e.end_date,
                                                                      interval '1 day')::date)) d;
            IF busy IS NOT NULL THEN
                RAISE EXCEPTION 'the days it would drop have bookings: %', busy
                    USING ERRCODE = 'SK409';
            END IF;
            -- Their waiting lists end with them (with a notice).
            PERFORM waitlist.cancel_for(p_id, d::date, now())
            FROM generate_series(p_end_date + 1, e.end_date, interval '1 day') d;
        END IF;
    END IF;

    IF p_closed_dates IS NOT NULL THEN
        dates := ARRAY(SELECT DISTINCT d FROM unnest(p_closed_dates) d ORDER BY d);
        closing := ARRAY(SELECT d FROM unnest(dates) d WHERE d <> ALL (e.closed_dates));
        IF EXISTS (SELECT 1 FROM unnest(closing) d WHERE d < current_date) THEN
            RAISE EXCEPTION 'a day before today (%) cannot be closed', current_date
                USING ERRCODE = 'SK422', COLUMN = 'closed_dates';
        END IF;
        UPDATE museum.exhibition x SET closed_dates = dates WHERE x.id = p_id;
        UPDATE museum.slot s SET open = museum.is_open(s.day, e.closed_weekdays, dates)
        WHERE s.museum_id = p_id AND s.open <> museum.is_open(s.day, e.closed_weekdays, dates);
        -- The waiting lists of the days closing end now (with a notice),
        -- bookings or not: nobody would ever be offered a closed slot.
        PERFORM waitlist.cancel_for(p_id, d, now()) FROM unnest(closing) d;
        SELECT string_agg(d.day || ' (' || d.bookings || ')', ', '), array_agg(d.day)
        INTO busy, closing
        FROM museum.booked_days(p_id, closing) d;
        IF busy IS NOT NULL AND p_force_cancel IS NOT TRUE THEN
            RAISE EXCEPTION 'days to close have bookings: % (send "forceCancel": true to cancel them)',
                            busy
                USING ERRCODE = 'SK409';
        END IF;
        INSERT INTO outbox.event (kind, museum_id, day)
        SELECT 'DAY_CLOSED', p_id, d FROM unnest(closing) d ORDER BY d;
    END IF;
    RETURN QUERY SELECT * FROM museum.live_exhibition x WHERE x.id = p_id;
END
$$;
GRANT EXECUTE ON FUNCTION museum.patch(bigint, text, text, integer, date, date[], boolean)
    TO museum_app;

-- DELETE /museums/{id}: marks the exhibition deleted (the row stays, for
-- history and reports), closes its slots (a booking of one waits for the
-- row lock, then finds it closed: none can be added after this commits)
-- and queues the force-cancel of its bookings (book.force_cancel). SK404
-- if there is no live exhibition p_id.
CREATE OR REPLACE FUNCTION museum.delete(p_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE museum.exhibition SET deleted_at = now()
    WHERE id = p_id AND deleted_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'exhibition % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    PERFORM 1 FROM museum.slot s WHERE s.museum_id = p_id ORDER BY s.id FOR UPDATE;
    UPDATE museum.slot SET open = false WHERE museum_id = p_id AND open;
    INSERT INTO outbox.event (kind, museum_id) VALUES ('MUSEUM_DELETED', p_id);
END
$$;
GRANT EXECUTE ON FUNCTION museum.delete(bigint) TO museum_app;

-- Gives the seats of bookings p_book_ids back to their slots (each
-- booking's party, as it is now), the slots locked in id order: two
-- listeners' batches, or a batch and a staff change, never wait for each
-- other in a circle.
CREATE OR REPLACE FUNCTION museum.give_back(p_book_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM museum.slot s
    WHERE s.id IN (SELECT b.slot_id FROM book.booking b WHERE b.id = ANY (p_book_ids))
    ORDER BY s.id FOR UPDATE;
    UPDATE museum.slot s SET seats_left = s.seats_left + c.seats
    FROM (SELECT b.slot_id, sum(b.party)::integer AS seats FROM book.booking b
          WHERE b.id = ANY (p_book_ids) GROUP BY b.slot_id) c
    WHERE s.id = c.slot_id;
END
$$;

-- Effect of CANCELED events (called by outbox.apply_batch): each canceled
-- booking's party comes back to its slot, and its confirmation is
-- canceled. Only the call that actually cancels a booking writes its
-- CANCELED event (and a canceled booking never changes slot or party
-- again), so each seat comes back once.
CREATE OR REPLACE FUNCTION museum.on_canceled(p_book_ids bigint[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM museum.give_back(p_book_ids);
    UPDATE confirm.confirmation SET status = 'CANCELED', updated_at = now()
    WHERE book_id = ANY (p_book_ids) AND status <> 'CANCELED';
END
$$;

-- The seat rules, checked (for operators: scripts/stack.sh check-seats;
-- and the tests): one row per slot that breaks one, leaving out slots with
-- events still pending (a cancel whose seats are not back yet is behind,
-- not wrong). No rows = the seats are right.
--  - seats: capacity = seats left + the parties of its live bookings + the
--    seats held by its waiting list's offers (waitlist.entry.held);
--  - closed: no live booking whose visit has not ended is on a closed slot
--    of a live exhibition;
--  - copy: each booking of it carries its times and day.
CREATE OR REPLACE FUNCTION museum.seat_diff()
RETURNS TABLE (slot_id bigint, museum_id bigint, slot_start timestamptz, problem text,
               detail text)
LANGUAGE sql STABLE AS $$
    WITH live AS (
        SELECT b.slot_id, sum(b.party) AS seats,
               count(*) FILTER (WHERE b.slot_end > now()) AS upcoming
        FROM book.booking b
        WHERE b.status IN ('REQUESTED', 'REQUEST_COMPLETED')
        GROUP BY b.slot_id
    ), held AS (
        SELECT w.slot_id, sum(w.held) AS seats
        FROM waitlist.entry w WHERE w.status = 'OFFERED'
        GROUP BY w.slot_id
    ), copies AS (
        SELECT b.slot_id, count(*) AS wrong
        FROM book.booking b JOIN museum.slot s ON s.id = b.slot_id
        WHERE (s.museum_id, s.start_at, s.end_at, s.day)
              IS DISTINCT FROM (b.museum_id, b.slot_start, b.slot_end, b.chk_date)
        GROUP BY b.slot_id
    ), pending AS (
        SELECT b.slot_id FROM outbox.event e JOIN book.booking b ON b.id = e.book_id
        WHERE e.done_at IS NULL
        UNION
        SELECT s.id FROM outbox.event e JOIN museum.slot s ON s.museum_id = e.museum_id
        WHERE e.done_at IS NULL AND e.book_id IS NULL -- MUSEUM_DELETED, DAY_CLOSED
    ), problems AS (
        SELECT s.id, s.museum_id, s.start_at, 'seats' AS problem,
               format('capacity %s, seats left %s, live parties %s, held by offers %s',
                      s.capacity, s.seats_left, coalesce(l.seats, 0), coalesce(h.seats, 0)) AS detail
        FROM museum.slot s LEFT JOIN live l ON l.slot_id = s.id LEFT JOIN held h ON h.slot_id = s.id
        WHERE s.capacity <> s.seats_left + coalesce(l.seats, 0) + coalesce(h.seats, 0)
        UNION ALL
        SELECT s.id, s.museum_id, s.start_at, 'closed',
               format('%s live bookings on a closed slot', l.upcoming)
        FROM museum.slot s JOIN live l ON l.slot_id = s.id
        JOIN museum.exhibition e ON e.id = s.museum_id AND e.deleted_at IS NULL
        WHERE NOT s.open AND l.upcoming > 0
        UNION ALL
        SELECT s.id, s.museum_id, s.start_at, 'copy',
               format('%s bookings with other times than their slot''s', c.wrong)
        FROM museum.slot s JOIN copies c ON c.slot_id = s.id
    )
    SELECT p.* FROM problems p
    WHERE p.id NOT IN (SELECT pending.slot_id FROM pending)
    ORDER BY p.id, p.problem;
$$;
