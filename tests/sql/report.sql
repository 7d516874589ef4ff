-- report.occupancy: pcnt = capacity - booked once the outbox is drained.
BEGIN;
SELECT plan(4);

CREATE TEMP TABLE t AS SELECT * FROM museum.create('Report hall', '2031-07-26', 5);
SELECT book.create((SELECT id FROM t), 'c' || i, lpad(to_hex(i), 64, '0'), NULL, NULL) FROM generate_series(1, 4) i;
SELECT book.set_status(min(id), 'CANCELED', true, NULL, NULL, NULL) FROM book.booking WHERE museum_id = (SELECT id FROM t);
SELECT outbox.process(1000);
SELECT outbox.process(1000);

SELECT is((SELECT capacity || '/' || pcnt || '/' || booked || '/' || canceled || '/' || force_canceled
           FROM report.occupancy WHERE museum_id = (SELECT id FROM t)),
          '5/2/3/1/0', 'occupancy counts live, canceled, force-canceled');
SELECT ok((SELECT bool_and(pcnt = capacity - booked) FROM report.occupancy WHERE museum_id = (SELECT id FROM t)),
          'pcnt = capacity - booked');
SELECT ok((SELECT bookings >= 4 AND cancellations >= 1 FROM report.daily_bookings WHERE day = current_date),
          'today''s bookings and cancellations are counted');
SELECT is((SELECT pending FROM report.outbox), 0::bigint, 'report.outbox: nothing pending');

SELECT * FROM finish();
ROLLBACK;
