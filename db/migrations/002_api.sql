-- The functions the FastCGI handlers call: one call = one round trip.
-- Domain errors are raised with SQLSTATE 'SKnnn', nnn being the HTTP status
-- the caller should answer with; the message is the problem's detail.

-- museum -------------------------------------------------------------------

CREATE FUNCTION museum.create(p_name text, p_chk_date date, p_capacity integer)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    INSERT INTO museum.exhibition AS e (name, chk_date, capacity, pcnt)
    VALUES (p_name, p_chk_date, p_capacity, p_capacity)
    RETURNING e.id, e.name, e.chk_date, e.capacity, e.pcnt;
END
$$;

CREATE FUNCTION museum.get(p_id bigint)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT e.id, e.name, e.chk_date, e.capacity, e.pcnt
    FROM museum.exhibition e
    WHERE e.id = p_id AND e.deleted_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'exhibition % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
END
$$;

CREATE FUNCTION museum.list(p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT e.id, e.name, e.chk_date, e.capacity, e.pcnt
    FROM museum.exhibition e
    WHERE e.deleted_at IS NULL AND e.id > coalesce(p_after, 0)
    ORDER BY e.id
    LIMIT p_limit;
END
$$;

-- Marks the exhibition deleted and queues the force-cancel of its bookings.
CREATE FUNCTION museum.delete(p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE museum.exhibition SET deleted_at = now()
    WHERE id = p_id AND deleted_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'exhibition % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    INSERT INTO outbox.event (kind, museum_id) VALUES ('MUSEUM_DELETED', p_id);
END
$$;

-- book ---------------------------------------------------------------------

-- Takes a seat and records the booking and its event, all in one statement:
-- the exhibition row stays locked only for as long as this statement runs.
CREATE FUNCTION book.create(p_museum_id bigint, p_cust_nm text)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH seat AS (
        UPDATE museum.exhibition e SET pcnt = e.pcnt - 1
        WHERE e.id = p_museum_id AND e.deleted_at IS NULL AND e.pcnt > 0
        RETURNING e.id, e.name, e.chk_date
    ), made AS (
        INSERT INTO book.booking AS b (museum_id, cust_nm, name, chk_date)
        SELECT seat.id, p_cust_nm, seat.name, seat.chk_date FROM seat
        RETURNING b.id, b.museum_id, b.cust_nm, b.name, b.chk_date, b.status::text
    ), event AS (
        INSERT INTO outbox.event (kind, museum_id, book_id)
        SELECT 'BOOKED', made.museum_id, made.id FROM made
    )
    SELECT * FROM made;
    IF FOUND THEN
        RETURN;
    END IF;
    PERFORM 1 FROM museum.exhibition e WHERE e.id = p_museum_id AND e.deleted_at IS NULL;
    IF FOUND THEN
        RAISE EXCEPTION 'exhibition % is sold out', p_museum_id USING ERRCODE = 'SK409';
    END IF;
    RAISE EXCEPTION 'exhibition % does not exist', p_museum_id USING ERRCODE = 'SK404';
END
$$;

CREATE FUNCTION book.get(p_id bigint)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT b.id, b.museum_id, b.cust_nm, b.name, b.chk_date, b.status::text
    FROM book.booking b WHERE b.id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'booking % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
END
$$;

-- Filters are optional (NULL = any); each filter has its own index.
CREATE FUNCTION book.list(p_museum_id bigint, p_cust_nm text, p_status text,
                          p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_museum_id IS NOT NULL THEN
        RETURN QUERY
        SELECT b.id, b.museum_id, b.cust_nm, b.name, b.chk_date, b.status::text
        FROM book.booking b
        WHERE b.museum_id = p_museum_id AND b.id > coalesce(p_after, 0)
          AND (p_cust_nm IS NULL OR b.cust_nm = p_cust_nm)
          AND (p_status IS NULL OR b.status = p_status)
        ORDER BY b.id LIMIT p_limit;
    ELSIF p_cust_nm IS NOT NULL THEN
        RETURN QUERY
        SELECT b.id, b.museum_id, b.cust_nm, b.name, b.chk_date, b.status::text
        FROM book.booking b
        WHERE b.cust_nm = p_cust_nm AND b.id > coalesce(p_after, 0)
          AND (p_status IS NULL OR b.status = p_status)
        ORDER BY b.id LIMIT p_limit;
    ELSE
        RETURN QUERY
        SELECT b.id, b.museum_id, b.cust_nm, b.name, b.chk_date, b.status::text
        FROM book.booking b
        WHERE b.id > coalesce(p_after, 0)
          AND (p_status IS NULL OR b.status = p_status)
        ORDER BY b.id LIMIT p_limit;
    END IF;
END
$$;

-- Moves a booking to p_status. The only change a client may ask for is a
-- cancel of a live booking; asking for the status it already has changes
-- nothing. The CANCELED event (which releases the seat) is written only by
-- the call that actually cancels, so a seat is released exactly once.
CREATE FUNCTION book.set_status(p_id bigint, p_status text)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text)
LANGUAGE plpgsql AS $$
DECLARE
    cur book.booking;
BEGIN
    SELECT * INTO cur FROM book.booking b WHERE b.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'booking % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    IF p_status = 'CANCELED' AND cur.status IN ('REQUESTED', 'REQUEST_COMPLETED') THEN
        UPDATE book.booking b
        SET status = 'CANCELED', canceled_at = now(), updated_at = now()
        WHERE b.id = p_id;
        INSERT INTO outbox.event (kind, museum_id, book_id)
        VALUES ('CANCELED', cur.museum_id, cur.id);
        cur.status := 'CANCELED';
    ELSIF p_status IS DISTINCT FROM cur.status THEN
        RAISE EXCEPTION 'booking % is %, it cannot become %', p_id, cur.status, p_status
            USING ERRCODE = 'SK409';
    END IF;
    RETURN QUERY SELECT cur.id, cur.museum_id, cur.cust_nm, cur.name, cur.chk_date, cur.status::text;
END
$$;

-- confirm ------------------------------------------------------------------

CREATE FUNCTION confirm.get(p_id bigint)
RETURNS TABLE (id bigint, book_id bigint, museum_id bigint, cust_nm text, name text,
               chk_date date, status text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT c.id, c.book_id, c.museum_id, c.cust_nm, c.name, c.chk_date, c.status::text
    FROM confirm.confirmation c WHERE c.id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'confirmation % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
END
$$;

CREATE FUNCTION confirm.list(p_book_id bigint, p_museum_id bigint, p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, book_id bigint, museum_id bigint, cust_nm text, name text,
               chk_date date, status text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_book_id IS NOT NULL THEN
        RETURN QUERY
        SELECT c.id, c.book_id, c.museum_id, c.cust_nm, c.name, c.chk_date, c.status::text
        FROM confirm.confirmation c
        WHERE c.book_id = p_book_id AND c.id > coalesce(p_after, 0)
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

-- mypage -------------------------------------------------------------------

CREATE FUNCTION mypage.get(p_id bigint)
RETURNS TABLE (id bigint, book_id bigint, cust_nm text, museum_id bigint, name text,
               chk_date date, status text, confirm_status text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT m.id, m.book_id, m.cust_nm, m.museum_id, m.name, m.chk_date,
           m.status::text, m.confirm_status::text
    FROM mypage.entry m WHERE m.id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'MyPage entry % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
END
$$;

CREATE FUNCTION mypage.list(p_cust_nm text, p_book_id bigint, p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, book_id bigint, cust_nm text, museum_id bigint, name text,
               chk_date date, status text, confirm_status text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_book_id IS NOT NULL THEN
        RETURN QUERY
        SELECT m.id, m.book_id, m.cust_nm, m.museum_id, m.name, m.chk_date,
               m.status::text, m.confirm_status::text
        FROM mypage.entry m
        WHERE m.book_id = p_book_id AND m.id > coalesce(p_after, 0)
          AND (p_cust_nm IS NULL OR m.cust_nm = p_cust_nm);
    ELSIF p_cust_nm IS NOT NULL THEN
        RETURN QUERY
        SELECT m.id, m.book_id, m.cust_nm, m.museum_id, m.name, m.chk_date,
               m.status::text, m.confirm_status::text
        FROM mypage.entry m
        WHERE m.cust_nm = p_cust_nm AND m.id > coalesce(p_after, 0)
        ORDER BY m.id LIMIT p_limit;
    ELSE
        RETURN QUERY
        SELECT m.id, m.book_id, m.cust_nm, m.museum_id, m.name, m.chk_date,
               m.status::text, m.confirm_status::text
        FROM mypage.entry m
        WHERE m.id > coalesce(p_after, 0)
        ORDER BY m.id LIMIT p_limit;
    END IF;
END
$$;
