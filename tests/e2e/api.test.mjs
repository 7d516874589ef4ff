// The API contract: formats, errors, paging, filters. Each bad request is
// also checked to have changed nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, assertSeatsAgree, caughtUp, createMuseum, eventually, sql, staff, unique, visitor } from './lib.mjs';

const counts = () => sql(`SELECT (SELECT count(*) FROM museum.exhibition) || '/' ||
  (SELECT count(*) FROM book.booking) || '/' || (SELECT count(*) FROM outbox.event)`);

test('dates are accepted in both forms and returned as YYYY-MM-DD; capacity is an alias of pcnt', async () => {
  const a = await staff('POST', '/museums', { name: unique('D'), chkDate: '2030-01-02', capacity: 7 });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.chkDate, '2030-01-02');
  assert.equal(a.json.capacity, 7);
  assert.equal(a.json.pcnt, 7);
  const b = await staff('POST', '/museums', { name: unique('D'), chkDate: '20320229', pcnt: 1 });
  assert.equal(b.json.chkDate, '2032-02-29');
  const got = await api('GET', `/museums/${a.json.id}`);
  assert.deepEqual(got.json, a.json);
  assert.match(got.headers.get('content-type'), /^application\/json/);
});

test('invalid exhibitions get 422 with field errors and change nothing', async () => {
  const before = counts();
  const cases = [
    [{ chkDate: '20310726', pcnt: 1 }, 'name'],
    [{ name: '', chkDate: '20310726', pcnt: 1 }, 'name'],
    [{ name: 'x'.repeat(201), chkDate: '20310726', pcnt: 1 }, 'name'],
    [{ name: 'A', chkDate: '20210230', pcnt: 1 }, 'chkDate'],
    [{ name: 'A', chkDate: '2021-7-26', pcnt: 1 }, 'chkDate'],
    [{ name: 'A', chkDate: 20310726, pcnt: 1 }, 'chkDate'],
    [{ name: 'A', chkDate: '20310726' }, 'capacity'],
    [{ name: 'A', chkDate: '20310726', pcnt: 0 }, 'pcnt'],
    [{ name: 'A', chkDate: '20310726', pcnt: -3 }, 'pcnt'],
    [{ name: 'A', chkDate: '20310726', pcnt: 1.5 }, 'pcnt'],
    [{ name: 'A', chkDate: '20310726', pcnt: '10' }, 'pcnt'],
    [{ name: 'A', chkDate: '20310726', pcnt: 1e12 }, 'pcnt'],
    [{ name: 'A', chkDate: '20310726', pcnt: 2, capacity: 3 }, 'pcnt'],
    [{ name: 'A', chkDate: '20310726', pcnt: 2, id: 5 }, 'id'],
    [{ name: 7, chkDate: '20310726', pcnt: 2 }, 'name'],
  ];
  for (const [body, field] of cases) {
    const r = await staff('POST', '/museums', body);
    assertProblem(r, 422);
    assert.ok(r.json.errors && field in r.json.errors, `${JSON.stringify(body)} -> ${r.text}`);
  }
  assert.equal(counts(), before);
});

test('malformed bodies: 400, 411/413/415, nothing written', async () => {
  const m = await createMuseum(5);
  const before = counts();
  assertProblem(await api('POST', '/books', '{"museumId":1,'), 400);
  assertProblem(await api('POST', '/books', '[1,2]'), 400);
  assertProblem(await api('POST', '/books', `{"museumId":${m.id},"custNm":"a"} x`), 400);
  assertProblem(await api('POST', '/books', "{'museumId':1}"), 400);
  assertProblem(await api('POST', '/books', '{"a":' + '['.repeat(100) + ']'.repeat(100) + '}'), 400);
  assertProblem(await api('POST', '/books', `{"museumId":${m.id},"custNm":"a"}`, { 'Content-Type': 'text/plain' }), 415);
  assertProblem(await api('POST', '/books', `{"custNm":"${'x'.repeat(17000)}"}`), 413);
  assert.equal(counts(), before);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 5);
});

test('invalid bookings: 422 for bad fields, 404 for an unknown exhibition', async () => {
  const m = await createMuseum(3);
  const before = counts();
  for (const body of [
    { custNm: 'a' },
    { museumId: m.id },
    { museumId: `${m.id}.0`, custNm: 'a' },
    { museumId: ` ${m.id}`, custNm: 'a' },
    { museumId: `0${m.id}`, custNm: 'a' },
    { museumId: '1e3', custNm: 'a' },
    { museumId: m.id + 0.5, custNm: 'a' },
    { museumId: -1, custNm: 'a' },
    { museumId: 0, custNm: 'a' },
    { museumId: m.id, custNm: '   ' },
    { museumId: m.id, custNm: 'a\u0000b' },
    { museumId: m.id, custNm: 'a', chkDate: 'yesterday' },
    { museumId: m.id, custNm: 'a', status: 'CANCELED' },
  ]) {
    const r = await api('POST', '/books', body);
    assertProblem(r, 422);
    assert.ok(r.json.errors, r.text);
  }
  assertProblem(await api('POST', '/books', '{"museumId":99999999999999999999,"custNm":"a"}'), 422);
  const unknown = await api('POST', '/books', { museumId: 9007199254740991, custNm: 'a' });
  assertProblem(unknown, 404);
  assert.equal(counts(), before);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 3);
  // A string of decimal digits is an id (the original system's Jackson
  // accepted it; httpie's museumId=1 sends it).
  const s = await api('POST', '/books', { museumId: String(m.id), custNm: 'a' });
  assert.equal(s.status, 201, s.text);
  assert.equal(s.json.museumId, m.id);
  await assertSeatsAgree([m.id]);
});

test('status changes: only a cancel of a live booking; others are 409 or 422', async () => {
  const m = await createMuseum(3);
  const b = (await api('POST', '/books', { museumId: m.id, custNm: unique('s') })).json;
  const mine = visitor(b.token);
  const patch = (body) => api('PATCH', `/books/${b.id}`, body, mine);
  await eventually(async () => (await api('GET', `/books/${b.id}`, undefined, mine)).json.status === 'REQUEST_COMPLETED');
  assertProblem(await patch({ status: 'REQUESTED' }), 409);
  const same = await patch({ status: 'REQUEST_COMPLETED' });
  assert.equal(same.status, 200, 'asking for the current status changes nothing');
  assert.equal(same.json.status, 'REQUEST_COMPLETED');
  assertProblem(await patch({ status: 'FORCE_CANCELED' }), 409);
  assertProblem(await patch({ status: 'DONE' }), 422);
  assertProblem(await patch({}), 422);
  assertProblem(await patch({ status: 'CANCELED', custNm: 'x' }), 422);
  assertProblem(await staff('PATCH', '/books/9007199254740991', { status: 'CANCELED' }), 404);
  const c = await patch({ status: 'CANCELED' });
  assert.equal(c.status, 200);
  assert.equal(c.json.status, 'CANCELED');
  assertProblem(await patch({ status: 'REQUESTED' }), 409);
  await caughtUp();
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 3);

  // A force-canceled booking cannot be canceled by the visitor.
  const d = (await api('POST', '/books', { museumId: m.id, custNm: unique('s') })).json;
  assert.equal((await staff('DELETE', `/museums/${m.id}`)).status, 204);
  await eventually(async () => (await api('GET', `/books/${d.id}`, undefined, visitor(d.token))).json.status === 'FORCE_CANCELED');
  assertProblem(await api('PUT', `/books/${d.id}`, { status: 'CANCELED' }, visitor(d.token)), 409);
  assert.equal(sql(`SELECT count(*) FROM outbox.event WHERE book_id = ${d.id} AND kind = 'CANCELED'`), '0');
});

test('unknown paths and ids are 404, wrong methods 405 with Allow', async () => {
  for (const p of ['/museums/0', '/museums/abc', '/museums/01', '/museums/1.5', '/museums/-1',
    '/museums/99999999999999999999', '/books/9007199254740991', '/confirms/9007199254740991',
    '/myPages/9007199254740991', '/museums/1/books', '/nothing', '/bookings']) {
    assertProblem(await api('GET', p), 404);
  }
  const r = await api('DELETE', '/books');
  assertProblem(r, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD, POST');
  const r2 = await api('POST', '/confirms', { a: 1 });
  assertProblem(r2, 405);
  assert.equal(r2.headers.get('allow'), 'GET, HEAD');
  const r3 = await api('PUT', '/museums/1', { a: 1 });
  assertProblem(r3, 405);
  assert.equal(r3.headers.get('allow'), 'GET, HEAD, PATCH, DELETE');
  const r4 = await api('POST', '/museums/1/slots', { a: 1 });
  assertProblem(r4, 405);
  assert.equal(r4.headers.get('allow'), 'GET, HEAD');
});

test('lists: ordered by id, limit, keyset paging with Link, filters combine', async () => {
  const cust = unique('pager');
  const m1 = await createMuseum(10);
  const m2 = await createMuseum(10);
  const ids = [];
  for (const m of [m1, m2, m1, m2, m1]) {
    ids.push((await api('POST', '/books', { museumId: m.id, custNm: cust })).json.id);
  }
  const q = `custNm=${encodeURIComponent(cust)}`;
  const all = await staff('GET', `/books?${q}`);
  assert.deepEqual(all.json.map((b) => b.id), ids);
  assert.equal(all.headers.get('link'), null);

  const seen = [];
  let next = `/books?${q}&limit=2`;
  while (next) {
    const page = await staff('GET', next);
    assert.equal(page.status, 200);
    assert.ok(page.json.length <= 2);
    seen.push(...page.json.map((b) => b.id));
    const link = page.headers.get('link');
    next = link ? /^<([^>]+)>; rel="next"$/.exec(link)[1] : null;
    if (next) assert.ok(next.startsWith('/books?'), link);
  }
  assert.deepEqual(seen, ids);

  const onlyM1 = await staff('GET', `/books?${q}&museumId=${m1.id}`);
  assert.deepEqual(onlyM1.json.map((b) => b.id), [ids[0], ids[2], ids[4]]);
  await staff('PATCH', `/books/${ids[2]}`, { status: 'CANCELED' });
  const canceled = await staff('GET', `/books?${q}&status=CANCELED`);
  assert.deepEqual(canceled.json.map((b) => b.id), [ids[2]]);
  const after = await staff('GET', `/books?${q}&after=${ids[1]}`);
  assert.deepEqual(after.json.map((b) => b.id), ids.slice(2));

  await caughtUp();
  // MyPage entries are numbered as the listeners write them: with two
  // listeners, two bookings of one visitor can get theirs in either order.
  const my = await staff('GET', `/myPages?${q}&limit=3`);
  assert.equal(my.json.length, 3);
  assert.ok(my.headers.get('link'));
  const allMine = await staff('GET', `/myPages?${q}`);
  assert.deepEqual(allMine.json.map((x) => x.bookId).sort((x, y) => x - y), ids);
  assert.ok(my.json.every((x, i) => x.id === allMine.json[i].id), 'the first page is the list\'s start');

  for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'after=-1', 'museumId=abc',
    'status=DONE', 'custNM=x', 'custNm=%zz', 'custNm=']) {
    assertProblem(await staff('GET', `/books?${bad}`), 400);
  }
  assertProblem(await api('GET', '/museums?limit=1e3'), 400);
  assertProblem(await staff('GET', '/confirms?bookId=1.0'), 400);
  assertProblem(await staff('GET', '/myPages?bookId=0'), 400);
});

test('HEAD answers like GET without a body', async () => {
  const m = await createMuseum(1);
  const res = await fetch(`${process.env.BASE_URL}/museums/${m.id}`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
});

test('nginx errors are problem+json too', async () => {
  const r = await api('GET', '/no/such/page.html');
  assertProblem(r, 404);
});
