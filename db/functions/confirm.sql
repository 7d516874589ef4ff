-- confirm: entry confirmations, at most one per booking, issued by the
-- listener. What the app calls to read them (checking the caller's booking
-- token or staff flag), and the listener's effect of a booking (the
-- booking confirmed, its confirmation issued).
--
-- Re-applied by db/migrate.sh on every run (see db/README.md). Domain
-- errors are raised with SQLSTATE 'SKnnn', nnn being the HTTP status the
-- caller should answer with; the message is the problem's detail.

-- GET /confirms/{id}: the confirmation, for staff or the holder of its
-- booking's token; SK404 otherwise, as for one that does not exist.
CREATE OR REPLACE FUNCTION confirm.get(p_id bigint, p_staff boolean, p_token text)
RETURNS TABLE (id bigint, book_id bigint, museum_id bigint, cust_nm text, name text,
               chk_date date, status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM confirm.confirmation c
                   WHERE c.id = p_id AND book.may_see(c.book_id, p_staff, p_token)) THEN
        RAISE EXCEPTION 'confirmation % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    RETURN QUERY
    SELECT c.id, c.book_id, c.museum_id, c.cust_nm, c.name, c.chk_date, c.status::text
    FROM confirm.confirmation c WHERE c.id = p_id;
END
$$;
GRANT EXECUTE ON FUNCTION confirm.get(bigint, boolean, text) TO museum_app;

-- GET /confirms: confirmations after id p_after. Staff see all, filtered
-- by booking or exhibition (NULL = any; up to p_limit in id order unless
-- by booking: there is at most one). A token holder sees the confirmation
-- of that booking only: SK404 if p_book_id names another, or if the token
-- is no booking's.
CREATE OR REPLACE FUNCTION confirm.list(p_book_id bigint, p_museum_id bigint, p_after bigint,
                                        p_limit integer, p_staff boolean, p_token text)
RETURNS TABLE (id bigint, book_id bigint, museum_id bigint, cust_nm text, name text,
               chk_date date, status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner book.booking;
    v_book_id bigint := p_book_id;
BEGIN
    IF p_staff IS NOT TRUE THEN
        owner := book.token_owner(p_token);
        IF owner.id IS NULL OR p_book_id <> owner.id THEN
            RAISE EXCEPTION 'no booking goes with this token' USING ERRCODE = 'SK404';
        END IF;
        v_book_id := owner.id;
    END IF;
    IF v_book_id IS NOT NULL THEN
        RETURN QUERY
        SELECT c.id, c.book_id, c.museum_id, c.cust_nm, c.name, c.chk_date, c.status::text
        FROM confirm.confirmation c
        WHERE c.book_id = v_book_id AND c.id > coalesce(p_after, 0)
          AND (p_museum_id IS NULL OR c.museum_id = p_museum_id);
    ELSIF p_museum_id IS NOT NULL THEN
        RETURN QUERY
        SELECT c.id, c.book_id, c.museum_id, c.cust_nm, c.name, c.chk_date, c.status::text
        FROM confirm.confirmation c
        WHERE c.museum_id = p_museum_id AND c.id > coalesce(p_after, 0)
        ORDER BY c.id LIMIT p_limit;
    ELSE
        RETURN QUERY
        SELECT c.id, c.book_id, c.museum_id, c.cust_nm, c.name, c.chk_date, c.status::text
        FROM confirm.confirmation c
        WHERE c.id > coalesce(p_after, 0)
        ORDER BY c.id LIMIT p_limit;
    END IF;
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
    INSERT INTO confirm.confirmation (book_id, museum_id, cust_nm, name, chk_date, status)
    SELECT b.id, b.museum_id, b.cust_nm, b.name, b.chk_date,
           CASE WHEN b.status IN ('CANCELED', 'FORCE_CANCELED') THEN b.status::text
                ELSE 'REQUEST_COMPLETED' END
    FROM book.booking b WHERE b.id = ANY (p_book_ids)
    ORDER BY b.id
    ON CONFLICT (book_id) DO NOTHING;
END
$$;
