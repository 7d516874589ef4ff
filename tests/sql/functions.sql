-- The SQL API and the listener's effects, called directly, as the app
-- and the listener call them (staff, or a booking's token).
BEGIN;
SELECT plan(34);
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ)

\ir lib.psql

CREATE TEMP TABLE t AS SELECT * FROM pg_temp.one_day('Pg hall', '2031-07-26', 2);
SELECT is((SELECT capacity || '/' || pcnt FROM t), '2/2', 'museum.create: pcnt starts at capacity');
SELECT is((SELECT count(*)::int FROM museum.slot WHERE museum_id = (SELECT id FROM t)), 1,
          'museum.create without a slot length: one slot, the whole day');

-- Booking takes a seat synchronously and writes one BOOKED event.
CREATE TEMP TABLE b1 AS SELECT * FROM book.create((SELECT id FROM t), 'MSA', repeat('01', 32), NULL, NULL, NULL, NULL, 1);
SELECT is((SELECT status FROM b1), 'REQUESTED', 'book.create: REQUESTED');
SELECT is((SELECT name FROM b1), 'Pg hall', 'book.create: name copied from the exhibition');
SELECT is((SELECT tickets FROM b1), '{"adult": 1}'::jsonb, 'book.create without tickets: the party, as adults');
SELECT is(pg_temp.seats_left((SELECT id FROM t)), 1, 'seat taken at once');
SELECT is((SELECT count(*)::int FROM outbox.event WHERE book_id = (SELECT id FROM b1) AND kind = 'BOOKED'), 1,
          'one BOOKED event');
CREATE TEMP TABLE b2 AS SELECT * FROM book.create((SELECT id FROM t), 'Other', repeat('02', 32), NULL, NULL, NULL, NULL, 1);
SELECT throws_ok(format('SELECT * FROM book.create(%s, %L, %L, NULL, NULL, NULL, NULL, 1)', (SELECT id FROM t), 'late', repeat('03', 32)),
                 'SK409', 'the slot at 2031-07-26 09:00 is sold out', 'sold out: SK409');
SELECT throws_ok($$SELECT * FROM book.create(987654321, 'x', repeat('04', 32), NULL, NULL, NULL, NULL, 1)$$, 'SK404',
                 'exhibition 987654321 does not exist', 'unknown exhibition: SK404');
SELECT is(pg_temp.seats_left((SELECT id FROM t)), 0, 'a refused booking takes nothing');

-- The listener's work: BOOKED -> completion, confirmation, MyPage.
SELECT cmp_ok(outbox.process(100), '>=', 2, 'process applies the pending events');
SELECT is((SELECT status::text FROM book.booking WHERE id = (SELECT id FROM b1)), 'REQUEST_COMPLETED', 'completed');
SELECT is((SELECT status::text FROM confirm.confirmation WHERE book_id = (SELECT id FROM b1)), 'REQUEST_COMPLETED',
          'confirmation issued');
SELECT is((SELECT status || '/' || confirm_status FROM mypage.entry WHERE book_id = (SELECT id FROM b1)),
          'REQUEST_COMPLETED/REQUEST_COMPLETED', 'MyPage row');
SELECT is(outbox.process(100), 0, 'nothing left: an event is applied once');

-- Cancel: once, twice; one event, one seat back.
SELECT is((SELECT status FROM book.change((SELECT id FROM b1), 'CANCELED', NULL, NULL, NULL, false, repeat('01', 32), NULL, NULL)),
          'CANCELED', 'cancel (with the booking''s token)');
SELECT is((SELECT status FROM book.change((SELECT id FROM b1), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)), 'CANCELED',
          'cancel again (staff): unchanged');
SELECT is((SELECT count(*)::int FROM outbox.event WHERE book_id = (SELECT id FROM b1) AND kind = 'CANCELED'), 1,
          'one CANCELED event for two cancels');
SELECT throws_ok(format('SELECT * FROM book.change(%s, %L, NULL, NULL, NULL, true, NULL, NULL, NULL)', (SELECT id FROM b1), 'REQUESTED'),
                 'SK409', format('booking %s is CANCELED, it cannot become REQUESTED', (SELECT id FROM b1)),
                 'a canceled booking never comes back');
SELECT is(outbox.process(100), 1, 'the cancel is applied');
SELECT is(pg_temp.seats_left((SELECT id FROM t)), 1, 'exactly one seat back');
SELECT is((SELECT status::text FROM confirm.confirmation WHERE book_id = (SELECT id FROM b1)), 'CANCELED',
          'confirmation canceled');

-- Book then cancel before the listener runs: ends CANCELED everywhere.
CREATE TEMP TABLE b3 AS SELECT * FROM book.create((SELECT id FROM t), 'Quick', repeat('05', 32), NULL, NULL, NULL, NULL, 1);
SELECT lives_ok(format('SELECT book.change(%s, %L, NULL, NULL, NULL, true, NULL, NULL, NULL)', (SELECT id FROM b3), 'CANCELED'),
                'quick cancel');
SELECT is(outbox.process(100), 1, 'only the BOOKED event is ready: the CANCELED one waits for it');
SELECT is(outbox.process(100), 1, 'then the CANCELED event');
SELECT is((SELECT b.status || '/' || c.status || '/' || m.status || '/' || m.confirm_status
           FROM book.booking b JOIN confirm.confirmation c ON c.book_id = b.id
           JOIN mypage.entry m ON m.book_id = b.id WHERE b.id = (SELECT id FROM b3)),
          'CANCELED/CANCELED/CANCELED/CANCELED', 'book-then-cancel ends CANCELED everywhere');

-- Delete: live bookings force-canceled, canceled ones untouched.
SELECT lives_ok(format('SELECT museum.delete(%s)', (SELECT id FROM t)), 'delete');
SELECT is(outbox.process(100), 1, 'the deletion is applied');
SELECT is((SELECT array_agg(status::text ORDER BY id) FROM book.booking WHERE museum_id = (SELECT id FROM t)),
          ARRAY['CANCELED', 'FORCE_CANCELED', 'CANCELED'], 'force-cancel touches only live bookings');
SELECT is(pg_temp.seats_left((SELECT id FROM t)), 2,
          'force-cancel releases the seats of the bookings it cancels');

-- The public reads (010): live exhibitions only; no row (the worker's 404)
-- for a deleted or unknown one.
CREATE TEMP TABLE t2 AS SELECT * FROM pg_temp.one_day('Pg hall 2', '2031-07-27', 5);
SELECT is((SELECT name || '/' || pcnt FROM museum.get((SELECT id FROM t2))), 'Pg hall 2/5', 'museum.get: a live exhibition');
SELECT is_empty(format('SELECT * FROM museum.get(%s)', (SELECT id FROM t)), 'museum.get: no row for a deleted one');
SELECT is_empty('SELECT * FROM museum.get(987654321)', 'museum.get: no row for an unknown id');
SELECT is((SELECT array_agg(id) FROM museum.list((SELECT id FROM t) - 1, 1000)), ARRAY[(SELECT id FROM t2)],
          'museum.list: after an id, in id order, without the deleted one');

SELECT * FROM finish();
ROLLBACK;
