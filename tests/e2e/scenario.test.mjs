// The original SK Museum scenario, with the original request bodies,
// through nginx: register, book, completion, confirmation, MyPage, cancel
// (PUT), seat back, sold out, delete -> force-cancel. Staff act with their
// credentials, the visitor with the token answered by POST /books.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, assertSeatsAgree, caughtUp, eventually, unique, sql, staff, visitor } from './lib.mjs';

test('the original scenario end to end', async () => {
  const hall = unique('A hall');
  const cust = unique('MSA');

  // 1. The museum registers an exhibition (hall, date, capacity).
  const reg = await staff('POST', '/museums', { name: hall, chkDate: '20310726', pcnt: 2 });
  assert.equal(reg.status, 201, reg.text);
  const m = reg.json;
  // The original fields first, then what timed entry added: one day, one
  // slot at the museum's default hours, capacity = pcnt.
  assert.deepEqual(Object.keys(m), ['id', 'name', 'chkDate', 'capacity', 'pcnt', 'startDate', 'endDate',
    'opens', 'closes', 'slotMinutes', 'closedWeekdays', 'closedDates', 'description']);
  assert.deepEqual([m.startDate, m.endDate, m.opens, m.closes, m.slotMinutes], ['2031-07-26', '2031-07-26', '09:00', '18:00', null]);
  assert.equal(typeof m.id, 'number');
  assert.equal(m.name, hall);
  assert.equal(m.chkDate, '2031-07-26');
  assert.equal(m.capacity, 2);
  assert.equal(m.pcnt, 2);
  assert.equal(reg.headers.get('location'), `/museums/${m.id}`);

  // 2-3. A visitor books (original body: also name and chkDate); the seat
  // count drops at once (synchronously).
  const bk = await api('POST', '/books', {
    custNm: cust, museumId: m.id, name: 'ignored', chkDate: '20310726',
  });
  assert.equal(bk.status, 201, bk.text);
  const { token, ...b } = bk.json;
  assert.match(token, /^[0-9a-f]{64}$/, 'the visitor gets a token');
  const me = visitor(token);
  const my_ = (path) => api('GET', path, undefined, me);
  assert.equal(b.status, 'REQUESTED');
  assert.equal(b.museumId, m.id);
  assert.equal(b.custNm, cust);
  assert.equal(b.name, hall, 'the stored name comes from the exhibition');
  assert.equal(b.chkDate, '2031-07-26');
  assert.equal(bk.headers.get('location'), `/books/${b.id}`);
  assert.deepEqual([b.slot, b.slotEnd, b.tickets, b.party, b.cancelReason],
    ['2031-07-26T09:00:00+09:00', '2031-07-26T18:00:00+09:00', { adult: 1 }, 1, null]);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 1);

  // 4-5. Asynchronously: booking completed, confirmation issued, MyPage row.
  await eventually(async () => (await my_(`/books/${b.id}`)).json.status === 'REQUEST_COMPLETED',
    10000, 'REQUEST_COMPLETED');
  const confirms = await eventually(async () => {
    const r = await my_(`/confirms?bookId=${b.id}`);
    return r.json.length === 1 && r.json;
  }, 10000, 'the confirmation');
  assert.deepEqual(
    { ...confirms[0], id: undefined },
    { id: undefined, bookId: b.id, museumId: m.id, custNm: cust, name: hall, chkDate: '2031-07-26', status: 'REQUEST_COMPLETED',
      slot: '2031-07-26T09:00:00+09:00', party: 1 },
  );
  const one = await my_(`/confirms/${confirms[0].id}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.json, confirms[0]);
  const my = await eventually(async () => {
    const r = await staff('GET', `/myPages?custNm=${encodeURIComponent(cust)}`); // staff's list (issue 14)
    return r.json.length === 1 && r.json[0].confirmStatus === 'REQUEST_COMPLETED' && r.json;
  }, 10000, 'the MyPage row');
  assert.equal(my[0].bookId, b.id);
  assert.equal(my[0].status, 'REQUEST_COMPLETED');
  assert.deepEqual(Object.keys(my[0]).sort(),
    ['bookId', 'cancelReason', 'chkDate', 'confirmStatus', 'custNm', 'id', 'museumId', 'name', 'party', 'slot', 'slotEnd', 'status', 'tickets']);
  assert.deepEqual([my[0].slot, my[0].slotEnd, my[0].tickets, my[0].party],
    ['2031-07-26T09:00:00+09:00', '2031-07-26T18:00:00+09:00', { adult: 1 }, 1]);

  // 6. The visitor cancels with the original PUT and the whole body.
  const cancel = await api('PUT', `/books/${b.id}`, {
    custNm: cust, museumId: m.id, name: hall, chkDate: '20310726', status: 'CANCELED',
  }, me);
  assert.equal(cancel.status, 200, cancel.text);
  assert.equal(cancel.json.status, 'CANCELED');
  assert.equal((await my_(`/books/${b.id}`)).json.status, 'CANCELED');

  // 7-8. Asynchronously: the seat comes back, the confirmation is canceled.
  await eventually(async () => (await api('GET', `/museums/${m.id}`)).json.pcnt === 2, 10000, 'seat back');
  await eventually(async () => (await my_(`/confirms?bookId=${b.id}`)).json[0].status === 'CANCELED',
    10000, 'confirmation CANCELED');
  await eventually(async () => {
    const r = await staff('GET', `/myPages?bookId=${b.id}`);
    return r.json[0]?.status === 'CANCELED' && r.json[0]?.confirmStatus === 'CANCELED';
  }, 10000, 'MyPage CANCELED');

  // A second cancel changes nothing and releases nothing.
  const again = await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, me);
  assert.equal(again.status, 200);
  assert.equal(again.json.status, 'CANCELED');
  await caughtUp();
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 2);

  // Sold out -> 409.
  const b2 = await api('POST', '/books', { custNm: cust, museumId: m.id });
  const b3 = await api('POST', '/books', { custNm: unique('other'), museumId: m.id });
  assert.equal(b2.status, 201);
  assert.equal(b3.status, 201);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 0);
  const full = await api('POST', '/books', { custNm: cust, museumId: m.id });
  assertProblem(full, 409);
  assert.match(full.json.detail, /sold out/);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 0);
  await caughtUp();

  // 9-10. The museum deletes the exhibition: gone from the API; its live
  // bookings and their confirmations are force-canceled; the canceled one
  // stays CANCELED.
  assertProblem(await api('DELETE', `/museums/${m.id}`, undefined, me), 401);
  const del = await staff('DELETE', `/museums/${m.id}`);
  assert.equal(del.status, 204);
  assert.equal(del.text, '');
  assertProblem(await api('GET', `/museums/${m.id}`), 404);
  assertProblem(await api('POST', '/books', { custNm: cust, museumId: m.id }), 404);
  assertProblem(await staff('DELETE', `/museums/${m.id}`), 404);
  assert.ok(!(await api('GET', '/museums?limit=1000')).json.some((x) => x.id === m.id));
  await caughtUp();
  const books = (await staff('GET', `/books?museumId=${m.id}`)).json;
  assert.deepEqual(books.map((x) => [x.id, x.status, x.cancelReason]),
    [[b.id, 'CANCELED', null], [b2.json.id, 'FORCE_CANCELED', 'EXHIBITION_DELETED'], [b3.json.id, 'FORCE_CANCELED', 'EXHIBITION_DELETED']]);
  const cs = (await staff('GET', `/confirms?museumId=${m.id}`)).json;
  assert.deepEqual(cs.map((x) => [x.bookId, x.status]),
    [[b.id, 'CANCELED'], [b2.json.id, 'FORCE_CANCELED'], [b3.json.id, 'FORCE_CANCELED']]);

  // 11. MyPage shows every state.
  // (in booking order: with two listeners the entries' own order may differ)
  const mine = (await staff('GET', `/myPages?custNm=${encodeURIComponent(cust)}`)).json.sort((x, y) => x.bookId - y.bookId);
  assert.deepEqual(mine.map((x) => [x.bookId, x.status, x.confirmStatus, x.cancelReason]),
    [[b.id, 'CANCELED', 'CANCELED', null], [b2.json.id, 'FORCE_CANCELED', 'FORCE_CANCELED', 'EXHIBITION_DELETED']]);

  // Every event applied exactly once, none parked.
  assert.equal(sql(`SELECT count(*) FROM outbox.event WHERE museum_id = ${m.id} AND (dead OR attempts <> 1)`), '0');
  await assertSeatsAgree([m.id]);
});

test('httpie-style bodies: museumId as a string of digits books, the original way', async () => {
  // http <host>/museums name="A hall" chkDate="20310726" pcnt:=2, then
  // http <host>/books custNm="MSA" museumId=1 name="A hall" chkDate="20310726"
  const hall = unique('A hall');
  const reg = await staff('POST', '/museums', { name: hall, chkDate: '20310726', pcnt: 2 });
  assert.equal(reg.status, 201, reg.text);
  const r = await api('POST', '/books', { custNm: 'MSA', museumId: String(reg.json.id), name: hall, chkDate: '20310726' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.museumId, reg.json.id);
  assert.equal(r.json.chkDate, '2031-07-26');
  assert.equal(r.json.party, 1);
  // httpie sends every value as a string: a digits-only one is an id, nothing else is.
  for (const museumId of [`${reg.json.id}.0`, ` ${reg.json.id}`, '1e3', `0${reg.json.id}`, `${reg.json.id}x`]) {
    assertProblem(await api('POST', '/books', { custNm: 'MSA', museumId, name: hall, chkDate: '20310726' }), 422);
  }
  assert.equal((await api('GET', `/museums/${reg.json.id}`)).json.pcnt, 1);
  await assertSeatsAgree([reg.json.id]);
});
