-- Booking tokens and idempotency keys.
--
-- A visitor proves a booking is theirs with the token answered by
-- POST /books: 256 random bits made by the application, stored here only as
-- sha256. The access-checked functions below take the presented token (or
-- p_staff when the application has checked staff credentials) and answer
-- SK404, as for a booking that does not exist, when it does not fit.
--
-- An Idempotency-Key makes a retried POST /books or cancel safe: the key
-- (as sha256) and a fingerprint of the request are stored with the answer
-- in the same transaction as the booking or cancel itself, so a key is
-- never claimed without its effect. Only successful answers are stored: a
-- refused request (sold out, ...) may be retried with the same key. While
-- the first request with a key runs, its transaction holds an advisory lock
-- on the key, and a second one gets SK409 at once. Keys live 24 hours.

ALTER TABLE book.booking ADD COLUMN token_hash bytea;
CREATE UNIQUE INDEX booking_token_hash ON book.booking (token_hash);

-- sha256 of a presented token; NULL for NULL.
CREATE FUNCTION book.token_hash(p_token text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
$$;

-- The booking p_token belongs to (NULL if none).
CREATE FUNCTION book.token_owner(p_token text) RETURNS book.booking
LANGUAGE sql STABLE AS $$
    SELECT * FROM book.booking b WHERE b.token_hash = book.token_hash(p_token);
$$;

CREATE TABLE book.idempotency (
    key_hash     bytea PRIMARY KEY,              -- sha256 of the Idempotency-Key
    request_hash bytea       NOT NULL,           -- sha256 of method, path and body
    response     jsonb       NOT NULL,           -- the row first answered, without token
    token_sealed bytea,                          -- its token XOR sha256(key): see below
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_created_at ON book.idempotency (created_at);

-- The answer of POST /books holds the booking token, which is kept only as
-- a hash. For a replay the token is stored sealed with the key itself
-- (XOR with a hash of the key, of which only another hash is stored): it
-- can be recovered only by whoever presents the key again.
CREATE FUNCTION book.token_seal(p_token text, p_key text) RETURNS bytea
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

CREATE FUNCTION book.token_unseal(p_sealed bytea, p_key text) RETURNS text
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

-- Claims p_key for this transaction. Returns the stored answer when the
-- same request already succeeded with it in the last 24 hours (NULL key_hash
-- otherwise). SK409 while another transaction holds the key, SK422 when the
-- key was used for a different request.
CREATE FUNCTION book.idempotency_claim(p_key text, p_request text) RETURNS book.idempotency
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
CREATE FUNCTION book.idempotency_store(p_key text, p_request text, p_response jsonb, p_token text)
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

-- Deletes expired keys. Returns how many.
CREATE FUNCTION book.idempotency_prune() RETURNS integer
LANGUAGE sql AS $$
    WITH d AS (
        DELETE FROM book.idempotency WHERE created_at <= pg_catalog.now() - interval '24 hours'
        RETURNING 1
    )
    SELECT pg_catalog.count(*)::integer FROM d;
$$;

-- POST /books: takes a seat (as book.create/2) and stores the hash of
-- p_token, made by the caller. With p_idem_key: see idempotency above;
-- p_request is the request's fingerprint. Answers the token in the clear.
CREATE FUNCTION book.create(p_museum_id bigint, p_cust_nm text, p_token text,
                            p_idem_key text, p_request text)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text,
               token text)
LANGUAGE plpgsql AS $$
DECLARE
    prior book.idempotency;
    made record;
BEGIN
    IF p_idem_key IS NOT NULL THEN
        prior := book.idempotency_claim(p_idem_key, p_request);
        IF prior.key_hash IS NOT NULL THEN
            RETURN QUERY
            SELECT (prior.response->>'id')::bigint, (prior.response->>'museum_id')::bigint,
                   prior.response->>'cust_nm', prior.response->>'name',
                   (prior.response->>'chk_date')::date, prior.response->>'status',
                   book.token_unseal(prior.token_sealed, p_idem_key);
            RETURN;
        END IF;
    END IF;
    WITH seat AS (
        UPDATE museum.exhibition e SET pcnt = e.pcnt - 1
        WHERE e.id = p_museum_id AND e.deleted_at IS NULL AND e.pcnt > 0
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
        PERFORM 1 FROM museum.exhibition e WHERE e.id = p_museum_id AND e.deleted_at IS NULL;
        IF FOUND THEN
            RAISE EXCEPTION 'exhibition % is sold out', p_museum_id USING ERRCODE = 'SK409';
        END IF;
        RAISE EXCEPTION 'exhibition % does not exist', p_museum_id USING ERRCODE = 'SK404';
    END IF;
    IF p_idem_key IS NOT NULL THEN
        PERFORM book.idempotency_store(p_idem_key, p_request, pg_catalog.to_jsonb(made), p_token);
    END IF;
    RETURN QUERY SELECT made.id, made.museum_id, made.cust_nm, made.name, made.chk_date,
                        made.status, p_token;
END
$$;

-- 1 if the caller may see booking p_id: staff, or the holder of its token.
CREATE FUNCTION book.may_see(p_id bigint, p_staff boolean, p_token text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM book.booking b
        WHERE b.id = p_id AND (p_staff IS TRUE OR b.token_hash = book.token_hash(p_token)));
$$;

-- GET /books/{id}.
CREATE FUNCTION book.get(p_id bigint, p_staff boolean, p_token text)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT book.may_see(p_id, p_staff, p_token) THEN
        RAISE EXCEPTION 'booking % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    RETURN QUERY SELECT * FROM book.get(p_id);
END
$$;

-- PATCH/PUT /books/{id}: book.set_status/2 for staff or the token holder,
-- with an optional Idempotency-Key.
CREATE FUNCTION book.set_status(p_id bigint, p_status text, p_staff boolean, p_token text,
                                p_idem_key text, p_request text)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text)
LANGUAGE plpgsql AS $$
DECLARE
    prior book.idempotency;
    done record;
BEGIN
    IF NOT book.may_see(p_id, p_staff, p_token) THEN
        RAISE EXCEPTION 'booking % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    IF p_idem_key IS NOT NULL THEN
        prior := book.idempotency_claim(p_idem_key, p_request);
        IF prior.key_hash IS NOT NULL THEN
            RETURN QUERY
            SELECT (prior.response->>'id')::bigint, (prior.response->>'museum_id')::bigint,
                   prior.response->>'cust_nm', prior.response->>'name',
                   (prior.response->>'chk_date')::date, prior.response->>'status';
            RETURN;
        END IF;
    END IF;
    SELECT * INTO done FROM book.set_status(p_id, p_status) s;
    IF p_idem_key IS NOT NULL THEN
        PERFORM book.idempotency_store(p_idem_key, p_request, pg_catalog.to_jsonb(done), NULL);
    END IF;
    RETURN QUERY SELECT done.id, done.museum_id, done.cust_nm, done.name, done.chk_date,
                        done.status;
END
$$;

-- GET /confirms/{id}: staff, or the holder of the booking's token.
CREATE FUNCTION confirm.get(p_id bigint, p_staff boolean, p_token text)
RETURNS TABLE (id bigint, book_id bigint, museum_id bigint, cust_nm text, name text,
               chk_date date, status text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM confirm.confirmation c
                   WHERE c.id = p_id AND book.may_see(c.book_id, p_staff, p_token)) THEN
        RAISE EXCEPTION 'confirmation % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    RETURN QUERY SELECT * FROM confirm.get(p_id);
END
$$;

-- GET /confirms: staff see all; a token holder sees the confirmation of
-- that booking only (SK404 if p_book_id names another).
CREATE FUNCTION confirm.list(p_book_id bigint, p_museum_id bigint, p_after bigint, p_limit integer,
                             p_staff boolean, p_token text)
RETURNS TABLE (id bigint, book_id bigint, museum_id bigint, cust_nm text, name text,
               chk_date date, status text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    owner book.booking;
BEGIN
    IF p_staff IS TRUE THEN
        RETURN QUERY SELECT * FROM confirm.list(p_book_id, p_museum_id, p_after, p_limit);
        RETURN;
    END IF;
    owner := book.token_owner(p_token);
    IF owner.id IS NULL OR p_book_id <> owner.id THEN
        RAISE EXCEPTION 'no booking goes with this token' USING ERRCODE = 'SK404';
    END IF;
    RETURN QUERY SELECT * FROM confirm.list(owner.id, p_museum_id, p_after, p_limit);
END
$$;

-- GET /myPages/{id}: staff, or the holder of the booking's token.
CREATE FUNCTION mypage.get(p_id bigint, p_staff boolean, p_token text)
RETURNS TABLE (id bigint, book_id bigint, cust_nm text, museum_id bigint, name text,
               chk_date date, status text, confirm_status text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM mypage.entry m
                   WHERE m.id = p_id AND book.may_see(m.book_id, p_staff, p_token)) THEN
        RAISE EXCEPTION 'MyPage entry % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    RETURN QUERY SELECT * FROM mypage.get(p_id);
END
$$;

-- GET /myPages: staff see all; the holder of a token sees the rows of the
-- visitor (custNm) whose booking it is — SK404 if p_cust_nm names another.
CREATE FUNCTION mypage.list(p_cust_nm text, p_book_id bigint, p_after bigint, p_limit integer,
                            p_staff boolean, p_token text)
RETURNS TABLE (id bigint, book_id bigint, cust_nm text, museum_id bigint, name text,
               chk_date date, status text, confirm_status text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    owner book.booking;
BEGIN
    IF p_staff IS TRUE THEN
        RETURN QUERY SELECT * FROM mypage.list(p_cust_nm, p_book_id, p_after, p_limit);
        RETURN;
    END IF;
    owner := book.token_owner(p_token);
    IF owner.id IS NULL OR p_cust_nm <> owner.cust_nm THEN
        RAISE EXCEPTION 'no booking of this visitor goes with this token' USING ERRCODE = 'SK404';
    END IF;
    RETURN QUERY SELECT * FROM mypage.list(owner.cust_nm, p_book_id, p_after, p_limit);
END
$$;
