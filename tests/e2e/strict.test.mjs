// What a client sends and the API does not use is refused, not ignored:
// unknown or repeated query parameters on every route, a PUT that
// describes another booking; and what the API sends back is built from
// what it understood, never echoed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, assertProblem, book, createMuseum, ROOT, sql, staff, visitor } from './lib.mjs';

test('unknown query parameters are refused on every route, single items too, and change nothing', async () => {
  const m = await createMuseum(3);
  const b = await book(m.id);
  assertProblem(await staff('DELETE', `/museums/${m.id}?dryRun=true`), 400);
  assert.equal((await api('GET', `/museums/${m.id}`)).status, 200, 'not deleted');
  assertProblem(await api('GET', `/museums/${m.id}?verbose=1`), 400);
  assertProblem(await api('GET', `/books/${b.id}?fields=all`, undefined, visitor(b.token)), 400);
  assertProblem(await api('PATCH', `/books/${b.id}?force=1`, { status: 'CANCELED' }, visitor(b.token)), 400);
  assertProblem(await api('POST', `/books?museumId=${m.id}`, { museumId: m.id, custNm: 'q' }), 400);
  assertProblem(await staff('POST', '/museums?x=1', { name: 'q', chkDate: '20300101', pcnt: 1 }), 400);
  assert.equal(sql(`SELECT status IN ('REQUESTED', 'REQUEST_COMPLETED') FROM book.booking WHERE id = ${b.id}`), 't', 'not canceled');
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id}`), '1', 'nothing booked');
  // A token in the query is still fine anywhere.
  assert.equal((await api('GET', `/books/${b.id}?token=${b.token}`)).status, 200);
});

test('a query parameter given twice is refused, the token too', async () => {
  const m = await createMuseum(3);
  const b = await book(m.id);
  const r = await api('GET', '/museums?limit=1&limit=1000');
  assertProblem(r, 400);
  assert.match(r.json.detail, /more than once/);
  assertProblem(await staff('GET', `/books?museumId=${m.id}&museumId=1`), 400);
  // The access log redacted only the last token= while the app used the first.
  assertProblem(await api('GET', `/books/${b.id}?token=${b.token}&token=x`), 400);
  assertProblem(await api('GET', `/books/${b.id}?token=x&token=${b.token}`), 400);
});

test('the Link header is built from the parameters understood, encoded again', async () => {
  const m = await createMuseum(5);
  for (let i = 0; i < 3; i++) await book(m.id, 'Kim Lee>;x');
  const r = await staff('GET', `/books?custNm=Kim+Lee%3E%3Bx&museumId=${m.id}&limit=2`);
  assert.equal(r.status, 200, r.text);
  const link = r.headers.get('link');
  const [, url] = /^<([^<>]+)>; rel="next"$/.exec(link) ?? [];
  assert.ok(url, `a single well-formed link: ${link}`);
  assert.equal(url, `/books?museumId=${m.id}&custNm=Kim%20Lee%3E%3Bx&limit=2&after=${r.json[1].id}`);
  const next = await staff('GET', url);
  assert.deepEqual(next.json.map((x) => x.custNm), ['Kim Lee>;x'], 'the link leads to the next page');
});

test('PUT with members that are not the booking\'s is 409 and cancels nothing', async () => {
  const m = await createMuseum(3);
  const other = await createMuseum(3);
  const b = await book(m.id, 'Putter');
  const me = visitor(b.token);
  for (const wrong of [{ custNm: 'Someone else' }, { museumId: other.id }, { id: b.id + 1 }, { chkDate: '20300101' }]) {
    const r = await api('PUT', `/books/${b.id}`, { status: 'CANCELED', ...wrong }, me);
    assertProblem(r, 409);
    assert.match(r.json.detail, new RegExp(Object.keys(wrong)[0]));
  }
  assert.equal(sql(`SELECT status IN ('REQUESTED', 'REQUEST_COMPLETED') FROM book.booking WHERE id = ${b.id}`), 't', 'still live');
  const right = await api('PUT', `/books/${b.id}`,
    { id: b.id, museumId: m.id, custNm: 'Putter', name: m.name, chkDate: m.chkDate.replaceAll('-', ''), status: 'CANCELED' }, me);
  assert.equal(right.status, 200, right.text);
  assert.equal(right.json.status, 'CANCELED');
});

test('an Idempotency-Key replays an equal body with its members in another order', async () => {
  const m = await createMuseum(3);
  const headers = { 'Idempotency-Key': `order-${process.pid}-${Date.now()}` };
  const first = await api('POST', '/books', { museumId: m.id, custNm: 'Order' }, headers);
  assert.equal(first.status, 201, first.text);
  const again = await api('POST', '/books', { custNm: 'Order', museumId: m.id }, headers);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.id, first.json.id);
  assert.equal(again.json.token, first.json.token);
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id}`), '1');
});

test('no exhibition in the past: created 422 on chkDate, and one whose day is over cannot be booked', async () => {
  // Today in the museum's time zone (MUSEUM_TZ, Asia/Seoul by default).
  const today = sql(`SELECT (now() AT TIME ZONE 'Asia/Seoul')::date`);
  const yesterday = sql(`SELECT ((now() AT TIME ZONE 'Asia/Seoul')::date - 1)::text`);
  const r = await staff('POST', '/museums', { name: 'Yesterday', chkDate: yesterday, pcnt: 5 });
  assertProblem(r, 422);
  assert.match(r.json.errors?.chkDate ?? '', /past.*today is/, r.text);
  assert.equal(sql(`SELECT count(*) FROM museum.exhibition WHERE name = 'Yesterday'`), '0');
  const t = await staff('POST', '/museums', { name: 'Today', chkDate: today, pcnt: 5 });
  assert.equal(t.status, 201, `today is fine: ${t.text}`);
  // An exhibition whose day has passed since it was made (its one slot
  // moved to yesterday's opening hours).
  const m = await createMuseum(5);
  sql(`UPDATE museum.exhibition SET start_date = '${yesterday}', end_date = '${yesterday}' WHERE id = ${m.id};
       UPDATE museum.slot SET day = '${yesterday}', start_at = '${yesterday}T09:00:00+09:00', end_at = '${yesterday}T18:00:00+09:00'
       WHERE museum_id = ${m.id}`);
  const b = await api('POST', '/books', { museumId: m.id, custNm: 'Late' });
  assertProblem(b, 409);
  assert.match(b.json.detail, /is over/);
  assert.equal(sql(`SELECT seats_left FROM museum.slot WHERE museum_id = ${m.id}`), '5', 'no seat taken');
  // Named, its slot is one that has ended.
  const named = await api('POST', '/books', { museumId: m.id, custNm: 'Late', slot: `${yesterday}T09:00` });
  assertProblem(named, 409);
  assert.match(named.json.detail, /ended/);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 0, 'nothing left to book: pcnt counts no ended slot');
  assert.equal(sql(`SELECT seats_left FROM museum.slot WHERE museum_id = ${m.id}`), '5');
});

test('a staff password shorter than 12 characters stops museum-app at start, without showing it', async () => {
  const bin = `${process.env.BIN ?? `${ROOT}build/release`}/museum-app`;
  const r = spawnSync(bin, [], { env: { PATH: process.env.PATH, APP_DATABASE_URL: 'postgresql:///none', APP_SOCKET: '/nonexistent/x.sock', ADMIN_PASSWORD: 'elevenchars' }, encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /setting=ADMIN_PASSWORD expected="at least 12 characters"/);
  assert.ok(!r.stderr.includes('elevenchars'), 'the value is not logged');
});
