-- Booking tokens and idempotency keys in the SQL API.
BEGIN;
SELECT plan(24);
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ)

CREATE TEMP TABLE m AS
SELECT * FROM museum.create('Token hall', '2031-01-01', '2031-01-02', '09:00', '18:00', 60, 5, '{}', '{}', NULL);
CREATE TEMP TABLE b AS SELECT * FROM book.create((SELECT id FROM m), 'Kim', repeat('a1', 32), NULL, NULL, '2031-01-01 09:00', NULL, 1);
CREATE TEMP TABLE o AS SELECT * FROM book.create((SELECT id FROM m), 'Lee', repeat('b2', 32), NULL, NULL, '2031-01-01 09:00', NULL, 1);

SELECT is((SELECT token FROM b), repeat('a1', 32), 'the token is answered once, in the clear');
SELECT is((SELECT token_hash FROM book.booking WHERE id = (SELECT id FROM b)), sha256(convert_to(repeat('a1', 32), 'UTF8')),
          'and stored as sha256');
SELECT is((SELECT cust_nm FROM book.get((SELECT id FROM b), false, repeat('a1', 32))), 'Kim', 'its token opens it');
SELECT is_empty(format('SELECT * FROM book.get(%s, false, %L)', (SELECT id FROM b), repeat('b2', 32)),
                'another token: no row, as if it did not exist');
SELECT is_empty(format('SELECT * FROM book.get(%s, false, NULL)', (SELECT id FROM b)), 'no token: no row');
SELECT is_empty(format('SELECT * FROM book.get(%s, NULL, NULL)', (SELECT id FROM b)), 'a NULL staff flag is not staff');
SELECT is((SELECT cust_nm FROM book.get((SELECT id FROM b), true, NULL)), 'Kim', 'staff open it');
SELECT throws_ok(format('SELECT * FROM book.change(%s, %L, NULL, NULL, NULL, false, %L, NULL, NULL)', (SELECT id FROM b), 'CANCELED',
                        repeat('b2', 32)), 'SK404', NULL, 'another token cannot cancel');
SELECT throws_ok(format('SELECT * FROM book.change(%s, NULL, %L, NULL, 2, false, %L, NULL, NULL)', (SELECT id FROM b),
                        '2031-01-01 10:00', repeat('b2', 32)), 'SK404', NULL, 'another token cannot move it');
SELECT throws_ok(format('SELECT * FROM book.change(%s, NULL, %L, NULL, 2, NULL, NULL, NULL, NULL)', (SELECT id FROM b),
                        '2031-01-01 10:00'), 'SK404', NULL, 'no token, a NULL staff flag: cannot move it');
SELECT is((SELECT status || ' ' || slot_start || ' ' || party FROM book.booking WHERE id = (SELECT id FROM b))::text,
          'REQUESTED 2031-01-01 09:00:00+09 1', 'and changed nothing');
SELECT is((SELECT seats_left FROM museum.slot WHERE museum_id = (SELECT id FROM m) AND start_at = '2031-01-01 10:00'), 5,
          'nor took any seat');
SELECT throws_ok(format('SELECT * FROM mypage.list(%L, NULL, NULL, 10, false, %L)', 'Kim', repeat('b2', 32)), 'SK401',
                 NULL, 'MyPage of Kim with Lee''s token: 401 (the list is staff-only: a name is no identity)');

-- Timing: a stranger's token on an existing id and on a missing one does
-- the same work (the same index scans of the same tables), so the answer's
-- timing does not tell which ids exist.
CREATE FUNCTION pg_temp.scans(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before jsonb := (SELECT jsonb_object_agg(relid::regclass, coalesce(idx_scan, 0) + seq_scan)
                     FROM pg_stat_xact_user_tables);
BEGIN
    EXECUTE q;
    RETURN (SELECT string_agg(relid::regclass || ' ' || (coalesce(idx_scan, 0) + seq_scan
                              - coalesce((before ->> (relid::regclass)::text)::bigint, 0)), ', ' ORDER BY relid::regclass::text)
            FROM pg_stat_xact_user_tables
            WHERE coalesce(idx_scan, 0) + seq_scan <> coalesce((before ->> (relid::regclass)::text)::bigint, 0));
END
$$;
SELECT outbox.process(100);
SELECT is(pg_temp.scans(format('SELECT * FROM %s(%s, false, %L)', f, id, repeat('b2', 32))),
          pg_temp.scans(format('SELECT * FROM %s(%s, false, %L)', f, 987654321, repeat('b2', 32))),
          f || ': an existing id and a missing one, the same scans')
FROM (VALUES ('book.get', (SELECT id FROM b)),
             ('confirm.get', (SELECT id FROM confirm.confirmation WHERE book_id = (SELECT id FROM b))),
             ('mypage.get', (SELECT id FROM mypage.entry WHERE book_id = (SELECT id FROM b)))) t(f, id);
SELECT is(pg_temp.scans(format('SELECT book.may_see(%s, false, %L)', (SELECT id FROM b), repeat('b2', 32))),
          pg_temp.scans(format('SELECT book.may_see(%s, false, %L)', 987654321, repeat('b2', 32))),
          'book.may_see (cancels): the same scans');

-- Idempotency: replay, other request, the key kept as a hash.
CREATE TEMP TABLE i1 AS SELECT * FROM book.create((SELECT id FROM m), 'Park', repeat('c3', 32), 'key-1', 'POST /books\n{}', '2031-01-01 09:00', NULL, 2);
CREATE TEMP TABLE i2 AS SELECT * FROM book.create((SELECT id FROM m), 'Park', repeat('d4', 32), 'key-1', 'POST /books\n{}', '2031-01-01 09:00', NULL, 2);
SELECT is((SELECT row(id, token)::text FROM i2), (SELECT row(id, token)::text FROM i1),
          'the same key and request: the first answer, token included');
SELECT is((SELECT count(*)::int FROM book.booking WHERE cust_nm = 'Park'), 1, 'one booking');
SELECT is((SELECT seats_left FROM museum.slot WHERE museum_id = (SELECT id FROM m) AND start_at = '2031-01-01 09:00'), 1,
          'its seats taken once');
SELECT throws_ok($$SELECT * FROM book.create(1, 'Park', repeat('e5', 32), 'key-1', 'POST /books\n{"x":1}', NULL, NULL, 1)$$, 'SK422',
                 NULL, 'another request with the key: SK422');
SELECT is((SELECT count(*)::int FROM book.idempotency WHERE key_hash = sha256('key-1'::bytea)), 1, 'the key as sha256');
SELECT isnt((SELECT token_sealed FROM book.idempotency WHERE key_hash = sha256('key-1'::bytea)),
            decode(repeat('c3', 32), 'hex'), 'the token is not stored in the clear');
SELECT is(book.token_unseal(book.token_seal(repeat('0f', 32), 'k'), 'k'), repeat('0f', 32), 'seal and unseal');

SELECT * FROM finish();
ROLLBACK;
