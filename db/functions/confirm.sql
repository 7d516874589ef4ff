-- confirm: entry confirmations, at most one per booking, issued by the
-- listener. What the app calls to read them (checking the caller's booking
-- token or staff flag), and the listener's effect of a booking (the
-- booking confirmed, its confirmation issued).
--
-- Re-applied by db/migrate.sh on every run (see db/README.md). Domain
-- errors are raised with SQLSTATE 'SKnnn', nnn being the HTTP status the
-- caller should answer with; the message is the problem's detail.

-- A confirmation as the API answers it.
-- The functions that answer it return SETOF it (the idempotency replay
-- reads a stored answer back as its row type): a column added at the end
-- is added to them all; any other change is a migration dropping the view
-- and those functions.
CREATE OR REPLACE VIEW confirm.answer AS
SELECT id, book_id, museum_id, cust_nm, name, chk_date, status::text AS status,
       pg_catalog.to_json(slot_start) #>> '{}' AS slot, party
FROM confirm.confirmation;

-- GET /confirms/{id}: the row, for staff or the holder of its booking's
-- token; no row otherwise, as for one that does not exist (the caller
-- answers 404 for both). A token is looked up first, whatever p_id is:
-- the same work whether or not p_id exists.
CREATE OR REPLACE FUNCTION confirm.get(p_id bigint, p_staff boolean, p_token text)
RETURNS SETOF confirm.answer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    mine bigint := CASE WHEN p_staff IS NOT TRUE THEN (book.token_owner(p_token)).id END;
BEGIN
    RETURN QUERY SELECT * FROM confirm.answer c
    WHERE c.id = p_id AND (p_staff IS TRUE OR c.book_id = mine);
END
$$;
GRANT EXECUTE ON FUNCTION confirm.get(bigint, boolean, text) TO museum_app;

-- GET /confirms: up to p_limit confirmations after id p_after, in id
-- order. Staff see all, filtered by booking or exhibition (NULL = any). A
-- token holder sees the confirmation of that booking only: SK404 if
-- p_book_id names another, or if the token is no booking's. Planned for
-- each call's values, so that each filter uses its own index.
CREATE OR REPLACE FUNCTION confirm.list(p_book_id bigint, p_museum_id bigint, p_after bigint,
                                        p_limit integer, p_staff boolean, p_token text)
RETURNS SETOF confirm.answer
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    mine bigint := (book.caller_booking(p_staff, p_token)).id;
BEGIN
    IF p_book_id <> mine THEN
        RAISE EXCEPTION 'no booking goes with this token' USING ERRCODE = 'SK404';
    END IF;
    p_book_id := coalesce(mine, p_book_id);
    RETURN QUERY
    SELECT * FROM confirm.answer c
    WHERE c.id > coalesce(p_after, 0)
      AND (p_book_id IS NULL OR c.book_id = p_book_id)
      AND (p_museum_id IS NULL OR c.museum_id = p_museum_id)
    ORDER BY c.id LIMIT p_limit;
END
$$;
GRANT EXECUTE ON FUNCTION confirm.list(bigint, bigint, bigint, integer, boolean, text) TO museum_app;

-- Effect of BOOKED events (called by outbox.apply_batch): each booking is
-- confirmed (unless it was canceled meanwhile) and its entry confirmation
-- issued (in booking order), mirroring the booking's final status.
CREATE OR REPLACE FUNCTION confirm.on_booked(p_book_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE book.booking SET status = 'REQUEST_COMPLETED', updated_at = now()
    WHERE id = ANY (p_book_ids) AND status = 'REQUESTED';
    INSERT INTO confirm.confirmation
        (book_id, museum_id, cust_nm, name, chk_date, status, slot_start, party)
    SELECT b.id, b.museum_id, b.cust_nm, b.name, b.chk_date,
           CASE WHEN b.status IN ('CANCELED', 'FORCE_CANCELED') THEN b.status::text
                ELSE 'REQUEST_COMPLETED' END,
           b.slot_start, b.party
    FROM book.booking b WHERE b.id = ANY (p_book_ids)
    ORDER BY b.id
    ON CONFLICT (book_id) DO NOTHING;
END
$$;

-- Effect of MOVED events (called by outbox.apply_batch): the confirmations
-- of bookings that changed slot or party follow them (a booking whose
-- BOOKED event is still pending has none yet: on_booked copies it then).
CREATE OR REPLACE FUNCTION confirm.on_moved(p_book_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE confirm.confirmation c
    SET chk_date = b.chk_date, slot_start = b.slot_start, party = b.party, updated_at = now()
    FROM book.booking b
    WHERE b.id = c.book_id AND c.book_id = ANY (p_book_ids)
      AND (c.chk_date, c.slot_start, c.party) IS DISTINCT FROM (b.chk_date, b.slot_start, b.party);
END
$$;
