-- The schema: one schema per context, constraints guarding the invariants.
BEGIN;
SELECT plan(28);

SELECT has_schema(s) FROM unnest(ARRAY['museum', 'book', 'confirm', 'mypage', 'outbox', 'report']) s;
SELECT has_table('museum', 'exhibition', 'exhibitions');
SELECT has_table('museum', 'slot', 'slots (017)');
SELECT has_table('book', 'booking', 'bookings');
SELECT has_table('confirm', 'confirmation', 'confirmations');
SELECT has_table('mypage', 'entry', 'MyPage read model');
SELECT has_table('outbox', 'event', 'event outbox');
SELECT has_view('report', 'occupancy', 'occupancy report');
SELECT has_view('report', 'slot_occupancy', 'slot occupancy report (017)');
SELECT has_view('report', 'visitors', 'visitors report (017)');
SELECT has_view('report', 'daily_bookings', 'daily report');
SELECT hasnt_column('museum', 'exhibition', 'pcnt', 'seats left live in the slots only (017)');

SET LOCAL TimeZone = 'Asia/Seoul';
INSERT INTO museum.exhibition (name, start_date, end_date, opens, closes, slot_minutes, capacity)
VALUES ('T', '2031-07-26', '2031-07-26', '09:00', '18:00', 60, 2);
INSERT INTO museum.slot (museum_id, day, start_at, end_at, capacity, seats_left, open)
SELECT id, '2031-07-26', '2031-07-26 09:00', '2031-07-26 10:00', 2, 2, true FROM museum.exhibition WHERE name = 'T';
SELECT throws_ok($$UPDATE museum.slot SET seats_left = -1 WHERE museum_id = (SELECT id FROM museum.exhibition WHERE name = 'T')$$,
                 '23514', NULL, 'seats left can never go negative');
SELECT throws_ok($$UPDATE museum.slot SET seats_left = 3 WHERE museum_id = (SELECT id FROM museum.exhibition WHERE name = 'T')$$,
                 '23514', NULL, 'seats left can never exceed the slot''s capacity');
SELECT throws_ok($$UPDATE museum.slot SET end_at = start_at WHERE museum_id = (SELECT id FROM museum.exhibition WHERE name = 'T')$$,
                 '23514', NULL, 'a slot ends after it starts');
SELECT throws_ok($$INSERT INTO museum.slot (museum_id, day, start_at, end_at, capacity, seats_left, open)
                   SELECT id, '2031-07-26', '2031-07-26 09:00', '2031-07-26 10:00', 2, 2, true
                   FROM museum.exhibition WHERE name = 'T'$$,
                 '23505', NULL, 'one slot per start time of an exhibition');
SELECT throws_ok($$UPDATE museum.exhibition SET end_date = start_date - 1 WHERE name = 'T'$$, '23514', NULL,
                 'an exhibition does not end before it starts');
SELECT throws_ok($$UPDATE museum.exhibition SET end_date = start_date + 366 WHERE name = 'T'$$, '23514', NULL,
                 'an exhibition runs at most 366 days');
SELECT throws_ok($$UPDATE museum.exhibition SET slot_minutes = 7 WHERE name = 'T'$$, '23514', NULL,
                 'slot_minutes divides the opening hours');
SELECT throws_ok($$UPDATE museum.exhibition SET closed_weekdays = '{0}' WHERE name = 'T'$$, '23514', NULL,
                 'closed weekdays are ISO weekdays 1..7');
SELECT throws_ok($$INSERT INTO book.booking (museum_id, cust_nm, name, chk_date, status, slot_id, slot_start, slot_end, party, tickets)
                   VALUES (1, 'x', 'T', '2031-07-26', 'DONE', 1, now(), now(), 1, '{}')$$, '23514', NULL,
                 'booking status is one of the four');
SELECT throws_ok($$INSERT INTO book.booking (museum_id, cust_nm, name, chk_date, status, slot_id, slot_start, slot_end, party, tickets)
                   VALUES (1, 'x', 'T', '2031-07-26', 'REQUESTED', 1, now(), now(), 0, '{}')$$, '23514', NULL,
                 'a party is at least one visitor');
SELECT throws_ok($$INSERT INTO outbox.event (kind, museum_id) VALUES ('DAY_CLOSED', 1)$$, '23514', NULL,
                 'a DAY_CLOSED event says which day');

SELECT * FROM finish();
ROLLBACK;
