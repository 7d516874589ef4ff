-- The waiting list's emails (db/functions/mail.sql): what the trigger on
-- waitlist.entry queues, and what mail.claim returns or passes over. The
-- entries' statuses are set by hand here (waitlist.sql's rules have their
-- own tests).
BEGIN;
SELECT plan(13);
SET LOCAL TimeZone = 'Asia/Seoul';

\ir lib.psql

INSERT INTO ms SELECT 'W', id FROM pg_temp.one_day('Wait hall', '2031-08-07', 10);
UPDATE mail.message SET available_at = now() + interval '1 day' WHERE sent_at IS NULL;
CREATE FUNCTION pg_temp.entry(p_who text, p_email text, p_lang text DEFAULT 'en') RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO waitlist.entry (museum_id, slot_id, slot_start, slot_end, cust_nm, email, lang, tickets, party,
                                token_hash, token_sealed)
    SELECT s.museum_id, s.id, s.start_at, s.end_at, p_who, p_email, p_lang, '{"adult": 2}', 2,
           crypto.digest(p_who, 'sha256'),
           CASE WHEN p_email IS NOT NULL THEN mail.seal('tok-' || p_who, 'k' || repeat('x', 40)) END
    FROM museum.slot s WHERE s.museum_id = pg_temp.m('W') ORDER BY s.start_at LIMIT 1
    RETURNING id
$$;
CREATE FUNCTION pg_temp.offer(p_id bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE waitlist.entry SET status = 'OFFERED', held = party, offered_at = now(),
                              offer_expires_at = now() + interval '10 minutes' WHERE id = p_id
$$;
CREATE FUNCTION pg_temp.msgs(p_entry bigint) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(kind || CASE WHEN secret_sealed IS NULL THEN '' ELSE '+secret' END, ' ' ORDER BY id), '')
    FROM mail.message WHERE entry_id = p_entry
$$;
CREATE TEMP TABLE e (k text PRIMARY KEY, id bigint);
INSERT INTO e VALUES ('a', pg_temp.entry('wl-a', 'a@example.com', 'ko')), ('b', pg_temp.entry('wl-b', NULL)),
                     ('c', pg_temp.entry('wl-c', 'c@example.com')), ('d', pg_temp.entry('wl-d', 'd@example.com'));
CREATE FUNCTION pg_temp.e(p_k text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM e WHERE k = p_k $$;

SELECT is(pg_temp.msgs(pg_temp.e('a')), '', 'waiting: nothing');
SELECT pg_temp.offer(pg_temp.e('a'));
SELECT pg_temp.offer(pg_temp.e('b'));
SELECT is(pg_temp.msgs(pg_temp.e('a')), 'WAITLIST_OFFER+secret', 'offered: one offer, with the sealed token');
SELECT ok((SELECT token_sealed IS NULL FROM waitlist.entry WHERE id = pg_temp.e('a')), 'the entry keeps no sealed token');
SELECT is(pg_temp.msgs(pg_temp.e('b')), '', 'no email: nothing');
SELECT is((SELECT to_addr || ' ' || lang || ' ' || (book_id IS NULL)::text FROM mail.message WHERE entry_id = pg_temp.e('a')),
          'a@example.com ko true', 'to the entry''s email, in its language, no booking');

UPDATE mail.message SET available_at = '-infinity' WHERE entry_id = pg_temp.e('a');
CREATE TEMP TABLE c1 AS SELECT * FROM mail.claim('k' || repeat('x', 40));
SELECT is((SELECT kind || ' ' || secret || ' ' || exhibition || ' ' || cust_nm || ' ' || party || ' ' || status
                  || ' ' || (entry_id = pg_temp.e('a'))::text || ' ' || (code IS NULL)::text FROM c1),
          'WAITLIST_OFFER tok-wl-a Wait hall wl-a 2 OFFERED true true', 'claim: the offer, its token opened, the entry''s details');
SELECT is((SELECT to_timestamp(offer_expires_at) FROM c1), -- (never later than it)
          (SELECT date_trunc('second', offer_expires_at) FROM waitlist.entry WHERE id = pg_temp.e('a')),
          'claim: when the offer runs out');
SELECT mail.sent(id) FROM c1;

-- Expired, left, accepted: an offer not sent yet is passed over, and so is
-- the expiry of an offer never sent.
SELECT pg_temp.offer(pg_temp.e('c'));
UPDATE waitlist.entry SET status = 'EXPIRED', held = 0, ended_at = now() WHERE id = pg_temp.e('c');
SELECT is(pg_temp.msgs(pg_temp.e('c')), 'WAITLIST_OFFER+secret WAITLIST_EXPIRED', 'expired: one more message');
UPDATE mail.message SET available_at = '-infinity' WHERE entry_id = pg_temp.e('c');
CREATE TEMP TABLE c2 AS SELECT * FROM mail.claim(NULL);
SELECT is((SELECT count(*)::integer FROM c2 WHERE entry_id = pg_temp.e('c')), 0, 'neither the offer nor its expiry claimed');
SELECT is((SELECT string_agg(kind || ': ' || last_error, '; ' ORDER BY id) FROM mail.message
           WHERE entry_id = pg_temp.e('c') AND obsolete_at IS NOT NULL AND secret_sealed IS NULL),
          'WAITLIST_OFFER: not sent: the offer was accepted, left or expired before it could be sent; '
          'WAITLIST_EXPIRED: not sent: the offer it ends was never sent', 'both marked obsolete, the secret erased');
-- The expiry of an offer that was sent (a's, above) is sent.
UPDATE waitlist.entry SET status = 'EXPIRED', held = 0, ended_at = now() WHERE id = pg_temp.e('a');
UPDATE mail.message SET available_at = '-infinity' WHERE entry_id = pg_temp.e('a') AND sent_at IS NULL;
CREATE TEMP TABLE c3 AS SELECT * FROM mail.claim(NULL);
SELECT is((SELECT kind || ' ' || status FROM c3 WHERE entry_id = pg_temp.e('a')), 'WAITLIST_EXPIRED EXPIRED',
          'the expiry of an offer sent: claimed');
SELECT mail.sent(id) FROM c3;

-- Left: no email (the visitor did it); canceled by the museum: the reason.
UPDATE waitlist.entry SET status = 'LEFT', ended_at = now() WHERE id = pg_temp.e('d');
SELECT is(pg_temp.msgs(pg_temp.e('d')) || '/' || (SELECT (token_sealed IS NULL)::text FROM waitlist.entry WHERE id = pg_temp.e('d')),
          '/true', 'left: nothing, and no sealed token kept');
UPDATE waitlist.entry SET status = 'CANCELED', ended_at = now() WHERE id = pg_temp.e('c'); -- (as if)
UPDATE museum.exhibition SET deleted_at = now() WHERE id = pg_temp.m('W');
UPDATE mail.message SET available_at = '-infinity' WHERE entry_id = pg_temp.e('c') AND kind = 'WAITLIST_CANCELED';
SELECT is((SELECT kind || ' ' || cancel_reason FROM mail.claim(NULL) WHERE kind = 'WAITLIST_CANCELED'),
          'WAITLIST_CANCELED EXHIBITION_DELETED', 'canceled: the reason');
ROLLBACK;
