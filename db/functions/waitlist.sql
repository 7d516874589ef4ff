-- waitlist: the waiting list of each slot (POST /museums/{id}/waitlist,
-- GET/DELETE /waitlist/{id}, POST /waitlist/{id}/accept) and the listener's
-- offers and expiries (waitlist.tick).
--
-- Re-applied by db/migrate.sh on every run (see db/README.md).
--
-- The rules (docs/waitlist.md): for every slot, capacity = seats left +
-- live booked seats + seats held by OFFERED entries (museum.seat_diff).
-- The public may not take seats a WAITING entry fits (book.take_seats:
-- queue first); the listener offers them in queue order (waitlist.tick),
-- moving them from the slot's seats_left to the entry's held; accepting
-- turns them into a booking; expiry, leave and cancel give them back.
-- Locks: a slot row first, then its entries in id order. Every transition
-- is one conditional UPDATE, so it happens once however often a listener
-- dies or two race.
--
-- Tokens: an entry's token is made by the app, stored as its sha256
-- (book.token_hash); the access-checked functions answer SK404, as for an
-- entry that does not exist, when it does not fit.

-- The place of entry p_entry in its slot's queue: 1 + the WAITING entries
-- before it; 0 when it is OFFERED; NULL once it is no longer waiting.
CREATE OR REPLACE FUNCTION waitlist.position_of(p_entry waitlist.entry) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT CASE p_entry.status
           WHEN 'WAITING' THEN 1 + (SELECT count(*)::integer FROM waitlist.entry w
                                    WHERE w.slot_id = p_entry.slot_id AND w.status = 'WAITING'
                                      AND w.id < p_entry.id)
           WHEN 'OFFERED' THEN 0 END;
$$;

-- Entry p_id if p_token is its token (NULL otherwise).
CREATE OR REPLACE FUNCTION waitlist.owned(p_id bigint, p_token text) RETURNS waitlist.entry
LANGUAGE sql STABLE AS $$
    SELECT * FROM waitlist.entry w WHERE w.id = p_id AND w.token_hash = book.token_hash(p_token);
$$;

-- POST /museums/{id}/waitlist: joins the waiting list of the slot of
-- exhibition p_museum_id starting at p_slot (NULL: its one slot left; SK404
-- and SK422 as book.slot_of) for a party of p_party (p_tickets: by
-- category, checked by the caller), with the hash of p_token (made by the
-- caller) and, with an email, the token sealed with p_seal_key for the
-- offer's email. SK409 when a booking of that party would succeed now
-- ("seats are available: book them"), when the slot is closed or has
-- ended, or the party is larger than the slot. With p_idem_key (p_request
-- the request's fingerprint), as book.create: the same join again answers
-- the first one's entry and token, as it was then.
CREATE OR REPLACE FUNCTION waitlist.join(p_museum_id bigint, p_slot timestamptz, p_cust_nm text,
                                         p_email text, p_lang text, p_tickets jsonb,
                                         p_party integer, p_token text, p_seal_key text,
                                         p_idem_key text DEFAULT NULL,
                                         p_request text DEFAULT NULL)
RETURNS TABLE (id bigint, status text, "position" integer, party integer, token text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    prior book.idempotency;
    s museum.slot;
    made waitlist.entry;
BEGIN
    IF p_idem_key IS NOT NULL THEN
        prior := book.idempotency_claim(p_idem_key, p_request);
        IF prior.key_hash IS NOT NULL THEN
            RETURN QUERY
            SELECT r.id, r.status, r."position", r.party,
                   book.token_unseal(prior.token_sealed, p_idem_key)
            FROM pg_catalog.jsonb_to_record(prior.response)
                AS r (id bigint, status text, "position" integer, party integer);
            RETURN;
        END IF;
    END IF;
    s := book.slot_of(p_museum_id, p_slot);
    -- Locked as book.take_seats would: the answer holds until this commits.
    SELECT * INTO s FROM museum.slot x WHERE x.id = s.id FOR UPDATE;
    IF NOT s.open OR s.end_at <= now() THEN
        RAISE EXCEPTION 'the slot at % is closed or over: there is nothing to wait for',
                        to_char(s.start_at, 'YYYY-MM-DD HH24:MI')
            USING ERRCODE = 'SK409';
    ELSIF p_party > s.capacity THEN
        RAISE EXCEPTION 'a party of % is larger than the slot at % (% seats)', p_party,
                        to_char(s.start_at, 'YYYY-MM-DD HH24:MI'), s.capacity
            USING ERRCODE = 'SK409';
    ELSIF s.seats_left >= p_party
          AND NOT EXISTS (SELECT 1 FROM waitlist.entry w
                          WHERE w.slot_id = s.id AND w.status = 'WAITING'
                            AND w.party <= s.seats_left) THEN
        RAISE EXCEPTION 'seats are available: book them (the slot at % has % left)',
                        to_char(s.start_at, 'YYYY-MM-DD HH24:MI'), s.seats_left
            USING ERRCODE = 'SK409';
    END IF;
    INSERT INTO waitlist.entry AS w
        (museum_id, slot_id, slot_start, slot_end, cust_nm, email, lang, tickets, party,
         token_hash, token_sealed)
    VALUES (s.museum_id, s.id, s.start_at, s.end_at, p_cust_nm, p_email, coalesce(p_lang, 'en'),
            coalesce(p_tickets, jsonb_build_object('adult', p_party)), p_party,
            book.token_hash(p_token),
            CASE WHEN p_email IS NOT NULL THEN mail.seal(p_token, p_seal_key) END)
    RETURNING * INTO made;
    IF p_idem_key IS NOT NULL THEN
        PERFORM book.idempotency_store(p_idem_key, p_request,
                                       pg_catalog.jsonb_build_object(
                                           'id', made.id, 'status', made.status,
                                           'position', waitlist.position_of(made),
                                           'party', made.party),
                                       p_token);
    END IF;
    RETURN QUERY SELECT made.id, made.status, waitlist.position_of(made), made.party, p_token;
END
$$;
GRANT EXECUTE ON FUNCTION waitlist.join(bigint, timestamptz, text, text, text, jsonb, integer,
                                        text, text, text, text) TO museum_app;

-- GET /waitlist/{id}: the entry, for staff or its token (no row
-- otherwise, as for one that does not exist: the caller answers 404).
CREATE OR REPLACE FUNCTION waitlist.get(p_id bigint, p_staff boolean, p_token text)
RETURNS TABLE (id bigint, museum_id bigint, slot text, party integer, status text,
               "position" integer, offer_expires_at text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT w.id, w.museum_id, pg_catalog.to_json(w.slot_start) #>> '{}', w.party, w.status,
           waitlist.position_of(w), pg_catalog.to_json(w.offer_expires_at) #>> '{}'
    FROM waitlist.entry w
    WHERE w.id = p_id AND (p_staff IS TRUE OR w.token_hash = book.token_hash(p_token));
$$;
GRANT EXECUTE ON FUNCTION waitlist.get(bigint, boolean, text) TO museum_app;

-- GET /museums/{id}/waitlist?day= (staff): the entries of exhibition
-- p_museum_id (of slots on day p_day if given, in the museum's time zone:
-- the session's), by slot then queue order. SK404 if there never was such
-- an exhibition.
CREATE OR REPLACE FUNCTION waitlist.list(p_museum_id bigint, p_day date)
RETURNS TABLE (id bigint, slot text, "position" integer, status text, party integer,
               cust_nm text, offer_expires_at text, created_at text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM museum.exhibition e WHERE e.id = p_museum_id) THEN
        RAISE EXCEPTION 'exhibition % does not exist', p_museum_id USING ERRCODE = 'SK404';
    END IF;
    RETURN QUERY
    SELECT w.id, pg_catalog.to_json(w.slot_start) #>> '{}', waitlist.position_of(w), w.status,
           w.party, w.cust_nm, pg_catalog.to_json(w.offer_expires_at) #>> '{}',
           pg_catalog.to_json(w.created_at) #>> '{}'
    FROM waitlist.entry w
    WHERE w.museum_id = p_museum_id
      AND (p_day IS NULL OR (w.slot_start >= p_day::timestamptz
                             AND w.slot_start < (p_day + 1)::timestamptz))
    ORDER BY w.slot_start, w.id;
END
$$;
GRANT EXECUTE ON FUNCTION waitlist.list(bigint, date) TO museum_app;

-- POST /waitlist/{id}/accept: turns entry p_id's offer (OFFERED, not
-- expired) into a booking of its slot, party, tickets, name, email and
-- language, with the hash of p_book_token (made by the caller), and its
-- BOOKED event (book.insert_booking): the held seats become the booking's.
-- The booking's token is kept sealed with the entry's token, so that
-- accepting again answers the same booking with it. Answers as
-- book.create. SK404 if p_token is not the entry's; SK409 when it is not
-- (or no longer) offered.
CREATE OR REPLACE FUNCTION waitlist.accept(p_id bigint, p_token text, p_book_token text,
                                           p_seal_key text DEFAULT NULL)
RETURNS TABLE (id bigint, museum_id bigint, cust_nm text, name text, chk_date date, status text,
               slot text, slot_end text, tickets jsonb, party integer, cancel_reason text,
               code text, email text, lang text, token text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    e waitlist.entry := waitlist.owned(p_id, p_token);
    s museum.slot;
    made_id bigint;
BEGIN
    IF e.id IS NULL THEN
        RAISE EXCEPTION 'waiting list entry % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    -- The slot first, then the entry (the order of waitlist.tick): a day
    -- closed meanwhile is seen closed.
    SELECT * INTO s FROM museum.slot x WHERE x.id = e.slot_id FOR UPDATE;
    SELECT * INTO e FROM waitlist.entry w WHERE w.id = p_id FOR UPDATE;
    IF e.status = 'ACCEPTED' THEN
        RETURN QUERY SELECT a.*, book.token_unseal(e.booking_sealed, p_token)
                     FROM book.answer a WHERE a.id = e.book_id;
        RETURN;
    ELSIF e.status = 'WAITING' THEN
        RAISE EXCEPTION 'entry % is waiting: not offered yet', p_id USING ERRCODE = 'SK409';
    ELSIF e.status = 'OFFERED' AND e.offer_expires_at <= now() OR e.status = 'EXPIRED' THEN
        RAISE EXCEPTION 'the offer to entry % has expired', p_id USING ERRCODE = 'SK409';
    ELSIF e.status = 'LEFT' THEN
        RAISE EXCEPTION 'entry % has left the waiting list', p_id USING ERRCODE = 'SK409';
    ELSIF e.status = 'CANCELED' THEN
        RAISE EXCEPTION 'entry % was canceled by the museum', p_id USING ERRCODE = 'SK409';
    END IF;
    IF s.id IS NULL OR NOT s.open OR s.end_at <= now() THEN
        RAISE EXCEPTION 'the slot of entry % is closed or over', p_id USING ERRCODE = 'SK409';
    END IF;
    -- With an email, the new token sealed with the server key p_seal_key
    -- (mail.seal), for the ticket email's manage link, as book.create does.
    made_id := book.insert_booking(s, e.cust_nm, book.token_hash(p_book_token),
                                   CASE WHEN e.email IS NOT NULL
                                        THEN mail.seal(p_book_token, p_seal_key) END,
                                   e.tickets, e.party, e.email, e.lang);
    UPDATE waitlist.entry w
    SET status = 'ACCEPTED', held = 0, ended_at = now(), book_id = made_id,
        booking_sealed = book.token_seal(p_book_token, p_token)
    WHERE w.id = p_id;
    RETURN QUERY SELECT a.*, p_book_token FROM book.answer a WHERE a.id = made_id;
END
$$;
GRANT EXECUTE ON FUNCTION waitlist.accept(bigint, text, text, text) TO museum_app;

-- DELETE /waitlist/{id}: entry p_id leaves the waiting list (WAITING or
-- OFFERED -> LEFT; an offer's held seats go back to the slot, for the next
-- tick to offer). Leaving again changes nothing. SK404 if p_token is not
-- its token; SK409 once it was accepted, expired or canceled.
CREATE OR REPLACE FUNCTION waitlist.leave(p_id bigint, p_token text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    e waitlist.entry := waitlist.owned(p_id, p_token);
BEGIN
    IF e.id IS NULL THEN
        RAISE EXCEPTION 'waiting list entry % does not exist', p_id USING ERRCODE = 'SK404';
    END IF;
    -- The slot first, then the entry (the order of waitlist.tick).
    PERFORM 1 FROM museum.slot s WHERE s.id = e.slot_id FOR UPDATE;
    SELECT * INTO e FROM waitlist.entry w WHERE w.id = p_id FOR UPDATE;
    IF e.status = 'LEFT' THEN
        RETURN;
    ELSIF e.status NOT IN ('WAITING', 'OFFERED') THEN
        RAISE EXCEPTION 'entry % is %: it can no longer leave', p_id, e.status
            USING ERRCODE = 'SK409';
    END IF;
    UPDATE waitlist.entry w SET status = 'LEFT', held = 0, ended_at = now() WHERE w.id = p_id;
    IF e.held > 0 THEN
        UPDATE museum.slot s SET seats_left = s.seats_left + e.held WHERE s.id = e.slot_id;
    END IF;
END
$$;
GRANT EXECUTE ON FUNCTION waitlist.leave(bigint, text) TO museum_app;

-- The listener's call after each drain (fcgi/listener.c): in one
-- transaction, (1) expires the offers due (their held seats back to the
-- slot), then (2) offers, slot by slot, in queue order, to every WAITING
-- entry whose party fits the seats left at that point (one that does not
-- fit keeps its place), for p_ttl_seconds (at most until the slot ends).
-- Returns how many entries it changed. It visits the slots with an offer
-- due (an index scan) and those in waitlist.due_slot (seats came back
-- while someone fitting waits: waitlist.on_seats_back), never the whole
-- queue: its cost follows what changed, not how many wait.
CREATE OR REPLACE FUNCTION waitlist.tick(p_ttl_seconds integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer := 0;
    k integer;
    sid bigint;
    s museum.slot;
    e waitlist.entry;
    back integer;
BEGIN
    -- One pass over the slots concerned, in id order, each locked before
    -- its entries: the order every other writer of slots follows
    -- (museum.patch, give_back, leave, accept), so no two can deadlock.
    FOR sid IN SELECT w.slot_id FROM waitlist.entry w
               WHERE w.status = 'OFFERED' AND w.offer_expires_at <= now()
               UNION
               SELECT d.slot_id FROM waitlist.due_slot d
               ORDER BY 1 LOOP
        SELECT * INTO s FROM museum.slot x WHERE x.id = sid FOR UPDATE;
        CONTINUE WHEN NOT FOUND;
        -- Visited (the slot's lock keeps others from adding it meanwhile;
        -- an expiry in (1) adds it again, for a next visit with nothing
        -- left to do, since (2) serves every entry that fits).
        DELETE FROM waitlist.due_slot d WHERE d.slot_id = sid;
        -- (1) Its offers due expire; their seats come back.
        WITH due AS (
            SELECT w.id, w.held FROM waitlist.entry w
            WHERE w.slot_id = sid AND w.status = 'OFFERED' AND w.offer_expires_at <= now()
            ORDER BY w.id FOR UPDATE
        ), ex AS (
            UPDATE waitlist.entry w SET status = 'EXPIRED', held = 0, ended_at = now()
            FROM due WHERE w.id = due.id AND w.status = 'OFFERED'
            RETURNING due.held
        )
        SELECT count(*), coalesce(sum(ex.held), 0) INTO k, back FROM ex;
        IF back > 0 THEN
            UPDATE museum.slot x SET seats_left = x.seats_left + back WHERE x.id = sid
            RETURNING * INTO s;
        END IF;
        n := n + k;
        -- (2) Its seats left are offered in queue order to each entry that
        -- fits them (one that does not keeps its place).
        CONTINUE WHEN NOT s.open OR s.end_at <= now() OR s.seats_left = 0;
        FOR e IN SELECT * FROM waitlist.entry w
                 WHERE w.slot_id = sid AND w.status = 'WAITING' ORDER BY w.id FOR UPDATE LOOP
            EXIT WHEN s.seats_left = 0;
            CONTINUE WHEN e.party > s.seats_left;
            UPDATE museum.slot x SET seats_left = x.seats_left - e.party
            WHERE x.id = sid AND x.seats_left >= e.party
            RETURNING * INTO s;
            EXIT WHEN NOT FOUND;
            UPDATE waitlist.entry w
            SET status = 'OFFERED', held = e.party, offered_at = now(),
                offer_expires_at = least(now() + make_interval(secs => p_ttl_seconds), s.end_at)
            WHERE w.id = e.id AND w.status = 'WAITING';
            n := n + 1;
        END LOOP;
    END LOOP;
    RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION waitlist.tick(integer) TO museum_listener;

-- Trigger on museum.slot: a slot whose seats_left grew (a cancel, a move
-- away, a leave, an expiry, more capacity) while a WAITING entry that fits
-- them waits is due for waitlist.tick. Bookings only take seats, so the
-- booking path never runs it.
CREATE OR REPLACE FUNCTION waitlist.on_seats_back() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM waitlist.entry w
               WHERE w.slot_id = NEW.id AND w.status = 'WAITING' AND w.party <= NEW.seats_left) THEN
        INSERT INTO waitlist.due_slot (slot_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER slot_seats_back AFTER UPDATE OF seats_left ON museum.slot
    FOR EACH ROW WHEN (NEW.seats_left > OLD.seats_left)
    EXECUTE FUNCTION waitlist.on_seats_back();

-- Effect of a MUSEUM_DELETED event (p_day NULL) or a DAY_CLOSED one (called
-- by outbox.apply_batch): the WAITING and OFFERED entries of the
-- exhibition (of day p_day's slots that are still closed) whose slot had
-- not ended at p_as_of are CANCELED, their held seats given back (the slot
-- is closed anyway). Returns how many.
CREATE OR REPLACE FUNCTION waitlist.cancel_for(p_museum_id bigint, p_day date,
                                               p_as_of timestamptz)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    PERFORM 1 FROM museum.slot x
    WHERE x.id IN (SELECT w.slot_id FROM waitlist.entry w
                   WHERE w.museum_id = p_museum_id AND w.status = 'OFFERED')
    ORDER BY x.id FOR UPDATE;
    SELECT coalesce(array_agg(c.id ORDER BY c.id), '{}') INTO ids
    FROM (SELECT w.id FROM waitlist.entry w
          WHERE w.museum_id = p_museum_id AND w.status IN ('WAITING', 'OFFERED')
            AND w.slot_end > p_as_of
            AND (p_day IS NULL OR (w.slot_start >= p_day::timestamptz
                                   AND w.slot_start < (p_day + 1)::timestamptz
                                   AND NOT EXISTS (SELECT 1 FROM museum.slot x
                                                   WHERE x.id = w.slot_id AND x.open)))
          ORDER BY w.id FOR UPDATE) c;
    IF cardinality(ids) = 0 THEN
        RETURN 0;
    END IF;
    UPDATE museum.slot x SET seats_left = x.seats_left + h.seats
    FROM (SELECT w.slot_id, sum(w.held)::integer AS seats FROM waitlist.entry w
          WHERE w.id = ANY (ids) GROUP BY w.slot_id) h
    WHERE x.id = h.slot_id AND h.seats > 0;
    UPDATE waitlist.entry w SET status = 'CANCELED', held = 0, ended_at = now()
    WHERE w.id = ANY (ids);
    RETURN cardinality(ids);
END
$$;
