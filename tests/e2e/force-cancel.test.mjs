// Deleting a large exhibition force-cancels its bookings a chunk per
// listener batch, so other visitors' bookings are confirmed meanwhile
// (in one piece, 300,000 bookings made one 12.5 s batch that held up
// every confirmation). The full scale (300,000) runs in make test-scale
// (tests/scale.sh); here 60,000 bookings, which in one piece take a
// batch of several seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertSeatsAgree, book, caughtUp, createExhibition, createMuseum, eventually, sql, staff, visitor } from './lib.mjs';

const BOOKINGS = Number(process.env.FORCE_CANCEL_BOOKINGS ?? 60000);

test(`during the force-cancel of ${BOOKINGS} bookings, another exhibition's booking is confirmed within 1 s`, async () => {
  // Three days of two slots; the bookings parties of 1 to 3.
  const big = await createExhibition({ capacity: 1000000 });
  const other = await createMuseum(10);
  await caughtUp();
  // The bookings as the listener would have left them: completed,
  // confirmed, on MyPage; the seats taken, spread over the slots.
  sql(`BEGIN;
    INSERT INTO book.booking (museum_id, cust_nm, name, chk_date, status, slot_id, slot_start, slot_end, party, tickets)
    SELECT ${big.id}, 'fc' || (i % 5000), e.name, s.day, 'REQUEST_COMPLETED', s.id, s.start_at, s.end_at,
           1 + i % 3, jsonb_build_object('adult', 1 + i % 3)
    FROM generate_series(1, ${BOOKINGS}) i
    JOIN museum.exhibition e ON e.id = ${big.id}
    JOIN LATERAL (SELECT * FROM museum.slot s WHERE s.museum_id = e.id ORDER BY s.start_at
                  OFFSET i % (SELECT count(*) FROM museum.slot WHERE museum_id = ${big.id}) LIMIT 1) s ON true;
    INSERT INTO confirm.confirmation (book_id, museum_id, cust_nm, name, chk_date, status, slot_start, party)
    SELECT id, museum_id, cust_nm, name, chk_date, 'REQUEST_COMPLETED', slot_start, party FROM book.booking WHERE museum_id = ${big.id};
    INSERT INTO mypage.entry (book_id, cust_nm, museum_id, name, chk_date, status, confirm_status, slot_start, slot_end, party, tickets)
    SELECT id, cust_nm, museum_id, name, chk_date, status, 'REQUEST_COMPLETED', slot_start, slot_end, party, tickets
    FROM book.booking WHERE museum_id = ${big.id};
    UPDATE museum.slot s SET seats_left = s.capacity - b.seats
    FROM (SELECT slot_id, sum(party) AS seats FROM book.booking WHERE museum_id = ${big.id} GROUP BY slot_id) b
    WHERE s.id = b.slot_id;
    COMMIT; ANALYZE book.booking, confirm.confirmation, mypage.entry`);
  await assertSeatsAgree([big.id, other.id]);

  assert.equal((await staff('DELETE', `/museums/${big.id}`)).status, 204);
  await eventually(() => sql(`SELECT count(*) > 0 FROM book.booking WHERE museum_id = ${big.id} AND status = 'FORCE_CANCELED'`) === 't',
    20000, 'the force-cancel to begin');
  // Bookings on the other exhibition while the force-cancel goes on: each
  // confirmed within a second.
  let during = 0;
  for (let i = 0; i < 3; i++) {
    const b = await book(other.id);
    const start = Date.now();
    await eventually(async () => (await api('GET', `/books/${b.id}`, undefined, visitor(b.token))).json?.status === 'REQUEST_COMPLETED',
      10000, 'the other booking to be confirmed');
    const ms = Date.now() - start;
    assert.ok(ms < 1000, `the other booking took ${ms} ms to be confirmed`);
    if (sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${big.id} AND status = 'REQUEST_COMPLETED'`) !== '0') during++;
  }
  assert.ok(during > 0, 'the bookings were confirmed while the force-cancel was still going on');

  await caughtUp(120000);
  assert.equal(sql(`SELECT count(*) FILTER (WHERE status = 'FORCE_CANCELED' AND cancel_reason = 'EXHIBITION_DELETED')
    || ' ' || (SELECT bool_and(seats_left = capacity) FROM museum.slot WHERE museum_id = ${big.id})
    FROM book.booking WHERE museum_id = ${big.id}`), `${BOOKINGS} true`, 'every booking force-canceled, every seat back');
  assert.equal(sql(`SELECT count(*) FROM confirm.confirmation WHERE museum_id = ${big.id} AND status <> 'FORCE_CANCELED'`), '0');
  assert.equal(sql('SELECT count(*) FROM mypage.diff()'), '0', 'MyPage agrees');
  await assertSeatsAgree([big.id, other.id]);
});
