-- door: check-in at the door (POST /checkins), who is inside, no-shows.
--
-- Re-applied by db/migrate.sh on every run (see db/README.md).
--
-- The rules (docs/door.md): a booking is admitted once, from the moment
-- its POST /books was answered (REQUESTED included: the door never waits
-- for the listener), within its window: from p_early_min minutes before
-- its slot's start to p_late_min minutes after its end (CHECKIN_EARLY_MIN,
-- CHECKIN_LATE_MIN). A canceled or force-canceled booking is refused at
-- once. An exit is allowed once after an admission; an exited party does
-- not come in again (already_admitted). Every scan is recorded
-- (door.scan) with the answer it got, which a scan sent again with the
-- same nonce gets again.

-- A ticket code as typed or scanned, in its canonical form: upper case,
-- without spaces and hyphens, Crockford's aliases O -> 0 and I, L -> 1.
-- SK422 (the field code) if what is left is not 10 characters of the
-- alphabet.
CREATE OR REPLACE FUNCTION door.normalize_code(p_code text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := pg_catalog.translate(pg_catalog.upper(p_code), 'OIL -', '011');
BEGIN
    IF v IS NULL OR v !~ '^[0-9A-HJKMNP-TV-Z]{10}$' THEN
        RAISE EXCEPTION 'a ticket code is 10 characters of 0-9 and A-Z but I, L, O and U'
            USING ERRCODE = 'SK422', COLUMN = 'code';
    END IF;
    RETURN v;
END
$$;

-- POST /checkins: one scan of ticket code p_code at gate p_gate (NULL or
-- '': none) by staff user p_user, an entry or an exit (p_type), named by
-- the scanner's nonce p_nonce. Returns the answer: its HTTP status (201
-- admitted or exited, 409 refused with a reason, 404 unknown code) and its
-- body (JSON text), recorded with the scan in this transaction. The same
-- nonce again returns the recorded answer and records nothing; with
-- another code or type it is SK422. The booking's row is locked while the
-- scan decides, so scanners racing on one code admit it once, and a cancel
-- waits for the scan (and is then refused: door.keep_admitted).
CREATE OR REPLACE FUNCTION door.checkin(p_code text, p_nonce text, p_type text, p_gate text,
                                        p_user text, p_early_min integer, p_late_min integer)
RETURNS TABLE (status integer, body text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    norm text := door.normalize_code(p_code);
    v_gate text := nullif(p_gate, '');
    prior door.scan;
    b book.booking;
    admitted door.scan;
    exited door.scan;
    v_status integer;
    v_result text;
    v_reason text;
    v_detail text;
    v_body json;
BEGIN
    IF p_nonce IS NULL OR p_nonce !~ '^[A-Za-z0-9_-]{1,64}$' THEN
        RAISE EXCEPTION 'a nonce is 1 to 64 characters of A-Z, a-z, 0-9, "_" and "-" (a UUID)'
            USING ERRCODE = 'SK422', COLUMN = 'nonce';
    ELSIF p_type IS NULL OR p_type NOT IN ('entry', 'exit') THEN
        RAISE EXCEPTION 'type is entry or exit' USING ERRCODE = 'SK422', COLUMN = 'type';
    ELSIF pg_catalog.char_length(v_gate) > 40 THEN
        RAISE EXCEPTION 'a gate is at most 40 characters' USING ERRCODE = 'SK422', COLUMN = 'gate';
    END IF;
    -- The nonce's scans one at a time: the second waits, then replays.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('door.scan ' || p_nonce, 0));
    SELECT * INTO prior FROM door.scan s WHERE s.nonce = p_nonce;
    IF FOUND THEN
        IF prior.code <> norm OR prior.type <> p_type THEN
            RAISE EXCEPTION 'this nonce named another scan (of another code or type): a new scan needs a new nonce'
                USING ERRCODE = 'SK422', COLUMN = 'nonce';
        END IF;
        RETURN QUERY SELECT prior.status, prior.answer;
        RETURN;
    END IF;

    SELECT * INTO b FROM book.booking k WHERE k.code = norm FOR UPDATE;
    IF NOT FOUND THEN
        v_status := 404;
        v_result := 'unknown';
        v_body := pg_catalog.json_build_object('type', 'about:blank', 'title', 'Not Found',
                                               'status', 404, 'detail',
                                               pg_catalog.format('no booking has the ticket code %s', norm));
    ELSE
        SELECT * INTO admitted FROM door.scan s WHERE s.book_id = b.id AND s.result = 'admitted';
        SELECT * INTO exited FROM door.scan s WHERE s.book_id = b.id AND s.result = 'exited';
        IF p_type = 'exit' THEN
            IF admitted.id IS NULL THEN
                v_reason := 'not_admitted';
                v_detail := pg_catalog.format('booking %s has not been admitted: it cannot exit', b.id);
            ELSIF exited.id IS NOT NULL THEN
                v_reason := 'already_exited';
                v_detail := pg_catalog.format('booking %s already exited at %s', b.id,
                                              pg_catalog.to_char(exited.at, 'YYYY-MM-DD HH24:MI'));
            ELSE
                v_result := 'exited';
            END IF;
        ELSIF b.status IN ('CANCELED', 'FORCE_CANCELED') THEN
            v_reason := 'canceled';
            v_detail := pg_catalog.format('booking %s was canceled%s', b.id,
                                          CASE WHEN b.status = 'FORCE_CANCELED'
                                               THEN ' by the museum' || coalesce(' (' || b.cancel_reason || ')', '')
                                               ELSE '' END);
        ELSIF now() < b.slot_start - pg_catalog.make_interval(mins => p_early_min) THEN
            v_reason := 'too_early';
            v_detail := pg_catalog.format('too early: booking %s may come in from %s', b.id,
                                          pg_catalog.to_char(b.slot_start - pg_catalog.make_interval(mins => p_early_min),
                                                             'YYYY-MM-DD HH24:MI'));
        ELSIF now() > b.slot_end + pg_catalog.make_interval(mins => p_late_min) THEN
            v_reason := 'too_late';
            v_detail := pg_catalog.format('too late: entry for booking %s closed at %s', b.id,
                                          pg_catalog.to_char(b.slot_end + pg_catalog.make_interval(mins => p_late_min),
                                                             'YYYY-MM-DD HH24:MI'));
        ELSIF admitted.id IS NOT NULL THEN
            v_reason := 'already_admitted';
            v_detail := pg_catalog.format('booking %s (a party of %s) was already admitted at %s', b.id,
                                          admitted.party, pg_catalog.to_char(admitted.at, 'YYYY-MM-DD HH24:MI'));
        ELSE
            v_result := 'admitted';
        END IF;
        IF v_reason IS NULL THEN
            v_status := 201;
            v_body := pg_catalog.json_build_object(
                'result', v_result, 'bookId', b.id, 'code', b.code, 'custNm', b.cust_nm,
                'party', b.party, 'tickets', b.tickets, 'slot', pg_catalog.to_json(b.slot_start),
                'slotEnd', pg_catalog.to_json(b.slot_end), 'museumId', b.museum_id, 'name', b.name);
        ELSE
            v_status := 409;
            v_result := 'refused';
            SELECT pg_catalog.json_object_agg(k, v ORDER BY n) INTO v_body
            FROM (VALUES (1, 'type', pg_catalog.to_json('about:blank'::text)),
                         (2, 'title', pg_catalog.to_json('Conflict'::text)),
                         (3, 'status', pg_catalog.to_json(409)),
                         (4, 'detail', pg_catalog.to_json(v_detail)),
                         (5, 'reason', pg_catalog.to_json(v_reason)),
                         (6, 'firstAdmittedAt',
                          CASE WHEN v_reason = 'already_admitted' THEN pg_catalog.to_json(admitted.at) END),
                         (7, 'bookId', pg_catalog.to_json(b.id)),
                         (8, 'code', pg_catalog.to_json(b.code)),
                         (9, 'custNm', pg_catalog.to_json(b.cust_nm)),
                         (10, 'party', pg_catalog.to_json(b.party)),
                         (11, 'slot', pg_catalog.to_json(b.slot_start)),
                         (12, 'slotEnd', pg_catalog.to_json(b.slot_end)),
                         (13, 'museumId', pg_catalog.to_json(b.museum_id))) t(n, k, v)
            WHERE v IS NOT NULL;
        END IF;
    END IF;
    INSERT INTO door.scan (nonce, code, book_id, museum_id, type, gate, party, device_user, day,
                           result, reason, status, answer)
    VALUES (p_nonce, norm, b.id, b.museum_id, p_type, v_gate, b.party, p_user, current_date,
            v_result, v_reason, v_status, v_body::text);
    RETURN QUERY SELECT v_status, v_body::text;
END
$$;
GRANT EXECUTE ON FUNCTION door.checkin(text, text, text, text, text, integer, integer) TO museum_app;

-- GET /museums/{id}/inside: the people inside exhibition p_museum_id now:
-- the parties admitted today (the museum's day) that have not exited.
-- SK404 if there is no such exhibition.
CREATE OR REPLACE FUNCTION door.inside(p_museum_id bigint) RETURNS TABLE (inside bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM museum.exhibition e WHERE e.id = p_museum_id AND e.deleted_at IS NULL) THEN
        RAISE EXCEPTION 'exhibition % does not exist', p_museum_id USING ERRCODE = 'SK404';
    END IF;
    RETURN QUERY
    SELECT coalesce(sum(s.party), 0)::bigint FROM door.scan s
    WHERE s.museum_id = p_museum_id AND s.day = current_date AND s.result = 'admitted'
      AND NOT EXISTS (SELECT 1 FROM door.scan x WHERE x.book_id = s.book_id AND x.result = 'exited');
END
$$;
GRANT EXECUTE ON FUNCTION door.inside(bigint) TO museum_app;

-- true if p_day is today in the museum's time zone (the session's): what
-- a door account's GET /books?day= must ask for.
CREATE OR REPLACE FUNCTION door.is_today(p_day date) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT p_day = current_date;
$$;
GRANT EXECUTE ON FUNCTION door.is_today(date) TO museum_app;

-- An admitted booking can no longer be canceled or moved by its visitor
-- or staff (PATCH/PUT /books/{id}: SK409): its party is inside, and its
-- seats must not go back on sale. Force-cancels by the museum (a deleted
-- exhibition, a closed day: FORCE_CANCELED) are not stopped.
CREATE OR REPLACE FUNCTION door.keep_admitted() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_at timestamptz;
BEGIN
    SELECT s.at INTO v_at FROM door.scan s WHERE s.book_id = OLD.id AND s.result = 'admitted';
    IF FOUND THEN
        RAISE EXCEPTION 'booking % was admitted at the door at %: it can no longer be %',
                        OLD.id, pg_catalog.to_char(v_at, 'YYYY-MM-DD HH24:MI'),
                        CASE WHEN NEW.status = 'CANCELED' THEN 'canceled' ELSE 'moved' END
            USING ERRCODE = 'SK409';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER booking_keep_admitted
    BEFORE UPDATE OF status, slot_id, party ON book.booking FOR EACH ROW
    WHEN ((NEW.status = 'CANCELED' AND OLD.status IS DISTINCT FROM 'CANCELED')
          OR NEW.slot_id IS DISTINCT FROM OLD.slot_id OR NEW.party IS DISTINCT FROM OLD.party)
    EXECUTE FUNCTION door.keep_admitted();
