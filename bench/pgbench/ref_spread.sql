-- The fixed reference of a booking (bench/ref.sql), spread over 1,000 slots:
-- one statement taking a seat, inserting the booking and its event.
\set s random(0, 999)
\set cust random(1, 100000)
WITH s AS (
    UPDATE bench_ref.slot SET seats_left = seats_left - 1 WHERE id = :s AND seats_left >= 1 RETURNING id
), b AS (
    INSERT INTO bench_ref.booking (slot_id, cust_nm) SELECT id, :cust::text FROM s RETURNING id
)
INSERT INTO bench_ref.event (kind, booking_id) SELECT 'BOOKED', id FROM b;
