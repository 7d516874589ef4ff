-- The schema: one schema per context, constraints guarding the invariants.
BEGIN;
SELECT plan(16);

SELECT has_schema(s) FROM unnest(ARRAY['museum', 'book', 'confirm', 'mypage', 'outbox', 'report']) s;
SELECT has_table('museum', 'exhibition', 'exhibitions');
SELECT has_table('book', 'booking', 'bookings');
SELECT has_table('confirm', 'confirmation', 'confirmations');
SELECT has_table('mypage', 'entry', 'MyPage read model');
SELECT has_table('outbox', 'event', 'event outbox');
SELECT has_view('report', 'occupancy', 'occupancy report');
SELECT has_view('report', 'daily_bookings', 'daily report');

INSERT INTO museum.exhibition (name, chk_date, capacity, pcnt) VALUES ('T', '2031-07-26', 2, 2);
SELECT throws_ok($$UPDATE museum.exhibition SET pcnt = -1 WHERE name = 'T'$$, '23514', NULL,
                 'pcnt can never go negative');
SELECT throws_ok($$UPDATE museum.exhibition SET pcnt = 3 WHERE name = 'T'$$, '23514', NULL,
                 'pcnt can never exceed capacity');
SELECT throws_ok($$INSERT INTO book.booking (museum_id, cust_nm, name, chk_date, status)
                   VALUES (1, 'x', 'T', '2031-07-26', 'DONE')$$, '23514', NULL,
                 'booking status is one of the four');

SELECT * FROM finish();
ROLLBACK;
