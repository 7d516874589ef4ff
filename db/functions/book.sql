-- book: bookings. What the app calls to book, read, list and cancel
-- (checking the caller's booking token or staff flag), the tokens and
-- idempotency keys behind them, and the listener's effect of an exhibition
-- deletion (its live bookings force-canceled).
--
-- Re-applied by db/migrate.sh on every run (see db/README.md). Domain
-- errors are raised with SQLSTATE 'SKnnn', nnn being the HTTP status the
-- caller should answer with; the message is the problem's detail.
--
-- Booking tokens: a visitor proves a booking is theirs with the token
-- answered by POST /books: 256 random bits made by the application, stored
-- only as sha256. The access-checked functions take the presented token (or
-- p_staff when the application has checked staff credentials) and answer
-- SK404, as for a booking that does not exist, when it does not fit.
--
-- Idempotency keys: an Idempotency-Key makes a retried POST /books or
-- cancel safe: the key (as sha256) and a fingerprint of the request are
-- stored with the answer in the same transaction as the booking or cancel
-- itself, so a key is never claimed without its effect. Only successful
-- answers are stored: a refused request (sold out, ...) may be retried with
-- the same key. While the first request with a key runs, its transaction
-- holds an advisory lock on the key, and a second one gets SK409 at once.
-- Keys live 24 hours.

-- sha256 of a presented token; NULL for NULL.
CREATE OR REPLACE FUNCTION book.token_hash(p_token text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
$$;

-- The booking p_token belongs to (NULL if none).
CREATE OR REPLACE FUNCTION book.token_owner(p_token text) RETURNS book.booking
LANGUAGE sql STABLE AS $$
    SELECT * FROM book.booking b WHERE b.token_hash = book.token_hash(p_token);
$$;

-- The booking of the caller, for the lists: NULL for staff (who see
-- everything), else the booking whose token p_token is; SK404 when there
-- is none.
CREATE OR REPLACE FUNCTION book.caller_booking(p_staff boolean, p_token text)
RETURNS book.booking
LANGUAGE plpgsql STABLE AS $$
DECLARE
    owner book.booking;
BEGIN
    IF p_staff IS TRUE THEN
        RETURN NULL;
    END IF;
    owner := book.token_owner(p_token);
    IF owner.id IS NULL THEN
        RAISE EXCEPTION 'no booking goes with this token' USING ERRCODE = 'SK404';
    END IF;
    RETURN owner;
END
$$;

-- A booking as the API answers it (and as an Idempotency-Key replays it).
-- Its columns are the RETURNS TABLE of the functions that answer it (they
-- SELECT * from it): changing them is a migration dropping those functions
-- too, even to add a column at the end.
CREATE OR REPLACE VIEW book.answer AS
SELECT id, museum_id, cust_nm, name, chk_date, status::text AS status
FROM book.booking;

-- true if the caller may see booking p_id: staff, or the holder of its
-- token; false also when there is no booking p_id. For a token holder the
-- work is one lookup of the token, whether or not p_id exists, so that
-- the answer's timing does not tell which ids exist.
CREATE OR REPLACE FUNCTION book.may_see(p_id bigint, p_staff boolean, p_token text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_staff IS TRUE THEN EXISTS (SELECT 1 FROM book.booking b WHERE b.id = p_id)
                ELSE coalesce((book.token_owner(p_token)).id = p_id, false) END;
$$;

-- The answer of POST /books holds the booking token, which is kept only as
-- a hash. For a replay the token is stored sealed with the key itself
-- (XOR with a hash of the key, of which only another hash is stored): it
-- can be recovered only by whoever presents the key again. SK422 if
-- p_token is not 64 hex digits.
CREATE OR REPLACE FUNCTION book.token_seal(p_token text, p_key text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    t bytea := pg_catalog.decode(p_token, 'hex');
    k bytea := pg_catalog.sha256(pg_catalog.convert_to('sk-museum token seal' || p_key, 'UTF8'));
BEGIN
    IF p_token IS NULL THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.length(t) <> 32 THEN
        RAISE EXCEPTION 'a booking token is 64 hex digits' USING ERRCODE = 'SK422';
    END IF;
    FOR i IN 0 .. 31 LOOP
        t := pg_catalog.set_byte(t, i, pg_catalog.get_byte(t, i) # pg_catalog.get_byte(k, i));
    END LOOP;
    RETURN t;
END
$$;

-- The token book.token_seal sealed with p_key, in hex; NULL for NULL.
CREATE OR REPLACE FUNCTION book.token_unseal(p_sealed bytea, p_key text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    t bytea := p_sealed;
    k bytea := pg_catalog.sha256(pg_catalog.convert_to('sk-museum token seal' || p_key, 'UTF8'));
BEGIN
    IF p_sealed IS NULL THEN
        RETURN NULL;
    END IF;
    FOR i IN 0 .. 31 LOOP
        t := pg_catalog.set_byte(t, i, pg_catalog.get_byte(t, i) # pg_catalog.get_byte(k, i));
    END LOOP;
    RETURN pg_catalog.encode(t, 'hex');
END
$$;

-- Deletes expired keys. Returns how many.
CREATE OR REPLACE FUNCTION book.idempotency_prune() RETURNS integer
LANGUAGE sql AS $$
    WITH d AS (
        DELETE FROM book.idempotency WHERE created_at <= pg_catalog.now() - interval '24 hours'
        RETURNING 1
    )
    SELECT pg_catalog.count(*)::integer FROM d;
$$;

-- Claims p_key for this transaction. Returns the stored answer when the
-- same request already succeeded with it in the last 24 hours (NULL key_hash
-- otherwise). SK409 while another transaction holds the key, SK422 when the
-- key was used for a different request.
CREATE OR REPLACE FUNCTION book.idempotency_claim(p_key text, p_request text) RETURNS book.idempotency
LANGUAGE plpgsql AS $$
DECLARE
    h bytea := pg_catalog.sha256(pg_catalog.convert_to(p_key, 'UTF8'));
    r book.idempotency;
BEGIN
    IF NOT pg_catalog.pg_try_advisory_xact_lock(
            ('x' || pg_catalog.encode(pg_catalog.substr(h, 1, 8), 'hex'))::bit(64)::bigint) THEN
        RAISE EXCEPTION 'a request with this Idempotency-Key is still in progress; retry in a moment'
            USING ERRCODE = 'SK409';
    END IF;
    SELECT * INTO r FROM book.idempotency i
    WHERE i.key_hash = h AND i.created_at > pg_catalog.now() - interval '24 hours';
    IF FOUND AND r.request_hash <> pg_catalog.sha256(pg_catalog.convert_to(p_request, 'UTF8')) THEN
        RAISE EXCEPTION 'this Idempotency-Key was already used for a different request'
            USING ERRCODE = 'SK422';
    END IF;
    RETURN r;
END
$$;

-- Stores the answer for p_key (replacing an expired one), and now and then
-- prunes expired keys.
CREATE OR REPLACE FUNCTION book.idempotency_store(p_key text, p_request text, p_response jsonb,
                                                  p_token text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO book.idempotency AS i (key_hash, request_hash, response, token_sealed)
    VALUES (pg_catalog.sha256(pg_catalog.convert_to(p_key, 'UTF8')),
            pg_catalog.sha256(pg_catalog.convert_to(p_request, 'UTF8')),
            p_response, book.token_seal(p_token, p_key))
    ON CONFLICT (key_hash) DO UPDATE
    SET request_hash = excluded.request_hash, response = excluded.response,
        token_sealed = excluded.token_sealed, created_at = excluded.created_at;
    IF pg_catalog.random() < 0.01 THEN
        PERFORM book.idempotency_prune();
    END IF;
END
$$;

-- POST /books: takes a seat and records the booking (with the hash of
-- p_token, made by the caller) and its BOOKED event, all in one statement:
-- the exhibition row stays locked only for as long as this statement runs.
-- With p_idem_key: see idempotency above; p_request is the request's
-- fingerprint. Answers the token in the clear. SK409 when sold out or when
-- the exhibition's day is past (in the session's time zone, the museum's),
-- SK404 when there is no live exhibition p_museum_id.
CREATE OR REPLACE FUNCTION book.create(p_museum_id bigint, p_cust_nm text, p_token text,
                                       p_idem_key text, p_request text)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text,
               token text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    prior book.idempotency;
    made record;
    day date;
BEGIN
    IF p_idem_key IS NOT NULL THEN
        prior := book.idempotency_claim(p_idem_key, p_request);
        IF prior.key_hash IS NOT NULL THEN
            RETURN QUERY
            SELECT r.*, book.token_unseal(prior.token_sealed, p_idem_key)
            FROM pg_catalog.jsonb_populate_record(NULL::book.answer, prior.response) r;
            RETURN;
        END IF;
    END IF;
    WITH seat AS (
        UPDATE museum.exhibition e SET pcnt = e.pcnt - 1
        WHERE e.id = p_museum_id AND e.deleted_at IS NULL AND e.pcnt > 0
          AND e.chk_date >= current_date
        RETURNING e.id, e.name, e.chk_date
    ), ins AS (
        INSERT INTO book.booking AS b (museum_id, cust_nm, name, chk_date, token_hash)
        SELECT seat.id, p_cust_nm, seat.name, seat.chk_date, book.token_hash(p_token) FROM seat
        RETURNING b.id, b.museum_id, b.cust_nm, b.name, b.chk_date, b.status::text AS status
    ), event AS (
        INSERT INTO outbox.event (kind, museum_id, book_id)
        SELECT 'BOOKED', ins.museum_id, ins.id FROM ins
    )
    SELECT * INTO made FROM ins;
    IF NOT FOUND THEN
        SELECT e.chk_date INTO day FROM museum.exhibition e
        WHERE e.id = p_museum_id AND e.deleted_at IS NULL;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'exhibition % does not exist', p_museum_id USING ERRCODE = 'SK404';
        ELSIF day < current_date THEN
            RAISE EXCEPTION 'exhibition % was on %: it is over', p_museum_id, day
                USING ERRCODE = 'SK409';
        END IF;
        RAISE EXCEPTION 'exhibition % is sold out', p_museum_id USING ERRCODE = 'SK409';
    END IF;
    IF p_idem_key IS NOT NULL THEN
        PERFORM book.idempotency_store(p_idem_key, p_request, pg_catalog.to_jsonb(made), p_token);
    END IF;
    RETURN QUERY SELECT made.id, made.museum_id, made.cust_nm, made.name, made.chk_date,
                        made.status, p_token;
END
$$;
GRANT EXECUTE ON FUNCTION book.create(bigint, text, text, text, text) TO museum_app;

-- GET /books/{id}: the row, for staff or the holder of its booking's
-- token; no row otherwise, as for one that does not exist (the caller
-- answers 404 for both). A token is looked up first, whatever p_id is:
-- the same work whether or not p_id exists.
CREATE OR REPLACE FUNCTION book.get(p_id bigint, p_staff boolean, p_token text)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    mine bigint := CASE WHEN p_staff IS NOT TRUE THEN (book.token_owner(p_token)).id END;
BEGIN
    RETURN QUERY SELECT * FROM book.answer b
    WHERE b.id = p_id AND (p_staff IS TRUE OR b.id = mine);
END
$$;
GRANT EXECUTE ON FUNCTION book.get(bigint, boolean, text) TO museum_app;

-- GET /books (staff): up to p_limit bookings after id p_after, in id order.
-- Filters are optional (NULL = any). Planned for each call's values, so
-- that a museum or visitor filter uses its own index.
CREATE OR REPLACE FUNCTION book.list(p_museum_id bigint, p_cust_nm text, p_status text,
                                     p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    RETURN QUERY
    SELECT * FROM book.answer b
    WHERE b.id > coalesce(p_after, 0)
      AND (p_museum_id IS NULL OR b.museum_id = p_museum_id)
      AND (p_cust_nm IS NULL OR b.cust_nm = p_cust_nm)
      AND (p_status IS NULL OR b.status = p_status)
    ORDER BY b.id LIMIT p_limit;
END
$$;
GRANT EXECUTE ON FUNCTION book.list(bigint, text, text, bigint, integer) TO museum_app;

-- PATCH/PUT /books/{id}: moves the booking to p_status, for staff or the
-- holder of its token (SK404 otherwise), with an optional Idempotency-Key.
-- The cancel rule: the only change a client may ask for is a cancel of a
-- live booking; asking for the status it already has changes nothing;
-- anything else is SK409. The CANCELED event (which releases the seat) is
-- written only by the call that actually cancels, with the booking row
-- locked while it decides, so a seat is released exactly once.
CREATE OR REPLACE FUNCTION book.set_status(p_id bigint, p_status text, p_staff boolean, p_token text,
                                           p_idem_key text, p_request text)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    prior book.idempotency;
    cur book.booking;
    done record;
BEGIN
    IF NOT book.may_see(p_id, p_staff, p_token) THEN
        RAISE EXCEPTION 'booking % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    IF p_idem_key IS NOT NULL THEN
        prior := book.idempotency_claim(p_idem_key, p_request);
        IF prior.key_hash IS NOT NULL THEN
            RETURN QUERY
            SELECT r.* FROM pg_catalog.jsonb_populate_record(NULL::book.answer, prior.response) r;
            RETURN;
        END IF;
    END IF;
    -- It exists: may_see saw it, and bookings are never deleted.
    SELECT * INTO cur FROM book.booking b WHERE b.id = p_id FOR UPDATE;
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
    SELECT cur.id, cur.museum_id, cur.cust_nm, cur.name, cur.chk_date, cur.status::text AS status
    INTO done;
    IF p_idem_key IS NOT NULL THEN
        PERFORM book.idempotency_store(p_idem_key, p_request, pg_catalog.to_jsonb(done), NULL);
    END IF;
    RETURN QUERY SELECT done.id, done.museum_id, done.cust_nm, done.name, done.chk_date,
                        done.status;
END
$$;
GRANT EXECUTE ON FUNCTION book.set_status(bigint, text, boolean, text, text, text) TO museum_app;

-- Effect of a MUSEUM_DELETED event, one chunk at a time (called by
-- outbox.apply_batch): of the exhibition's next p_limit bookings after id
-- p_after, the live ones are force-canceled, their seats released and
-- their confirmations force-canceled (each live booking's seat comes back
-- exactly once: by its CANCELED event or here, never both, since canceled
-- ones are skipped). Returns the bookings it changed and next_after, where
-- the next chunk starts, or NULL when this chunk was the last. In one
-- piece, 300,000 bookings made one 12.5 s batch that held up every other
-- visitor's confirmation; no booking can be added to a deleted exhibition,
-- so the chunks see every booking once.
CREATE OR REPLACE FUNCTION book.on_museum_deleted(p_museum_id bigint, p_after bigint,
                                                  p_limit integer,
                                                  OUT changed bigint[], OUT next_after bigint)
LANGUAGE plpgsql AS $$
DECLARE
    seen integer;
BEGIN
    SELECT max(c.id), count(*) INTO next_after, seen
    FROM (SELECT b.id FROM book.booking b
          WHERE b.museum_id = p_museum_id AND b.id > coalesce(p_after, 0)
          ORDER BY b.id LIMIT p_limit) c;
    WITH fc AS (
        UPDATE book.booking b
        SET status = 'FORCE_CANCELED', canceled_at = now(), updated_at = now()
        WHERE b.museum_id = p_museum_id AND b.id > coalesce(p_after, 0) AND b.id <= next_after
          AND b.status IN ('REQUESTED', 'REQUEST_COMPLETED')
        RETURNING b.id
    )
    SELECT coalesce(array_agg(fc.id ORDER BY fc.id), '{}') INTO changed FROM fc;
    IF cardinality(changed) > 0 THEN
        UPDATE museum.exhibition SET pcnt = pcnt + cardinality(changed) WHERE id = p_museum_id;
        UPDATE confirm.confirmation SET status = 'FORCE_CANCELED', updated_at = now()
        WHERE book_id = ANY (changed);
    END IF;
    IF seen < p_limit THEN
        next_after := NULL; -- nothing left after this chunk
    END IF;
END
$$;
