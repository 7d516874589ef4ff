-- mypage: the CQRS read model of a visitor's bookings, written only by the
-- listener. What the app calls to read it (checking the caller's booking
-- token or staff flag), the listener's refresh of it, and its check and
-- rebuild for operators (scripts/stack.sh check-mypage, rebuild-mypage).
--
-- Re-applied by db/migrate.sh on every run (see db/README.md). Domain
-- errors are raised with SQLSTATE 'SKnnn', nnn being the HTTP status the
-- caller should answer with; the message is the problem's detail.

-- An entry as the API answers it.
-- The functions that answer it return SETOF it (the idempotency replay
-- reads a stored answer back as its row type): a column added at the end
-- is added to them all; any other change is a migration dropping the view
-- and those functions.
CREATE OR REPLACE VIEW mypage.answer AS
SELECT id, book_id, cust_nm, museum_id, name, chk_date, status::text AS status,
       confirm_status::text AS confirm_status, pg_catalog.to_json(slot_start) #>> '{}' AS slot,
       pg_catalog.to_json(slot_end) #>> '{}' AS slot_end, tickets, party, cancel_reason
FROM mypage.entry;

-- GET /myPages/{id}: the row, for staff or the holder of its booking's
-- token; no row otherwise, as for one that does not exist (the caller
-- answers 404 for both). A token is looked up first, whatever p_id is:
-- the same work whether or not p_id exists.
CREATE OR REPLACE FUNCTION mypage.get(p_id bigint, p_staff boolean, p_token text)
RETURNS SETOF mypage.answer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    mine bigint := CASE WHEN p_staff IS NOT TRUE THEN (book.token_owner(p_token)).id END;
BEGIN
    RETURN QUERY SELECT * FROM mypage.answer m
    WHERE m.id = p_id AND (p_staff IS TRUE OR m.book_id = mine);
END
$$;
GRANT EXECUTE ON FUNCTION mypage.get(bigint, boolean, text) TO museum_app;

-- GET /myPages (staff only): up to p_limit entries after id p_after, in id
-- order, filtered by visitor or booking (NULL = any). SK401 for anyone but
-- staff: a name is no identity, so a visitor's token lists nothing here
-- (p_token is not used; a visitor's own entry is GET /myPages/{id}).
-- One query per filter, each planned once per session with its own index.
CREATE OR REPLACE FUNCTION mypage.list(p_cust_nm text, p_book_id bigint, p_after bigint,
                                       p_limit integer, p_staff boolean, p_token text)
RETURNS SETOF mypage.answer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_staff IS NOT TRUE THEN
        RAISE EXCEPTION 'listing MyPage needs staff credentials' USING ERRCODE = 'SK401';
    END IF;
    IF p_book_id IS NOT NULL THEN
        RETURN QUERY SELECT * FROM mypage.answer m
        WHERE m.book_id = p_book_id AND m.id > coalesce(p_after, 0)
          AND (p_cust_nm IS NULL OR m.cust_nm = p_cust_nm);
    ELSIF p_cust_nm IS NOT NULL THEN
        RETURN QUERY SELECT * FROM mypage.answer m
        WHERE m.cust_nm = p_cust_nm AND m.id > coalesce(p_after, 0) ORDER BY m.id LIMIT p_limit;
    ELSE
        RETURN QUERY SELECT * FROM mypage.answer m
        WHERE m.id > coalesce(p_after, 0) ORDER BY m.id LIMIT p_limit;
    END IF;
END
$$;
GRANT EXECUTE ON FUNCTION mypage.list(text, bigint, bigint, integer, boolean, text) TO museum_app;

-- Effect of every event (called by outbox.apply_batch with the bookings
-- the batch touched): (re)computes their read-model rows from the book and
-- confirm contexts. plpgsql, not sql: a LANGUAGE sql function with DML
-- cannot be inlined and was parsed and planned afresh on every call (35 %
-- of the listener backend's time); as plpgsql its statement is planned once
-- per session. Its SELECT is ordered: with a cached plan the join order may
-- change, and MyPage lists entries in id order, which must follow the
-- bookings.
CREATE OR REPLACE FUNCTION mypage.refresh(p_book_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mypage.entry AS m
        (book_id, cust_nm, museum_id, name, chk_date, status, confirm_status, slot_start, slot_end,
         party, tickets, cancel_reason)
    SELECT b.id, b.cust_nm, b.museum_id, b.name, b.chk_date, b.status, c.status, b.slot_start,
           b.slot_end, b.party, b.tickets, b.cancel_reason
    FROM book.booking b
    LEFT JOIN confirm.confirmation c ON c.book_id = b.id
    WHERE b.id = ANY (p_book_ids)
    ORDER BY b.id -- new entries get their ids in booking order (mypage.list's order)
    ON CONFLICT (book_id) DO UPDATE
    SET status = excluded.status, confirm_status = excluded.confirm_status,
        chk_date = excluded.chk_date, slot_start = excluded.slot_start,
        slot_end = excluded.slot_end, party = excluded.party, tickets = excluded.tickets,
        cancel_reason = excluded.cancel_reason, updated_at = now()
    WHERE (m.status, m.confirm_status, m.chk_date, m.slot_start, m.slot_end, m.party, m.tickets,
           m.cancel_reason)
          IS DISTINCT FROM
          (excluded.status, excluded.confirm_status, excluded.chk_date, excluded.slot_start,
           excluded.slot_end, excluded.party, excluded.tickets, excluded.cancel_reason);
END
$$;

-- The MyPage rows as the source tables say they should be: one per booking
-- whose BOOKED event has been applied, i.e. that has its confirmation.
CREATE OR REPLACE VIEW mypage.expected AS
SELECT b.id AS book_id, b.cust_nm, b.museum_id, b.name, b.chk_date,
       b.status, c.status AS confirm_status, b.slot_start, b.slot_end, b.party, b.tickets,
       b.cancel_reason
FROM book.booking b
JOIN confirm.confirmation c ON c.book_id = b.id;

-- Differences between the live read model and a fresh computation,
-- leaving out bookings whose events are still pending (they are merely
-- behind, not wrong). No rows = the read model is right.
CREATE OR REPLACE FUNCTION mypage.diff()
RETURNS TABLE (book_id bigint, problem text, live text, expected text)
LANGUAGE sql STABLE AS $$
    WITH pending AS (
        SELECT e.book_id FROM outbox.event e WHERE e.done_at IS NULL AND e.book_id IS NOT NULL
        UNION
        SELECT b.id FROM outbox.event e JOIN book.booking b ON b.museum_id = e.museum_id
        WHERE e.done_at IS NULL AND e.book_id IS NULL -- MUSEUM_DELETED, DAY_CLOSED
    ), cmp AS (
        SELECT coalesce(m.book_id, x.book_id) AS book_id,
               CASE WHEN m.book_id IS NULL THEN 'missing'
                    WHEN x.book_id IS NULL THEN 'unexpected'
                    ELSE 'different' END AS problem,
               CASE WHEN m.book_id IS NOT NULL THEN
                   concat_ws(' ', m.cust_nm, m.museum_id, m.name, m.chk_date, m.status,
                             m.confirm_status, m.slot_start, m.slot_end, m.party, m.tickets,
                             m.cancel_reason)
               END AS live,
               CASE WHEN x.book_id IS NOT NULL THEN
                   concat_ws(' ', x.cust_nm, x.museum_id, x.name, x.chk_date, x.status,
                             x.confirm_status, x.slot_start, x.slot_end, x.party, x.tickets,
                             x.cancel_reason)
               END AS expected
        FROM mypage.entry m
        FULL JOIN mypage.expected x ON x.book_id = m.book_id
        WHERE m.book_id IS NULL OR x.book_id IS NULL
           OR (m.cust_nm, m.museum_id, m.name, m.chk_date, m.status, m.confirm_status,
               m.slot_start, m.slot_end, m.party, m.tickets, m.cancel_reason)
              IS DISTINCT FROM
              (x.cust_nm, x.museum_id, x.name, x.chk_date, x.status, x.confirm_status,
               x.slot_start, x.slot_end, x.party, x.tickets, x.cancel_reason)
    )
    SELECT * FROM cmp WHERE book_id NOT IN (SELECT p.book_id FROM pending p)
    ORDER BY book_id;
$$;

-- Recomputes the whole read model from the source tables (in one
-- transaction: readers see the old model until it commits). Returns the
-- number of rows changed, added or removed.
CREATE OR REPLACE FUNCTION mypage.rebuild() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
    removed integer;
BEGIN
    LOCK TABLE mypage.entry IN SHARE ROW EXCLUSIVE MODE; -- one rebuild at a time; the listener waits
    WITH up AS (
        INSERT INTO mypage.entry AS m
            (book_id, cust_nm, museum_id, name, chk_date, status, confirm_status, slot_start,
             slot_end, party, tickets, cancel_reason)
        SELECT book_id, cust_nm, museum_id, name, chk_date, status, confirm_status, slot_start,
               slot_end, party, tickets, cancel_reason
        FROM mypage.expected
        ON CONFLICT (book_id) DO UPDATE
        SET cust_nm = excluded.cust_nm, museum_id = excluded.museum_id, name = excluded.name,
            chk_date = excluded.chk_date, status = excluded.status,
            confirm_status = excluded.confirm_status, slot_start = excluded.slot_start,
            slot_end = excluded.slot_end, party = excluded.party, tickets = excluded.tickets,
            cancel_reason = excluded.cancel_reason, updated_at = now()
        WHERE (m.cust_nm, m.museum_id, m.name, m.chk_date, m.status, m.confirm_status,
               m.slot_start, m.slot_end, m.party, m.tickets, m.cancel_reason)
              IS DISTINCT FROM
              (excluded.cust_nm, excluded.museum_id, excluded.name, excluded.chk_date,
               excluded.status, excluded.confirm_status, excluded.slot_start, excluded.slot_end,
               excluded.party, excluded.tickets, excluded.cancel_reason)
        RETURNING 1
    )
    SELECT count(*) INTO changed FROM up;
    DELETE FROM mypage.entry m
    WHERE NOT EXISTS (SELECT 1 FROM mypage.expected x WHERE x.book_id = m.book_id);
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN changed + removed;
END
$$;
