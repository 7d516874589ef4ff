-- Bench data (idempotent): 1,000 exhibitions named 'bench <n>' with the
-- maximum capacity, one hot exhibition 'bench hot', and 1,000 customers
-- 'cust-<n>' with 5 bookings each for the MyPage read.
-- Prints the first bench exhibition id and the hot one's.
\set ON_ERROR_STOP 1
INSERT INTO museum.exhibition (name, chk_date, capacity, pcnt)
SELECT 'bench ' || n, DATE '2030-01-01', 1000000, 1000000
FROM generate_series(1, 1000) n
WHERE NOT EXISTS (SELECT 1 FROM museum.exhibition WHERE name = 'bench 1' AND deleted_at IS NULL);
INSERT INTO museum.exhibition (name, chk_date, capacity, pcnt)
SELECT 'bench hot', DATE '2030-01-01', 1000000, 1000000
WHERE NOT EXISTS (SELECT 1 FROM museum.exhibition WHERE name = 'bench hot' AND deleted_at IS NULL);
-- MyPage customers: 5 bookings each on the first five bench exhibitions.
SELECT count(*) AS seeded_bookings FROM (
    SELECT book.create(e.id, 'cust-' || c, encode(sha256(random()::text::bytea), 'hex'), NULL, NULL)
    FROM generate_series(1, 1000) c,
         (SELECT id FROM museum.exhibition WHERE name LIKE 'bench %' AND name <> 'bench hot'
            AND deleted_at IS NULL ORDER BY id LIMIT 5) e
    WHERE NOT EXISTS (SELECT 1 FROM book.booking WHERE cust_nm = 'cust-1')
) s;
