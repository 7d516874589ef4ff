// A ticket rush: no overbooking, and seats released exactly once when
// cancels (including duplicates) race with new bookings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allSlots, apiSettled as api, assertSeatsAgree, caughtUp, createExhibition, createMuseum, leftOf, sql, unique, visitor } from './lib.mjs';

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
  await assertSeatsAgree([m.id]);
});

test('300 simultaneous bookings of parties of 1 to 3 on three slots of 20: no slot overbooked', async () => {
  const m = await createExhibition({ capacity: 20, endDate: undefined, opens: '10:00', closes: '13:00', slotMinutes: 60 });
  const slots = await allSlots(m);
  assert.equal(slots.length, 3);
  const asks = Array.from({ length: 300 }, (_, i) => ({ slot: slots[i % 3].start, party: 1 + (i % 7) % 3 }));
  const results = await Promise.all(asks.map((a, i) =>
    api('POST', '/books', { museumId: m.id, custNm: `prush-${i}`, slot: a.slot, tickets: { adult: a.party } })));
  assert.ok(results.every((r) => r.status === 201 || r.status === 409), results.map((r) => r.status).join());
  for (const s of slots) {
    const won = results.filter((r, i) => r.status === 201 && asks[i].slot === s.start);
    const seats = won.reduce((n, r) => n + r.json.party, 0);
    assert.ok(seats <= 20, `${s.start}: ${seats} seats booked`);
    assert.equal(await leftOf(m, s.start), 20 - seats);
    // Every refusal came when fewer seats were left than its party.
    for (const [i, r] of results.entries()) {
      if (r.status === 409 && asks[i].slot === s.start) assert.match(r.json.detail, /sold out|only [12] seats? left/, r.json.detail);
    }
    assert.ok(20 - seats < 3, `${s.start}: ${20 - seats} seats left with parties still asking`);
  }
  await assertSeatsAgree([m.id]);
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
  await assertSeatsAgree([m.id]);
});

test('parties on two slots: racing cancels (each sent three times), moves and bookings give back each party exactly once', async () => {
  const capacity = 30;
  const m = await createExhibition({ capacity, endDate: undefined, opens: '10:00', closes: '12:00', slotMinutes: 60 });
  const [s1, s2] = await allSlots(m);
  // Slot 1 filled with parties of 2 and 3 (6 × 2 + 6 × 3 = 30).
  const first = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    api('POST', '/books', { museumId: m.id, custNm: unique(`pc${i}`), slot: s1.start, tickets: i % 2 ? { adult: 2, child: 1 } : { adult: 1, senior: 1 } })));
  assert.ok(first.every((r) => r.status === 201), first.map((r) => r.text).join());
  assert.equal(await leftOf(m, s1.start), 0);
  const toCancel = first.slice(0, 6).map((r) => r.json);
  const toMove = first.slice(6, 9).map((r) => r.json);
  const released = toCancel.reduce((n, b) => n + b.party, 0) + toMove.reduce((n, b) => n + b.party, 0);

  const cancels = toCancel.flatMap(({ id, token }) => [0, 1, 2].map(() =>
    api('PATCH', `/books/${id}`, { status: 'CANCELED' }, visitor(token))));
  const moves = toMove.map(({ id, token }) => api('PATCH', `/books/${id}`, { slot: s2.start }, visitor(token)));
  const books = Array.from({ length: 40 }, (_, i) =>
    api('POST', '/books', { museumId: m.id, custNm: unique(`pn${i}`), slot: s1.start, tickets: { youth: 2 } }));
  const [cancelResults, moveResults, bookResults] = await Promise.all([Promise.all(cancels), Promise.all(moves), Promise.all(books)]);
  assert.ok(cancelResults.every((r) => r.status === 200 && r.json.status === 'CANCELED'), cancelResults.map((r) => r.text).join());
  assert.ok(moveResults.every((r) => r.status === 200 && r.json.slot === s2.start), moveResults.map((r) => r.text).join());
  assert.ok(bookResults.every((r) => r.status === 201 || r.status === 409));
  const rebooked = bookResults.filter((r) => r.status === 201).length * 2;
  assert.ok(rebooked <= released, `at most the ${released} released seats can be rebooked, got ${rebooked}`);

  await caughtUp();
  const seats = (slot) => Number(sql(`SELECT coalesce(sum(party), 0) FROM book.booking WHERE museum_id = ${m.id}
    AND slot_start = '${slot}' AND status IN ('REQUESTED', 'REQUEST_COMPLETED')`));
  assert.equal(seats(s1.start), capacity - released + rebooked);
  assert.equal(await leftOf(m, s1.start), released - rebooked);
  assert.equal(await leftOf(m, s2.start), capacity - toMove.reduce((n, b) => n + b.party, 0));
  assert.equal(sql(`SELECT count(*) || '/' || count(DISTINCT book_id) || '/' || sum(attempts)
    FROM outbox.event WHERE museum_id = ${m.id} AND kind = 'CANCELED'`), '6/6/6');
  await assertSeatsAgree([m.id]);
});
