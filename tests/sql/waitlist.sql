-- The waiting list (issue 15, db/functions/waitlist.sql): joining, the
-- queue's positions, queue first (book.take_seats refuses seats a waiting
-- entry fits), the listener's offers in queue order (waitlist.tick) and
-- expiries, accepting (twice), leaving, the museum's cancels
-- (waitlist.cancel_for through outbox.apply_batch), and the seat
-- invariant with held seats.
BEGIN;
SELECT plan(75);
SET LOCAL TimeZone = 'Asia/Seoul';

\ir lib.psql

-- An entry's token, by number.
CREATE FUNCTION pg_temp.tok(p_n integer) RETURNS text LANGUAGE sql AS $$
    SELECT lpad(to_hex(50000 + p_n), 64, '0')
$$;
-- Joins the waiting list of exhibition p_k's slot p_slot for p_party; the
-- entry's id.
CREATE FUNCTION pg_temp.join(p_k text, p_who text, p_slot timestamptz, p_party integer, p_n integer)
RETURNS bigint LANGUAGE sql AS $$
    SELECT id FROM waitlist.join(pg_temp.m(p_k), p_slot, p_who, NULL, 'en', NULL, p_party,
                                 pg_temp.tok(p_n), 'seal-key')
$$;
CREATE FUNCTION pg_temp.st(p_id bigint) RETURNS text LANGUAGE sql AS $$
    SELECT status || ' ' || held FROM waitlist.entry WHERE id = p_id
$$;
CREATE FUNCTION pg_temp.pos(p_id bigint) RETURNS integer LANGUAGE sql AS $$
    SELECT "position" FROM waitlist.get(p_id, true, NULL)
$$;

-- Exhibition w: one slot of 3 seats on 2031-08-01 09:00-18:00.
INSERT INTO ms SELECT 'w', id FROM pg_temp.one_day('Waitlist W', '2031-08-01', 3);
\set s '''2031-08-01 09:00'''

-- ---------------------------------------------------------------- join
SELECT is(pg_temp.err(format($$SELECT pg_temp.join('w', 'early', %L, 1, 1)$$, :s)), 'SK409',
          'join: seats are available: book them');
SELECT pg_temp.book('w', 'b1', :s, 1);
SELECT pg_temp.book('w', 'b2', :s, 2);
SELECT is(pg_temp.left_at('w', :s), 0, 'sold out');
SELECT is(pg_temp.err(format($$SELECT pg_temp.join('w', 'big', %L, 4, 1)$$, :s)), 'SK409',
          'join: a party larger than the slot is refused');
SELECT is(pg_temp.err(format($$SELECT pg_temp.join('w', 'x', '2031-08-01 10:00', 1, 1)$$)), 'SK422 slot',
          'join: not a slot of the exhibition: SK422 on slot');
SELECT is(pg_temp.err($$SELECT * FROM waitlist.join(-1, NULL, 'x', NULL, 'en', NULL, 1, repeat('ab', 32), NULL)$$), 'SK404',
          'join: no such exhibition');
SELECT is((SELECT row(status, "position", party)::text FROM waitlist.join(pg_temp.m('w'), :s, 'p2', 'p2@example.com', 'ko',
                                                    '{"adult": 2}', 2, pg_temp.tok(2), 'seal-key')),
          '(WAITING,1,2)', 'join: a party of 2 waits first');
-- With an Idempotency-Key: the same join again is the first one's answer,
-- token included, and no second entry; the key for another join is SK422.
CREATE TEMP TABLE keyed AS
    SELECT * FROM waitlist.join(pg_temp.m('w'), :s, 'keyed', NULL, 'en', NULL, 1, pg_temp.tok(10),
                                'seal-key', 'join-key-1', 'POST /museums/w/waitlist keyed');
SELECT is((SELECT row(j.id, j.status, j."position", j.party, j.token)::text
           FROM waitlist.join(pg_temp.m('w'), :s, 'keyed', NULL, 'en', NULL, 1, pg_temp.tok(11),
                              'seal-key', 'join-key-1', 'POST /museums/w/waitlist keyed') j),
          (SELECT row(k.id, k.status, k."position", k.party, pg_temp.tok(10))::text FROM keyed k),
          'join with the same Idempotency-Key: the first answer again, its token too');
SELECT is((SELECT count(*)::integer FROM waitlist.entry WHERE cust_nm = 'keyed'), 1, 'and one entry');
SELECT is(pg_temp.err(format($$SELECT * FROM waitlist.join(pg_temp.m('w'), %L, 'other', NULL, 'en', NULL, 1,
                                  pg_temp.tok(12), 'seal-key', 'join-key-1', 'POST /museums/w/waitlist other')$$, :s)),
          'SK422', 'the key for a different join: SK422');
DELETE FROM waitlist.entry WHERE cust_nm = 'keyed'; -- out of the queue the tests below count
CREATE TEMP TABLE e (k text PRIMARY KEY, id bigint);
INSERT INTO e VALUES ('p2', (SELECT id FROM waitlist.entry WHERE cust_nm = 'p2'));
INSERT INTO e VALUES ('a1', pg_temp.join('w', 'a1', :s, 1, 3));
INSERT INTO e VALUES ('c1', pg_temp.join('w', 'c1', :s, 1, 4));
CREATE FUNCTION pg_temp.e(p_k text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM e WHERE k = p_k $$;
SELECT is(ARRAY[pg_temp.pos(pg_temp.e('p2')), pg_temp.pos(pg_temp.e('a1')), pg_temp.pos(pg_temp.e('c1'))],
          ARRAY[1, 2, 3], 'positions in queue order');
SELECT ok((SELECT token_sealed IS NOT NULL AND token_hash = book.token_hash(pg_temp.tok(2)) FROM waitlist.entry WHERE id = pg_temp.e('p2')),
          'with an email the token is kept sealed, and its hash');
SELECT ok((SELECT token_sealed IS NULL FROM waitlist.entry WHERE id = pg_temp.e('a1')), 'without one, not');
SELECT is(pg_temp.invariants(), 'ok', 'invariants hold with a queue');

-- ---------------------------------------------------------------- read
SELECT is((SELECT row(museum_id = pg_temp.m('w'), slot, party, status, "position")::text
           FROM waitlist.get(pg_temp.e('a1'), false, pg_temp.tok(3))),
          '(t,2031-08-01T09:00:00+09:00,1,WAITING,2)', 'get: with its token');
SELECT is((SELECT count(*)::int FROM waitlist.get(pg_temp.e('a1'), false, pg_temp.tok(2))), 0,
          'get: another entry''s token sees nothing');
SELECT is((SELECT count(*)::int FROM waitlist.get(pg_temp.e('a1'), false, NULL)), 0, 'get: no token, nothing');
SELECT is((SELECT array_agg(cust_nm || ':' || "position" ORDER BY id) FROM waitlist.list(pg_temp.m('w'), '2031-08-01')),
          ARRAY['p2:1', 'a1:2', 'c1:3'], 'list: the day''s entries in order');
SELECT is((SELECT count(*)::int FROM waitlist.list(pg_temp.m('w'), '2031-08-02')), 0, 'list: another day has none');
SELECT is(pg_temp.err('SELECT * FROM waitlist.list(-1, NULL)'), 'SK404', 'list: no such exhibition');

-- ---------------------------------------------------------------- tick
SELECT is(waitlist.tick(60), 0, 'tick: nothing fits a sold-out slot');
-- b1 (1 seat) cancels: once given back, the party of 2 does not fit, a1 does.
SELECT is((SELECT status FROM book.change(pg_temp.bid('b1'), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)),
          'CANCELED', 'b1 cancels');
SELECT pg_temp.drain();
SELECT is(pg_temp.left_at('w', :s), 1, 'its seat is back');
SELECT is((SELECT count(*)::integer FROM waitlist.due_slot d JOIN museum.slot x ON x.id = d.slot_id
           WHERE x.museum_id = pg_temp.m('w')), 1, 'and the slot is due for the tick (a waiting entry fits)');
SELECT is(pg_temp.err(format($$SELECT pg_temp.book('w', 'public', %L, 1)$$, :s)), 'SK409',
          'queue first: the public cannot take a seat a waiting entry fits');
SELECT throws_ok(format($$SELECT pg_temp.book('w', 'public', %L, 1)$$, :s), 'SK409',
                 'people are waiting for this slot: join the waiting list', 'take_seats says why');
SELECT is(waitlist.tick(60), 1, 'tick: one offer');
SELECT is(ARRAY[pg_temp.st(pg_temp.e('p2')), pg_temp.st(pg_temp.e('a1')), pg_temp.st(pg_temp.e('c1'))],
          ARRAY['WAITING 0', 'OFFERED 1', 'WAITING 0'], 'the party of 2 does not fit and keeps its place; a1 is offered');
SELECT is(pg_temp.left_at('w', :s), 0, 'the offer holds the seat');
SELECT is(ARRAY[pg_temp.pos(pg_temp.e('p2')), pg_temp.pos(pg_temp.e('a1')), pg_temp.pos(pg_temp.e('c1'))],
          ARRAY[1, 0, 2], 'positions: offered 0, the rest move up');
SELECT ok((SELECT offer_expires_at = now() + interval '60 seconds' AND offered_at = now() FROM waitlist.entry WHERE id = pg_temp.e('a1')),
          'the offer lasts the ttl');
SELECT is(pg_temp.invariants(), 'ok', 'invariants hold with held seats');
SELECT is(waitlist.tick(60), 0, 'tick again: nothing to do');
SELECT is((SELECT count(*)::integer FROM waitlist.due_slot), 0, 'no slot left due once visited');
-- The tick's cost follows what changed, not the queue: 20,000 more entries
-- waiting on a sold-out slot, nothing due: it reads none of them.
INSERT INTO waitlist.entry (museum_id, slot_id, slot_start, slot_end, cust_nm, lang, tickets, party, token_hash)
SELECT x.museum_id, x.id, x.start_at, x.end_at, 'crowd' || g, 'en', '{"adult": 1}', 1,
       sha256(convert_to('crowd' || g, 'UTF8'))
FROM museum.slot x, generate_series(1, 20000) g WHERE x.museum_id = pg_temp.m('w') AND x.seats_left = 0;
ANALYZE waitlist.entry;
CREATE TEMP TABLE scans AS
    SELECT coalesce(seq_scan, 0) AS seq, coalesce(idx_tup_fetch, 0) AS fetched
    FROM pg_stat_xact_user_tables WHERE relid = 'waitlist.entry'::regclass;
SELECT is(waitlist.tick(60), 0, 'tick with 20,000 waiting and nothing due: nothing to do');
SELECT is((SELECT (t.seq_scan - s.seq) || ' seq scans, ' || (t.idx_tup_fetch - s.fetched < 10)::text
           FROM pg_stat_xact_user_tables t, scans s WHERE t.relid = 'waitlist.entry'::regclass),
          '0 seq scans, true', 'and reads no waiting entry: no sequential scan, under 10 rows fetched');
DELETE FROM waitlist.entry WHERE cust_nm LIKE 'crowd%';

-- ---------------------------------------------------------------- accept
SELECT is(pg_temp.err(format($$SELECT * FROM waitlist.accept(%s, %L, repeat('cd', 32))$$, pg_temp.e('c1'), pg_temp.tok(4))), 'SK409',
          'accept: a waiting entry is not offered yet');
SELECT is(pg_temp.err(format($$SELECT * FROM waitlist.accept(%s, %L, repeat('cd', 32))$$, pg_temp.e('a1'), pg_temp.tok(4))), 'SK404',
          'accept: another entry''s token');
CREATE TEMP TABLE acc AS SELECT * FROM waitlist.accept(pg_temp.e('a1'), pg_temp.tok(3), repeat('cd', 32));
SELECT is((SELECT row(status, party, cust_nm, slot, token = repeat('cd', 32), code IS NOT NULL)::text FROM acc),
          '(REQUESTED,1,a1,2031-08-01T09:00:00+09:00,t,t)', 'accept: a booking of the slot, with its token and code');
SELECT is(pg_temp.st(pg_temp.e('a1')), 'ACCEPTED 0', 'the entry is accepted, holding nothing');
SELECT is((SELECT book_id FROM waitlist.entry WHERE id = pg_temp.e('a1')), (SELECT id FROM acc), 'it names its booking');
SELECT is((SELECT count(*)::int FROM outbox.event WHERE kind = 'BOOKED' AND book_id = (SELECT id FROM acc)), 1, 'with its BOOKED event');
SELECT is(pg_temp.left_at('w', :s), 0, 'the held seat became the booking''s');
SELECT is((SELECT row(id, token)::text FROM waitlist.accept(pg_temp.e('a1'), pg_temp.tok(3), repeat('ef', 32))),
          (SELECT row(id, token)::text FROM acc), 'accept again: the same booking and token');
SELECT ok((SELECT book.opens(repeat('cd', 32), id) FROM acc), 'the booking token opens the booking');
SELECT is(pg_temp.invariants(), 'ok', 'invariants hold after accepting');

-- ---------------------------------------------------------------- expiry
-- b2 (2 seats) cancels: p2 (party 2) is offered both.
SELECT is((SELECT status FROM book.change(pg_temp.bid('b2'), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)),
          'CANCELED', 'b2 cancels');
SELECT pg_temp.drain();
SELECT is(waitlist.tick(60), 1, 'tick: p2 fits now');
SELECT is(ARRAY[pg_temp.st(pg_temp.e('p2')), pg_temp.st(pg_temp.e('c1'))], ARRAY['OFFERED 2', 'WAITING 0'],
          'p2 is offered, c1 waits');
UPDATE waitlist.entry SET offer_expires_at = now() WHERE id = pg_temp.e('p2');
SELECT is(pg_temp.err(format($$SELECT * FROM waitlist.accept(%s, %L, repeat('aa', 32))$$, pg_temp.e('p2'), pg_temp.tok(2))), 'SK409',
          'accept: an offer past its time');
SELECT is(waitlist.tick(60), 2, 'tick: the offer expires and c1 is offered, in one call');
SELECT is(ARRAY[pg_temp.st(pg_temp.e('p2')), pg_temp.st(pg_temp.e('c1'))], ARRAY['EXPIRED 0', 'OFFERED 1'],
          'p2 expired, c1 offered');
SELECT is(pg_temp.left_at('w', :s), 1, 'the other seat is left');
SELECT is(pg_temp.err(format($$SELECT * FROM waitlist.leave(%s, %L)$$, pg_temp.e('p2'), pg_temp.tok(2))), 'SK409',
          'leave: an expired entry cannot');
SELECT is(pg_temp.invariants(), 'ok', 'invariants hold after an expiry');

-- ---------------------------------------------------------------- leave
SELECT is(pg_temp.err(format($$SELECT * FROM waitlist.leave(%s, %L)$$, pg_temp.e('c1'), pg_temp.tok(2))), 'SK404',
          'leave: another entry''s token');
SELECT waitlist.leave(pg_temp.e('c1'), pg_temp.tok(4));
SELECT is(pg_temp.st(pg_temp.e('c1')), 'LEFT 0', 'leave: an offered entry leaves');
SELECT is(pg_temp.left_at('w', :s), 2, 'its held seat is back');
SELECT is(pg_temp.err(format($$SELECT * FROM waitlist.leave(%s, %L)$$, pg_temp.e('c1'), pg_temp.tok(4))), 'ok',
          'leave again: nothing');
SELECT is(pg_temp.err(format($$SELECT * FROM waitlist.accept(%s, %L, repeat('aa', 32))$$, pg_temp.e('c1'), pg_temp.tok(4))), 'SK409',
          'accept: a left entry');
SELECT is(pg_temp.book('w', 'public', :s, 2) IS NOT NULL, true, 'nobody waits: the public books again');
SELECT is(pg_temp.invariants(), 'ok', 'invariants hold after leaving');

-- A large party that never fits blocks nobody.
SELECT is((SELECT status FROM book.change(pg_temp.bid('public'), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)),
          'CANCELED', 'the public cancels');
SELECT pg_temp.drain();
INSERT INTO e VALUES ('big', pg_temp.join('w', 'big', :s, 3, 5));
SELECT is(waitlist.tick(60), 0, 'a party of 3 does not fit 2 seats');
SELECT ok(pg_temp.book('w', 'small', :s, 1) IS NOT NULL, 'the public may book seats no waiting party fits');

-- ---------------------------------------------------------------- cancel_for
SELECT ok(pg_temp.book('w', 'small2', :s, 1) IS NOT NULL, 'and the last one');
INSERT INTO e VALUES ('d1', pg_temp.join('w', 'd1', :s, 1, 6));
SELECT is((SELECT status FROM book.change(pg_temp.bid('small'), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL)),
          'CANCELED', 'small cancels');
SELECT pg_temp.drain();
SELECT is(waitlist.tick(60), 1, 'd1 is offered the last seat');
SELECT is(pg_temp.left_at('w', :s), 0, 'held');
SELECT museum.delete(pg_temp.m('w'));
SELECT pg_temp.drain();
SELECT is(ARRAY[pg_temp.st(pg_temp.e('big')), pg_temp.st(pg_temp.e('d1')), pg_temp.st(pg_temp.e('a1'))],
          ARRAY['CANCELED 0', 'CANCELED 0', 'ACCEPTED 0'], 'deleting the exhibition cancels its waiting and offered entries');
SELECT is(pg_temp.invariants(), 'ok', 'invariants hold after the deletion');

-- A closed day: its entries are canceled, another day's are not.
INSERT INTO ms SELECT 'd', id FROM museum.create('Waitlist D', '2031-09-01', '2031-09-02', '09:00', '10:00', NULL, 1, '{}', '{}', NULL);
SELECT pg_temp.book('d', 'x1', '2031-09-01 09:00', 1);
SELECT pg_temp.book('d', 'x2', '2031-09-02 09:00', 1);
INSERT INTO e VALUES ('day1', pg_temp.join('d', 'day1', '2031-09-01 09:00', 1, 7));
INSERT INTO e VALUES ('day2', pg_temp.join('d', 'day2', '2031-09-02 09:00', 1, 8));
SELECT museum.patch(pg_temp.m('d'), NULL, NULL, NULL, NULL, '{2031-09-01}', true);
SELECT pg_temp.drain();
SELECT is(ARRAY[pg_temp.st(pg_temp.e('day1')), pg_temp.st(pg_temp.e('day2'))], ARRAY['CANCELED 0', 'WAITING 0'],
          'closing a day cancels that day''s entries only');
SELECT is(pg_temp.invariants(), 'ok', 'invariants hold after closing a day');

-- Days with entries but no live booking: closing one, or dropping it from
-- the run, needs no forceCancel and ends its waiting list at once.
INSERT INTO ms SELECT 'q', id FROM museum.create('Waitlist Q', '2031-09-10', '2031-09-12', '09:00', '10:00', NULL, 1, '{}', '{}', NULL);
SELECT pg_temp.book('q', 'q11', '2031-09-11 09:00', 1);
SELECT pg_temp.book('q', 'q12', '2031-09-12 09:00', 1);
INSERT INTO e VALUES ('on11', pg_temp.join('q', 'on11', '2031-09-11 09:00', 1, 9));
INSERT INTO e VALUES ('on12', pg_temp.join('q', 'on12', '2031-09-12 09:00', 1, 10));
SELECT book.change(pg_temp.bid(b), 'CANCELED', NULL, NULL, NULL, true, NULL, NULL, NULL) FROM unnest(ARRAY['q11', 'q12']) b;
SELECT pg_temp.drain();
SELECT museum.patch(pg_temp.m('q'), NULL, NULL, NULL, NULL, '{2031-09-11}', false);
SELECT is(pg_temp.st(pg_temp.e('on11')), 'CANCELED 0', 'closing a day with only a waiting list (no force needed) cancels it');
SELECT museum.patch(pg_temp.m('q'), NULL, NULL, NULL, '2031-09-11', NULL, false);
SELECT is(pg_temp.st(pg_temp.e('on12')), 'CANCELED 0', 'a day dropped from the run takes its waiting list along');
SELECT is(pg_temp.invariants(), 'ok', 'invariants hold');

SELECT * FROM finish();
ROLLBACK;
