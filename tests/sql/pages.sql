-- The pages' reads: museum.list_from (exhibitions not ended by a date, by end date then
-- id, after a cursor id) and museum.occupancy (staff: the same pages with
-- booked and canceled counts).
BEGIN;
SELECT plan(11);
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ)

-- Dates of their own, after anything else in the database.
CREATE TEMP TABLE d AS
SELECT greatest(coalesce(max(end_date), '2030-01-01'), '2031-01-01') + 10 AS d0 FROM museum.exhibition;
CREATE TEMP TABLE m AS
SELECT x.* FROM (VALUES ('a', 1), ('b', 0), ('gone', 1), ('c', 1), ('early', -1)) v(k, plus)
CROSS JOIN LATERAL (SELECT v.k, e.* FROM museum.create('Tap ' || v.k, (SELECT d0 FROM d) + v.plus, NULL, '09:00', '18:00', NULL, 5, '{}', '{}', NULL) e) x;
SELECT museum.delete((SELECT id FROM m WHERE k = 'gone'));
CREATE FUNCTION pg_temp.explain(p_sql text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN ' || p_sql LOOP
        RETURN NEXT line;
    END LOOP;
END
$$;
CREATE FUNCTION pg_temp.ids(p_sql text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE r text[];
BEGIN
    EXECUTE format('SELECT array_agg(k ORDER BY n) FROM (SELECT row_number() OVER () AS n, q.id FROM (%s) q) q JOIN m USING (id)', p_sql) INTO r;
    RETURN r;
END
$$;

SELECT is(pg_temp.ids(format('SELECT * FROM museum.list_from(%L, NULL, 10)', (SELECT d0 FROM d))), ARRAY['b', 'a', 'c'],
          'list_from: from the date on, by date then id, without the deleted or the earlier one');
SELECT is(pg_temp.ids(format('SELECT * FROM museum.list_from(%L, NULL, 2)', (SELECT d0 FROM d))), ARRAY['b', 'a'],
          'list_from: at most p_limit');
SELECT is(pg_temp.ids(format('SELECT * FROM museum.list_from(%L, %s, 10)', (SELECT d0 FROM d), (SELECT id FROM m WHERE k = 'a'))),
          ARRAY['c'], 'list_from: after a cursor id, in date order');
SELECT is(pg_temp.ids(format('SELECT * FROM museum.list_from(%L, %s, 10)', (SELECT d0 FROM d), (SELECT id FROM m WHERE k = 'gone'))),
          ARRAY['c'], 'list_from: after a cursor that has been deleted since');
SELECT is(pg_temp.ids(format('SELECT * FROM museum.list_from(%L, NULL, 10)', (SELECT d0 + 1 FROM d))), ARRAY['a', 'c'],
          'list_from: a later date');

-- Counts: a live booking, a canceled one.
SELECT book.create((SELECT id FROM m WHERE k = 'a'), 'Kept', repeat('0a', 32), NULL, NULL, NULL, NULL, 1);
CREATE TEMP TABLE c AS SELECT * FROM book.create((SELECT id FROM m WHERE k = 'a'), 'Gone', repeat('0b', 32), NULL, NULL, NULL, NULL, 1);
SELECT book.change((SELECT id FROM c), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL);
SELECT is((SELECT array_agg(o.booked || '/' || o.canceled ORDER BY o.end_date, o.id)
           FROM museum.occupancy((SELECT d0 FROM d), NULL, 10) o),
          ARRAY['0/0', '1/1', '0/0'], 'occupancy: booked and canceled per exhibition, in list_from''s order');
SELECT is(pg_temp.ids(format('SELECT * FROM museum.occupancy(%L, %s, 10)', (SELECT d0 FROM d), (SELECT id FROM m WHERE k = 'b'))),
          ARRAY['a', 'c'], 'occupancy: after a cursor');
SELECT is(pg_temp.ids(format('SELECT * FROM museum.occupancy(NULL, %s, 10)', (SELECT id FROM m WHERE k = 'a') - 1)),
          ARRAY['a', 'b', 'c', 'early'], 'occupancy without a date: museum.list''s order, by id');

-- As the application (which cannot read this session's temp tables).
SELECT set_config('pages.d0', (SELECT d0::text FROM d), true);
SET LOCAL ROLE museum_app;
CREATE TEMP TABLE as_app AS
SELECT (SELECT count(*)::int FROM museum.occupancy(current_setting('pages.d0')::date, NULL, 10)) AS occupancy,
       (SELECT count(*)::int FROM museum.list_from(current_setting('pages.d0')::date, NULL, 10)) AS list_from;
RESET ROLE;
SELECT is((SELECT occupancy FROM as_app), 3, 'museum_app reads the occupancy');
SELECT is((SELECT list_from FROM as_app), 3, 'museum_app reads list_from');
SET LOCAL enable_seqscan = off;
SELECT matches((SELECT string_agg(p, E'\n') FROM (SELECT * FROM pg_temp.explain('SELECT * FROM museum.list_from(''2031-01-01'', 5, 21)')) x(p)),
               'exhibition_live_end', 'list_from can read the end date index (migration 017)');

SELECT * FROM finish();
ROLLBACK;
