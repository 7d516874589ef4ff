// What the pages need to ask only for what they show: GET /museums?from= (live exhibitions from a
// date, by date then id, paged with after=), staff rows with their booked and canceled counts,
// and conditional GETs (ETag from the body; If-None-Match answered 304 Not Modified, no body).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, assertSeatsAgree, book, eventually, caughtUp, staff, unique, visitor } from './lib.mjs';

// A date of its own per run, far from the other tests' exhibitions.
const day = (n) => new Date(Date.UTC(2300 + Math.floor(Math.random() * 500), 0, 1) + n * 86400000).toISOString().slice(0, 10);

async function exhibition(chkDate, capacity = 5) {
  const res = await staff('POST', '/museums', { name: unique('Paged hall'), chkDate, pcnt: capacity });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

test('GET /museums?from= lists live exhibitions from that date, by date then id, paged with after=', async () => {
  const d0 = day(0);
  const d1 = new Date(Date.parse(d0) + 86400000).toISOString().slice(0, 10);
  const d2 = new Date(Date.parse(d0) + 2 * 86400000).toISOString().slice(0, 10);
  const earlier = await exhibition(new Date(Date.parse(d0) - 86400000).toISOString().slice(0, 10));
  const b = await exhibition(d2);
  const a1 = await exhibition(d1);
  const a2 = await exhibition(d1);
  const gone = await exhibition(d1);
  assert.equal((await staff('DELETE', `/museums/${gone.id}`)).status, 204);

  const first = await api('GET', `/museums?from=${d0}&limit=2`);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.json.map((m) => m.id), [a1.id, a2.id], 'from d0: the d1 ones by id, not the earlier one');
  assert.deepEqual(Object.keys(first.json[0]), ['id', 'name', 'chkDate', 'capacity', 'pcnt', 'startDate', 'endDate', 'opens',
    'closes', 'slotMinutes', 'closedWeekdays', 'closedDates', 'description'], 'the public fields, as before, then timed entry\'s');
  const link = /<([^>]+)>; rel="next"/.exec(first.headers.get('link'))?.[1];
  assert.equal(link, `/museums?from=${d0}&limit=2&after=${a2.id}`);
  const second = await api('GET', link);
  assert.equal(second.json[0].id, b.id, 'the next page goes on by date');
  assert.ok(!second.json.some((m) => m.id === earlier.id || m.id === gone.id));

  // The cursor is an id: also one deleted since the client saw it.
  const afterGone = await api('GET', `/museums?from=${d0}&limit=1&after=${gone.id}`);
  assert.deepEqual(afterGone.json.map((m) => m.id), [b.id]);
  const afterA1 = await api('GET', `/museums?from=${d0}&limit=1&after=${a1.id}`);
  assert.deepEqual(afterA1.json.map((m) => m.id), [a2.id]);

  // Without from: by id, as before.
  const byId = await api('GET', `/museums?after=${earlier.id}&limit=3`);
  assert.deepEqual(byId.json.map((m) => m.id), [b.id, a1.id, a2.id]);

  for (const bad of ['2021-02-30', 'today', '2021-1-1', '']) {
    assertProblem(await api('GET', `/museums?from=${encodeURIComponent(bad)}`), 400);
  }
});

test('staff rows carry booked and canceled counts, one request for a page', async () => {
  const m = await exhibition(day(10), 4);
  const kept = await book(m.id);
  const canceled = await book(m.id);
  assert.equal((await api('PATCH', `/books/${canceled.id}`, { status: 'CANCELED' }, visitor(canceled.token))).status, 200);
  assert.ok(kept.id);
  await caughtUp();
  for (const path of [`/museums?from=${m.chkDate}&limit=1`, `/museums?after=${m.id - 1}&limit=1`]) {
    const res = await staff('GET', path);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json[0], { ...m, pcnt: 3, booked: 1, canceled: 1 }, path);
  }
  const anyone = await api('GET', `/museums?from=${m.chkDate}&limit=1`);
  assert.deepEqual(anyone.json[0], { ...m, pcnt: 3 }, 'visitors see no counts');
  await assertSeatsAgree([m.id]);
});

test('conditional GET: an ETag from the body; If-None-Match answers 304 without a body until it changes', async () => {
  const m = await exhibition(day(20), 3);
  const path = `/museums?from=${m.chkDate}&limit=1`;
  const first = await api('GET', path);
  const etag = first.headers.get('etag');
  assert.match(etag ?? '', /^"[0-9a-f]{16}"$/);
  assert.equal((await api('GET', path)).headers.get('etag'), etag, 'the same body, the same tag');

  const same = await api('GET', path, undefined, { 'If-None-Match': etag });
  assert.equal(same.status, 304);
  assert.equal(same.text, '');
  assert.equal(same.headers.get('etag'), etag);
  assert.equal(same.headers.get('cache-control'), 'no-store');
  for (const header of [`W/${etag}`, `"0000000000000000", ${etag}`, '*']) {
    assert.equal((await api('GET', path, undefined, { 'If-None-Match': header })).status, 304, header);
  }
  assert.equal((await api('GET', path, undefined, { 'If-None-Match': '"0000000000000000"' })).status, 200);
  const head = await fetch(`${process.env.BASE_URL ?? 'http://127.0.0.1:8080'}${path}`, { method: 'HEAD', headers: { 'If-None-Match': etag } });
  assert.equal(head.status, 304, 'HEAD too');

  // A change: a new body and tag (to a poll, within the second nginx may
  // answer it from its copy: tests/e2e/live.test.mjs).
  await book(m.id);
  const changed = await eventually(async () => {
    const r = await api('GET', path, undefined, { 'If-None-Match': etag });
    return r.status === 200 && r;
  }, 2000, 'the poll to see the change');
  assert.equal(changed.json[0].pcnt, 2);
  assert.notEqual(changed.headers.get('etag'), etag);

  // One row, and staff's page (another body: another tag).
  const one = await api('GET', `/museums/${m.id}`);
  assert.equal((await api('GET', `/museums/${m.id}`, undefined, { 'If-None-Match': one.headers.get('etag') })).status, 304);
  const staffEtag = (await staff('GET', path)).headers.get('etag');
  assert.notEqual(staffEtag, changed.headers.get('etag'));
  assert.equal((await staff('GET', path, undefined, { 'If-None-Match': staffEtag })).status, 304);

  // Only successful reads are tagged.
  const missing = await api('GET', '/museums/9007199254740991', undefined, { 'If-None-Match': '*' });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('etag'), null);
  const created = await staff('POST', '/museums', { name: unique('Hall'), chkDate: m.chkDate, pcnt: 1 }, { 'If-None-Match': '*' });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('etag'), null);
});
