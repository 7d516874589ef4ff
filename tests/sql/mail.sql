-- The email queue (db/functions/mail.sql): what the booking triggers
-- queue, and the listener's claim / sent / failed (backoff, dead).
BEGIN;
SELECT plan(34);
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

-- The listener's side, on a booking that stays live.
INSERT INTO ms SELECT 'L', id FROM pg_temp.one_day('Live hall', '2031-08-06', 10);
SELECT pg_temp.book('L', 'live', (SELECT start_at FROM museum.slot WHERE museum_id = pg_temp.m('L') LIMIT 1), 2);
UPDATE book.booking SET email = 'l@example.com', token_sealed = mail.seal('tok-3', 'k' || repeat('x', 40))
WHERE id = pg_temp.bid('live');
SELECT pg_temp.drain();
UPDATE mail.message SET available_at = '-infinity' WHERE book_id = pg_temp.bid('live');
CREATE TEMP TABLE c1 AS SELECT * FROM mail.claim('k' || repeat('x', 40));
SELECT is((SELECT kind || ' ' || secret || ' ' || code || ' ' || party || ' ' || exhibition || ' ' || status FROM c1),
          'TICKET tok-3 ' || (SELECT code FROM book.booking WHERE id = pg_temp.bid('live')) || ' 2 Live hall REQUEST_COMPLETED',
          'claim: the oldest due, its secret opened, its booking');
SELECT is((SELECT updated_at FROM c1),
          (SELECT extract(epoch FROM updated_at)::bigint FROM book.booking WHERE id = pg_temp.bid('live')),
          'claim: the booking''s last change (the .ics''s DTSTAMP)');
SELECT is((SELECT secret FROM mail.claim('another key, not the one it was sealed with')), NULL,
          'a secret that cannot be opened: NULL, no error');
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
UPDATE book.booking SET token_sealed = mail.seal('tok-4', 'k' || repeat('x', 40)) WHERE id = pg_temp.bid('live');
UPDATE mail.message SET available_at = '-infinity' WHERE book_id = pg_temp.bid('live') AND sent_at IS NULL;
SELECT is((SELECT kind || ' ' || coalesce(secret, '-') FROM mail.claim(NULL)), 'TICKET -', 'no key: no secret');
SELECT is((SELECT count(*)::integer FROM mail.message WHERE secret_sealed IS NOT NULL
             AND book_id = pg_temp.bid('live')), 1, 'sealed only while unsent');
UPDATE mail.message SET sent_at = now(), secret_sealed = NULL WHERE book_id = pg_temp.bid('live');

-- Obsolete: the tickets of the canceled bookings and a sign-in link older
-- than its 30 minutes are marked, not sent; the cancels still go.
UPDATE mail.message SET available_at = '-infinity' WHERE book_id IN (pg_temp.bid('mailer'), pg_temp.bid('silent'));
INSERT INTO mail.message (kind, to_addr, lang, secret_sealed, created_at, available_at)
VALUES ('ACCESS', 'old@example.com', 'en', mail.seal('tok-old', 'k'), now() - interval '31 minutes', '-infinity'),
       ('ACCESS', 'new@example.com', 'en', mail.seal('tok-new', 'k'), now() - interval '29 minutes', '-infinity');
CREATE TEMP TABLE c2 AS SELECT * FROM mail.claim(NULL);
SELECT is((SELECT kind || ' ' || status FROM c2), 'CANCELED CANCELED',
          'the tickets of canceled bookings are passed over: their cancel is claimed');
SELECT is((SELECT string_agg(kind || ' ' || (sent_at IS NULL) || ' ' || dead || ' ' || (secret_sealed IS NULL) || ' ' || last_error, '; ' ORDER BY id)
           FROM mail.message WHERE book_id IN (pg_temp.bid('mailer'), pg_temp.bid('silent')) AND obsolete_at IS NOT NULL),
          'TICKET true false true not sent: the booking was canceled before its ticket could be sent; '
          'TICKET true false true not sent: the booking was canceled before its ticket could be sent; '
          'TICKET true false true not sent: the booking was canceled before its ticket could be sent; '
          'TICKET true false true not sent: the booking was canceled before its ticket could be sent',
          'marked obsolete: not sent, not dead, the secret erased, the reason kept');
SELECT mail.sent(id) FROM c2;
SELECT mail.sent(id) FROM mail.claim(NULL); -- the force-cancel
SELECT is((SELECT to_addr || ' ' || coalesce(secret, '-') FROM mail.claim('k')), 'new@example.com tok-new',
          'a sign-in link of 29 minutes goes; the one of 31 is passed over');
SELECT is((SELECT last_error FROM mail.message WHERE to_addr = 'old@example.com'),
          'not sent: the sign-in link expired (30 minutes) before it could be sent', 'the old link: obsolete');
SELECT is(mail.retry_dead(), 0, 'retry_dead does not send obsolete messages');
SELECT ok((SELECT not_sent_last_hour >= 5 AND dead = (SELECT count(*) FROM mail.message WHERE dead AND sent_at IS NULL)
           FROM mail.queue_status()), 'queue_status: obsolete ones counted as not sent, not as dead');

-- Pruned with the done events: sent or obsolete a retention ago; never an
-- unsent one, however old.
INSERT INTO mail.message (kind, to_addr, lang, created_at, sent_at)
VALUES ('ACCESS', 'pruned@example.com', 'en', now() - interval '9 days', now() - interval '8 days');
INSERT INTO mail.message (kind, to_addr, lang, created_at, available_at)
VALUES ('ACCESS', 'kept@example.com', 'en', now() - interval '9 days', 'infinity');
SELECT ok(outbox.prune('7 days', 10000) >= 1, 'prune deletes emails sent more than the retention ago');
SELECT is((SELECT string_agg(to_addr, ',' ORDER BY to_addr) FROM mail.message
           WHERE to_addr IN ('pruned@example.com', 'kept@example.com')), 'kept@example.com',
          'an unsent one stays, however old');

ROLLBACK;
