-- Bench data (idempotent): 1,000 exhibitions named 'bench <n>' with the
-- maximum capacity, one hot exhibition 'bench hot', and 1,000 customers
-- 'cust-<n>' with 5 bookings each for the MyPage read.
-- Prints the first bench exhibition id and the hot one's.
\set ON_ERROR_STOP 1
-- Each is one day with one slot, as POST /museums makes from the original
-- body.
INSERT INTO museum.exhibition (name, start_date, end_date, opens, closes, capacity)
SELECT 'bench ' || n, DATE '2030-01-01', DATE '2030-01-01', '09:00', '18:00', 1000000
FROM generate_series(1, 1000) n
WHERE NOT EXISTS (SELECT 1 FROM museum.exhibition WHERE name = 'bench 1' AND deleted_at IS NULL);
INSERT INTO museum.exhibition (name, start_date, end_date, opens, closes, capacity)
SELECT 'bench hot', DATE '2030-01-01', DATE '2030-01-01', '09:00', '18:00', 1000000
WHERE NOT EXISTS (SELECT 1 FROM museum.exhibition WHERE name = 'bench hot' AND deleted_at IS NULL);
INSERT INTO museum.slot (museum_id, day, start_at, end_at, capacity, seats_left, open)
SELECT e.id, e.start_date, e.start_date + e.opens, e.start_date + e.closes, e.capacity, e.capacity,
       true
FROM museum.exhibition e
WHERE e.name LIKE 'bench %' AND e.deleted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM museum.slot s WHERE s.museum_id = e.id);
-- MyPage customers: 5 bookings each on the first five bench exhibitions.
SELECT count(*) AS seeded_bookings FROM (
    SELECT book.create(e.id, 'cust-' || c, encode(sha256(random()::text::bytea), 'hex'), NULL, NULL,
                       NULL, NULL, 1)
    FROM generate_series(1, 1000) c,
         (SELECT id FROM museum.exhibition WHERE name LIKE 'bench %' AND name <> 'bench hot'
            AND deleted_at IS NULL ORDER BY id LIMIT 5) e
    WHERE NOT EXISTS (SELECT 1 FROM book.booking WHERE cust_nm = 'cust-1')
) s;
