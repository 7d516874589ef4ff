-- The event pipeline: failing events retried then parked, order kept,
-- pruning, heartbeats, MyPage check and rebuild, the isolated path's
-- effects, order around an exhibition deletion.
BEGIN;
SELECT plan(42);
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ)

\ir lib.psql

CREATE TEMP TABLE full_m AS SELECT * FROM pg_temp.one_day('Full', '2031-07-26', 1);
CREATE TEMP TABLE ok_m AS SELECT * FROM pg_temp.one_day('Fine', '2031-07-26', 5);
-- A poison event: a CANCELED event for a booking whose seat is already
-- back (its slot damaged by hand) breaks seats_left <= capacity, so its
-- effect fails every time.
CREATE TEMP TABLE poison AS
SELECT id FROM book.create((SELECT id FROM full_m), 'p', repeat('0f', 32), NULL, NULL, NULL, NULL, 1);
SELECT outbox.process(100);
SELECT book.change(id, 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL) FROM poison;
UPDATE museum.slot SET seats_left = capacity WHERE museum_id = (SELECT id FROM full_m);
SELECT book.create((SELECT id FROM ok_m), 'v', repeat('0a', 32), NULL, NULL, NULL, NULL, 1);

SELECT throws_ok('SELECT outbox.process(100)', '23514', NULL, 'fast mode: a failing event aborts the batch');
SELECT is(outbox.process(50, true, 2, 1), 2, 'isolate mode: both events claimed');
SELECT is((SELECT attempts || ' ' || dead::text || ' ' || (done_at IS NULL)::text FROM outbox.event WHERE book_id = (SELECT id FROM poison) AND kind = 'CANCELED'),
          '1 false true', 'the failing event is retried later');
SELECT alike((SELECT last_error FROM outbox.event WHERE book_id = (SELECT id FROM poison) AND kind = 'CANCELED'), '23514:%slot_seats_left_range%',
            'its last error is kept');
SELECT ok((SELECT available_at > now() FROM outbox.event WHERE book_id = (SELECT id FROM poison) AND kind = 'CANCELED'), 'with a backoff');
SELECT is((SELECT status::text FROM book.booking WHERE cust_nm = 'v'), 'REQUEST_COMPLETED',
          'the other booking''s event was applied');
UPDATE outbox.event SET available_at = now() WHERE book_id = (SELECT id FROM poison) AND kind = 'CANCELED';
SELECT is(outbox.process(50, true, 2, 1), 1, 'second try');
SELECT is((SELECT dead FROM outbox.event WHERE book_id = (SELECT id FROM poison) AND kind = 'CANCELED'), true, 'parked dead after max attempts');
SELECT is((SELECT count(*)::int FROM report.dead_events WHERE book_id = (SELECT id FROM poison) AND kind = 'CANCELED'), 1, 'visible in report.dead_events');
SELECT is(outbox.process(50), 0, 'a dead event is not claimed again');
SELECT is(outbox.retry_dead(), 1, 'retry_dead requeues it');
SELECT is((SELECT attempts || ' ' || dead::text FROM outbox.event WHERE book_id = (SELECT id FROM poison) AND kind = 'CANCELED'), '0 false', 'with attempts reset');
DELETE FROM outbox.event WHERE book_id = (SELECT id FROM poison) AND kind = 'CANCELED';

-- Pruning removes only done events past the retention.
UPDATE outbox.event SET done_at = now() - interval '8 days' WHERE museum_id = (SELECT id FROM ok_m);
SELECT is(outbox.prune('7 days', 10000), 1, 'prune deletes done events older than the retention');
SELECT is(outbox.prune('7 days', 10000), 0, 'and nothing else');

-- Heartbeats.
SELECT outbox.listener_beat('tap', 42, 7);
SELECT is((SELECT pid || ' ' || events FROM report.listeners WHERE name = 'tap'), '42 7', 'heartbeat recorded');

-- MyPage: a damaged row is found by diff() and fixed by rebuild().
UPDATE mypage.entry SET status = 'CANCELED' WHERE cust_nm = 'v';
SELECT is((SELECT problem FROM mypage.diff() d JOIN book.booking b ON b.id = d.book_id WHERE b.cust_nm = 'v'),
          'different', 'diff finds the damaged row');
SELECT lives_ok('SELECT mypage.rebuild()', 'rebuild');
SELECT is((SELECT count(*)::int FROM mypage.diff()), 0, 'after rebuild, no difference');
-- The isolated path (one event at a time) has the same effects as a batch.
CREATE TEMP TABLE iso_m AS SELECT * FROM pg_temp.one_day('Alone', '2031-07-26', 3);
CREATE TEMP TABLE iso_b AS
SELECT c.* FROM generate_series(1, 2) i,
       LATERAL book.create((SELECT id FROM iso_m), 'iso' || i, lpad(to_hex(1000 + i), 64, '0'), NULL, NULL, NULL, NULL, 1) c;
SELECT is(outbox.process(50, true, 3, 1), 2, 'isolated: the two BOOKED events');
SELECT is((SELECT string_agg(b.status || '/' || c.status || '/' || m.status || '/' || m.confirm_status, ' ' ORDER BY b.id)
           FROM book.booking b JOIN confirm.confirmation c ON c.book_id = b.id JOIN mypage.entry m ON m.book_id = b.id
           WHERE b.museum_id = (SELECT id FROM iso_m)),
          'REQUEST_COMPLETED/REQUEST_COMPLETED/REQUEST_COMPLETED/REQUEST_COMPLETED '
          'REQUEST_COMPLETED/REQUEST_COMPLETED/REQUEST_COMPLETED/REQUEST_COMPLETED',
          'isolated BOOKED: completed, confirmed, on MyPage');
SELECT book.change(min(id), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL) FROM iso_b;
SELECT is(outbox.process(50, true, 3, 1), 1, 'isolated: the CANCELED event');
SELECT is((SELECT pg_temp.seats_left(id) || ' ' || (SELECT status FROM confirm.confirmation WHERE book_id = (SELECT min(id) FROM iso_b))
           FROM museum.exhibition WHERE id = (SELECT id FROM iso_m)), '2 CANCELED',
          'isolated CANCELED: the seat back, the confirmation canceled');
SELECT museum.delete((SELECT id FROM iso_m));
SELECT is(outbox.process(50, true, 3, 1), 1, 'isolated: the MUSEUM_DELETED event');
SELECT is((SELECT b.status || '/' || c.status || '/' || m.status || ' ' || pg_temp.seats_left(e.id)
           FROM book.booking b JOIN confirm.confirmation c ON c.book_id = b.id JOIN mypage.entry m ON m.book_id = b.id
           JOIN museum.exhibition e ON e.id = b.museum_id WHERE b.id = (SELECT max(id) FROM iso_b)),
          'FORCE_CANCELED/FORCE_CANCELED/FORCE_CANCELED 3', 'isolated MUSEUM_DELETED: force-canceled, the seat back');

-- Order around a deletion: the exhibition's earlier events first, then the
-- deletion alone, then its later events.
CREATE TEMP TABLE del_m AS SELECT * FROM pg_temp.one_day('Going', '2031-07-26', 3);
CREATE TEMP TABLE del_b AS
SELECT c.* FROM generate_series(1, 2) i,
       LATERAL book.create((SELECT id FROM del_m), 'del' || i, lpad(to_hex(2000 + i), 64, '0'), NULL, NULL, NULL, NULL, 1) c;
SELECT is(outbox.process(50), 2, 'two bookings applied');
SELECT book.create((SELECT id FROM del_m), 'del3', lpad(to_hex(2003), 64, '0'), NULL, NULL, NULL, NULL, 1);
SELECT museum.delete((SELECT id FROM del_m));
SELECT book.change(min(id), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL) FROM del_b;
SELECT is(outbox.process(50), 1, 'a deletion waits for its exhibition''s earlier events');
SELECT is(outbox.process(50), 1, 'then it is applied alone');
SELECT is(outbox.process(50), 1, 'and the later events after it');
SELECT is((SELECT string_agg(status, ' ' ORDER BY id) FROM book.booking WHERE museum_id = (SELECT id FROM del_m)),
          'CANCELED FORCE_CANCELED FORCE_CANCELED', 'canceled before the deletion was applied: not force-canceled');
SELECT is(pg_temp.seats_left((SELECT id FROM del_m)), 3, 'every seat back, once');

-- A large deletion goes a chunk at a time (here 2 bookings a batch), with
-- other exhibitions' events applied between its chunks.
SET LOCAL museum.delete_chunk = 2;
CREATE TEMP TABLE big_m AS SELECT * FROM pg_temp.one_day('Big', '2031-07-26', 5);
CREATE TEMP TABLE big_b AS
SELECT c.* FROM generate_series(1, 5) i,
       LATERAL book.create((SELECT id FROM big_m), 'big' || i, lpad(to_hex(3000 + i), 64, '0'), NULL, NULL, NULL, NULL, 1) c;
SELECT book.change(min(id), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL) FROM big_b;
SELECT is(outbox.process(50), 5, 'five bookings applied');
SELECT is(outbox.process(50), 1, 'and the cancel');
SELECT museum.delete((SELECT id FROM big_m));
CREATE TEMP TABLE other_m AS SELECT * FROM pg_temp.one_day('Other', '2031-07-26', 1);
SELECT book.create((SELECT id FROM other_m), 'other', lpad(to_hex(3100), 64, '0'), NULL, NULL, NULL, NULL, 1);
SELECT is(outbox.process(50), 2, 'the deletion''s first chunk and another exhibition''s booking in one batch');
SELECT is((SELECT status::text FROM book.booking WHERE cust_nm = 'other'), 'REQUEST_COMPLETED',
          'the other exhibition''s booking is not held up');
SELECT is((SELECT (done_at IS NULL) || ' ' || (progress = (SELECT id FROM big_b ORDER BY id OFFSET 1 LIMIT 1))
                  || ' ' || (progress_at IS NOT NULL)
           FROM outbox.event WHERE kind = 'MUSEUM_DELETED' AND museum_id = (SELECT id FROM big_m)),
          'true true true', 'the deletion stays pending, with how far it got');
SELECT is((SELECT count(*)::int FROM book.booking WHERE museum_id = (SELECT id FROM big_m) AND status = 'FORCE_CANCELED'),
          1, 'the first chunk: two bookings looked at, the live one force-canceled');
UPDATE outbox.event SET created_at = now() - interval '1 hour'
WHERE kind = 'MUSEUM_DELETED' AND museum_id = (SELECT id FROM big_m);
SELECT cmp_ok(outbox.lag_seconds(), '<', 60::double precision,
              'the lag: a deletion going on has waited since its last chunk');
SAVEPOINT stale;
UPDATE outbox.event SET created_at = now() - interval '10 minutes', done_at = NULL
WHERE id = (SELECT max(id) FROM outbox.event WHERE book_id = (SELECT max(id) FROM book.booking WHERE cust_nm = 'other'));
SELECT cmp_ok(outbox.lag_seconds(), '>=', 600::double precision, 'but any other work waiting counts in full');
ROLLBACK TO SAVEPOINT stale;
SELECT is(outbox.process(50), 1, 'second chunk');
SELECT is(outbox.process(50), 1, 'last chunk');
SELECT is((SELECT string_agg(status, ' ' ORDER BY id) || ' ' || pg_temp.seats_left((SELECT id FROM big_m))
           FROM book.booking WHERE museum_id = (SELECT id FROM big_m)),
          'CANCELED FORCE_CANCELED FORCE_CANCELED FORCE_CANCELED FORCE_CANCELED 5',
          'every live booking force-canceled once, every seat back once');
SELECT is((SELECT (done_at IS NOT NULL) || ' ' || attempts || ' ' || outbox.process(50) || ' ' ||
                  (SELECT count(*) FROM mypage.diff())
           FROM outbox.event WHERE kind = 'MUSEUM_DELETED' AND museum_id = (SELECT id FROM big_m)),
          'true 1 0 0', 'then the deletion is done, once; nothing is left; MyPage agrees');

SELECT * FROM finish();
ROLLBACK;
