-- Grows the catalogue for bench/growth.sh to :exhibitions exhibitions
-- ('growth n', each of 3 days with 2 one-hour slots), :bookings bookings
-- and :waiting WAITING entries, adding only what is missing, so that one
-- stack is measured small, then large. Bookings are inserted with their
-- BOOKED events, as book.create writes them, and left to the listener
-- (confirmations, MyPage), spread over every slot: 1 in 10 exhibitions is
-- sold out (each slot's capacity is what it booked), and the waiting
-- entries wait there (a waiting entry never fits a slot with seats left:
-- book.take_seats's queue rule). No emails: nothing to send.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SELECT count(*) AS have FROM museum.exhibition WHERE name LIKE 'growth %' \gset
SELECT count(*) FROM (
    SELECT museum.create('growth ' || g, (now() AT TIME ZONE 'Asia/Seoul')::date + 30,
                         (now() AT TIME ZONE 'Asia/Seoul')::date + 32, '10:00', '12:00', 60,
                         1000000, '{}', '{}', NULL)
    FROM generate_series(:have + 1, :exhibitions) g) made;
SELECT count(*) AS have FROM book.booking WHERE cust_nm LIKE 'growth-%' \gset
-- The slots of the growth exhibitions, numbered.
CREATE TEMP TABLE s AS
SELECT row_number() OVER (ORDER BY x.id) - 1 AS n, x.*, e.name
FROM museum.slot x JOIN museum.exhibition e ON e.id = x.museum_id
WHERE e.name LIKE 'growth %';
SELECT count(*) AS slots FROM s \gset
WITH b AS (
    INSERT INTO book.booking (museum_id, cust_nm, name, chk_date, token_hash, slot_id, slot_start,
                              slot_end, party, tickets)
    SELECT s.museum_id, 'growth-' || (g % 200000), s.name, s.day,
           sha256(convert_to('growth token ' || g, 'UTF8')), s.id, s.start_at, s.end_at, 1,
           '{"adult": 1}'
    FROM generate_series(:have + 1, :bookings) g JOIN s ON s.n = g % :slots
    RETURNING id, museum_id)
INSERT INTO outbox.event (kind, museum_id, book_id) SELECT 'BOOKED', museum_id, id FROM b;
-- Seats: what each slot booked is taken; the sold-out tenth has no more.
UPDATE museum.slot x
SET capacity = CASE WHEN x.museum_id % 10 = 0 THEN greatest(t.booked, 1) ELSE x.capacity END,
    seats_left = CASE WHEN x.museum_id % 10 = 0 THEN greatest(t.booked, 1) - t.booked
                      ELSE x.capacity - t.booked END
FROM (SELECT b.slot_id, sum(b.party)::integer AS booked FROM book.booking b
      WHERE b.cust_nm LIKE 'growth-%' AND b.status IN ('REQUESTED', 'REQUEST_COMPLETED')
      GROUP BY b.slot_id) t
WHERE t.slot_id = x.id;
SELECT count(*) AS have FROM waitlist.entry WHERE cust_nm LIKE 'growth-%' \gset
CREATE TEMP TABLE full_slot AS
SELECT row_number() OVER (ORDER BY s.id) - 1 AS k, s.id, s.museum_id, s.start_at, s.end_at
FROM s WHERE s.museum_id % 10 = 0;
SELECT count(*) AS full_slots FROM full_slot \gset
INSERT INTO waitlist.entry (museum_id, slot_id, slot_start, slot_end, cust_nm, tickets, party,
                            token_hash)
SELECT f.museum_id, f.id, f.start_at, f.end_at, 'growth-w' || g, '{"adult": 1}', 1,
       sha256(convert_to('growth waiting ' || g, 'UTF8'))
FROM generate_series(:have + 1, :waiting) g JOIN full_slot f ON f.k = g % :full_slots;
ANALYZE;
