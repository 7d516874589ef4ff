-- Least privilege: museum_app may only run the API functions; museum_listener
-- only the listener's four; reporting may only read the report views.
BEGIN;
SELECT plan(99);

SELECT has_role('museum_app');
SELECT has_role('museum_listener');
SELECT has_role('reporting');
SELECT ok(NOT rolsuper AND NOT rolcreaterole AND NOT rolcreatedb AND NOT rolbypassrls AND rolcanlogin,
          'museum_app: a plain login role') FROM pg_roles WHERE rolname = 'museum_app';
SELECT ok(NOT rolsuper AND NOT rolcreaterole AND NOT rolcreatedb AND NOT rolbypassrls AND NOT rolreplication
          AND rolcanlogin, 'museum_listener: a plain login role') FROM pg_roles WHERE rolname = 'museum_listener';
SELECT is((SELECT count(*)::int FROM pg_auth_members m JOIN pg_roles r ON r.oid IN (m.roleid, m.member)
           WHERE r.rolname IN ('museum_app', 'museum_listener')), 0, 'museum_app and museum_listener are members of no role, nor have any');
-- PostgreSQL's log never holds a bind parameter of theirs (a booking token
-- is one): set on the roles by 013, so an external server gets it too.
SELECT ok(rolconfig @> ARRAY['log_parameter_max_length=0', 'log_parameter_max_length_on_error=0'],
          rolname || ': log_parameter_max_length(_on_error) = 0')
FROM pg_roles WHERE rolname IN ('museum_app', 'museum_listener') ORDER BY rolname;
SELECT ok(NOT rolsuper AND NOT rolcreaterole AND NOT rolcreatedb, 'reporting: a plain role')
FROM pg_roles WHERE rolname = 'reporting';
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
           WHERE r.rolname IN ('museum_app', 'museum_listener', 'reporting')), 0, 'they own nothing');
SELECT set_eq($$SELECT table_schema || '.' || table_name || ' ' || privilege_type
                 FROM information_schema.role_table_grants WHERE grantee = 'museum_app'$$,
              ARRAY['museum.live_exhibition SELECT'],
              'museum_app may read the view of live exhibitions (010) and no table at all');
SELECT is((SELECT count(*)::int FROM information_schema.role_table_grants WHERE grantee = 'museum_listener'), 0,
          'museum_listener may read no table or view');
SELECT ok((SELECT bool_and(p.prosecdef AND p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'])
           FROM pg_proc p WHERE has_function_privilege('museum_listener', p.oid, 'EXECUTE')
             AND p.pronamespace::regnamespace::text IN ('museum', 'book', 'confirm', 'mypage', 'outbox', 'waitlist')),
          'every function museum_listener may run is SECURITY DEFINER with a fixed search_path');
SELECT ok((SELECT bool_and(p.prosecdef AND p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'])
           FROM pg_proc p WHERE has_function_privilege('museum_app', p.oid, 'EXECUTE')
             AND p.pronamespace::regnamespace::text IN ('museum', 'book', 'confirm', 'mypage', 'outbox', 'waitlist')
             AND p.oid NOT IN ('museum.get(bigint)'::regprocedure, 'museum.list(bigint, integer)'::regprocedure,
                               'museum.list_from(date, bigint, integer)'::regprocedure)),
          'every other function museum_app may run is SECURITY DEFINER with a fixed search_path');
SELECT ok((SELECT bool_and(NOT p.prosecdef AND p.proconfig IS NULL AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql'))
           FROM pg_proc p WHERE p.oid IN ('museum.get(bigint)'::regprocedure, 'museum.list(bigint, integer)'::regprocedure,
                                         'museum.list_from(date, bigint, integer)'::regprocedure)),
          'museum.get, museum.list and museum.list_from are plain SQL over the view, so they are inlined into the prepared statement');
SELECT is((SELECT count(*)::int FROM pg_proc p
           WHERE p.pronamespace::regnamespace::text IN ('museum', 'book', 'confirm', 'mypage', 'outbox', 'report', 'waitlist')
             AND has_function_privilege('public', p.oid, 'EXECUTE')), 0, 'PUBLIC may run none of ours');
-- Exactly the functions the app (fcgi/db.c) and the listener
-- (fcgi/listener.c) call, and nothing else, in any schema but the
-- system's and extensions' (pgTAP's are PUBLIC's).
SELECT set_eq($$SELECT n.nspname || '.' || p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')'
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                   AND d.objid = p.oid AND d.deptype = 'e')
                   AND has_function_privilege('museum_app', p.oid, 'EXECUTE')$$,
              ARRAY['museum.create(text, date, date, time without time zone, time without time zone, integer, integer, smallint[], date[], text)',
                    'museum.get(bigint)', 'museum.list(bigint, integer)',
                    'museum.list_from(date, bigint, integer)', 'museum.end_date_of(bigint)',
                    'museum.occupancy(date, bigint, integer)', 'museum.slots(bigint, date, date)',
                    'museum.patch(bigint, text, text, integer, date, date[], boolean)', 'museum.delete(bigint)',
                    'book.create(bigint, text, text, text, text, timestamp with time zone, jsonb, integer, text, text, text)',
                    'book.get(bigint, boolean, text)', 'book.list(bigint, text, text, date, bigint, integer)',
                    'book.change(bigint, text, timestamp with time zone, jsonb, integer, boolean, text, text, text, text, text)',
                    'book.ticket(bigint, boolean, text)',
                    'visitor.request_access(text, text, text, text)', 'visitor.bookings(text, integer)',
                    'confirm.get(bigint, boolean, text)', 'confirm.list(bigint, bigint, bigint, integer, boolean, text)',
                    'mypage.get(bigint, boolean, text)', 'mypage.list(text, bigint, bigint, integer, boolean, text)',
                    'outbox.status()', 'outbox.lag_seconds()',
                    'staff.account_of(text)', 'door.checkin(text, text, text, text, text, integer, integer)',
                    'door.inside(bigint)', 'door.is_today(date)',
                    'waitlist.join(bigint, timestamp with time zone, text, text, text, jsonb, integer, text, text, text, text)',
                    'waitlist.get(bigint, boolean, text)', 'waitlist.list(bigint, date)',
                    'waitlist.accept(bigint, text, text, text)', 'waitlist.leave(bigint, text)'],
              'museum_app may run exactly the API functions');
SELECT set_eq($$SELECT n.nspname || '.' || p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')'
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                   AND d.objid = p.oid AND d.deptype = 'e')
                   AND has_function_privilege('museum_listener', p.oid, 'EXECUTE')$$,
              ARRAY['outbox.process(integer, boolean, integer, integer)', 'outbox.listener_beat(text, integer, bigint)',
                    'outbox.prune(interval, integer)', 'outbox.listener_gone(text, integer)',
                    'mail.claim(text)', 'mail.sent(bigint)', 'mail.failed(bigint, text, integer, integer)',
                    'waitlist.tick(integer)'],
              'museum_listener may run exactly the listener''s functions (fcgi/listener.c)');
-- One path per rule: the unchecked inner functions and the per-event
-- effects are gone (folded into the API functions, the batch effects).
SELECT hasnt_function(s, f, a, d) FROM (VALUES
    ('book', 'get', ARRAY['bigint'], 'no unchecked book.get(id)'),
    ('book', 'create', ARRAY['bigint', 'text'], 'no book.create without a token'),
    ('book', 'set_status', ARRAY['bigint', 'text'], 'no unchecked book.set_status(id, status)'),
    ('book', 'set_status', ARRAY['bigint', 'text', 'boolean', 'text', 'text', 'text'], 'book.set_status is gone: book.change (017)'),
    ('book', 'create', ARRAY['bigint', 'text', 'text', 'text', 'text'], 'no book.create without a slot and party (017)'),
    ('book', 'on_museum_deleted', ARRAY['bigint', 'bigint', 'integer'], 'book.on_museum_deleted is gone: book.force_cancel (017)'),
    ('museum', 'create', ARRAY['text', 'date', 'integer'], 'no museum.create of one date (017)'),
    ('museum', 'chk_date_of', ARRAY['bigint'], 'museum.chk_date_of is gone: museum.end_date_of (017)'),
    ('museum', 'on_canceled', ARRAY['bigint[]', 'bigint[]'], 'no museum.on_canceled by exhibition (017)'),
    ('confirm', 'get', ARRAY['bigint'], 'no unchecked confirm.get(id)'),
    ('confirm', 'list', ARRAY['bigint', 'bigint', 'bigint', 'integer'], 'no unchecked confirm.list'),
    ('mypage', 'get', ARRAY['bigint'], 'no unchecked mypage.get(id)'),
    ('mypage', 'list', ARRAY['text', 'bigint', 'bigint', 'integer'], 'no unchecked mypage.list'),
    ('outbox', 'apply', ARRAY['outbox.event'], 'no per-event outbox.apply'),
    ('public', 'grant_api', ARRAY['regprocedure[]'], 'no grant_api: each API function says SECURITY DEFINER itself')
) t(s, f, a, d);

-- As the application would. pgTAP's own functions are not for these roles,
-- so each statement runs through as_role, which answers 'ok' or the SQLSTATE.
CREATE FUNCTION pg_temp.as_role(p_role text, p_sql text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', p_role);
    BEGIN
        EXECUTE p_sql;
    EXCEPTION WHEN OTHERS THEN
        RESET ROLE;
        RETURN SQLSTATE;
    END;
    RESET ROLE;
    RETURN 'ok';
END
$$;
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ)
CREATE TEMP TABLE ids AS
SELECT id FROM museum.create('Role hall', '2031-01-01', '2031-01-02', '09:00', '18:00', 60, 3, '{}', '{}', NULL);

SELECT is(pg_temp.as_role('museum_app', 'SELECT * FROM museum.list(NULL, 10)'), 'ok', 'museum_app lists exhibitions');
SELECT is(pg_temp.as_role('museum_app', format('SELECT * FROM museum.get(%s)', (SELECT id FROM ids))), 'ok',
          'museum_app reads an exhibition');
-- The point of 010: as museum_app, the reads plan to an index scan of the
-- table, with no function call left in the plan.
CREATE FUNCTION pg_temp.plan_as_app(p_sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    SET LOCAL ROLE museum_app;
    FOR line IN EXECUTE 'EXPLAIN ' || p_sql LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RESET ROLE;
    RETURN plan;
END
$$;
SELECT doesnt_match(pg_temp.plan_as_app(q), 'Function Scan', d || ': no function call left')
FROM (VALUES ('SELECT * FROM museum.get(1)', 'museum.get'),
             ('SELECT * FROM museum.list(5, 101)', 'museum.list'),
             ($$SELECT * FROM museum.list_from('2031-01-01', 5, 101)$$, 'museum.list_from')) t(q, d);
-- (by any of its indexes: on an almost empty table exhibition_live_end
-- costs the same as the primary key)
SELECT matches(pg_temp.plan_as_app('SELECT * FROM museum.get(1)'), 'Scan on exhibition|Scan using \w+ on exhibition',
               'museum.get reads the table directly');
SELECT is(pg_temp.as_role('museum_app', format($$SELECT * FROM book.create(%s, 'app', repeat('ab', 32), NULL, NULL, '2031-01-01 09:00', '{"adult": 2}', 2)$$,
                                               (SELECT id FROM ids))), 'ok', 'museum_app books');
SELECT is(pg_temp.as_role('museum_app', format($$SELECT * FROM book.change((SELECT max(id) FROM book.list(%s, NULL, NULL, NULL, NULL, 10)), NULL, '2031-01-01 10:00', NULL, 1, true, NULL, NULL, NULL)$$,
                                               (SELECT id FROM ids))), 'ok', 'museum_app moves a booking');
SELECT is(pg_temp.as_role('museum_app', format($$SELECT * FROM book.change((SELECT max(id) FROM book.list(%s, NULL, NULL, NULL, NULL, 10)), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)$$,
                                               (SELECT id FROM ids))), 'ok', 'museum_app cancels a booking');
SELECT is(pg_temp.as_role('museum_app', format($$SELECT * FROM museum.slots(%s, '2031-01-01', '2031-01-02')$$, (SELECT id FROM ids))),
          'ok', 'museum_app reads the slots');
SELECT is(pg_temp.as_role('museum_app', format($$SELECT * FROM museum.patch(%s, 'Role hall 2', 'd', 4, '2031-01-03', '{2031-01-02}', false)$$,
                                               (SELECT id FROM ids))), 'ok', 'museum_app patches an exhibition');
SELECT is(pg_temp.as_role('museum_app', $$SELECT * FROM museum.create('App hall', '2031-02-01', '2031-02-03', '10:00', '12:00', 30, 2, '{1}', '{2031-02-02}', 'x')$$),
          'ok', 'museum_app creates an exhibition');
SELECT is((SELECT name || ' ' || capacity || ' ' || end_date || ' ' || closed_dates::text FROM museum.exhibition WHERE id = (SELECT id FROM ids)),
          'Role hall 2 4 2031-01-03 {2031-01-02}', 'as museum_app, the patch took effect');
SELECT is(pg_temp.as_role('museum_listener', 'SELECT outbox.process(10)'), 'ok', 'museum_listener applies events');
SELECT is(pg_temp.as_role('museum_listener', $$SELECT outbox.listener_beat('tap', 1, 0)$$), 'ok', 'museum_listener records heartbeats');
SELECT is(pg_temp.as_role('museum_listener', $$SELECT outbox.prune('7 days', 10)$$), 'ok', 'museum_listener prunes done events');
SELECT is(pg_temp.as_role('museum_listener', $$SELECT outbox.listener_gone('tap', 1)$$), 'ok', 'museum_listener leaves the heartbeat table');
SELECT is(pg_temp.as_role('museum_app', 'SELECT * FROM outbox.status()'), 'ok', 'museum_app reads the status (probes)');
SELECT is(pg_temp.as_role('museum_app', 'SELECT outbox.lag_seconds()'), 'ok', 'museum_app reads the lag (readiness)');
SELECT is(pg_temp.as_role('museum_app', q), '42501', d) FROM (VALUES
    ('SELECT * FROM book.booking', 'cannot read book.booking'),
    ('SELECT * FROM book.idempotency', 'cannot read book.idempotency'),
    ('SELECT * FROM museum.exhibition', 'cannot read museum.exhibition'),
    ('UPDATE museum.live_exhibition SET name = ''x''', 'cannot write through the view'),
    ('SELECT * FROM museum.slot', 'cannot read museum.slot'),
    ('UPDATE museum.slot SET seats_left = capacity', 'cannot give seats back by hand'),
    ('SELECT * FROM book.force_cancel(1, NULL, now(), NULL, 10)', 'cannot force-cancel bookings (the listener''s effect)'),
    ('SELECT museum.make_slots(1, ''2031-01-01'', ''2031-01-02'', ''x'')', 'cannot make slots'),
    ('SELECT * FROM book.take_seats(1, 1)', 'cannot take seats outside book.create'),
    ('SELECT museum.on_canceled(ARRAY[1::bigint])', 'cannot run the cancel effect'),
    ('SELECT confirm.on_moved(ARRAY[1::bigint])', 'cannot run the move effect'),
    ('SELECT * FROM report.occupancy', 'cannot read the reports'),
    ('UPDATE museum.exhibition SET capacity = 1000', 'cannot update a table'),
    ('DELETE FROM outbox.event', 'cannot delete events'),
    ('SELECT * FROM outbox.claim(1)', 'cannot call an internal function'),
    ('SELECT outbox.retry_dead()', 'cannot call outbox.retry_dead'),
    ('SELECT outbox.process(10)', 'cannot apply events (the listener''s)'),
    ($$SELECT outbox.prune('-100 years', 10000)$$, 'cannot prune events'),
    ($$SELECT outbox.listener_beat('fake', 1, 0)$$, 'cannot write listener heartbeats'),
    ($$SELECT outbox.listener_gone('listener', 1)$$, 'cannot remove a listener''s heartbeat'),
    ('CREATE TABLE book.x (a int)', 'cannot CREATE in book'),
    ('CREATE TABLE public.x (a int)', 'cannot CREATE in public'),
    ('CREATE SCHEMA x', 'cannot CREATE SCHEMA'),
    ('DROP TABLE book.booking', 'cannot DROP a table'),
    ('ALTER TABLE book.booking ADD COLUMN x int', 'cannot ALTER a table'),
    ($$CREATE FUNCTION book.x() RETURNS int LANGUAGE sql AS 'SELECT 1'$$, 'cannot CREATE FUNCTION'),
    ('ALTER FUNCTION book.list(bigint, text, text, date, bigint, integer) SECURITY INVOKER', 'cannot ALTER an API function'),
    ('DROP FUNCTION book.list(bigint, text, text, date, bigint, integer)', 'cannot DROP an API function')
) t(q, d);

SELECT is(pg_temp.as_role('museum_listener', q), '42501', 'museum_listener ' || d) FROM (VALUES
    ($$SELECT * FROM book.create(1, 'x', repeat('ab', 32), NULL, NULL, NULL, NULL, 1)$$, 'cannot book'),
    ('SELECT * FROM book.change(1, ''CANCELED'', NULL, NULL, NULL, true, NULL, NULL, NULL)', 'cannot cancel'),
    ('SELECT * FROM museum.patch(1, ''x'', NULL, NULL, NULL, NULL, NULL)', 'cannot patch an exhibition'),
    ('SELECT * FROM museum.slot', 'cannot read museum.slot'),
    ('SELECT * FROM museum.list(NULL, 1)', 'cannot call the API'),
    ('SELECT * FROM outbox.status()', 'cannot read the status'),
    ('SELECT * FROM outbox.event', 'cannot read events'),
    ('DELETE FROM outbox.event', 'cannot delete events'),
    ('SELECT * FROM book.booking', 'cannot read book.booking'),
    ('SELECT * FROM museum.live_exhibition', 'cannot read the live exhibitions'),
    ('SELECT * FROM outbox.claim(1)', 'cannot call an internal function'),
    ('CREATE TABLE outbox.x (a int)', 'cannot CREATE in outbox')
) t(q, d);

SELECT is(pg_temp.as_role('reporting', 'SELECT * FROM report.occupancy'), 'ok', 'reporting reads report.occupancy');
SELECT is(pg_temp.as_role('reporting', 'SELECT * FROM report.daily_bookings'), 'ok', 'reporting reads report.daily_bookings');
SELECT is(pg_temp.as_role('reporting', 'SELECT * FROM report.slot_occupancy'), 'ok', 'reporting reads report.slot_occupancy');
SELECT is(pg_temp.as_role('reporting', 'SELECT * FROM report.visitors'), 'ok', 'reporting reads report.visitors');
SELECT is(pg_temp.as_role('reporting', 'SELECT * FROM museum.slot'), '42501', 'reporting cannot read museum.slot');
SELECT is(pg_temp.as_role('reporting', 'SELECT * FROM book.booking'), '42501', 'reporting cannot read book.booking');
SELECT is(pg_temp.as_role('reporting', 'SELECT * FROM museum.list(NULL, 1)'), '42501', 'reporting cannot call the API');

SELECT * FROM finish();
ROLLBACK;
