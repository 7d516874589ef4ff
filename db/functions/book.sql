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
-- The functions that answer it return SETOF it (the idempotency replay
-- reads a stored answer back as its row type): a column added at the end
-- is added to them all; any other change is a migration dropping the view
-- and those functions.
CREATE OR REPLACE VIEW book.answer AS
SELECT id, museum_id, cust_nm, name, chk_date, status::text AS status,
       pg_catalog.to_json(slot_start) #>> '{}' AS slot,
       pg_catalog.to_json(slot_end) #>> '{}' AS slot_end, tickets, party, cancel_reason,
       code, email, lang
FROM book.booking;

-- true if p_token opens booking p_id: its booking token, or a sign-in
-- link's access token (visitor.access, not expired) for the email the
-- booking was made with (case-insensitive). The one place that says what a
-- visitor's token opens. The token is looked up first, whatever p_id is.
CREATE OR REPLACE FUNCTION book.opens(p_token text, p_id bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT b.id FROM book.booking b
                     WHERE b.token_hash = book.token_hash(p_token)) = p_id, false)
        OR coalesce((SELECT a.email FROM visitor.access a
                     WHERE a.token_hash = book.token_hash(p_token) AND a.expires_at > pg_catalog.now())
                    = (SELECT pg_catalog.lower(b.email) FROM book.booking b WHERE b.id = p_id),
                    false);
$$;

-- true if the caller may see booking p_id: staff, or a token that opens
-- it (book.opens); false also when there is no booking p_id.
CREATE OR REPLACE FUNCTION book.may_see(p_id bigint, p_staff boolean, p_token text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_staff IS TRUE THEN EXISTS (SELECT 1 FROM book.booking b WHERE b.id = p_id)
                ELSE book.opens(p_token, p_id) END;
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

-- The slot of exhibition p_museum_id that starts at p_slot and is open, or
-- with p_slot NULL its one open slot that has not ended (the original
-- clients name no slot). SK404 if there is no live exhibition p_museum_id;
-- SK422 (on column slot) if p_slot is none of its open slots, or if p_slot
-- is NULL and it has more than one slot left; SK409 if it has none left.
CREATE OR REPLACE FUNCTION book.slot_of(p_museum_id bigint, p_slot timestamptz)
RETURNS museum.slot
LANGUAGE plpgsql STABLE AS $$
DECLARE
    found_slot museum.slot;
    next_two museum.slot[];
    upcoming integer;
BEGIN
    -- One query when all is well (the booking's hot path); why not, after.
    IF p_slot IS NOT NULL THEN
        SELECT * INTO found_slot FROM museum.slot s
        WHERE s.museum_id = p_museum_id AND s.start_at = p_slot AND s.open;
        upcoming := CASE WHEN FOUND THEN 1 ELSE 0 END;
    ELSE
        SELECT array_agg(s ORDER BY s.start_at) INTO next_two
        FROM (SELECT * FROM museum.slot x
              WHERE x.museum_id = p_museum_id AND x.end_at > now() AND x.open
              ORDER BY x.start_at LIMIT 2) s;
        upcoming := coalesce(cardinality(next_two), 0);
        found_slot := next_two[1];
    END IF;
    IF upcoming = 1 THEN
        RETURN found_slot;
    ELSIF NOT EXISTS (SELECT 1 FROM museum.exhibition e
                      WHERE e.id = p_museum_id AND e.deleted_at IS NULL) THEN
        RAISE EXCEPTION 'exhibition % does not exist', p_museum_id USING ERRCODE = 'SK404';
    ELSIF p_slot IS NOT NULL THEN
        RAISE EXCEPTION 'is not one of the exhibition''s slots (closed that day, or not a start time)'
            USING ERRCODE = 'SK422', COLUMN = 'slot';
    ELSIF upcoming > 1 THEN
        SELECT count(*) INTO upcoming FROM museum.slot s
        WHERE s.museum_id = p_museum_id AND s.end_at > now() AND s.open;
        RAISE EXCEPTION 'is required: the exhibition has % slots to choose from', upcoming
            USING ERRCODE = 'SK422', COLUMN = 'slot';
    END IF;
    RAISE EXCEPTION 'exhibition % ran until %: it is over', p_museum_id,
                    (SELECT e.end_date FROM museum.exhibition e WHERE e.id = p_museum_id)
        USING ERRCODE = 'SK409';
END
$$;

-- Takes p_party seats of slot p_slot_id with one conditional UPDATE of its
-- row (locked until the transaction ends): the seat rule. Queue first: no
-- seats while a WAITING entry of the slot's waiting list fits the seats
-- left (they are the listener's to offer: waitlist.tick). Returns the slot
-- as it is now, or raises why not: SK409 when it is gone (a shorter run
-- dropped it while this waited for its row), closed, has ended, people
-- are waiting, or it has fewer seats left than the party (the detail says
-- how many).
CREATE OR REPLACE FUNCTION book.take_seats(p_slot_id bigint, p_party integer) RETURNS museum.slot
LANGUAGE plpgsql AS $$
DECLARE
    s museum.slot;
BEGIN
    UPDATE museum.slot x SET seats_left = x.seats_left - p_party
    WHERE x.id = p_slot_id AND x.seats_left >= p_party AND x.open AND x.end_at > now()
      AND NOT EXISTS (SELECT 1 FROM waitlist.entry w
                      WHERE w.slot_id = x.id AND w.status = 'WAITING' AND w.party <= x.seats_left)
    RETURNING * INTO s;
    IF FOUND THEN
        RETURN s;
    END IF;
    SELECT * INTO s FROM museum.slot x WHERE x.id = p_slot_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'this slot is no longer offered: the exhibition now ends earlier'
            USING ERRCODE = 'SK409';
    ELSIF NOT s.open THEN
        RAISE EXCEPTION 'the slot at % has just been closed', to_char(s.start_at, 'YYYY-MM-DD HH24:MI')
            USING ERRCODE = 'SK409';
    ELSIF s.end_at <= now() THEN
        RAISE EXCEPTION 'the slot at % has ended', to_char(s.start_at, 'YYYY-MM-DD HH24:MI')
            USING ERRCODE = 'SK409';
    ELSIF EXISTS (SELECT 1 FROM waitlist.entry w
                  WHERE w.slot_id = s.id AND w.status = 'WAITING' AND w.party <= s.seats_left) THEN
        RAISE EXCEPTION 'people are waiting for this slot: join the waiting list'
            USING ERRCODE = 'SK409';
    ELSIF s.seats_left = 0 THEN
        RAISE EXCEPTION 'the slot at % is sold out', to_char(s.start_at, 'YYYY-MM-DD HH24:MI')
            USING ERRCODE = 'SK409';
    END IF;
    RAISE EXCEPTION 'the slot at % has only % left, not enough for a party of %',
                    to_char(s.start_at, 'YYYY-MM-DD HH24:MI'),
                    s.seats_left || CASE WHEN s.seats_left = 1 THEN ' seat' ELSE ' seats' END,
                    p_party
        USING ERRCODE = 'SK409';
END
$$;

-- Records a booking of p_party seats of slot p_slot (taken for it in the
-- same transaction by book.take_seats, or held by a waiting list's offer;
-- either way the caller's to see to) and its BOOKED
-- event, in one statement. Returns its id. The one place a booking is
-- inserted (book.create, waitlist.accept).
CREATE OR REPLACE FUNCTION book.insert_booking(p_slot museum.slot, p_cust_nm text,
                                               p_token_hash bytea, p_token_sealed bytea,
                                               p_tickets jsonb, p_party integer, p_email text,
                                               p_lang text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    made_id bigint;
BEGIN
    WITH ins AS (
        INSERT INTO book.booking AS b
            (museum_id, cust_nm, name, chk_date, token_hash, slot_id, slot_start, slot_end, party,
             tickets, email, lang, token_sealed)
        SELECT p_slot.museum_id, p_cust_nm, e.name, p_slot.day, p_token_hash, p_slot.id,
               p_slot.start_at, p_slot.end_at, p_party,
               coalesce(p_tickets, jsonb_build_object('adult', p_party)), p_email,
               coalesce(p_lang, 'en'), p_token_sealed
        FROM museum.exhibition e WHERE e.id = p_slot.museum_id
        RETURNING b.id, b.museum_id
    ), event AS (
        INSERT INTO outbox.event (kind, museum_id, book_id)
        SELECT 'BOOKED', ins.museum_id, ins.id FROM ins
    )
    SELECT ins.id INTO made_id FROM ins;
    RETURN made_id;
END
$$;

-- POST /books: takes the party's seats of the slot (book.take_seats, the
-- seat rule's one place) and records the booking
-- (with the hash of p_token, made by the caller) and its BOOKED event, in
-- one transaction. p_slot NULL: the exhibition's one slot left
-- (book.slot_of). p_tickets counts the party by category (checked by the
-- caller), p_party is their sum. With p_idem_key: see idempotency above;
-- p_request is the request's fingerprint. Answers the token in the clear.
-- p_email (checked by the caller; NULL, the default: none) and p_lang ('en' or 'ko')
-- are the ticket email's; with an email the token is also kept sealed
-- with the server key p_seal_key (mail.seal) for the ticket email's link.
-- SK404, SK409, SK422 as book.slot_of and book.take_seats say.
CREATE OR REPLACE FUNCTION book.create(p_museum_id bigint, p_cust_nm text, p_token text,
                                       p_idem_key text, p_request text, p_slot timestamptz,
                                       p_tickets jsonb, p_party integer, p_email text DEFAULT NULL,
                                       p_lang text DEFAULT 'en', p_seal_key text DEFAULT NULL)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text,
               slot text, slot_end text, tickets jsonb, party integer, cancel_reason text,
               code text, email text, lang text, token text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    prior book.idempotency;
    s museum.slot;
    taken boolean := false;
    made_id bigint;
    made book.answer;
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
    -- The booking and its event first, the seats last (book.take_seats, the
    -- seat rule: one conditional UPDATE of the slot's row, which stays
    -- locked until the commit): a rush on one slot then waits on its row
    -- only for that UPDATE and the commit, not for the inserts too. When
    -- the slot already looks too full, the seat rule is asked first, so a
    -- refusal inserts nothing; should seats have just come back, it takes
    -- them then. Either way a refusal raises, and rolls the inserts back.
    s := book.slot_of(p_museum_id, p_slot);
    IF s.seats_left < p_party THEN
        s := book.take_seats(s.id, p_party);
        taken := true;
    END IF;
    made_id := book.insert_booking(s, p_cust_nm, book.token_hash(p_token),
                                   CASE WHEN p_email IS NOT NULL
                                        THEN mail.seal(p_token, p_seal_key) END,
                                   p_tickets, p_party, p_email, p_lang);
    SELECT a.* INTO made FROM book.answer a WHERE a.id = made_id;
    IF NOT taken THEN
        PERFORM book.take_seats(s.id, p_party);
    END IF;
    IF p_idem_key IS NOT NULL THEN
        PERFORM book.idempotency_store(p_idem_key, p_request, pg_catalog.to_jsonb(made), p_token);
    END IF;
    RETURN QUERY SELECT made.*, p_token;
END
$$;
GRANT EXECUTE ON FUNCTION book.create(bigint, text, text, text, text, timestamptz, jsonb, integer,
                                      text, text, text) TO museum_app;

-- GET /books/{id}: the row, for staff or a token that opens it
-- (book.opens: its booking token, or a sign-in link's for its email); no
-- row otherwise, as for one that does not exist (the caller answers 404
-- for both).
CREATE OR REPLACE FUNCTION book.get(p_id bigint, p_staff boolean, p_token text)
RETURNS SETOF book.answer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF book.may_see(p_id, p_staff, p_token) THEN
        RETURN QUERY SELECT * FROM book.answer b WHERE b.id = p_id;
    END IF;
END
$$;
GRANT EXECUTE ON FUNCTION book.get(bigint, boolean, text) TO museum_app;

-- GET /books (staff): up to p_limit bookings after id p_after, in id order.
-- Filters are optional (NULL = any); p_day is the day of the visit.
-- Planned for each call's values, so that a museum or visitor filter uses
-- its own index.
CREATE OR REPLACE FUNCTION book.list(p_museum_id bigint, p_cust_nm text, p_status text,
                                     p_day date, p_after bigint, p_limit integer)
RETURNS SETOF book.answer
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    RETURN QUERY
    SELECT * FROM book.answer b
    WHERE b.id > coalesce(p_after, 0)
      AND (p_museum_id IS NULL OR b.museum_id = p_museum_id)
      AND (p_cust_nm IS NULL OR b.cust_nm = p_cust_nm)
      AND (p_status IS NULL OR b.status = p_status)
      AND (p_day IS NULL OR b.chk_date = p_day)
    ORDER BY b.id LIMIT p_limit;
END
$$;
GRANT EXECUTE ON FUNCTION book.list(bigint, text, text, date, bigint, integer) TO museum_app;

-- PATCH/PUT /books/{id}: changes booking p_id, for staff or the holder of
-- its token (SK404 otherwise), with an optional Idempotency-Key. Either a
-- status (p_status; p_slot and p_tickets NULL) or a move (p_status NULL):
--  - the cancel rule: the only status change a client may ask for is a
--    cancel of a live booking whose slot has not ended; asking for the
--    status it already has changes nothing; anything else is SK409. The
--    CANCELED event (which gives the party's seats back) is written only by
--    the call that actually cancels, with the booking row locked while it
--    decides, so the seats come back exactly once;
--  - a move: a live booking whose slot has not ended goes to slot p_slot
--    (NULL: the same) with tickets p_tickets and party p_party (NULL: the
--    same). The new seats are taken before the old ones are given back, in
--    this one transaction (both slot rows locked first, in id order, so
--    that two moves the other way round cannot deadlock): SK409 if the new
--    slot lacks them, and the booking keeps its place. A MOVED event brings
--    the confirmation and MyPage along.
--  - an email (p_email, checked by the caller: alone, or with a move, never
--    with a status) of a live booking whose slot has not ended (SK409
--    otherwise) becomes its ticket email. The holder of the booking's own
--    token also leaves it sealed with the server key p_seal_key
--    (token_sealed), for the ticket email's link: asking again with the
--    same email is "email me my ticket" again; staff (and a sign-in link)
--    set only the email. The mail triggers queue the ticket. SK429 once
--    the booking had 5 ticket emails in the last hour.
CREATE OR REPLACE FUNCTION book.change(p_id bigint, p_status text, p_slot timestamptz,
                                       p_tickets jsonb, p_party integer, p_staff boolean,
                                       p_token text, p_idem_key text, p_request text,
                                       p_email text DEFAULT NULL, p_seal_key text DEFAULT NULL)
RETURNS SETOF book.answer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    prior book.idempotency;
    cur book.booking;
    target museum.slot;
    party integer;
    done book.answer;
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
    IF p_email IS NOT NULL THEN
        IF p_status IS NOT NULL THEN
            RAISE EXCEPTION 'cannot be changed together with status' USING ERRCODE = 'SK422',
                COLUMN = 'email';
        ELSIF cur.status NOT IN ('REQUESTED', 'REQUEST_COMPLETED') THEN
            RAISE EXCEPTION 'booking % is %: its email can no longer change', p_id, cur.status
                USING ERRCODE = 'SK409';
        ELSIF cur.slot_end <= now() THEN
            RAISE EXCEPTION 'the visit of booking % (%) has ended: its email can no longer change',
                            p_id, to_char(cur.slot_start, 'YYYY-MM-DD HH24:MI')
                USING ERRCODE = 'SK409';
        ELSIF (SELECT count(*) FROM mail.message m
               WHERE m.book_id = p_id AND m.kind = 'TICKET'
                 AND m.created_at > now() - interval '1 hour') >= 5 THEN
            RAISE EXCEPTION 'the ticket of booking % was already emailed 5 times in the last hour; '
                            'try again later', p_id
                USING ERRCODE = 'SK429';
        END IF;
        UPDATE book.booking b
        SET email = p_email,
            token_sealed = CASE WHEN p_staff IS NOT TRUE
                                     AND b.token_hash = book.token_hash(p_token)
                                THEN mail.seal(p_token, p_seal_key) ELSE b.token_sealed END,
            updated_at = CASE WHEN b.email IS DISTINCT FROM p_email THEN now()
                              ELSE b.updated_at END
        WHERE b.id = p_id;
        -- "Email me my ticket" again to the same address by staff or a
        -- sign-in link: nothing on the row changes, so mail.on_booking
        -- queues nothing; the ticket goes again here, without the manage
        -- link (only the booking's own token is sealed into one).
        IF cur.status = 'REQUEST_COMPLETED' AND cur.email IS NOT DISTINCT FROM p_email
           AND NOT (p_staff IS NOT TRUE AND cur.token_hash = book.token_hash(p_token)) THEN
            INSERT INTO mail.message (kind, book_id, to_addr, lang)
            VALUES ('TICKET', p_id, p_email, cur.lang);
        END IF;
    END IF;
    IF p_email IS NOT NULL AND p_status IS NULL AND p_slot IS NULL AND p_tickets IS NULL
       AND p_party IS NULL THEN
        NULL; -- only the email
    ELSIF p_status IS NOT NULL AND p_status IS NOT DISTINCT FROM cur.status THEN
        NULL; -- nothing to change
    ELSIF cur.status NOT IN ('REQUESTED', 'REQUEST_COMPLETED') THEN
        RAISE EXCEPTION 'booking % is %, it cannot %', p_id, cur.status,
                        coalesce('become ' || p_status, 'change')
            USING ERRCODE = 'SK409';
    ELSIF p_status IS NOT NULL AND p_status <> 'CANCELED' THEN
        RAISE EXCEPTION 'booking % is %, it cannot become %', p_id, cur.status, p_status
            USING ERRCODE = 'SK409';
    ELSIF cur.slot_end <= now() THEN
        RAISE EXCEPTION 'the visit of booking % (%) has ended: it can no longer change', p_id,
                        to_char(cur.slot_start, 'YYYY-MM-DD HH24:MI')
            USING ERRCODE = 'SK409';
    ELSIF p_status = 'CANCELED' THEN
        UPDATE book.booking b
        SET status = 'CANCELED', canceled_at = now(), updated_at = now()
        WHERE b.id = p_id;
        INSERT INTO outbox.event (kind, museum_id, book_id)
        VALUES ('CANCELED', cur.museum_id, cur.id);
    ELSE
        target := CASE WHEN p_slot IS NULL THEN (SELECT s FROM museum.slot s WHERE s.id = cur.slot_id)
                       ELSE book.slot_of(cur.museum_id, p_slot) END;
        party := coalesce(p_party, cur.party);
        IF target.id = cur.slot_id AND party = cur.party THEN
            NULL; -- the same seats: only the tickets may differ
        ELSIF target.id = cur.slot_id THEN
            IF party > cur.party THEN
                PERFORM book.take_seats(target.id, party - cur.party);
            ELSE
                UPDATE museum.slot s SET seats_left = s.seats_left + (cur.party - party)
                WHERE s.id = target.id;
            END IF;
        ELSE
            PERFORM 1 FROM museum.slot s WHERE s.id IN (target.id, cur.slot_id) ORDER BY s.id
            FOR UPDATE;
            target := book.take_seats(target.id, party);
            UPDATE museum.slot s SET seats_left = s.seats_left + cur.party WHERE s.id = cur.slot_id;
        END IF;
        IF (target.id, party, coalesce(p_tickets, cur.tickets))
           IS DISTINCT FROM (cur.slot_id, cur.party, cur.tickets) THEN
            UPDATE book.booking b
            SET slot_id = target.id, slot_start = target.start_at, slot_end = target.end_at,
                chk_date = target.day, party = coalesce(p_party, b.party),
                tickets = coalesce(p_tickets, b.tickets), updated_at = now()
            WHERE b.id = p_id;
            INSERT INTO outbox.event (kind, museum_id, book_id)
            VALUES ('MOVED', cur.museum_id, cur.id);
        END IF;
    END IF;
    SELECT a.* INTO done FROM book.answer a WHERE a.id = p_id;
    IF p_idem_key IS NOT NULL THEN
        PERFORM book.idempotency_store(p_idem_key, p_request, pg_catalog.to_jsonb(done), NULL);
    END IF;
    RETURN QUERY SELECT done.*;
END
$$;
GRANT EXECUTE ON FUNCTION book.change(bigint, text, timestamptz, jsonb, integer, boolean, text, text,
                                      text, text, text) TO museum_app;

-- GET /books/{id}/qr.svg and /visit.ics: what a ticket shows of booking
-- p_id, for staff or a token that opens it (no row otherwise): its code,
-- exhibition, party and tickets, language, and the slot and last change as
-- Unix times (the calendar file's DTSTART, DTEND and DTSTAMP).
CREATE OR REPLACE FUNCTION book.ticket(p_id bigint, p_staff boolean, p_token text)
RETURNS TABLE (id bigint, code text, name text, party integer, tickets jsonb, lang text,
               start_unix bigint, end_unix bigint, stamp_unix bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF book.may_see(p_id, p_staff, p_token) THEN
        RETURN QUERY
        SELECT b.id, b.code, b.name, b.party, b.tickets, b.lang,
               extract(epoch FROM b.slot_start)::bigint, extract(epoch FROM b.slot_end)::bigint,
               extract(epoch FROM b.updated_at)::bigint
        FROM book.booking b WHERE b.id = p_id;
    END IF;
END
$$;
GRANT EXECUTE ON FUNCTION book.ticket(bigint, boolean, text) TO museum_app;

-- Effect of a MUSEUM_DELETED event (p_day NULL) or a DAY_CLOSED one
-- (p_day), one chunk at a time (called by outbox.apply_batch): of the
-- exhibition's next p_limit bookings after id p_after, the live ones (of
-- day p_day, whose slot is still closed: a day reopened before this ran
-- keeps its bookings) whose visit had not ended at p_as_of (when the
-- museum asked: the event's time, however late it is applied) are
-- force-canceled with
-- the reason, their seats given back and their confirmations
-- force-canceled (each live booking's seats come back exactly once: by its
-- CANCELED event or here, never both, since canceled ones are skipped).
-- Returns the bookings it changed and next_after, where the next chunk
-- starts, or NULL when this chunk was the last. In one piece, 300,000
-- bookings made one 12.5 s batch that held up every other visitor's
-- confirmation; no booking can be added to a deleted exhibition or a
-- closed day, so the chunks see every booking once.
CREATE OR REPLACE FUNCTION book.force_cancel(p_museum_id bigint, p_day date, p_as_of timestamptz,
                                             p_after bigint, p_limit integer,
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
        SET status = 'FORCE_CANCELED', canceled_at = now(), updated_at = now(),
            cancel_reason = CASE WHEN p_day IS NULL THEN 'EXHIBITION_DELETED' ELSE 'DAY_CLOSED' END
        WHERE b.museum_id = p_museum_id AND b.id > coalesce(p_after, 0) AND b.id <= next_after
          AND b.status IN ('REQUESTED', 'REQUEST_COMPLETED') AND b.slot_end > p_as_of
          AND (p_day IS NULL OR (b.chk_date = p_day AND NOT EXISTS (
                SELECT 1 FROM museum.slot s WHERE s.id = b.slot_id AND s.open)))
        RETURNING b.id
    )
    SELECT coalesce(array_agg(fc.id ORDER BY fc.id), '{}') INTO changed FROM fc;
    IF cardinality(changed) > 0 THEN
        PERFORM museum.give_back(changed);
        UPDATE confirm.confirmation SET status = 'FORCE_CANCELED', updated_at = now()
        WHERE book_id = ANY (changed);
    END IF;
    IF seen < p_limit THEN
        next_after := NULL; -- nothing left after this chunk
    END IF;
END
$$;
