-- Tickets, the visitor's part (issue 14): the code, email and language of a
-- booking, what a token opens (book.opens), email me my ticket
-- (book.change), sign-in links (visitor.request_access) and the bookings
-- they list (visitor.bookings), called as the app calls them.
BEGIN;
SELECT plan(45);
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ)

CREATE TEMP TABLE k AS SELECT repeat('sealkey-', 5) AS key;
CREATE TEMP TABLE m AS
SELECT * FROM museum.create('Ticket hall', '2031-01-01', '2031-01-03', '09:00', '18:00', 60, 5, '{}', '{}', NULL);
-- Kim books twice with an email (written differently), once without; Lee
-- once with another email.
CREATE TEMP TABLE b1 AS SELECT * FROM book.create((SELECT id FROM m), 'Kim', repeat('a1', 32), NULL, NULL,
    '2031-01-01 09:00', NULL, 1, 'Kim@Tickets-SQL.test', 'ko', (SELECT key FROM k));
CREATE TEMP TABLE b2 AS SELECT * FROM book.create((SELECT id FROM m), 'Kim', repeat('a2', 32), NULL, NULL,
    '2031-01-02 09:00', NULL, 1, 'kim@tickets-sql.TEST', 'en', (SELECT key FROM k));
CREATE TEMP TABLE b3 AS SELECT * FROM book.create((SELECT id FROM m), 'Kim', repeat('a3', 32), NULL, NULL,
    '2031-01-03 09:00', NULL, 1, NULL, 'en', (SELECT key FROM k));
CREATE TEMP TABLE o AS SELECT * FROM book.create((SELECT id FROM m), 'Lee', repeat('b1', 32), NULL, NULL,
    '2031-01-02 10:00', NULL, 1, 'lee@tickets-sql.test', 'en', (SELECT key FROM k));

-- The answer.
SELECT matches((SELECT code FROM b1), '^[0-9A-HJKMNP-TV-Z]{10}$', 'a booking has a ticket code (Crockford base32)');
SELECT isnt((SELECT code FROM b1), (SELECT code FROM b2), 'each its own');
-- The column's default itself, 20,000 times: every code well-formed, and
-- each of the 32 characters at each of the 10 places about 625 times (a
-- character never or twice as often as the others would be out of bounds
-- by far: the standard deviation is 24).
CREATE FUNCTION pg_temp.codes(expr text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE 'SELECT ' || expr || ' FROM generate_series(1, 20000)'; END $$;
CREATE TEMP TABLE made AS
SELECT pg_temp.codes(pg_get_expr(d.adbin, d.adrelid)) AS code
FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
WHERE d.adrelid = 'book.booking'::regclass AND a.attname = 'code';
SELECT is((SELECT count(*) FROM made WHERE code ~ '^[0-9A-HJKMNP-TV-Z]{10}$'), 20000::bigint,
          'the code default makes well-formed codes');
SELECT is((SELECT count(*) FROM (SELECT p, substr(code, p, 1) c, count(*) n FROM made, generate_series(1, 10) p
                                  GROUP BY 1, 2) t WHERE n BETWEEN 450 AND 800), 320::bigint,
          'every character at every place, uniformly');
SELECT is((SELECT email || ' ' || lang FROM b1), 'Kim@Tickets-SQL.test ko', 'the answer has the email as given and the language');
SELECT is((SELECT coalesce(email, '-') || ' ' || lang FROM b3), '- en', 'no email: null');
SELECT is((SELECT code FROM book.get((SELECT id FROM b1), false, repeat('a1', 32))), (SELECT code FROM b1),
          'GET answers the code to its token holder');
SELECT is((SELECT code FROM book.list((SELECT id FROM m), NULL, NULL, NULL, NULL, 10) WHERE id = (SELECT id FROM b1)),
          (SELECT code FROM b1), 'and to staff');
-- The booking token sealed for the ticket email, only with an email.
SELECT is(mail.unseal((SELECT token_sealed FROM book.booking WHERE id = (SELECT id FROM b1)), (SELECT key FROM k)),
          repeat('a1', 32), 'with an email, the token is kept sealed with the server key');
SELECT isnt((SELECT token_sealed FROM book.booking WHERE id = (SELECT id FROM b1)),
            convert_to(repeat('a1', 32), 'UTF8'), 'not in the clear');
SELECT is((SELECT token_sealed FROM book.booking WHERE id = (SELECT id FROM b3)), NULL, 'without one, nothing is kept');
SELECT is((SELECT lang FROM book.create((SELECT id FROM m), 'Old', repeat('c1', 32), NULL, NULL,
                                        '2031-01-01 10:00', NULL, 1)), 'en',
          'the earlier clients'' call still books (no email, English)');

-- book.opens: a booking token opens its own booking only.
SELECT ok(book.opens(repeat('a1', 32), (SELECT id FROM b1)), 'a booking token opens its booking');
SELECT ok(NOT book.opens(repeat('a1', 32), (SELECT id FROM b2)), 'not the same visitor''s other booking');
SELECT ok(NOT book.opens(repeat('a1', 32), (SELECT id FROM o)), 'nor another visitor''s');
SELECT ok(NOT book.opens(NULL, (SELECT id FROM b1)), 'no token opens nothing');
SELECT throws_ok(format('SELECT * FROM mypage.list(%L, NULL, NULL, 10, false, %L)', 'Kim', repeat('a1', 32)), 'SK401',
                 NULL, 'a token lists no MyPage, not even its own visitor''s (staff only)');

-- Email me my ticket.
SELECT is((SELECT email FROM book.change((SELECT id FROM b3), NULL, NULL, NULL, NULL, false, repeat('a3', 32), NULL,
                                         NULL, 'kim@tickets-sql.test', (SELECT key FROM k))),
          'kim@tickets-sql.test', 'the token holder adds an email');
SELECT is(mail.unseal((SELECT token_sealed FROM book.booking WHERE id = (SELECT id FROM b3)), (SELECT key FROM k)),
          repeat('a3', 32), 'and its token is sealed for the ticket''s link');
SELECT is((SELECT status || ' ' || slot_start || ' ' || party FROM book.booking WHERE id = (SELECT id FROM b3)),
          'REQUESTED 2031-01-03 09:00:00+09 1', 'nothing else changed');
SELECT is((SELECT count(*)::integer FROM outbox.event WHERE book_id = (SELECT id FROM b3) AND kind = 'MOVED'), 0,
          'and no move was recorded');
UPDATE book.booking SET token_sealed = NULL WHERE id = (SELECT id FROM o);
SELECT is((SELECT email FROM book.change((SELECT id FROM o), NULL, NULL, NULL, NULL, true, NULL, NULL, NULL,
                                         'lee@tickets-sql.net', (SELECT key FROM k))),
          'lee@tickets-sql.net', 'staff change the email');
SELECT is((SELECT token_sealed FROM book.booking WHERE id = (SELECT id FROM o)), NULL, 'but seal no token');
SELECT throws_ok(format('SELECT * FROM book.change(%s, NULL, NULL, NULL, NULL, false, %L, NULL, NULL, %L, %L)',
                        (SELECT id FROM o), repeat('a1', 32), 'x@tickets-sql.test', (SELECT key FROM k)),
                 'SK404', NULL, 'another booking''s token cannot');
SELECT throws_ok(format('SELECT * FROM book.change(%s, %L, NULL, NULL, NULL, false, %L, NULL, NULL, %L, %L)',
                        (SELECT id FROM b1), 'CANCELED', repeat('a1', 32), 'x@tickets-sql.test', (SELECT key FROM k)),
                 'SK422', NULL, 'not with a status');
-- At most 5 ticket emails per booking and hour.
INSERT INTO mail.message (kind, book_id, to_addr, lang)
SELECT 'TICKET', (SELECT id FROM b1), 'kim@tickets-sql.test', 'en' FROM generate_series(1, 5);
SELECT throws_ok(format('SELECT * FROM book.change(%s, NULL, NULL, NULL, NULL, false, %L, NULL, NULL, %L, %L)',
                        (SELECT id FROM b1), repeat('a1', 32), 'kim@tickets-sql.test', (SELECT key FROM k)),
                 'SK429', NULL, 'a sixth ticket email within the hour: 429');
UPDATE mail.message SET created_at = now() - interval '61 minutes' WHERE book_id = (SELECT id FROM b1);
SELECT is((SELECT email FROM book.change((SELECT id FROM b1), NULL, NULL, NULL, NULL, false, repeat('a1', 32), NULL,
                                         NULL, 'kim@tickets-sql.test', (SELECT key FROM k))),
          'kim@tickets-sql.test', 'an hour later, again');
-- A canceled booking's email stays.
SELECT is((SELECT status FROM book.change((SELECT id FROM b2), 'CANCELED', NULL, NULL, NULL, false, repeat('a2', 32),
                                          NULL, NULL)), 'CANCELED', 'Kim cancels the second booking');
SELECT throws_ok(format('SELECT * FROM book.change(%s, NULL, NULL, NULL, NULL, false, %L, NULL, NULL, %L, %L)',
                        (SELECT id FROM b2), repeat('a2', 32), 'new@tickets-sql.test', (SELECT key FROM k)),
                 'SK409', NULL, 'a canceled booking''s email cannot change');

-- Sign-in links.
SELECT is((SELECT status FROM visitor.request_access('KIM@tickets-sql.test', repeat('d1', 32), 'ko', (SELECT key FROM k))),
          'sent', 'a sign-in link for Kim''s email');
SELECT is((SELECT email || ' ' || (expires_at - created_at) FROM visitor.access
           WHERE token_hash = book.token_hash(repeat('d1', 32))), 'kim@tickets-sql.test 00:30:00',
          'stored as a hash, lower-cased, for 30 minutes');
SELECT is((SELECT to_addr || ' ' || lang || ' ' || mail.unseal(secret_sealed, (SELECT key FROM k))
           FROM mail.message WHERE kind = 'ACCESS' AND to_addr = 'KIM@tickets-sql.test'),
          'KIM@tickets-sql.test ko ' || repeat('d1', 32), 'its ACCESS message carries the token sealed');
SELECT is((SELECT status FROM visitor.request_access('nobody@tickets-sql.test', repeat('d2', 32), 'en', (SELECT key FROM k))),
          'sent', 'an email without bookings: the same answer');
SELECT is((SELECT count(*)::integer FROM mail.message WHERE kind = 'ACCESS' AND to_addr = 'nobody@tickets-sql.test'), 1,
          'and the same work: a link is sent');
SELECT is((SELECT count(*)::integer FROM generate_series(1, 4) i,
                  visitor.request_access('nobody@tickets-sql.test', repeat('e' || i, 32), 'en', (SELECT key FROM k))),
          4, 'four more for that address');
SELECT throws_ok(format('SELECT * FROM visitor.request_access(%L, %L, %L, %L)', 'Nobody@Tickets-SQL.test', repeat('f1', 32),
                        'en', (SELECT key FROM k)), 'SK429', NULL, 'a sixth link for an address within the hour: 429');

-- The bookings a link lists and opens.
SELECT is((SELECT array_agg(id ORDER BY ordinality) FROM visitor.bookings(repeat('d1', 32), 200) WITH ORDINALITY),
          ARRAY[(SELECT id FROM b3), (SELECT id FROM b2), (SELECT id FROM b1)],
          'GET /myBookings: the email''s bookings (any case), newest visit first');
SELECT is((SELECT count(*)::integer FROM visitor.bookings(repeat('d1', 32), 2)), 2, 'at most the limit');
SELECT is_empty(format('SELECT * FROM visitor.bookings(%L, 200)', repeat('d2', 32)), 'an email without bookings: none');
SELECT ok(book.opens(repeat('d1', 32), (SELECT id FROM b1)) AND book.opens(repeat('d1', 32), (SELECT id FROM b3)),
          'the link opens those bookings');
SELECT ok(NOT book.opens(repeat('d1', 32), (SELECT id FROM o)), 'not another email''s');
SELECT is((SELECT code FROM book.ticket((SELECT id FROM b1), false, repeat('d1', 32))), (SELECT code FROM b1),
          'book.ticket (qr.svg, visit.ics) for the link');
SELECT is((SELECT status FROM book.change((SELECT id FROM b1), 'CANCELED', NULL, NULL, NULL, false, repeat('d1', 32),
                                          NULL, NULL)), 'CANCELED', 'a link cancels a booking from another device');
UPDATE visitor.access SET expires_at = now() - interval '1 second' WHERE token_hash = book.token_hash(repeat('d1', 32));
SELECT throws_ok(format('SELECT * FROM visitor.bookings(%L, 200)', repeat('d1', 32)), 'SK401', NULL,
                 'an expired link lists nothing: 401');
SELECT is_empty(format('SELECT * FROM book.get(%s, false, %L)', (SELECT id FROM b3), repeat('d1', 32)),
                'and opens nothing');

SELECT * FROM finish();
ROLLBACK;
