// A ticket rush: no overbooking, and seats released exactly once when
// cancels (including duplicates) race with new bookings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiSettled as api, caughtUp, createMuseum, sql, unique, visitor } from './lib.mjs';

function occupancy(museumId) {
  const [capacity, pcnt, booked] = sql(
    `SELECT capacity, pcnt, booked FROM report.occupancy WHERE museum_id = ${museumId}`).split('|').map(Number);
  return { capacity, pcnt, booked };
}

test('300 simultaneous bookings on 20 seats: exactly 20 succeed', async () => {
  const m = await createMuseum(20);
  const results = await Promise.all(Array.from({ length: 300 }, (_, i) =>
    api('POST', '/books', { museumId: m.id, custNm: `rush-${i}` })));
  const byStatus = {};
  for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  assert.deepEqual(byStatus, { 201: 20, 409: 280 });
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 0);
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id}`), '20');
  await caughtUp();
  assert.deepEqual(occupancy(m.id), { capacity: 20, pcnt: 0, booked: 20 });
});

test('racing cancels (each sent three times) and bookings settle to pcnt = capacity - live', async () => {
  const capacity = 30;
  const m = await createMuseum(capacity);
  const first = await Promise.all(Array.from({ length: capacity }, (_, i) =>
    api('POST', '/books', { museumId: m.id, custNm: unique(`c${i}`) })));
  assert.ok(first.every((r) => r.status === 201));
  const toCancel = first.slice(0, 15).map((r) => r.json);

  const cancels = toCancel.flatMap(({ id, token }) => [0, 1, 2].map(() =>
    api('PATCH', `/books/${id}`, { status: 'CANCELED' }, visitor(token))));
  const books = Array.from({ length: 60 }, (_, i) =>
    api('POST', '/books', { museumId: m.id, custNm: unique(`n${i}`) }));
  const [cancelResults, bookResults] = await Promise.all([Promise.all(cancels), Promise.all(books)]);
  assert.ok(cancelResults.every((r) => r.status === 200 && r.json.status === 'CANCELED'));
  assert.ok(bookResults.every((r) => r.status === 201 || r.status === 409));
  const newlyBooked = bookResults.filter((r) => r.status === 201).length;
  assert.ok(newlyBooked <= 15, `at most the 15 released seats can be rebooked, got ${newlyBooked}`);

  await caughtUp();
  const live = Number(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id}
    AND status IN ('REQUESTED', 'REQUEST_COMPLETED')`));
  assert.equal(live, capacity - 15 + newlyBooked);
  const occ = occupancy(m.id);
  assert.equal(occ.booked, live);
  assert.equal(occ.pcnt, capacity - live, 'pcnt = capacity - live bookings');
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, capacity - live);
  // One CANCELED event (one seat release) per canceled booking, each applied once.
  assert.equal(sql(`SELECT count(*) || '/' || count(DISTINCT book_id) || '/' || sum(attempts)
    FROM outbox.event WHERE museum_id = ${m.id} AND kind = 'CANCELED'`), '15/15/15');
  // And every seat can be taken again, but no more.
  const refill = await Promise.all(Array.from({ length: capacity }, () =>
    api('POST', '/books', { museumId: m.id, custNm: unique('r') })));
  assert.equal(refill.filter((r) => r.status === 201).length, capacity - live);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 0);
});
