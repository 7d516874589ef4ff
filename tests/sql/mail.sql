-- The email queue (db/functions/mail.sql): what the booking triggers
-- queue, and the listener's claim / sent / failed (backoff, dead).
BEGIN;
SELECT plan(25);
SET LOCAL TimeZone = 'Asia/Seoul';

\ir lib.psql

INSERT INTO ms SELECT 'M', id FROM pg_temp.one_day('Mail hall', '2031-08-05', 10);
-- Whatever else is due waits: this test claims its own messages.
UPDATE mail.message SET available_at = now() + interval '1 day' WHERE sent_at IS NULL;
CREATE FUNCTION pg_temp.msgs(p_book bigint) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(kind || CASE WHEN secret_sealed IS NULL THEN '' ELSE '+secret' END, ' ' ORDER BY id), '')
    FROM mail.message WHERE book_id = p_book
$$;
CREATE FUNCTION pg_temp.slot() RETURNS timestamptz LANGUAGE sql AS $$
    SELECT start_at FROM museum.slot WHERE museum_id = pg_temp.m('M') LIMIT 1
$$;

-- A booking with an email and its sealed token, another without.
SELECT pg_temp.book('M', 'mailer', pg_temp.slot(), 2);
SELECT pg_temp.book('M', 'silent', pg_temp.slot(), 1);
UPDATE book.booking SET email = 'm@example.com', lang = 'ko', token_sealed = mail.seal('tok-1', 'k' || repeat('x', 40))
WHERE id = pg_temp.bid('mailer');
SELECT is(pg_temp.msgs(pg_temp.bid('mailer')), '', 'nothing before the booking is completed');
SELECT ok(pg_temp.drain() >= 2, 'the listener completes them');
SELECT is(pg_temp.msgs(pg_temp.bid('mailer')), 'TICKET+secret', 'completed: one ticket, with the sealed token');
SELECT is((SELECT to_addr || ' ' || lang FROM mail.message WHERE book_id = pg_temp.bid('mailer')), 'm@example.com ko',
          'to the booking''s email, in its language');
SELECT ok((SELECT token_sealed IS NULL FROM book.booking WHERE id = pg_temp.bid('mailer')), 'the booking keeps no sealed token');
SELECT is(pg_temp.msgs(pg_temp.bid('silent')), '', 'no email: nothing');

UPDATE book.booking SET email = 'other@example.com' WHERE id = pg_temp.bid('mailer');
SELECT is(pg_temp.msgs(pg_temp.bid('mailer')), 'TICKET+secret TICKET', 'a new email: the ticket again, without a link');
UPDATE book.booking SET token_sealed = mail.seal('tok-2', 'k' || repeat('x', 40)) WHERE id = pg_temp.bid('mailer');
SELECT is(pg_temp.msgs(pg_temp.bid('mailer')), 'TICKET+secret TICKET TICKET+secret', '"email me my ticket": with the link');
UPDATE book.booking SET updated_at = now() WHERE id = pg_temp.bid('mailer');
SELECT is(pg_temp.msgs(pg_temp.bid('mailer')), 'TICKET+secret TICKET TICKET+secret', 'another change: nothing');
UPDATE book.booking SET email = 's@example.com' WHERE id = pg_temp.bid('silent');
SELECT is(pg_temp.msgs(pg_temp.bid('silent')), 'TICKET', 'an email added later: the ticket');

SELECT book.change(pg_temp.bid('mailer'), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL);
SELECT is(pg_temp.msgs(pg_temp.bid('mailer')), 'TICKET+secret TICKET TICKET+secret CANCELED', 'canceled: one message');
SELECT museum.delete(pg_temp.m('M'));
SELECT pg_temp.drain();
SELECT is(pg_temp.msgs(pg_temp.bid('silent')), 'TICKET FORCE_CANCELED', 'force-canceled: one message');
SELECT is(pg_temp.msgs(pg_temp.bid('mailer')), 'TICKET+secret TICKET TICKET+secret CANCELED', 'already canceled: no more');

-- The listener's side.
UPDATE mail.message SET available_at = '-infinity' WHERE book_id IN (pg_temp.bid('mailer'), pg_temp.bid('silent'));
CREATE TEMP TABLE c1 AS SELECT * FROM mail.claim('k' || repeat('x', 40));
SELECT is((SELECT kind || ' ' || secret || ' ' || code || ' ' || party || ' ' || exhibition FROM c1),
          'TICKET tok-1 ' || (SELECT code FROM book.booking WHERE id = pg_temp.bid('mailer')) || ' 2 Mail hall',
          'claim: the oldest due, its secret opened, its booking');
SELECT is((SELECT secret FROM mail.claim('another key, not the one it was sealed with')
           WHERE id = (SELECT min(id) + 2 FROM c1)), NULL, 'a secret that cannot be opened: NULL, no error');
SELECT ok(mail.failed((SELECT id FROM c1), 'smtp: 451', 3, 1000) = false, 'failed: not dead yet');
SELECT ok((SELECT attempts = 1 AND available_at > now() + interval '400 ms' AND available_at <= now() + interval '1 s'
                  AND last_error = 'smtp: 451' FROM mail.message WHERE id = (SELECT id FROM c1)),
          'retried after the backoff (with jitter), the error kept');
SELECT ok(mail.failed((SELECT id FROM c1), 'again', 3, 1000) = false, 'failed again: not dead yet');
SELECT ok((SELECT available_at >= now() + interval '1 s' FROM mail.message WHERE id = (SELECT id FROM c1)),
          'the backoff doubles');
SELECT ok(mail.failed((SELECT id FROM c1), 'and again', 3, 1000), 'the last try: dead');
SELECT is(mail.retry_dead(), 1, 'retry_dead queues it again');
SELECT mail.sent((SELECT id FROM c1));
SELECT ok((SELECT sent_at IS NOT NULL AND secret_sealed IS NULL FROM mail.message WHERE id = (SELECT id FROM c1)),
          'sent: the secret erased');
SELECT ok(NOT EXISTS (SELECT 1 FROM mail.claim(NULL) c JOIN c1 USING (id)), 'a sent message is not claimed again');
SELECT is((SELECT kind || ' ' || coalesce(secret, '-') FROM mail.claim(NULL)), 'TICKET -', 'no key: no secret');
SELECT is((SELECT count(*)::integer FROM mail.message WHERE secret_sealed IS NOT NULL
             AND book_id IN (pg_temp.bid('mailer'), pg_temp.bid('silent'))), 1, 'sealed only while unsent');

ROLLBACK;
