-- The event pipeline: failing events retried then parked, order kept,
-- pruning, heartbeats, MyPage check and rebuild.
BEGIN;
SELECT plan(18);

CREATE TEMP TABLE full_m AS SELECT * FROM museum.create('Full', '2021-07-26', 1);
CREATE TEMP TABLE ok_m AS SELECT * FROM museum.create('Fine', '2021-07-26', 5);
-- A poison event: releasing a seat of an exhibition with no booking breaks
-- pcnt <= capacity, so its effect fails every time.
INSERT INTO outbox.event (kind, museum_id, book_id) VALUES ('CANCELED', (SELECT id FROM full_m), 0);
SELECT book.create((SELECT id FROM ok_m), 'v');

SELECT throws_ok('SELECT outbox.process(100)', '23514', NULL, 'fast mode: a failing event aborts the batch');
SELECT is(outbox.process(50, true, 2, 1), 2, 'isolate mode: both events claimed');
SELECT is((SELECT attempts || ' ' || dead::text || ' ' || (done_at IS NULL)::text FROM outbox.event WHERE book_id = 0),
          '1 false true', 'the failing event is retried later');
SELECT alike((SELECT last_error FROM outbox.event WHERE book_id = 0), '23514:%exhibition_pcnt_range%',
            'its last error is kept');
SELECT ok((SELECT available_at > now() FROM outbox.event WHERE book_id = 0), 'with a backoff');
SELECT is((SELECT status::text FROM book.booking WHERE cust_nm = 'v'), 'REQUEST_COMPLETED',
          'the other booking''s event was applied');
UPDATE outbox.event SET available_at = now() WHERE book_id = 0;
SELECT is(outbox.process(50, true, 2, 1), 1, 'second try');
SELECT is((SELECT dead FROM outbox.event WHERE book_id = 0), true, 'parked dead after max attempts');
SELECT is((SELECT count(*)::int FROM report.dead_events WHERE book_id = 0), 1, 'visible in report.dead_events');
SELECT is(outbox.process(50), 0, 'a dead event is not claimed again');
SELECT is(outbox.retry_dead(), 1, 'retry_dead requeues it');
SELECT is((SELECT attempts || ' ' || dead::text FROM outbox.event WHERE book_id = 0), '0 false', 'with attempts reset');
DELETE FROM outbox.event WHERE book_id = 0;

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
SELECT * FROM finish();
ROLLBACK;
