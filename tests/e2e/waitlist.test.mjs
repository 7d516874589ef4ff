// The waiting list (issue 15, docs/waitlist.md): a sold-out slot's freed
// seats are offered to its waiting list in queue order by the listener
// (waitlist.tick, after each drain), held for the entry until its offer
// expires, and the public cannot take them meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, assertSeatsAgree, book, caughtUp, createMuseum, eventually, slotsOf, sql, staff, unique, visitor } from './lib.mjs';

const join = (id, body = {}) => api('POST', `/museums/${id}/waitlist`, { custNm: unique('waiter'), ...body });
const entry = (w, token = w.token) => api('GET', `/waitlist/${w.id}`, undefined, visitor(token));

// Waits (at most 2.5 s: the listener polls every second) for entry w to have status.
async function becomes(w, status) {
  const start = Date.now();
  const got = await eventually(async () => {
    const r = await entry(w);
    return r.json?.status === status && r.json;
  }, 2500, `entry ${w.id} ${status}`);
  return { got, ms: Date.now() - start };
}

test('done when: a freed seat is offered to the first waiting, held from the public, accepted once; an expired offer goes to the next', async () => {
  const m = await createMuseum(2);
  const day = '2031-07-26';
  // Seats are left: book them instead.
  assertProblem(await join(m.id), 409);
  const b1 = await book(m.id);
  const b2 = await book(m.id);
  await caughtUp();

  const joined = [];
  for (let i = 0; i < 4; i++) {
    const r = await join(m.id);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('location'), `/waitlist/${r.json.id}`);
    assert.deepEqual({ status: r.json.status, position: r.json.position, party: r.json.party },
      { status: 'WAITING', position: i + 1, party: 1 });
    assert.match(r.json.token, /^[0-9a-f]{64}$/);
    joined.push(r.json);
  }
  const [w1, w2, w3, w4] = joined;
  const got = await entry(w1);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(Object.keys(got.json).sort(), ['id', 'museumId', 'offerExpiresAt', 'party', 'position', 'slot', 'status']);
  assert.equal(got.json.museumId, m.id);
  assert.equal(got.json.offerExpiresAt, null);
  // Only its token (or staff) sees it.
  assertProblem(await entry(w1, w2.token), 404);
  assertProblem(await api('GET', `/waitlist/${w1.id}`), 404);
  assert.equal((await staff('GET', `/waitlist/${w1.id}`)).status, 200);
  assert.equal((await api('GET', `/waitlist/${w1.id}?token=${w1.token}`)).json.status, 'WAITING');

  // A booking is canceled: its seat goes to w1 within ~2 s, not to the public.
  assert.equal((await api('PATCH', `/books/${b1.id}`, { status: 'CANCELED' }, visitor(b1.token))).status, 200);
  const offered = await becomes(w1, 'OFFERED');
  assert.ok(offered.ms < 2500, `offered after ${offered.ms} ms`);
  assert.equal(offered.got.position, 0);
  assert.ok(Date.parse(offered.got.offerExpiresAt) > Date.now() + 3600 * 1000, offered.got.offerExpiresAt);
  assert.equal((await entry(w2)).json.position, 1);
  const slots = await slotsOf(m.id, `from=${day}&to=${day}`);
  assert.equal(slots[0].left, 0, 'the held seat is not left');
  const direct = await api('POST', '/books', { museumId: m.id, custNm: unique('direct') });
  assertProblem(direct, 409);
  await assertSeatsAgree([m.id]);

  // w1 lets its offer expire: w2 gets the seat within 2 s.
  sql(`UPDATE waitlist.entry SET offer_expires_at = now() WHERE id = ${w1.id}`);
  const passed = await becomes(w2, 'OFFERED');
  assert.ok(passed.ms < 2500, `passed on after ${passed.ms} ms`);
  assert.equal((await entry(w1)).json.status, 'EXPIRED');
  assertProblem(await api('POST', `/waitlist/${w1.id}/accept`, undefined, visitor(w1.token)), 409);
  // Not offered yet; not the entry's token.
  assertProblem(await api('POST', `/waitlist/${w3.id}/accept`, undefined, visitor(w3.token)), 409);
  assertProblem(await api('POST', `/waitlist/${w2.id}/accept`, {}, visitor(w3.token)), 404);

  // w2 accepts: a booking of its own (token, code); again, the same one.
  const acc = await api('POST', `/waitlist/${w2.id}/accept`, undefined, visitor(w2.token));
  assert.equal(acc.status, 201, acc.text);
  assert.match(acc.json.token, /^[0-9a-f]{64}$/);
  assert.notEqual(acc.json.token, w2.token);
  assert.equal(typeof acc.json.code, 'string');
  assert.equal(acc.json.party, 1);
  assert.equal(acc.json.slot, slots[0].start);
  assert.equal(acc.headers.get('location'), `/books/${acc.json.id}`);
  const again = await api('POST', `/waitlist/${w2.id}/accept`, {}, visitor(w2.token));
  assert.equal(again.status, 201, again.text);
  assert.deepEqual({ id: again.json.id, token: again.json.token, code: again.json.code },
    { id: acc.json.id, token: acc.json.token, code: acc.json.code });
  assert.equal((await entry(w2)).json.status, 'ACCEPTED');
  assert.equal((await api('GET', `/books/${acc.json.id}`, undefined, visitor(acc.json.token))).status, 200);
  await caughtUp();
  await eventually(async () => (await api('GET', `/books/${acc.json.id}`, undefined, visitor(acc.json.token))).json.status === 'REQUEST_COMPLETED',
    5000, 'the accepted booking to complete');

  // w3 leaves (twice: the same); another token cannot make it.
  assertProblem(await api('DELETE', `/waitlist/${w3.id}`, undefined, visitor(w4.token)), 404);
  assert.equal((await api('DELETE', `/waitlist/${w3.id}`, undefined, visitor(w3.token))).status, 204);
  assert.equal((await api('DELETE', `/waitlist/${w3.id}`, undefined, visitor(w3.token))).status, 204);
  assert.equal((await entry(w3)).json.status, 'LEFT');
  assert.equal((await entry(w4)).json.position, 1);

  // The other booking cancels: w4 is offered, leaves, and the seat is the public's again.
  assert.equal((await api('PATCH', `/books/${b2.id}`, { status: 'CANCELED' }, visitor(b2.token))).status, 200);
  await becomes(w4, 'OFFERED');
  assert.equal((await api('DELETE', `/waitlist/${w4.id}`, undefined, visitor(w4.token))).status, 204);
  assert.equal((await entry(w4)).json.status, 'LEFT');
  assert.equal((await slotsOf(m.id, `from=${day}&to=${day}`))[0].left, 1, 'the held seat is back');
  await book(m.id);

  // Staff's list, in queue order; not for the public.
  const list = await staff('GET', `/museums/${m.id}/waitlist?day=${day}`);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.map((e) => [e.id, e.status]),
    [[w1.id, 'EXPIRED'], [w2.id, 'ACCEPTED'], [w3.id, 'LEFT'], [w4.id, 'LEFT']]);
  assert.equal((await staff('GET', `/museums/${m.id}/waitlist?day=2031-07-27`)).json.length, 0);
  assertProblem(await api('GET', `/museums/${m.id}/waitlist`), 401);
  assert.equal(sql(`SELECT waiting || ' ' || offered || ' ' || accepted || ' ' || expired || ' ' || "left" FROM report.waitlist WHERE museum_id = ${m.id}`),
    '0 0 1 1 2');
  await assertSeatsAgree([m.id]);
});

test('join: field checks as for POST /books; a party larger than the slot; deleting the exhibition cancels the entries', async () => {
  const m = await createMuseum(1);
  await book(m.id);
  await caughtUp();
  const bad = await api('POST', `/museums/${m.id}/waitlist`, { custNm: '', email: 'nope', lang: 'fr', extra: 1 });
  assertProblem(bad, 422);
  assertProblem(await join(m.id, { tickets: { adult: 2 } }), 409);
  assertProblem(await join(999999999), 404);
  const w = (await join(m.id, { email: 'waiter@example.com', lang: 'ko' })).json;
  assert.equal(w.status, 'WAITING');
  assert.equal((await staff('DELETE', `/museums/${m.id}`)).status, 204);
  await caughtUp();
  assert.equal((await entry(w)).json.status, 'CANCELED');
  assertProblem(await api('DELETE', `/waitlist/${w.id}`, undefined, visitor(w.token)), 409);
  await assertSeatsAgree([]);
});

test('join with an Idempotency-Key: sent again, the first entry and its token; one entry; the key for another join is 422', async () => {
  const m = await createMuseum(1);
  await book(m.id);
  await caughtUp();
  const custNm = unique('keyed');
  const headers = { 'Idempotency-Key': unique('join-key') };
  const first = await api('POST', `/museums/${m.id}/waitlist`, { custNm }, headers);
  assert.equal(first.status, 201, first.text);
  const again = await api('POST', `/museums/${m.id}/waitlist`, { custNm }, headers);
  assert.equal(again.status, 201, again.text);
  assert.deepEqual(again.json, first.json, 'the first answer, token included');
  assert.equal(sql(`SELECT count(*) FROM waitlist.entry WHERE museum_id = ${m.id} AND cust_nm = '${custNm}'`), '1');
  assert.equal((await entry(again.json)).status, 200, 'its token opens the entry');
  assertProblem(await api('POST', `/museums/${m.id}/waitlist`, { custNm: `${custNm}2` }, headers), 422);
  assertProblem(await api('POST', `/museums/${m.id}/waitlist`, { custNm }, { 'Idempotency-Key': 'x'.repeat(300) }), 400);
});
