-- The door (docs/door.md): door.checkin (the window, the reasons, nonces
-- replayed byte for byte, every scan recorded), exits and who is inside,
-- the guard that keeps an admitted booking from being canceled, the
-- reports, and the staff accounts' functions.
BEGIN;
SELECT plan(48);
SET LOCAL TimeZone = 'Asia/Seoul'; -- the app's sessions' (MUSEUM_TZ)
\ir lib.psql

INSERT INTO ms SELECT 'd', id FROM pg_temp.one_day('Door hall', '2031-03-03', 50);
-- Bookings of 2031 (too early today), then moved in time where a test
-- needs a visit now or past (as the app never could: the window is what is
-- tested).
SELECT pg_temp.book('d', 'now' || i, '2031-03-03 09:00', 2) FROM generate_series(1, 6) i;
SELECT pg_temp.book('d', 'later', '2031-03-03 09:00', 3);
SELECT pg_temp.book('d', 'past', '2031-03-03 09:00', 1);
UPDATE book.booking SET slot_start = now() - interval '10 minutes', slot_end = now() + interval '20 minutes'
WHERE cust_nm LIKE 'now%' AND museum_id = pg_temp.m('d');
UPDATE book.booking SET slot_start = now() - interval '3 hours', slot_end = now() - interval '2 hours'
WHERE cust_nm = 'past' AND museum_id = pg_temp.m('d');
CREATE FUNCTION pg_temp.code(p_who text) RETURNS text LANGUAGE sql AS $$
    SELECT code FROM book.booking WHERE id = pg_temp.bid(p_who)
$$;
-- A scan as the app makes it (30 and 60 minutes: the defaults).
CREATE FUNCTION pg_temp.scan(p_code text, p_nonce text, p_type text DEFAULT 'entry', p_late integer DEFAULT 60)
RETURNS TABLE (status integer, answer text) LANGUAGE sql AS $$
    SELECT c.status, c.body FROM door.checkin(p_code, p_nonce, p_type, 'North', 'door1', 30, p_late) c
$$;
CREATE FUNCTION pg_temp.reason(p_code text, p_nonce text, p_type text DEFAULT 'entry', p_late integer DEFAULT 60)
RETURNS text LANGUAGE sql AS $$
    SELECT s.status || ' ' || coalesce(s.answer::json ->> 'reason', s.answer::json ->> 'result', '')
    FROM pg_temp.scan(p_code, p_nonce, p_type, p_late) s
$$;

-- Codes as people type them.
SELECT is(door.normalize_code('d8mme-ky8rf'), 'D8MMEKY8RF', 'lower case and hyphens are normalised');
SELECT is(door.normalize_code('oO iI lL 0123'), '0011110123', 'O is 0, I and L are 1, spaces go');
SELECT is(pg_temp.err($$SELECT door.normalize_code('ABCDEFGHJU')$$), 'SK422 code', 'U is not in the alphabet: 422 on code');
SELECT is(pg_temp.err($$SELECT door.normalize_code('ABCDEFGHJ')$$), 'SK422 code', 'nine characters: 422');
SELECT is(pg_temp.err($$SELECT door.normalize_code('')$$), 'SK422 code', 'empty: 422');

-- A party of 2, admitted once.
CREATE TEMP TABLE first AS SELECT * FROM pg_temp.scan(lower(pg_temp.code('now1')), 'n-1');
SELECT is((SELECT status FROM first), 201, 'admitted: 201 (REQUESTED: the listener never ran)');
SELECT is((SELECT answer::json ->> 'result' || ' ' || (answer::json ->> 'party') || ' ' || (answer::json ->> 'bookId')
           FROM first), 'admitted 2 ' || pg_temp.bid('now1'), 'the answer says admitted, the party and the booking');
SELECT is((SELECT answer::json ->> 'code' FROM first), pg_temp.code('now1'), 'the answer has the code, as stored');
SELECT is((SELECT result || ' ' || device_user || ' ' || gate || ' ' || party || ' ' || (day = current_date)
           FROM door.scan WHERE nonce = 'n-1'), 'admitted door1 North 2 true', 'the scan is recorded');
CREATE TEMP TABLE second AS SELECT * FROM pg_temp.scan(pg_temp.code('now1'), 'n-2');
SELECT is((SELECT status || ' ' || (answer::json ->> 'reason') FROM second), '409 already_admitted',
          'a second scan with a new nonce: 409 already_admitted');
SELECT is((SELECT (answer::json ->> 'firstAdmittedAt')::timestamptz FROM second),
          (SELECT at FROM door.scan WHERE nonce = 'n-1'), 'with firstAdmittedAt, the first admission''s time');
SELECT is((SELECT answer::json ->> 'type' || ' ' || (answer::json ->> 'title') || ' ' || (answer::json ->> 'status')
           FROM second), 'about:blank Conflict 409', 'a problem+json body');
-- Replays.
SELECT is((SELECT count(*)::int FROM door.scan WHERE nonce LIKE 'n-%'), 2, 'two scans so far');
SELECT is((SELECT row(status, answer)::text FROM pg_temp.scan(pg_temp.code('now1'), 'n-1')),
          (SELECT row(status, answer)::text FROM first), 'the first nonce again: the first answer, the same text');
SELECT is((SELECT row(status, answer)::text FROM pg_temp.scan(pg_temp.code('now1'), 'n-2')),
          (SELECT row(status, answer)::text FROM second), 'the second nonce again: the second answer');
SELECT is((SELECT count(*)::int FROM door.scan WHERE nonce LIKE 'n-%'), 2, 'and nothing more recorded');
SELECT is(pg_temp.err($$SELECT * FROM door.checkin(pg_temp.code('now2'), 'n-1', 'entry', NULL, 'door1', 30, 60)$$),
          'SK422 nonce', 'the nonce with another code: 422');
SELECT is(pg_temp.err($$SELECT * FROM door.checkin(pg_temp.code('now1'), 'n-1', 'exit', NULL, 'door1', 30, 60)$$),
          'SK422 nonce', 'the nonce with another type: 422');
SELECT is(pg_temp.err($$SELECT * FROM door.checkin(pg_temp.code('now2'), 'bad nonce', 'entry', NULL, 'door1', 30, 60)$$),
          'SK422 nonce', 'a nonce with a space: 422');
SELECT is(pg_temp.err($$SELECT * FROM door.checkin(pg_temp.code('now2'), 'n-x', 'in', NULL, 'door1', 30, 60)$$),
          'SK422 type', 'a type but entry or exit: 422');
SELECT is(pg_temp.err($$SELECT * FROM door.checkin(pg_temp.code('now2'), 'n-x', 'entry', repeat('g', 41), 'door1', 30, 60)$$),
          'SK422 gate', 'a gate of 41 characters: 422');
SELECT is((SELECT count(*)::int FROM door.scan WHERE nonce LIKE 'n-%'), 2, 'refused requests record nothing');

-- Unknown codes: 404, recorded, replayed.
SELECT is(pg_temp.reason('ZZZZZZZZZZ', 'n-u'), '404 ', 'an unknown code: 404');
SELECT is((SELECT result || coalesce(book_id::text, '-') FROM door.scan WHERE nonce = 'n-u'), 'unknown-', 'recorded as unknown');
SELECT is(pg_temp.reason('ZZZZZZZZZZ', 'n-u'), '404 ', 'replayed');

-- The reasons.
SELECT book.change(pg_temp.bid('now2'), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL);
SELECT is(pg_temp.reason(pg_temp.code('now2'), 'n-c'), '409 canceled', 'canceled at once (the listener never ran)');
UPDATE book.booking SET status = 'FORCE_CANCELED', canceled_at = now(), cancel_reason = 'DAY_CLOSED'
WHERE id = pg_temp.bid('now3');
SELECT is(pg_temp.reason(pg_temp.code('now3'), 'n-f'), '409 canceled', 'force-canceled: canceled too');
SELECT is(pg_temp.reason(pg_temp.code('later'), 'n-e'), '409 too_early', 'a visit of 2031: too_early');
SELECT is(pg_temp.reason(pg_temp.code('past'), 'n-l'), '409 too_late', 'ended two hours ago, 60 minutes late allowed: too_late');
SELECT is(pg_temp.reason(pg_temp.code('past'), 'n-l2', 'entry', 180), '201 admitted', 'with 180 minutes: admitted');

-- Exits, re-entry and who is inside.
SELECT is(pg_temp.reason(pg_temp.code('now4'), 'x-0', 'exit'), '409 not_admitted', 'an exit before any entry: not_admitted');
SELECT is((SELECT inside FROM door.inside(pg_temp.m('d'))), 3::bigint, 'inside: the parties admitted today (2 + 1)');
SELECT is(pg_temp.reason(pg_temp.code('now1'), 'x-1', 'exit'), '201 exited', 'an exit after the entry: exited');
SELECT is(pg_temp.reason(pg_temp.code('now1'), 'x-2', 'exit'), '409 already_exited', 'a second exit: already_exited');
SELECT is(pg_temp.reason(pg_temp.code('now1'), 'x-3'), '409 already_admitted', 'an exited party does not come in again');
SELECT is((SELECT inside FROM door.inside(pg_temp.m('d'))), 1::bigint, 'inside: entries minus exits');
SELECT is(pg_temp.err($$SELECT * FROM door.inside(-1)$$), 'SK404', 'inside of no exhibition: 404');

-- An admitted booking cannot be canceled; the museum's force-cancel is not stopped.
SELECT is(pg_temp.err(format($$SELECT * FROM book.change(%s, 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)$$,
                             pg_temp.bid('now1'))), 'SK409', 'cancel after admission: 409');
SELECT is((SELECT status::text FROM book.booking WHERE id = pg_temp.bid('now1')), 'REQUESTED', 'and it stays live');
SELECT is(pg_temp.err(format($$UPDATE book.booking SET status = 'FORCE_CANCELED', canceled_at = now() WHERE id = %s$$,
                             pg_temp.bid('now1'))), 'ok', 'a force-cancel is not stopped');

-- The reports.
SELECT is((SELECT scans || ' ' || admitted_parties || ' ' || admitted_people || ' ' || exits || ' ' || already_admitted
                  || ' ' || canceled || ' ' || too_early || ' ' || too_late || ' ' || not_admitted || ' ' || already_exited
           FROM report.checkins WHERE museum_id = pg_temp.m('d') AND day = current_date AND gate = 'North'),
          '11 2 3 1 2 2 1 1 1 1', 'report.checkins: scans, admissions, people, exits, refusals by reason');
SELECT is((SELECT unknown_code FROM report.checkins WHERE museum_id IS NULL AND day = current_date AND gate = 'North'), 1::bigint,
          'report.checkins: unknown codes');
SET LOCAL museum.checkin_late_min = 60;
SELECT set_eq($$SELECT book_id FROM report.no_shows WHERE museum_id = pg_temp.m('d')$$, ARRAY[]::bigint[],
              'no_shows: the past booking was admitted (with 180 minutes)');
UPDATE book.booking SET slot_start = now() - interval '3 hours', slot_end = now() - interval '2 hours'
WHERE id = pg_temp.bid('now5');
SELECT set_eq($$SELECT book_id FROM report.no_shows WHERE museum_id = pg_temp.m('d')$$, ARRAY[pg_temp.bid('now5')],
              'no_shows: a live booking never admitted, ended more than 60 minutes ago');
SET LOCAL museum.checkin_late_min = 180;
SELECT set_eq($$SELECT book_id FROM report.no_shows WHERE museum_id = pg_temp.m('d')$$, ARRAY[]::bigint[],
              'no_shows: not yet with museum.checkin_late_min = 180');

-- Staff accounts.
SELECT staff.add('door.7', 'door', '$y$j9T$abc$def');
SELECT is((SELECT row(role, password_hash, disabled)::text FROM staff.account_of('door.7')), '(door,$y$j9T$abc$def,f)',
          'account_of: the role, the hash, not disabled');
SELECT staff.disable('door.7');
SELECT is((SELECT disabled FROM staff.account_of('door.7')), true, 'disabled at once');
SELECT is(pg_temp.err($$SELECT staff.add('admin', 'door', '$y$x')$$) || ' ' ||
          pg_temp.err($$SELECT staff.add('door.7', 'admin', '$y$x')$$) || ' ' ||
          pg_temp.err($$SELECT staff.add('Door', 'door', '$y$x')$$) || ' ' ||
          pg_temp.err($$SELECT staff.set_password('nobody', '$y$x')$$),
          'SK422 SK409 SK422 SK404', 'admin is reserved, names are unique and lower case, unknown accounts are 404');

SELECT * FROM finish();
ROLLBACK;
