-- Timed entry (017): museum.create makes an exhibition's slots, a booking
-- takes its party's seats of one slot (book.create), book.change cancels it
-- or moves it to another slot or party, museum.slots lists the open slots.
-- After each step, once the events are applied, every slot's capacity is
-- its seats left plus the parties of its live bookings.
BEGIN;
SELECT plan(106);
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ); slots are made in it

\ir lib.psql

-- ---------------------------------------------------------------- create
-- Saturday 2031-07-05 to Tuesday 2031-07-08, 09:00-12:00 in hour slots of
-- 4 seats, closed on Mondays (07-07) and on Sunday 07-06.
INSERT INTO ms
SELECT 'a', id FROM museum.create('Slots A', '2031-07-05', '2031-07-08', '09:00', '12:00', 60, 4, '{1}',
                                  '{2031-07-06}', 'Hour slots');
SELECT is((SELECT count(*)::int FROM museum.slot WHERE museum_id = pg_temp.m('a')), 12,
          'create: a slot per day and slot length (4 days x 3 hours), closed days included');
SELECT is((SELECT array_agg(DISTINCT day ORDER BY day) FROM museum.slot WHERE museum_id = pg_temp.m('a') AND NOT open),
          ARRAY['2031-07-06', '2031-07-07']::date[], 'create: a closed date and a closed weekday make closed slots');
SELECT is((SELECT array_agg(to_char(start_at, 'YYYY-MM-DD HH24:MI') || '-' || to_char(end_at, 'HH24:MI') ORDER BY start_at)
           FROM museum.slot WHERE museum_id = pg_temp.m('a') AND open),
          ARRAY['2031-07-05 09:00-10:00', '2031-07-05 10:00-11:00', '2031-07-05 11:00-12:00',
                '2031-07-08 09:00-10:00', '2031-07-08 10:00-11:00', '2031-07-08 11:00-12:00'],
          'create: the open slots, from opens to closes in slot_minutes steps');
SELECT is((SELECT min(start_at) FROM museum.slot WHERE museum_id = pg_temp.m('a')), '2031-07-05 00:00:00+00'::timestamptz,
          'create: slot times are the museum''s local times (09:00 in Seoul is 00:00 UTC)');
SELECT ok((SELECT bool_and(capacity = 4 AND seats_left = 4 AND day = (start_at AT TIME ZONE 'Asia/Seoul')::date)
           FROM museum.slot WHERE museum_id = pg_temp.m('a')),
          'create: every slot has the capacity, all seats left, its local day');
SELECT is((SELECT format('%s %s %s-%s %s %s %s %s', pcnt, capacity, opens, closes, slot_minutes, closed_weekdays,
                         closed_dates, description)
           FROM museum.get(pg_temp.m('a'))),
          '24 4 09:00:00-12:00:00 60 [1] ["2031-07-06"] Hour slots', 'create: pcnt is the seats left of the open slots');
SELECT is((SELECT array_agg("start" || ' ' || "end" || ' ' || capacity || ' ' || "left")
           FROM museum.slots(pg_temp.m('a'), '2031-07-05', '2031-07-06')),
          ARRAY['2031-07-05T09:00:00+09:00 2031-07-05T10:00:00+09:00 4 4',
                '2031-07-05T10:00:00+09:00 2031-07-05T11:00:00+09:00 4 4',
                '2031-07-05T11:00:00+09:00 2031-07-05T12:00:00+09:00 4 4'],
          'museum.slots: the open slots of the days asked for, in the museum''s offset');
SELECT is((SELECT count(*)::int FROM museum.slots(pg_temp.m('a'), '2031-07-06', '2031-07-07')), 0,
          'museum.slots: a closed day has no slots');
SELECT is(pg_temp.err(format($$SELECT * FROM museum.slots(%s, '2031-07-08', '2031-07-05')$$, pg_temp.m('a'))), 'SK400',
          'museum.slots: to before from: SK400');
SELECT is(pg_temp.err(format($$SELECT * FROM museum.slots(%s, '2031-07-01', '2031-10-01')$$, pg_temp.m('a'))), 'SK400',
          'museum.slots: more than 92 days: SK400');
SELECT is(pg_temp.err(format($$SELECT * FROM museum.slots(%s, '2031-07-01', '2031-09-30')$$, pg_temp.m('a'))), 'ok',
          'museum.slots: 92 days');
SELECT is(pg_temp.err($$SELECT * FROM museum.slots(987654321, NULL, NULL)$$), 'SK404', 'museum.slots: unknown exhibition: SK404');

-- What museum.create refuses, on the column at fault, making nothing.
SELECT is(pg_temp.err($$SELECT museum.create('Refused', '2031-07-05', NULL, '09:00', '12:00', 7, 4, '{}', '{}', NULL)$$),
          'SK422 slot_minutes', 'create: a slot length that does not divide the hours: SK422 slot_minutes');
SELECT is(pg_temp.err($$SELECT museum.create('Refused', '2031-07-05', NULL, '09:00', '12:00', 240, 4, '{}', '{}', NULL)$$),
          'SK422 slot_minutes', 'create: a slot longer than the hours: SK422 slot_minutes');
SELECT is(pg_temp.err($$SELECT museum.create('Refused', '2031-07-05', '2031-07-04', '09:00', '12:00', 60, 4, '{}', '{}', NULL)$$),
          'SK422 end_date', 'create: an end before the start: SK422 end_date');
SELECT is(pg_temp.err($$SELECT museum.create('Refused', '2031-07-05', '2032-07-05', '09:00', '12:00', NULL, 4, '{}', '{}', NULL)$$),
          'SK422 end_date', 'create: 367 days: SK422 end_date');
SELECT is(pg_temp.err($$SELECT museum.create('Refused', '2031-07-05', '2031-07-05', '12:00', '12:00', NULL, 4, '{}', '{}', NULL)$$),
          'SK422 closes', 'create: closing not after opening: SK422 closes');
SELECT is(pg_temp.err(format($$SELECT museum.create('Refused', %L, NULL, '09:00', '12:00', NULL, 4, '{}', '{}', NULL)$$,
                             current_date - 1)),
          'SK422 start_date', 'create: a start before today (the museum''s): SK422 start_date');
-- 09:00-18:00 in 5 minutes is 108 slots a day: 186 days are 20,088.
SELECT is(pg_temp.err($$SELECT museum.create('Refused', '2031-01-01', '2031-07-05', '09:00', '18:00', 5, 4, '{}', '{}', NULL)$$),
          'SK422 slot_minutes', 'create: more than 20,000 slots: SK422 slot_minutes');
SELECT is((SELECT count(*)::int FROM museum.exhibition WHERE name = 'Refused'), 0, 'create: a refused exhibition is not made');
INSERT INTO ms
SELECT 'today', id FROM museum.create('Slots today', current_date, NULL, '00:00', '23:55', 5, 1, '{}', '{}', NULL);
SELECT is((SELECT count(*)::int FROM museum.slot WHERE museum_id = pg_temp.m('today')), 287,
          'create: today is not in the past (287 five-minute slots)');
INSERT INTO ms
SELECT 'year', id FROM museum.create('Slots year', '2031-01-01', '2032-01-01', '09:00', '18:00', NULL, 1, '{}', '{}', NULL);
SELECT is((SELECT count(*)::int FROM museum.slot WHERE museum_id = pg_temp.m('year')), 366,
          'create: 366 days, one slot a day (no slot length)');
INSERT INTO ms
SELECT 'many', id FROM museum.create('Slots many', '2031-01-01', '2031-07-04', '09:00', '18:00', 5, 1, '{}', '{}', NULL);
SELECT is((SELECT count(*)::int FROM museum.slot WHERE museum_id = pg_temp.m('many')), 19980,
          'create: 19,980 slots are allowed');
DELETE FROM museum.slot WHERE museum_id = pg_temp.m('many');

-- ---------------------------------------------------------------- book
SELECT is((SELECT format('%s %s %s %s %s %s', chk_date, slot, slot_end, party, tickets, status)
           FROM book.create(pg_temp.m('a'), 'Kim', lpad(to_hex(nextval('pg_temp.tokens')), 64, '0'), NULL, NULL,
                            '2031-07-05 09:00', '{"adult": 2, "child": 1}', 3)),
          '2031-07-05 2031-07-05T09:00:00+09:00 2031-07-05T10:00:00+09:00 3 {"adult": 2, "child": 1} REQUESTED',
          'book.create: the slot, its end, the party and the tickets answered');
SELECT is(pg_temp.left_at('a', '2031-07-05 09:00'), 1, 'book.create: the party''s seats taken from the slot');
SELECT is((SELECT seats_left FROM museum.slot WHERE museum_id = pg_temp.m('a') AND start_at = '2031-07-05 10:00'), 4,
          'book.create: the other slots keep theirs');
SELECT is((SELECT tickets::text || ' ' || party || ' ' || slot_end FROM book.booking WHERE id = pg_temp.bid('Kim')),
          '{"adult": 2, "child": 1} 3 2031-07-05 10:00:00+09', 'book.create: tickets, party, slot end stored');
SELECT throws_ok(format($$SELECT * FROM book.create(%s, 'Lee', %L, NULL, NULL, '2031-07-05 09:00', NULL, 2)$$, pg_temp.m('a'), repeat('aa', 32)),
                 'SK409', 'the slot at 2031-07-05 09:00 has only 1 seat left, not enough for a party of 2',
                 'book.create: a party larger than the seats left: SK409, saying how many are left');
SELECT is(pg_temp.left_at('a', '2031-07-05 09:00'), 1, 'a refused party takes nothing');
SELECT is((SELECT count(*)::int FROM book.booking WHERE cust_nm = 'Lee' AND museum_id = pg_temp.m('a')), 0, 'and books nothing');
SELECT is(pg_temp.err(format($$SELECT pg_temp.book('a', 'Lee', '2031-07-05 09:00', 1, '{"student": "1"}')$$)), 'ok',
          'book.create: the last seat');
SELECT is((SELECT tickets FROM book.booking WHERE id = pg_temp.bid('Lee')), '{"student": "1"}'::jsonb,
          'book.create: tickets stored as given (a string count too)');
SELECT throws_ok(format($$SELECT * FROM book.create(%s, 'Late', %L, NULL, NULL, '2031-07-05 09:00', NULL, 1)$$, pg_temp.m('a'), repeat('ab', 32)),
                 'SK409', 'the slot at 2031-07-05 09:00 is sold out', 'book.create: sold out: SK409');
SELECT is(pg_temp.err(q), 'SK422 slot', d) FROM (VALUES
    ($$SELECT pg_temp.book('a', 'x', '2031-07-05 09:30', 1)$$, 'book.create: not a slot''s start time: SK422 slot'),
    ($$SELECT pg_temp.book('a', 'x', '2031-07-06 09:00', 1)$$, 'book.create: a closed date''s slot: SK422 slot'),
    ($$SELECT pg_temp.book('a', 'x', '2031-07-07 09:00', 1)$$, 'book.create: a closed weekday''s slot: SK422 slot'),
    ($$SELECT pg_temp.book('a', 'x', '2031-07-09 09:00', 1)$$, 'book.create: after the end date: SK422 slot'),
    ($$SELECT pg_temp.book('a', 'x', '2031-07-05 09:00 UTC', 1)$$, 'book.create: 09:00 UTC is 18:00 in Seoul, no slot: SK422 slot'),
    ($$SELECT pg_temp.book('a', 'x', NULL, 1)$$, 'book.create: no slot named, several upcoming: SK422 slot')
) t(q, d);
SELECT is(pg_temp.err($$SELECT pg_temp.book('a', 'Utc', '2031-07-05 02:00 UTC', 2)$$), 'ok',
          'book.create: a slot is an instant (02:00 UTC is the 11:00 slot)');
SELECT is(pg_temp.left_at('a', '2031-07-05 11:00'), 2, 'the 11:00 slot''s seats taken');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after booking');
SELECT is((SELECT array_agg(category || ' ' || tickets ORDER BY category) FROM report.visitors
           WHERE museum_id = pg_temp.m('a') AND day = '2031-07-05'),
          ARRAY['adult 4', 'child 1', 'student 1'], 'report.visitors: tickets summed by category (string counts too)');

-- p_slot NULL (the original clients): only with exactly one upcoming slot.
INSERT INTO ms
SELECT 'two', id FROM museum.create('Slots two', '2031-07-10', '2031-07-11', '09:00', '18:00', NULL, 2, '{}', '{}', NULL);
SELECT is(pg_temp.err($$SELECT pg_temp.book('two', 'x', NULL, 1)$$), 'SK422 slot', 'slot NULL with two upcoming slots: SK422 slot');
-- Its first day over (as owner, slot times put in the past).
UPDATE museum.slot SET start_at = now() - interval '2 hours', end_at = now() - interval '1 hour'
WHERE museum_id = pg_temp.m('two') AND day = '2031-07-10';
SELECT is(pg_temp.err($$SELECT pg_temp.book('two', 'Only', NULL, 2)$$), 'ok', 'slot NULL with one upcoming slot: booked');
SELECT is((SELECT chk_date FROM book.booking WHERE id = pg_temp.bid('Only')), '2031-07-11'::date, 'in the one slot left');
SELECT is(pg_temp.err(format($$SELECT pg_temp.book('two', 'x', %L, 1)$$,
                             (SELECT start_at FROM museum.slot WHERE museum_id = pg_temp.m('two') AND day = '2031-07-10'))),
          'SK409', 'book.create: a slot that has ended: SK409');
UPDATE museum.slot SET start_at = now() - interval '4 hours', end_at = now() - interval '3 hours'
WHERE museum_id = pg_temp.m('two') AND day = '2031-07-11';
UPDATE book.booking SET slot_start = now() - interval '4 hours', slot_end = now() - interval '3 hours'
WHERE id = pg_temp.bid('Only');
SELECT is(pg_temp.err($$SELECT pg_temp.book('two', 'x', NULL, 1)$$), 'SK409', 'slot NULL when every slot has ended: SK409 (it is over)');
SELECT is(pg_temp.invariants(), 'ok', 'invariants with ended slots');

-- ---------------------------------------------------------------- change
-- 2031-08-04 to 08-06, 10:00-12:00 in hour slots of 3.
INSERT INTO ms
SELECT 'c', id FROM museum.create('Slots C', '2031-08-04', '2031-08-06', '10:00', '12:00', 60, 3, '{}', '{}', NULL);
SELECT pg_temp.book('c', 'A', '2031-08-04 10:00', 2);
SELECT pg_temp.book('c', 'B', '2031-08-04 11:00', 1, '{"adult": 1}');
SELECT pg_temp.drain();

-- Cancel: the party comes back once, when the CANCELED event is applied.
SELECT is((SELECT status FROM book.change(pg_temp.bid('A'), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)), 'CANCELED',
          'change: cancel');
SELECT is(pg_temp.left_at('c', '2031-08-04 10:00'), 1, 'cancel: the seats come back with the event, not before');
SELECT is((SELECT status FROM book.change(pg_temp.bid('A'), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)), 'CANCELED',
          'cancel again: unchanged');
SELECT is((SELECT count(*)::int FROM outbox.event WHERE book_id = pg_temp.bid('A') AND kind = 'CANCELED'), 1,
          'one CANCELED event for two cancels');
SELECT is(pg_temp.drain(), 1, 'the cancel is applied');
SELECT is(pg_temp.left_at('c', '2031-08-04 10:00'), 3, 'the whole party back (2 seats), once');
SELECT is(pg_temp.err(format($$SELECT * FROM book.change(%s, NULL, '2031-08-05 10:00', NULL, NULL, true, NULL, NULL, NULL)$$,
                             pg_temp.bid('A'))), 'SK409', 'a canceled booking cannot move');
SELECT is(pg_temp.left_at('c', '2031-08-04 10:00'), 3, 'nor take seats');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after a cancel');

-- Move: the new slot's seats taken, the old slot's given back, at once.
SELECT pg_temp.book('c', 'M', '2031-08-04 10:00', 2);
SELECT pg_temp.drain();
SELECT is((SELECT slot || ' ' || slot_end || ' ' || party || ' ' || chk_date
           FROM book.change(pg_temp.bid('M'), NULL, '2031-08-04 11:00', NULL, NULL, false,
                            (SELECT lpad(to_hex(nextval('pg_temp.tokens') - 1), 64, '0')), NULL, NULL)),
          '2031-08-04T11:00:00+09:00 2031-08-04T12:00:00+09:00 2 2031-08-04', 'change: move to another slot (with the token)');
SELECT is(pg_temp.left_at('c', '2031-08-04 10:00') || ' ' || pg_temp.left_at('c', '2031-08-04 11:00'), '3 0',
          'move: the old slot''s seats back, the new slot''s taken, synchronously');
SELECT is((SELECT count(*)::int FROM outbox.event WHERE book_id = pg_temp.bid('M') AND kind = 'MOVED'), 1, 'move: one MOVED event');
SELECT is(pg_temp.drain(), 1, 'the MOVED event is applied');
SELECT is((SELECT c.slot || ' ' || c.party FROM confirm.answer c WHERE c.book_id = pg_temp.bid('M')),
          '2031-08-04T11:00:00+09:00 2', 'MOVED: the confirmation follows');
SELECT is((SELECT m.slot || ' ' || m.slot_end || ' ' || m.party FROM mypage.answer m WHERE m.book_id = pg_temp.bid('M')),
          '2031-08-04T11:00:00+09:00 2031-08-04T12:00:00+09:00 2', 'MOVED: MyPage follows');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after a move');

-- A move to a slot without enough seats: SK409, and nothing changes.
SELECT pg_temp.book('c', 'D', '2031-08-05 10:00', 2);
SELECT pg_temp.drain();
SELECT throws_ok(format($$SELECT * FROM book.change(%s, NULL, '2031-08-04 11:00', NULL, NULL, true, NULL, NULL, NULL)$$, pg_temp.bid('D')),
                 'SK409', 'the slot at 2031-08-04 11:00 is sold out', 'move to a full slot: SK409');
SELECT is(pg_temp.left_at('c', '2031-08-04 10:00') + 0 || ' ' || pg_temp.left_at('c', '2031-08-05 10:00') || ' '
          || pg_temp.left_at('c', '2031-08-04 11:00'), '3 1 0', 'a refused move changes no seats');
SELECT is((SELECT slot_start || ' ' || party FROM book.booking WHERE id = pg_temp.bid('D')), '2031-08-05 10:00:00+09 2',
          'the booking keeps its place');
SELECT is((SELECT count(*)::int FROM outbox.event WHERE book_id = pg_temp.bid('D') AND kind = 'MOVED'), 0, 'and no MOVED event');
SELECT is(pg_temp.err(format($$SELECT * FROM book.change(%s, NULL, '2031-08-05 10:30', NULL, NULL, true, NULL, NULL, NULL)$$, pg_temp.bid('D'))),
          'SK422 slot', 'move to a time that is no slot: SK422 slot');
-- Moving a party of 3 into a slot where 2 are left, the new seats are taken first.
SELECT pg_temp.book('c', 'E', '2031-08-06 10:00', 1);
SELECT throws_ok(format($$SELECT * FROM book.change(%s, NULL, '2031-08-06 10:00', NULL, 3, true, NULL, NULL, NULL)$$, pg_temp.bid('D')),
                 'SK409', 'the slot at 2031-08-06 10:00 has only 2 seats left, not enough for a party of 3',
                 'move and grow beyond the new slot''s seats: SK409');
SELECT is(pg_temp.left_at('c', '2031-08-05 10:00') || ' ' || pg_temp.left_at('c', '2031-08-06 10:00'), '1 2', 'nothing changed');
SELECT is((SELECT slot || ' ' || party FROM book.change(pg_temp.bid('D'), NULL, '2031-08-06 10:00', NULL, 1, true, NULL, NULL, NULL)),
          '2031-08-06T10:00:00+09:00 1', 'move to another day with a smaller party');
SELECT is(pg_temp.left_at('c', '2031-08-05 10:00') || ' ' || pg_temp.left_at('c', '2031-08-06 10:00'), '3 1',
          'the old party (2) back, the new party (1) taken');
SELECT is((SELECT chk_date FROM book.booking WHERE id = pg_temp.bid('D')), '2031-08-06'::date, 'the day of visit follows the slot');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after moves');

-- Party changes in the same slot.
SELECT is((SELECT party FROM book.change(pg_temp.bid('D'), NULL, NULL, '{"adult": 1, "child": 1}', 2, true, NULL, NULL, NULL)), 2,
          'change: a larger party in the same slot');
SELECT is(pg_temp.left_at('c', '2031-08-06 10:00'), 0, 'the extra seat taken');
SELECT throws_ok(format($$SELECT * FROM book.change(%s, NULL, NULL, NULL, 3, true, NULL, NULL, NULL)$$, pg_temp.bid('D')),
                 'SK409', 'the slot at 2031-08-06 10:00 is sold out', 'a party larger than the seats allow: SK409');
SELECT is((SELECT party || ' ' || tickets::text FROM book.booking WHERE id = pg_temp.bid('D')), '2 {"adult": 1, "child": 1}',
          'the booking unchanged');
SELECT is((SELECT party FROM book.change(pg_temp.bid('D'), NULL, NULL, '{"adult": 1}', 1, true, NULL, NULL, NULL)), 1,
          'change: a smaller party in the same slot');
SELECT is(pg_temp.left_at('c', '2031-08-06 10:00'), 1, 'the seat back at once');
SELECT is((SELECT count(*)::int FROM outbox.event WHERE book_id = pg_temp.bid('D') AND kind = 'MOVED'), 3,
          'a MOVED event per change');
SELECT is((SELECT count(*)::int FROM book.change(pg_temp.bid('D'), NULL, NULL, NULL, NULL, true, NULL, NULL, NULL)), 1,
          'a change of nothing answers the booking');
SELECT is((SELECT count(*)::int FROM outbox.event WHERE book_id = pg_temp.bid('D') AND kind = 'MOVED'), 3, 'and writes no event');
-- Only the tickets: the same seats, a MOVED event for MyPage.
SELECT is((SELECT tickets FROM book.change(pg_temp.bid('D'), NULL, NULL, '{"child": 1}', NULL, true, NULL, NULL, NULL)),
          '{"child": 1}'::jsonb, 'change: only the tickets');
SELECT is(pg_temp.left_at('c', '2031-08-06 10:00'), 1, 'the same seats');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after party changes');
SELECT is((SELECT tickets::text || ' ' || party FROM mypage.entry WHERE book_id = pg_temp.bid('D')), '{"child": 1} 1',
          'MyPage has the tickets and party');

-- Idempotency-Key on a move: a retry replays the answer, moves once.
SELECT is((SELECT slot FROM book.change(pg_temp.bid('B'), NULL, '2031-08-05 11:00', NULL, NULL, true, NULL, 'mv-1', 'PATCH b')),
          '2031-08-05T11:00:00+09:00', 'move with a key');
SELECT is((SELECT slot FROM book.change(pg_temp.bid('B'), NULL, '2031-08-05 11:00', NULL, NULL, true, NULL, 'mv-1', 'PATCH b')),
          '2031-08-05T11:00:00+09:00', 'the same key again: the same answer');
SELECT is(pg_temp.left_at('c', '2031-08-04 11:00') || ' ' || pg_temp.left_at('c', '2031-08-05 11:00'), '1 2',
          'the seats moved once');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after a keyed move');
SELECT is((SELECT c.chk_date || ' ' || c.slot FROM confirm.answer c WHERE c.book_id = pg_temp.bid('B')),
          '2031-08-05 2031-08-05T11:00:00+09:00', 'MOVED to another day: the confirmation''s day follows');

-- After the slot has ended (as owner, times put in the past): no cancel, no move.
UPDATE museum.slot SET start_at = now() - interval '2 hours', end_at = now() - interval '1 hour'
WHERE museum_id = pg_temp.m('c') AND start_at = '2031-08-06 10:00';
UPDATE book.booking SET slot_start = now() - interval '2 hours', slot_end = now() - interval '1 hour'
WHERE slot_start = '2031-08-06 10:00' AND museum_id = pg_temp.m('c');
UPDATE mypage.entry SET slot_start = now() - interval '2 hours', slot_end = now() - interval '1 hour'
WHERE slot_start = '2031-08-06 10:00' AND museum_id = pg_temp.m('c');
SELECT is(pg_temp.err(format($$SELECT * FROM book.change(%s, 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)$$, pg_temp.bid('D'))),
          'SK409', 'cancel after the slot ended: SK409');
SELECT is(pg_temp.err(format($$SELECT * FROM book.change(%s, NULL, '2031-08-06 11:00', NULL, NULL, true, NULL, NULL, NULL)$$, pg_temp.bid('D'))),
          'SK409', 'move after the slot ended: SK409');
SELECT is(pg_temp.err(format($$SELECT * FROM book.change(%s, NULL, NULL, NULL, 2, true, NULL, NULL, NULL)$$, pg_temp.bid('E'))),
          'SK409', 'a party change after the slot ended: SK409');
SELECT is((SELECT string_agg(status || ' ' || party, ', ' ORDER BY id) FROM book.booking WHERE id IN (pg_temp.bid('D'), pg_temp.bid('E'))),
          'REQUEST_COMPLETED 1, REQUEST_COMPLETED 1', 'ended bookings unchanged');
SELECT is(pg_temp.left_at('c', '2031-08-06 11:00'), 3, 'no seat taken by a refused move');
SELECT is(pg_temp.err(format($$SELECT * FROM book.change(%s, NULL, (SELECT start_at FROM museum.slot WHERE museum_id = %s AND day = '2031-08-06' AND end_at < now()), NULL, NULL, true, NULL, NULL, NULL)$$,
                             pg_temp.bid('B'), pg_temp.m('c'))),
          'SK409', 'a move into a slot that has ended: SK409');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after refused changes');
SELECT is((SELECT count(*)::int FROM mypage.diff() d JOIN book.booking b ON b.id = d.book_id
           WHERE b.museum_id IN (SELECT id FROM ms)), 0, 'mypage.diff(): MyPage agrees with every booking');


-- museum.seat_diff() (make check-seats) sees each broken rule, and nothing else.
SELECT is((SELECT count(*)::int FROM museum.seat_diff() d WHERE d.museum_id IN (SELECT id FROM ms)), 0,
          'seat_diff: nothing to report while the rules hold');
UPDATE museum.slot SET seats_left = seats_left - 1 WHERE museum_id = pg_temp.m('a') AND start_at = '2031-07-05 10:00';
SELECT is((SELECT string_agg(problem, ',') FROM museum.seat_diff() WHERE museum_id = pg_temp.m('a')), 'seats',
          'seat_diff: a seat lost (left + live parties < capacity)');
UPDATE museum.slot SET seats_left = seats_left + 1 WHERE museum_id = pg_temp.m('a') AND start_at = '2031-07-05 10:00';
UPDATE museum.slot SET open = false WHERE id = (SELECT slot_id FROM book.booking WHERE id = pg_temp.bid('Kim'));
SELECT is((SELECT string_agg(problem, ',') FROM museum.seat_diff() WHERE museum_id = pg_temp.m('a')), 'closed',
          'seat_diff: a live booking left on a closed slot');
UPDATE museum.slot SET open = true WHERE id = (SELECT slot_id FROM book.booking WHERE id = pg_temp.bid('Kim'));
UPDATE book.booking SET slot_start = slot_start + interval '1 hour' WHERE id = pg_temp.bid('Kim');
SELECT is((SELECT string_agg(problem, ',') FROM museum.seat_diff() WHERE museum_id = pg_temp.m('a')), 'copy',
          'seat_diff: a booking whose copy of its slot''s times is wrong');

SELECT * FROM finish();
ROLLBACK;
