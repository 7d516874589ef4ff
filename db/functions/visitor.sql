-- visitor: a visitor's access by email from any device — sign-in links
-- (POST /visitors/access) and the bookings they open (GET /myBookings).
--
-- Re-applied by db/migrate.sh on every run (see db/README.md).

-- POST /visitors/access: a sign-in link for p_email (checked by the
-- caller), whether or not any booking was made with it (the same work
-- either way: the answer tells nothing). Stores the access token p_token
-- (made by the app) as a hash, for 30 minutes, and queues the ACCESS
-- message to p_email in language p_lang with the token sealed with the
-- server key p_seal_key (the listener puts it in the link's fragment).
-- SK429 after 5 links for the same email in the last hour.
CREATE OR REPLACE FUNCTION visitor.request_access(p_email text, p_token text, p_lang text,
                                                  p_seal_key text)
RETURNS TABLE (status text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    e text := lower(p_email);
BEGIN
    -- One request per email at a time: the count below stays true.
    PERFORM pg_advisory_xact_lock(hashtextextended('visitor.access ' || e, 0));
    IF (SELECT count(*) FROM visitor.access a
        WHERE a.email = e AND a.created_at > now() - interval '1 hour') >= 5 THEN
        RAISE EXCEPTION '5 sign-in links were already sent to this address in the last hour; '
                        'use one of them, or try again later'
            USING ERRCODE = 'SK429';
    END IF;
    INSERT INTO visitor.access (token_hash, email, expires_at)
    VALUES (book.token_hash(p_token), e, now() + interval '30 minutes');
    INSERT INTO mail.message (kind, book_id, to_addr, lang, secret_sealed)
    VALUES ('ACCESS', NULL, p_email, coalesce(p_lang, 'en'), mail.seal(p_token, p_seal_key));
    IF random() < 0.01 THEN
        DELETE FROM visitor.access a WHERE a.created_at < now() - interval '1 day';
    END IF;
    RETURN QUERY SELECT 'sent'::text;
END
$$;
GRANT EXECUTE ON FUNCTION visitor.request_access(text, text, text, text) TO museum_app;

-- GET /myBookings: the bookings made with the email of sign-in link
-- p_token (lower-cased match), newest visit first, at most p_limit. SK401
-- if p_token is no link's, or has expired.
CREATE OR REPLACE FUNCTION visitor.bookings(p_token text, p_limit integer)
RETURNS SETOF book.answer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    e text;
BEGIN
    SELECT a.email INTO e FROM visitor.access a
    WHERE a.token_hash = book.token_hash(p_token) AND a.expires_at > now();
    IF e IS NULL THEN
        RAISE EXCEPTION 'this sign-in link is not valid or has expired (a link lasts 30 minutes): '
                        'ask for a new one'
            USING ERRCODE = 'SK401';
    END IF;
    RETURN QUERY
    SELECT a.* FROM book.booking b JOIN book.answer a ON a.id = b.id
    WHERE lower(b.email) = e
    ORDER BY b.slot_start DESC, b.id DESC LIMIT p_limit;
END
$$;
GRANT EXECUTE ON FUNCTION visitor.bookings(text, integer) TO museum_app;
