-- mail: the messages the listener sends (tickets, cancels, sign-in links),
-- each recorded as sent in the same transaction that claims it.
--
-- Re-applied by db/migrate.sh on every run (see db/README.md).

-- p_token sealed with the server key p_key (TICKET_SEAL_KEY: the app and
-- the listener have it, the database does not), with pgcrypto's OpenPGP
-- symmetric encryption (AES-256; the key is random, so no key stretching);
-- NULL if either is NULL. mail.unseal opens it (an error if the key is
-- not the one it was sealed with).
CREATE OR REPLACE FUNCTION mail.seal(p_token text, p_key text) RETURNS bytea
LANGUAGE sql VOLATILE STRICT AS $$
    SELECT crypto.pgp_sym_encrypt(p_token, p_key, 'cipher-algo=aes256, s2k-mode=1');
$$;

CREATE OR REPLACE FUNCTION mail.unseal(p_sealed bytea, p_key text) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
    SELECT crypto.pgp_sym_decrypt(p_sealed, p_key);
$$;

-- Queueing: triggers on book.booking, so the booking functions (book.sql,
-- confirm.sql, the force-cancel) know nothing of email. A booking with an
-- email gets
--   TICKET          when it becomes REQUEST_COMPLETED (confirm.on_booked),
--                   and again, once completed, when its email changes, when
--                   its token is sealed onto it anew ("email me my ticket":
--                   token_sealed set) or when its slot or party changes;
--   CANCELED        when the visitor (or staff) cancels it;
--   FORCE_CANCELED  when the museum does (cancel_reason says why).
-- The TICKET takes the booking's sealed token along (its manage link) and
-- the booking keeps none; a canceled booking keeps none either. Rows
-- without an email or a sealed token never reach the function (the WHEN
-- clause), so the booking pipeline pays nothing for them.
CREATE OR REPLACE FUNCTION mail.on_booking() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    kind text;
BEGIN
    IF NEW.email IS NOT NULL THEN
        IF NEW.status = 'REQUEST_COMPLETED'
           AND (OLD.status <> 'REQUEST_COMPLETED' OR NEW.email IS DISTINCT FROM OLD.email
                OR NEW.token_sealed IS NOT NULL
                OR (NEW.slot_start, NEW.party, NEW.tickets) IS DISTINCT FROM
                   (OLD.slot_start, OLD.party, OLD.tickets)) THEN
            kind := 'TICKET';
        ELSIF NEW.status IN ('CANCELED', 'FORCE_CANCELED') AND OLD.status <> NEW.status THEN
            kind := NEW.status;
        END IF;
        IF kind IS NOT NULL THEN
            INSERT INTO mail.message (kind, book_id, to_addr, lang, secret_sealed)
            VALUES (kind, NEW.id, NEW.email, NEW.lang,
                    CASE WHEN kind = 'TICKET' THEN NEW.token_sealed END);
            IF kind = 'TICKET' THEN
                NEW.token_sealed := NULL;
            END IF;
        END IF;
    END IF;
    IF NEW.status IN ('CANCELED', 'FORCE_CANCELED') THEN
        NEW.token_sealed := NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER booking_mail BEFORE UPDATE ON book.booking
    FOR EACH ROW
    WHEN (NEW.token_sealed IS NOT NULL
          OR (NEW.email IS NOT NULL
              AND (NEW.status IS DISTINCT FROM OLD.status OR NEW.email IS DISTINCT FROM OLD.email
                   OR NEW.slot_start IS DISTINCT FROM OLD.slot_start OR NEW.party IS DISTINCT FROM OLD.party
                   OR NEW.tickets IS DISTINCT FROM OLD.tickets)))
    EXECUTE FUNCTION mail.on_booking();

-- The waiting list's emails: a trigger on waitlist.entry, so the waiting
-- list's functions (waitlist.sql) know nothing of email. An entry with an
-- email gets
--   WAITLIST_OFFER     when it becomes OFFERED (seats held for it until
--                      offer_expires_at); it takes the entry's sealed token
--                      along (the accept link) and the entry keeps none;
--   WAITLIST_EXPIRED   when its offer runs out (EXPIRED);
--   WAITLIST_CANCELED  when the museum cancels it (CANCELED: the exhibition
--                      deleted, the day closed).
-- Accepted and left entries get no email (the visitor did it, and an
-- accept has its booking's TICKET). An entry that leaves the queue keeps
-- no sealed token.
CREATE OR REPLACE FUNCTION mail.on_waitlist_entry() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.status IN ('OFFERED', 'EXPIRED', 'CANCELED') THEN
        INSERT INTO mail.message (kind, entry_id, to_addr, lang, secret_sealed)
        VALUES ('WAITLIST_' || CASE NEW.status WHEN 'OFFERED' THEN 'OFFER' ELSE NEW.status END,
                NEW.id, NEW.email, NEW.lang,
                CASE WHEN NEW.status = 'OFFERED' THEN NEW.token_sealed END);
    END IF;
    IF NEW.status <> 'WAITING' THEN
        NEW.token_sealed := NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER entry_mail BEFORE UPDATE ON waitlist.entry
    FOR EACH ROW
    WHEN (NEW.email IS NOT NULL AND NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION mail.on_waitlist_entry();

-- The listener's (fcgi/listener.c), in one transaction per message:
-- mail.claim, compose and deliver, then mail.sent or mail.failed, COMMIT.
-- mail.claim locks the oldest due message (skipping those other listeners
-- hold) and returns what composing it needs: the secret opened with the
-- server key p_key (NULL when there is none or it cannot be opened: the
-- message then goes without its link rather than never), and for a
-- booking's message the booking as it is now (updated_at: the .ics's
-- DTSTAMP). No row: nothing is due.
-- A message no longer worth sending is not returned but marked obsolete
-- on the way (obsolete_at, last_error 'not sent: ...', its secret erased;
-- neither sent nor dead, so make retry-dead leaves it): a TICKET whose
-- booking is canceled (its CANCELED or FORCE_CANCELED message tells), a
-- sign-in link older than the link's 30 minutes (visitor.sql), a
-- WAITLIST_OFFER whose entry is no longer OFFERED or whose offer has run
-- out (accepted, left, expired), and a WAITLIST_EXPIRED whose offer was
-- never sent (nobody is told an offer they never had has ended).
-- For the waiting list's kinds, the entry as it is now fills the booking's
-- columns (no book_id, code, updated_at; status is the entry's;
-- cancel_reason EXHIBITION_DELETED or DAY_CLOSED for WAITLIST_CANCELED),
-- with entry_id and offer_expires_at.
CREATE OR REPLACE FUNCTION mail.claim(p_key text)
RETURNS TABLE (id bigint, kind text, to_addr text, lang text, secret text, attempts integer,
               book_id bigint, code text, exhibition text, cust_nm text, slot_start bigint,
               slot_end bigint, party integer, tickets text, status text, cancel_reason text,
               updated_at bigint, entry_id bigint, offer_expires_at bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m mail.message;
    why text;
    opened text;
BEGIN
    LOOP
        SELECT * INTO m FROM mail.message x
        WHERE x.sent_at IS NULL AND x.obsolete_at IS NULL AND NOT x.dead AND x.available_at <= now()
        ORDER BY x.available_at, x.id
        LIMIT 1
        FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            RETURN;
        END IF;
        why := CASE
            WHEN m.kind = 'ACCESS' AND m.created_at <= now() - interval '30 minutes'
                THEN 'not sent: the sign-in link expired (30 minutes) before it could be sent'
            WHEN m.kind = 'TICKET' AND EXISTS (
                     SELECT 1 FROM book.booking b
                     WHERE b.id = m.book_id AND b.status IN ('CANCELED', 'FORCE_CANCELED'))
                THEN 'not sent: the booking was canceled before its ticket could be sent'
            WHEN m.kind = 'WAITLIST_OFFER' AND NOT EXISTS (
                     SELECT 1 FROM waitlist.entry e
                     WHERE e.id = m.entry_id AND e.status = 'OFFERED' AND e.offer_expires_at > now())
                THEN 'not sent: the offer was accepted, left or expired before it could be sent'
            WHEN m.kind = 'WAITLIST_EXPIRED' AND NOT EXISTS (
                     SELECT 1 FROM mail.message o
                     WHERE o.entry_id = m.entry_id AND o.kind = 'WAITLIST_OFFER'
                       AND o.sent_at IS NOT NULL)
                THEN 'not sent: the offer it ends was never sent'
        END;
        EXIT WHEN why IS NULL;
        UPDATE mail.message x SET obsolete_at = now(), last_error = why, secret_sealed = NULL
        WHERE x.id = m.id;
    END LOOP;
    IF m.secret_sealed IS NOT NULL AND p_key IS NOT NULL THEN
        BEGIN
            opened := mail.unseal(m.secret_sealed, p_key);
        EXCEPTION WHEN OTHERS THEN
            opened := NULL; -- another key (TICKET_SEAL_KEY changed): no link
        END;
    END IF;
    IF m.entry_id IS NOT NULL THEN
        RETURN QUERY
        SELECT m.id, m.kind, m.to_addr, m.lang, opened, m.attempts, NULL::bigint, NULL::text, x.name,
               e.cust_nm, extract(epoch FROM e.slot_start)::bigint,
               extract(epoch FROM e.slot_end)::bigint, e.party, e.tickets::text, e.status,
               CASE WHEN m.kind = 'WAITLIST_CANCELED'
                    THEN CASE WHEN x.deleted_at IS NULL THEN 'DAY_CLOSED' ELSE 'EXHIBITION_DELETED' END
               END,
               NULL::bigint, e.id, floor(extract(epoch FROM e.offer_expires_at))::bigint
        FROM (SELECT 1) one
        LEFT JOIN waitlist.entry e ON e.id = m.entry_id
        LEFT JOIN museum.exhibition x ON x.id = e.museum_id;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT m.id, m.kind, m.to_addr, m.lang, opened, m.attempts, b.id, b.code, b.name, b.cust_nm,
           extract(epoch FROM b.slot_start)::bigint, extract(epoch FROM b.slot_end)::bigint,
           b.party, b.tickets::text, b.status::text, b.cancel_reason,
           extract(epoch FROM b.updated_at)::bigint, NULL::bigint, NULL::bigint
    FROM (SELECT 1) one LEFT JOIN book.booking b ON b.id = m.book_id;
END
$$;
REVOKE EXECUTE ON FUNCTION mail.claim(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail.claim(text) TO museum_listener;

-- Message p_id was delivered: sent now, its secret erased.
CREATE OR REPLACE FUNCTION mail.sent(p_id bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    UPDATE mail.message SET sent_at = now(), secret_sealed = NULL, attempts = attempts + 1
    WHERE id = p_id;
$$;
REVOKE EXECUTE ON FUNCTION mail.sent(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail.sent(bigint) TO museum_listener;

-- Message p_id could not be delivered (p_error, kept for the operator):
-- tried again after p_backoff_ms * 2^(tries - 1), with jitter (half to all
-- of it), at most 15 minutes; parked dead after p_max_attempts tries (make
-- retry-dead sends it again). Returns true if it is now dead.
CREATE OR REPLACE FUNCTION mail.failed(p_id bigint, p_error text, p_max_attempts integer,
                                       p_backoff_ms integer) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    UPDATE mail.message m
    SET attempts = m.attempts + 1,
        last_error = left(p_error, 500),
        dead = m.attempts + 1 >= p_max_attempts,
        available_at = now() + make_interval(secs => least(
            p_backoff_ms::double precision * power(2, least(m.attempts, 30)) * (0.5 + random() / 2),
            900000) / 1000)
    WHERE m.id = p_id
    RETURNING m.dead;
$$;
REVOKE EXECUTE ON FUNCTION mail.failed(bigint, text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail.failed(bigint, text, integer, integer) TO museum_listener;

-- Puts dead messages back in the queue (make retry-dead). Returns how many.
CREATE OR REPLACE FUNCTION mail.retry_dead() RETURNS integer
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    WITH r AS (
        UPDATE mail.message SET dead = false, attempts = 0, available_at = now()
        WHERE dead AND sent_at IS NULL AND obsolete_at IS NULL RETURNING 1
    )
    SELECT count(*)::integer FROM r;
$$;
REVOKE EXECUTE ON FUNCTION mail.retry_dead() FROM PUBLIC;

-- make status: the queue at a glance (not_sent_last_hour: the messages
-- marked obsolete instead of sent, mail.claim).
CREATE OR REPLACE FUNCTION mail.queue_status(OUT due bigint, OUT waiting bigint, OUT dead bigint,
                                             OUT sent_last_hour bigint, OUT oldest_due_seconds double precision,
                                             OUT not_sent_last_hour bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT count(*) FILTER (WHERE sent_at IS NULL AND obsolete_at IS NULL AND NOT dead AND available_at <= now()),
           count(*) FILTER (WHERE sent_at IS NULL AND obsolete_at IS NULL AND NOT dead AND available_at > now()),
           count(*) FILTER (WHERE dead AND sent_at IS NULL AND obsolete_at IS NULL),
           count(*) FILTER (WHERE sent_at > now() - interval '1 hour'),
           coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE sent_at IS NULL AND obsolete_at IS NULL AND NOT dead)), 0)::double precision,
           count(*) FILTER (WHERE obsolete_at > now() - interval '1 hour')
    FROM mail.message;
$$;
REVOKE EXECUTE ON FUNCTION mail.queue_status() FROM PUBLIC;
