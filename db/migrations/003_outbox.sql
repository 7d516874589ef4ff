-- The asynchronous effects, applied by the listener daemon from the outbox.
-- Each effect and its event's done mark commit in the same transaction, so
-- an event is applied exactly once however often the listener dies.
-- Effects read the current state of the source rows rather than trusting
-- the order they arrive in, so a late event never resurrects a canceled
-- booking.

-- mypage: (re)computes the read-model rows of the given bookings from the
-- book and confirm contexts.
CREATE FUNCTION mypage.refresh(p_book_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO mypage.entry AS m
        (book_id, cust_nm, museum_id, name, chk_date, status, confirm_status)
    SELECT b.id, b.cust_nm, b.museum_id, b.name, b.chk_date, b.status, c.status
    FROM book.booking b
    LEFT JOIN confirm.confirmation c ON c.book_id = b.id
    WHERE b.id = ANY (p_book_ids)
    ON CONFLICT (book_id) DO UPDATE
    SET status = excluded.status, confirm_status = excluded.confirm_status, updated_at = now()
    WHERE (m.status, m.confirm_status) IS DISTINCT FROM (excluded.status, excluded.confirm_status);
$$;

-- BOOKED: the booking is confirmed (unless it was canceled meanwhile) and
-- its entry confirmation issued, mirroring the booking's final status.
CREATE FUNCTION confirm.on_booked(p_book_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE book.booking SET status = 'REQUEST_COMPLETED', updated_at = now()
    WHERE id = p_book_id AND status = 'REQUESTED';
    INSERT INTO confirm.confirmation (book_id, museum_id, cust_nm, name, chk_date, status)
    SELECT b.id, b.museum_id, b.cust_nm, b.name, b.chk_date,
           CASE WHEN b.status IN ('CANCELED', 'FORCE_CANCELED') THEN b.status::text
                ELSE 'REQUEST_COMPLETED' END
    FROM book.booking b WHERE b.id = p_book_id
    ON CONFLICT (book_id) DO NOTHING;
END
$$;

-- CANCELED: the seat comes back and the confirmation is canceled.
CREATE FUNCTION museum.on_canceled(p_museum_id bigint, p_book_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE museum.exhibition SET pcnt = pcnt + 1 WHERE id = p_museum_id;
    UPDATE confirm.confirmation SET status = 'CANCELED', updated_at = now()
    WHERE book_id = p_book_id AND status <> 'CANCELED';
END
$$;

-- MUSEUM_DELETED: every live booking of the exhibition and its confirmation
-- are force-canceled. Returns the bookings it changed.
CREATE FUNCTION book.on_museum_deleted(p_museum_id bigint) RETURNS bigint[]
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
    UPDATE confirm.confirmation SET status = 'FORCE_CANCELED', updated_at = now()
    WHERE book_id = ANY (changed);
    RETURN changed;
END
$$;

-- Applies one event's effect (not its done mark).
CREATE FUNCTION outbox.apply(ev outbox.event) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    CASE ev.kind
    WHEN 'BOOKED' THEN
        PERFORM confirm.on_booked(ev.book_id);
        PERFORM mypage.refresh(ARRAY[ev.book_id]);
    WHEN 'CANCELED' THEN
        PERFORM museum.on_canceled(ev.museum_id, ev.book_id);
        PERFORM mypage.refresh(ARRAY[ev.book_id]);
    WHEN 'MUSEUM_DELETED' THEN
        PERFORM mypage.refresh(book.on_museum_deleted(ev.museum_id));
    END CASE;
END
$$;

-- Claims up to p_limit ready events (skipping those another listener holds)
-- and applies them in id order. An event waits while an earlier event of
-- the same booking is pending, and events of an exhibition wait for its
-- pending deletion and vice versa, so order holds across listeners.
-- p_isolate = false: one transaction for the batch; any failure aborts it
-- all (the caller then retries with p_isolate = true).
-- p_isolate = true: each event in its own subtransaction; a failing event
-- is retried later with exponential backoff and jitter, and parked dead
-- after p_max_attempts. Returns the number of events claimed.
CREATE FUNCTION outbox.process(p_limit integer, p_isolate boolean DEFAULT false,
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

-- Puts parked (dead) events back in the queue. Returns how many.
CREATE FUNCTION outbox.retry_dead() RETURNS integer
LANGUAGE sql AS $$
    WITH r AS (
        UPDATE outbox.event SET dead = false, attempts = 0, available_at = now()
        WHERE dead AND done_at IS NULL RETURNING 1
    )
    SELECT count(*)::integer FROM r;
$$;
