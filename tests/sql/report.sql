-- The reports: report.occupancy (pcnt = the seats left of the open slots
-- that have not ended; seats = the parties of the live bookings),
-- report.slot_occupancy (booked + left = capacity once the outbox is
-- drained), report.visitors (tickets by category), daily_bookings, outbox.
BEGIN;
SELECT plan(10);
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ)

-- One day, 09:00-12:00 in three hour slots of 5 seats.
CREATE TEMP TABLE t AS
SELECT * FROM museum.create('Report hall', '2031-07-26', NULL, '09:00', '12:00', 60, 5, '{}', '{}', NULL);
SELECT book.create((SELECT id FROM t), 'c' || i, lpad(to_hex(i), 64, '0'), NULL, NULL, '2031-07-26 09:00',
                   '{"adult": 1, "child": 1}', 2) FROM generate_series(1, 2) i;
SELECT book.create((SELECT id FROM t), 'c3', lpad(to_hex(3), 64, '0'), NULL, NULL, '2031-07-26 10:00',
                   '{"senior": 3}', 3);
SELECT book.create((SELECT id FROM t), 'c4', lpad(to_hex(4), 64, '0'), NULL, NULL, '2031-07-26 11:00',
                   '{"adult": 1}', 1);
SELECT book.change(min(id), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL) FROM book.booking WHERE museum_id = (SELECT id FROM t);
SELECT outbox.process(1000);
SELECT outbox.process(1000);

SELECT is((SELECT capacity || '/' || pcnt || '/' || booked || '/' || canceled || '/' || force_canceled || '/' || seats
           FROM report.occupancy WHERE museum_id = (SELECT id FROM t)),
          '5/9/3/1/0/6', 'occupancy counts live, canceled, force-canceled bookings and the seats they hold');
SELECT is((SELECT pcnt FROM report.occupancy WHERE museum_id = (SELECT id FROM t)),
          (SELECT sum(seats_left)::int FROM museum.slot WHERE museum_id = (SELECT id FROM t) AND open AND end_at > now()),
          'pcnt = the seats left of the open slots that have not ended');
SELECT is((SELECT pcnt + seats FROM report.occupancy WHERE museum_id = (SELECT id FROM t)),
          (SELECT sum(capacity) FROM museum.slot WHERE museum_id = (SELECT id FROM t))::bigint,
          'pcnt + seats = the capacity of all its slots');
SELECT is((SELECT array_agg(to_char(slot_start, 'HH24:MI') || ' ' || capacity || '=' || booked || '+' || "left" ORDER BY slot_start)
           FROM report.slot_occupancy WHERE museum_id = (SELECT id FROM t)),
          ARRAY['09:00 5=2+3', '10:00 5=3+2', '11:00 5=1+4'], 'slot_occupancy: booked + left = capacity, per slot');
SELECT ok((SELECT bool_and(booked + "left" = capacity) FROM report.slot_occupancy WHERE museum_id = (SELECT id FROM t)),
          'booked + left = capacity');
SELECT is((SELECT array_agg(category || ' ' || tickets ORDER BY category) FROM report.visitors WHERE museum_id = (SELECT id FROM t)),
          ARRAY['adult 2', 'child 1', 'senior 3'], 'visitors: the live bookings'' tickets summed by category');
SELECT is((SELECT DISTINCT day FROM report.visitors WHERE museum_id = (SELECT id FROM t)), '2031-07-26'::date,
          'visitors: by day of visit');
SELECT ok((SELECT bookings >= 4 AND cancellations >= 1 FROM report.daily_bookings WHERE day = current_date),
          'today''s bookings and cancellations are counted');
SELECT is((SELECT pending FROM report.outbox), 0::bigint, 'report.outbox: nothing pending');

-- A closed slot is not in slot_occupancy (a closed day has no slots).
UPDATE museum.slot SET open = false WHERE museum_id = (SELECT id FROM t) AND start_at = '2031-07-26 11:00';
SELECT is((SELECT count(*)::int FROM report.slot_occupancy WHERE museum_id = (SELECT id FROM t)), 2,
          'slot_occupancy: open slots only');

SELECT * FROM finish();
ROLLBACK;
