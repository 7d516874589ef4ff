-- Changing an exhibition (017): museum.patch (name, description, capacity,
-- end date, closed dates with force-cancel by DAY_CLOSED events) and
-- museum.delete (every slot closed, bookings force-canceled with the
-- reason). After each step, once the events are applied, every slot's
-- capacity is its seats left plus the parties of its live bookings.
BEGIN;
SELECT plan(68);
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ); slots are made in it

\ir lib.psql
-- A patch as the app sends it (NULL = unchanged).
CREATE FUNCTION pg_temp.patch(p_k text, p_name text DEFAULT NULL, p_description text DEFAULT NULL,
                              p_capacity integer DEFAULT NULL, p_end_date date DEFAULT NULL,
                              p_closed_dates date[] DEFAULT NULL, p_force boolean DEFAULT NULL)
RETURNS SETOF museum.live_exhibition LANGUAGE sql AS $$
    SELECT * FROM museum.patch(pg_temp.m(p_k), p_name, p_description, p_capacity, p_end_date, p_closed_dates, p_force)
$$;

-- Monday 2031-09-01 to Friday 09-05, 10:00-12:00 in hour slots of 4,
-- closed on Sundays.
INSERT INTO ms
SELECT 'p', id FROM museum.create('Patch hall', '2031-09-01', '2031-09-05', '10:00', '12:00', 60, 4, '{7}', '{}', 'About');
SELECT pg_temp.book('p', 'Big', '2031-09-02 10:00', 3);
SELECT pg_temp.book('p', 'Small', '2031-09-03 11:00', 1);
SELECT pg_temp.drain();

-- name and description
SELECT is((SELECT name || ' ' || description FROM pg_temp.patch('p', p_name => 'Patched hall', p_description => 'New')),
          'Patched hall New', 'patch: name and description');
SELECT is((SELECT coalesce(description, 'none') || ' ' || name FROM pg_temp.patch('p', p_description => '')),
          'none Patched hall', 'patch: an empty description removes it, NULLs change nothing');
SELECT is(pg_temp.err($$SELECT museum.patch(987654321, 'x', NULL, NULL, NULL, NULL, NULL)$$), 'SK404', 'patch: unknown exhibition: SK404');

-- capacity
SELECT throws_ok(format($$SELECT museum.patch(%s, NULL, NULL, 2, NULL, NULL, NULL)$$, pg_temp.m('p')), 'SK409',
                 'the slot at 2031-09-02 10:00 already has 3 seats taken: the capacity cannot be less',
                 'patch: a capacity below the seats taken of a slot: SK409');
SELECT is((SELECT string_agg(DISTINCT capacity::text, ',') FROM museum.slot WHERE museum_id = pg_temp.m('p')) || ' '
          || (SELECT capacity FROM museum.exhibition WHERE id = pg_temp.m('p')), '4 4', 'and changes nothing');
SELECT is((SELECT capacity || ' ' || pcnt FROM pg_temp.patch('p', p_capacity => 3)), '3 26',
          'patch: capacity 3, exactly what is taken of the busiest slot (pcnt 10 x 3 - 4 taken)');
SELECT ok((SELECT bool_and(capacity = 3) FROM museum.slot WHERE museum_id = pg_temp.m('p')), 'every slot''s capacity is the new one');
SELECT is(pg_temp.left_at('p', '2031-09-02 10:00') || ' ' || pg_temp.left_at('p', '2031-09-03 11:00') || ' '
          || pg_temp.left_at('p', '2031-09-01 10:00'), '0 2 3', 'and each slot''s seats left follow, taken seats kept');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after a smaller capacity');
-- A slot that has ended (as owner, times put in the past) keeps its capacity.
UPDATE museum.slot SET start_at = now() - interval '2 hours', end_at = now() - interval '1 hour'
WHERE museum_id = pg_temp.m('p') AND start_at = '2031-09-01 10:00';
SELECT is((SELECT capacity FROM pg_temp.patch('p', p_capacity => 6)), 6, 'patch: a larger capacity');
SELECT is((SELECT capacity || ' ' || seats_left FROM museum.slot WHERE museum_id = pg_temp.m('p') AND end_at < now()), '3 3',
          'a slot that has ended keeps its capacity and seats');
SELECT is(pg_temp.left_at('p', '2031-09-02 10:00') || ' ' || pg_temp.left_at('p', '2031-09-03 11:00') || ' '
          || pg_temp.left_at('p', '2031-09-05 11:00'), '3 5 6', 'the others grow by the difference');
SELECT is((SELECT pcnt FROM museum.get(pg_temp.m('p'))),
          (SELECT sum(seats_left)::int FROM museum.slot WHERE museum_id = pg_temp.m('p') AND open AND end_at > now()),
          'pcnt: the seats left of the open slots that have not ended');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after a larger capacity');

-- end date
SELECT is(pg_temp.err(format($$SELECT museum.patch(%s, NULL, NULL, NULL, '2031-08-31', NULL, NULL)$$, pg_temp.m('p'))),
          'SK422 end_date', 'patch: an end before the start: SK422 end_date');
SELECT is(pg_temp.err(format($$SELECT museum.patch(%s, NULL, NULL, NULL, '2032-09-01', NULL, NULL)$$, pg_temp.m('p'))),
          'SK422 end_date', 'patch: more than 366 days: SK422 end_date');
-- (an exhibition that started 10 days ago, for this one check)
UPDATE museum.exhibition SET start_date = current_date - 10, end_date = current_date + 5 WHERE id = pg_temp.m('p');
SELECT throws_like(format($$SELECT museum.patch(%s, NULL, NULL, NULL, current_date - 1, NULL, NULL)$$, pg_temp.m('p')),
                   'must not be before today%', 'patch: an end before today: past days are history');
UPDATE museum.exhibition SET start_date = '2031-09-01', end_date = '2031-09-05' WHERE id = pg_temp.m('p');
SELECT throws_ok(format($$SELECT museum.patch(%s, NULL, NULL, NULL, '2031-09-02', NULL, NULL)$$, pg_temp.m('p')), 'SK409',
                 'the days it would drop have bookings: 2031-09-03 (1)', 'patch: dropping a day with bookings: SK409');
SELECT is((SELECT count(*)::int FROM museum.slot WHERE museum_id = pg_temp.m('p')) || ' '
          || (SELECT end_date FROM museum.exhibition WHERE id = pg_temp.m('p')), '10 2031-09-05', 'and changes nothing');
SELECT is((SELECT end_date FROM pg_temp.patch('p', p_end_date => '2031-09-03')), '2031-09-03'::date,
          'patch: dropping days without bookings');
SELECT is((SELECT max(day) || ' ' || count(*) FROM museum.slot WHERE museum_id = pg_temp.m('p')), '2031-09-03 6',
          'their slots are gone');
SELECT is((SELECT end_date FROM pg_temp.patch('p', p_end_date => '2031-09-07')), '2031-09-07'::date, 'patch: a later end');
SELECT is((SELECT string_agg(day || ' ' || open || ' ' || capacity || ' ' || seats_left, ', ' ORDER BY start_at)
           FROM museum.slot WHERE museum_id = pg_temp.m('p') AND day > '2031-09-03'),
          '2031-09-04 true 6 6, 2031-09-04 true 6 6, 2031-09-05 true 6 6, 2031-09-05 true 6 6, '
          '2031-09-06 true 6 6, 2031-09-06 true 6 6, 2031-09-07 false 6 6, 2031-09-07 false 6 6',
          'new slots for the new days, at the current capacity, the closed weekday (Sunday) closed');
SELECT is((SELECT count(*)::int FROM museum.slots(pg_temp.m('p'), '2031-09-01', '2031-09-30')), 12,
          'museum.slots lists the open slots of the run, the new days included');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after end date changes');

-- closed dates
SELECT throws_ok(format($$SELECT museum.patch(%s, NULL, NULL, NULL, NULL, '{2031-09-03}', false)$$, pg_temp.m('p')), 'SK409',
                 'days to close have bookings: 2031-09-03 (1) (send "forceCancel": true to cancel them)',
                 'patch: closing a day with bookings: SK409');
SELECT is((SELECT bool_and(open)::text || ' ' || (SELECT closed_dates::text FROM museum.exhibition WHERE id = pg_temp.m('p'))
           FROM museum.slot WHERE museum_id = pg_temp.m('p') AND day = '2031-09-03'), 'true {}', 'and changes nothing');
SELECT is(pg_temp.err(format($$SELECT museum.patch(%s, NULL, NULL, NULL, NULL, ARRAY[%L]::date[], true)$$, pg_temp.m('p'), current_date - 1)),
          'SK422 closed_dates', 'patch: closing a day before today: SK422 closed_dates');
SELECT is((SELECT closed_dates::jsonb FROM pg_temp.patch('p', p_closed_dates => '{2031-09-04}')), '["2031-09-04"]'::jsonb,
          'patch: closing a day without bookings');
SELECT is((SELECT string_agg(DISTINCT open::text, ',') FROM museum.slot WHERE museum_id = pg_temp.m('p') AND day = '2031-09-04'),
          'false', 'its slots closed');
SELECT is((SELECT count(*)::int FROM outbox.event WHERE museum_id = pg_temp.m('p') AND kind = 'DAY_CLOSED'), 0,
          'no DAY_CLOSED event for a day without bookings');
SELECT is(pg_temp.err($$SELECT pg_temp.book('p', 'x', '2031-09-04 10:00', 1)$$), 'SK422 slot', 'a closed day cannot be booked');
SELECT is((SELECT count(*)::int FROM museum.slots(pg_temp.m('p'), '2031-09-04', '2031-09-04')), 0, 'nor is listed');
SELECT is((SELECT closed_dates::jsonb FROM pg_temp.patch('p', p_closed_dates => '{2031-09-04,2031-09-03}', p_force => true)),
          '["2031-09-03", "2031-09-04"]'::jsonb, 'patch: closing a day with bookings, forceCancel');
SELECT is((SELECT string_agg(DISTINCT open::text, ',') FROM museum.slot WHERE museum_id = pg_temp.m('p') AND day = '2031-09-03'),
          'false', 'its slots closed at once');
SELECT is((SELECT string_agg(day::text, ',') FROM outbox.event WHERE museum_id = pg_temp.m('p') AND kind = 'DAY_CLOSED'),
          '2031-09-03', 'a DAY_CLOSED event for the day with bookings');
SELECT is((SELECT status::text FROM book.booking WHERE id = pg_temp.bid('Small')), 'REQUEST_COMPLETED',
          'the bookings are force-canceled by the event, not before');
SELECT cmp_ok(pg_temp.drain(), '>=', 1, 'the event is applied');
SELECT is((SELECT b.status || ' ' || b.cancel_reason || ' ' || c.status || ' ' || m.status
           FROM book.booking b JOIN confirm.confirmation c ON c.book_id = b.id JOIN mypage.entry m ON m.book_id = b.id
           WHERE b.id = pg_temp.bid('Small')),
          'FORCE_CANCELED DAY_CLOSED FORCE_CANCELED FORCE_CANCELED', 'DAY_CLOSED: force-canceled everywhere, with the reason');
SELECT is((SELECT cancel_reason FROM book.get(pg_temp.bid('Small'), true, NULL)), 'DAY_CLOSED', 'the answer says why');
SELECT is(pg_temp.left_at('p', '2031-09-03 11:00'), 6, 'DAY_CLOSED: the seats back');
SELECT is((SELECT status::text || ' ' || coalesce(cancel_reason, '-') FROM book.booking WHERE id = pg_temp.bid('Big')),
          'REQUEST_COMPLETED -', 'bookings of other days untouched');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after a day closed');
SELECT is(pg_temp.drain(), 0, 'the DAY_CLOSED event is applied once');

-- A day closed with forceCancel, then reopened before the event is applied: its bookings stay.
SELECT pg_temp.book('p', 'Kept', '2031-09-05 10:00', 2);
SELECT pg_temp.drain();
SELECT is((SELECT closed_dates::jsonb FROM pg_temp.patch('p', p_closed_dates => '{2031-09-03,2031-09-04,2031-09-05}', p_force => true)),
          '["2031-09-03", "2031-09-04", "2031-09-05"]'::jsonb, 'close 09-05 with forceCancel');
SELECT is((SELECT closed_dates::jsonb FROM pg_temp.patch('p', p_closed_dates => '{2031-09-03,2031-09-04}')),
          '["2031-09-03", "2031-09-04"]'::jsonb, 'reopen it before the event is applied');
SELECT is((SELECT string_agg(DISTINCT open::text, ',') FROM museum.slot WHERE museum_id = pg_temp.m('p') AND day = '2031-09-05'),
          'true', 'its slots open again');
SELECT cmp_ok(pg_temp.drain(), '>=', 1, 'the DAY_CLOSED event is applied');
SELECT is((SELECT status::text || ' ' || coalesce(cancel_reason, '-') FROM book.booking WHERE id = pg_temp.bid('Kept')),
          'REQUEST_COMPLETED -', 'a day reopened before the event keeps its bookings');
SELECT is(pg_temp.left_at('p', '2031-09-05 10:00'), 4, 'and their seats stay taken');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after a day reopened');
-- Reopening 09-03 (its bookings are gone): bookable again.
SELECT is((SELECT closed_dates::jsonb FROM pg_temp.patch('p', p_closed_dates => '{}')), '[]'::jsonb, 'patch: reopen every day');
SELECT is(pg_temp.err($$SELECT pg_temp.book('p', 'Again', '2031-09-03 11:00', 6)$$), 'ok', 'a reopened day can be booked');
SELECT is((SELECT bool_and(open) FROM museum.slot WHERE museum_id = pg_temp.m('p') AND day <> '2031-09-07'), true,
          'every day open but the closed weekday');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after reopening');

-- ---------------------------------------------------------------- delete
INSERT INTO ms
SELECT 'd', id FROM museum.create('Going hall', '2031-10-01', '2031-10-02', '10:00', '12:00', 60, 5, '{}', '{}', NULL);
SELECT pg_temp.book('d', 'D1', '2031-10-01 10:00', 2);
SELECT pg_temp.book('d', 'D2', '2031-10-02 11:00', 3);
SELECT pg_temp.book('d', 'D3', '2031-10-02 11:00', 1);
SELECT book.change(pg_temp.bid('D3'), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL);
SELECT pg_temp.drain();
SELECT lives_ok(format('SELECT museum.delete(%s)', pg_temp.m('d')), 'delete');
SELECT is((SELECT count(*)::int FROM museum.slot WHERE museum_id = pg_temp.m('d') AND open), 0, 'delete: every slot closed');
SELECT is(pg_temp.err(format($$SELECT museum.slots(%s, '2031-10-01', '2031-10-02')$$, pg_temp.m('d'))), 'SK404',
          'delete: no slots to list (SK404)');
SELECT is(pg_temp.err($$SELECT pg_temp.book('d', 'x', '2031-10-01 11:00', 1)$$), 'SK404', 'delete: no booking (SK404)');
SELECT is(pg_temp.err(format($$SELECT * FROM book.change(%s, NULL, '2031-10-01 11:00', NULL, NULL, true, NULL, NULL, NULL)$$, pg_temp.bid('D1'))),
          'SK404', 'delete: no move into its slots (SK404)');
SELECT cmp_ok(pg_temp.drain(), '>=', 1, 'the deletion is applied');
SELECT is((SELECT string_agg(cust_nm || ' ' || status || ' ' || coalesce(cancel_reason, '-'), ', ' ORDER BY id)
           FROM book.booking WHERE museum_id = pg_temp.m('d')),
          'D1 FORCE_CANCELED EXHIBITION_DELETED, D2 FORCE_CANCELED EXHIBITION_DELETED, D3 CANCELED -',
          'delete: live bookings force-canceled with the reason EXHIBITION_DELETED, canceled ones untouched');
SELECT ok((SELECT bool_and(seats_left = capacity) FROM museum.slot WHERE museum_id = pg_temp.m('d')),
          'delete: every seat back, once');
SELECT is((SELECT string_agg(status::text, ',' ORDER BY book_id) FROM confirm.confirmation
           WHERE museum_id = pg_temp.m('d')), 'FORCE_CANCELED,FORCE_CANCELED,CANCELED', 'confirmations follow');
SELECT is(pg_temp.err(format($$SELECT museum.patch(%s, 'x', NULL, NULL, NULL, NULL, NULL)$$, pg_temp.m('d'))), 'SK404',
          'patch: a deleted exhibition: SK404');
SELECT is(pg_temp.invariants(), 'ok', 'invariants after a deletion');


-- A closure applied late (the listener was down): the visits that had not
-- ended when the museum closed the day are force-canceled, even if their
-- slot has ended by the time the event is applied.
CREATE TEMP TABLE late AS
SELECT id FROM museum.create('Late hall', '2031-10-01', '2031-10-01', '10:00', '11:00', NULL, 3, '{}', '{}', NULL);
CREATE TEMP TABLE late_b AS
SELECT id FROM book.create((SELECT id FROM late), 'Late', repeat('7a', 32), NULL, NULL, NULL, NULL, 2);
SELECT pg_temp.drain();
SELECT museum.patch((SELECT id FROM late), NULL, NULL, NULL, NULL, '{2031-10-01}', true);
UPDATE outbox.event SET created_at = now() - interval '3 hours'
WHERE kind = 'DAY_CLOSED' AND museum_id = (SELECT id FROM late);
UPDATE museum.slot SET start_at = now() - interval '2 hours', end_at = now() - interval '1 hour'
WHERE museum_id = (SELECT id FROM late);
UPDATE book.booking SET slot_start = now() - interval '2 hours', slot_end = now() - interval '1 hour'
WHERE id = (SELECT id FROM late_b);
SELECT pg_temp.drain();
SELECT is((SELECT status || ' ' || cancel_reason FROM book.booking WHERE id = (SELECT id FROM late_b)),
          'FORCE_CANCELED DAY_CLOSED', 'a late closure cancels what had not ended when the museum asked');
SELECT is((SELECT seats_left FROM museum.slot WHERE museum_id = (SELECT id FROM late)), 3, 'and gives the party back');

SELECT * FROM finish();
ROLLBACK;
