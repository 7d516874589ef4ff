-- No sequential scan on a hot path (issue 16): with a catalogue and a
-- history large enough that the planner has a choice (5,000 exhibitions,
-- 40,000 bookings with their confirmations, MyPage rows, done events and
-- sent emails, 10,000 waiting-list entries), each statement the app and the
-- listener run (fcgi/db.h, fcgi/listener.c), called as they call it, reads
-- the big tables through indexes only: pg_stat_xact_user_tables counts the
-- sequential scans of this transaction, before and after each call.
BEGIN;
SELECT plan(30);
SET LOCAL TimeZone = 'Asia/Seoul';

-- ---------------------------------------------------------------- the data
INSERT INTO museum.exhibition (name, start_date, end_date, opens, closes, capacity)
SELECT 'plan ' || n, DATE '2032-03-01' + n % 60, DATE '2032-03-01' + n % 60, '09:00', '18:00', 100
FROM generate_series(1, 5000) n;
INSERT INTO museum.slot (museum_id, day, start_at, end_at, capacity, seats_left, open)
SELECT e.id, e.start_date, e.start_date + e.opens, e.start_date + e.closes, e.capacity, e.capacity - 8, true
FROM museum.exhibition e WHERE e.name LIKE 'plan %';
CREATE TEMP TABLE pe AS
    SELECT e.id, row_number() OVER (ORDER BY e.id) AS n, s.id AS slot_id, s.start_at, s.end_at, e.start_date
    FROM museum.exhibition e JOIN museum.slot s ON s.museum_id = e.id WHERE e.name LIKE 'plan %';
-- 8 bookings on each: 40,000, of 8,000 visitors, half with an email.
INSERT INTO book.booking (museum_id, cust_nm, name, chk_date, status, token_hash, slot_id, slot_start,
                          slot_end, party, tickets, email, lang)
SELECT pe.id, 'pv-' || (pe.n * 8 + k) % 8000, 'plan ' || pe.n, pe.start_date, 'REQUEST_COMPLETED',
       sha256(convert_to('pt-' || pe.n || '-' || k, 'UTF8')), pe.slot_id, pe.start_at, pe.end_at, 1,
       '{"adult": 1}', CASE WHEN k % 2 = 0 THEN 'pv-' || (pe.n * 8 + k) % 8000 || '@example.com' END, 'en'
FROM pe, generate_series(1, 8) k;
INSERT INTO confirm.confirmation (book_id, museum_id, cust_nm, name, chk_date, status, slot_start, party)
SELECT b.id, b.museum_id, b.cust_nm, b.name, b.chk_date, 'REQUEST_COMPLETED', b.slot_start, b.party
FROM book.booking b WHERE b.name LIKE 'plan %';
INSERT INTO mypage.entry (book_id, cust_nm, museum_id, name, chk_date, status, confirm_status, slot_start,
                          slot_end, party, tickets)
SELECT b.id, b.cust_nm, b.museum_id, b.name, b.chk_date, b.status, 'REQUEST_COMPLETED', b.slot_start,
       b.slot_end, b.party, b.tickets
FROM book.booking b WHERE b.name LIKE 'plan %';
INSERT INTO outbox.event (kind, museum_id, book_id, done_at)
SELECT 'BOOKED', b.museum_id, b.id, now() FROM book.booking b WHERE b.name LIKE 'plan %';
INSERT INTO mail.message (kind, book_id, to_addr, lang, sent_at)
SELECT 'TICKET', b.id, b.email, 'en', now() FROM book.booking b WHERE b.name LIKE 'plan %' AND b.email IS NOT NULL;
-- The first 500 exhibitions sold out, 20 waiting on each.
UPDATE museum.slot s SET seats_left = 0 FROM pe WHERE s.id = pe.slot_id AND pe.n <= 500;
INSERT INTO waitlist.entry (museum_id, slot_id, slot_start, slot_end, cust_nm, lang, tickets, party, token_hash)
SELECT pe.id, pe.slot_id, pe.start_at, pe.end_at, 'pw-' || pe.n || '-' || k, 'en', '{"adult": 1}', 1,
       sha256(convert_to('pw-' || pe.n || '-' || k, 'UTF8'))
FROM pe, generate_series(1, 20) k WHERE pe.n <= 500;
ANALYZE museum.exhibition, museum.slot, book.booking, confirm.confirmation, mypage.entry, outbox.event,
        mail.message, waitlist.entry;

-- ---------------------------------------------------------------- the check
CREATE FUNCTION pg_temp.seq_scans() RETURNS TABLE (t text, n bigint) LANGUAGE sql AS $$
    SELECT schemaname || '.' || relname, seq_scan FROM pg_stat_xact_user_tables
    WHERE schemaname || '.' || relname IN ('museum.exhibition', 'museum.slot', 'book.booking',
                                           'confirm.confirmation', 'mypage.entry', 'outbox.event',
                                           'mail.message', 'waitlist.entry')
$$;
-- The big tables statement p_sql scanned sequentially ('' for none).
CREATE FUNCTION pg_temp.scanned(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before jsonb := (SELECT coalesce(jsonb_object_agg(t, n), '{}') FROM pg_temp.seq_scans());
BEGIN
    EXECUTE 'SELECT count(*) FROM (' || p_sql || ') x';
    RETURN coalesce((SELECT string_agg(s.t, ', ' ORDER BY s.t) FROM pg_temp.seq_scans() s
                     WHERE s.n > coalesce((before ->> s.t)::bigint, 0)), '');
END
$$;
CREATE FUNCTION pg_temp.pe(p_n integer) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM pe WHERE n = p_n $$;
CREATE FUNCTION pg_temp.b(p_n integer) RETURNS bigint LANGUAGE sql AS $$
    SELECT min(id) FROM book.booking WHERE museum_id = pg_temp.pe(p_n)
$$;

-- Visitors' pages.
SELECT is(pg_temp.scanned(format('SELECT * FROM museum.get(%s)', pg_temp.pe(4000))), '', 'museum.get');
SELECT is(pg_temp.scanned('SELECT * FROM museum.list(NULL, 101)'), '', 'museum.list: the first page');
SELECT is(pg_temp.scanned(format('SELECT * FROM museum.list(%s, 101)', pg_temp.pe(3000))), '', 'museum.list: a later page');
SELECT is(pg_temp.scanned($$SELECT * FROM museum.list_from('2032-03-20', NULL, 101)$$), '', 'museum.list_from');
SELECT is(pg_temp.scanned(format($$SELECT * FROM museum.slots(%s, '2032-03-01', '2032-03-31')$$, pg_temp.pe(4000))), '',
          'museum.slots');
SELECT is(pg_temp.scanned(format($$SELECT * FROM book.create(%s, 'planner', %L, 'plan-key', 'plan request', NULL, '{"adult": 1}', 1,
                                  'planner@example.com', 'en', 'plan-seal-key')$$,
                                 pg_temp.pe(4000), encode(sha256(convert_to('planner', 'UTF8')), 'hex'))), '',
          'book.create, with an email and an Idempotency-Key');
SELECT is(pg_temp.scanned(format('SELECT * FROM book.get(%s, false, %L)', pg_temp.b(4000),
                                 encode(sha256(convert_to('planner', 'UTF8')), 'hex'))), '', 'book.get with a token');
SELECT is(pg_temp.scanned(format('SELECT * FROM book.ticket(%s, true, NULL)', pg_temp.b(4000))), '', 'book.ticket');
SELECT is(pg_temp.scanned(format($$SELECT * FROM book.change(%s, 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL, NULL, NULL)$$,
                                 pg_temp.b(4001))), '', 'book.change: a cancel');
SELECT is(pg_temp.scanned(format('SELECT * FROM confirm.get(%s, true, NULL)', pg_temp.b(4000))), '', 'confirm.get');
SELECT is(pg_temp.scanned(format('SELECT * FROM mypage.get(%s, true, NULL)', pg_temp.b(4000))), '', 'mypage.get');
SELECT is(pg_temp.scanned($$SELECT * FROM visitor.request_access('pv-10@example.com', repeat('ab', 32), 'en', 'plan-seal-key')$$), '',
          'visitor.request_access');
SELECT is(pg_temp.scanned($$SELECT * FROM visitor.bookings(repeat('ab', 32), 101)$$), '', 'visitor.bookings');
SELECT is(pg_temp.scanned(format($$SELECT * FROM waitlist.join(%s, NULL, 'plan waiter', NULL, 'en', NULL, 1, repeat('cd', 32), NULL)$$,
                                 pg_temp.pe(7))), '', 'waitlist.join');
SELECT is(pg_temp.scanned(format('SELECT * FROM waitlist.get(%s, false, %L)',
                                 (SELECT id FROM waitlist.entry WHERE cust_nm = 'plan waiter'), repeat('cd', 32))), '',
          'waitlist.get');

-- Staff.
SELECT is(pg_temp.scanned($$SELECT * FROM book.list(NULL, 'pv-77', NULL, NULL, NULL, 101)$$), '', 'book.list by visitor');
SELECT is(pg_temp.scanned(format('SELECT * FROM book.list(%s, NULL, NULL, NULL, NULL, 101)', pg_temp.pe(4000))), '',
          'book.list by exhibition');
SELECT is(pg_temp.scanned($$SELECT * FROM mypage.list('pv-77', NULL, NULL, 101, true, NULL)$$), '', 'mypage.list');
SELECT is(pg_temp.scanned(format('SELECT * FROM confirm.list(NULL, %s, NULL, 101, true, NULL)', pg_temp.pe(4000))), '',
          'confirm.list by exhibition');
SELECT is(pg_temp.scanned($$SELECT * FROM museum.occupancy('2032-03-20', NULL, 101)$$), '', 'museum.occupancy');
SELECT is(pg_temp.scanned(format($$SELECT * FROM waitlist.list(%s, '2032-03-08')$$, pg_temp.pe(7))), '', 'waitlist.list');
SELECT is(pg_temp.scanned(format('SELECT * FROM door.inside(%s)', pg_temp.pe(4000))), '', 'door.inside');
SELECT is(pg_temp.scanned('SELECT * FROM outbox.lag_seconds()'), '', 'outbox.lag_seconds (/readyz)');

-- The listener.
SELECT is(pg_temp.scanned('SELECT outbox.process(2000, false, 10, 100)'), '', 'outbox.process: the drain');
SELECT is(pg_temp.scanned('SELECT waitlist.tick(60)'), '', 'waitlist.tick');
SELECT is(pg_temp.scanned('SELECT * FROM mail.claim(NULL)'), '', 'mail.claim');
SELECT is(pg_temp.scanned($$SELECT outbox.prune('1 day', 1000)$$), '', 'outbox.prune');

-- (The data above is what the checks read: its own sanity.)
SELECT is((SELECT count(*)::integer FROM book.booking WHERE name LIKE 'plan %'), 40001, '40,000 bookings and one more');
SELECT is((SELECT count(*)::integer FROM waitlist.entry WHERE cust_nm LIKE 'pw-%'), 10000, '10,000 waiting');
SELECT is((SELECT count(*)::integer FROM museum.exhibition WHERE name LIKE 'plan %'), 5000, '5,000 exhibitions');
ROLLBACK;
