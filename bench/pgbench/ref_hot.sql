-- The fixed reference of a booking (bench/ref.sql), all on one slot.
\set cust random(1, 100000)
WITH s AS (
    UPDATE bench_ref.slot SET seats_left = seats_left - 1 WHERE id = 1000 AND seats_left >= 1 RETURNING id
), b AS (
    INSERT INTO bench_ref.booking (slot_id, cust_nm) SELECT id, :cust::text FROM s RETURNING id
)
INSERT INTO bench_ref.event (kind, booking_id) SELECT 'BOOKED', id FROM b;
