// Live seat counts (issue 16; nginx/http.conf.in "Live seat counts"): a
// page polling the public catalogue with If-None-Match is answered by nginx
// from a copy kept 1 s (whole seconds for nginx: at most 2 s old), 304
// while unchanged, so many open pages cost the app about one query a
// second per URL; an unconditional GET, and anything carrying a
// credential, always reaches the app (and leaves the copy alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { BASE, book, createMuseum, eventually, sleep, STAFF, unique, VAR } from './lib.mjs';

// The access log's lines for uri since line `from` (it is flushed every second).
async function logged(uri, from) {
  await sleep(1300);
  return readFileSync(`${VAR}/log/nginx-access.log`, 'utf8').split('\n').slice(from)
    .filter((l) => l.includes(`uri="${uri}"`))
    .map((l) => ({ status: /status=(\d+)/.exec(l)[1], upstream: /upstream=(\S+)/.exec(l)[1] }));
}
const lines = async () => { await sleep(1300); return readFileSync(`${VAR}/log/nginx-access.log`, 'utf8').split('\n').length - 1; };
const get = (path, headers = {}) => fetch(BASE + path, { headers });

test('polls with If-None-Match: 304s from nginx, the app asked at most once a second', async () => {
  const m = await createMuseum(10, unique('Live'));
  const path = `/museums/${m.id}/slots`;
  const first = await get(path);
  assert.equal(first.status, 200);
  const etag = first.headers.get('etag');
  assert.ok(etag);
  const from = await lines();
  const started = Date.now();
  const polls = [];
  for (let i = 0; i < 40; i++) polls.push((await get(path, { 'If-None-Match': etag })).status);
  await Promise.all(Array.from({ length: 40 }, async () => polls.push((await get(path, { 'If-None-Match': etag })).status)));
  const seconds = (Date.now() - started) / 1000;
  assert.ok(polls.every((s) => s === 304), `all 304: ${polls}`);
  const seen = await logged(path, from);
  assert.equal(seen.length, 80);
  const asked = seen.filter((l) => l.upstream !== '-').length;
  assert.ok(asked <= Math.ceil(seconds) + 1, `the app asked ${asked} times in ${seconds.toFixed(1)} s`);
  assert.ok(seen.filter((l) => l.upstream === '-').length >= 70, 'the rest answered by nginx');
});

test('a change shows: at once to an unconditional GET, within 2 s to a poll', async () => {
  const m = await createMuseum(10, unique('Live'));
  const path = `/museums/${m.id}`;
  const before = await get(path);
  const etag = before.headers.get('etag');
  assert.equal((await before.json()).pcnt, 10);
  assert.equal((await get(path, { 'If-None-Match': etag })).status, 304, 'the copy is made');
  await book(m.id);
  const fresh = await get(path);
  assert.equal((await fresh.json()).pcnt, 9, 'an unconditional GET reaches the app');
  await sleep(2100);
  const poll = await get(path, { 'If-None-Match': etag });
  assert.equal(poll.status, 200, 'the poll sees the change');
  assert.equal((await poll.json()).pcnt, 9);
  assert.notEqual(poll.headers.get('etag'), etag);
});

// The copies nginx keeps of path (its cache files name their key).
const copiesOf = (path) => readdirSync(`${VAR}/nginx/cache`, { recursive: true, withFileTypes: true })
  .filter((f) => f.isFile())
  .filter((f) => readFileSync(`${f.parentPath ?? f.path}/${f.name}`, 'latin1').includes(`\nKEY: GET${path}\n`))
  .length;

test('only polls make copies: a plain GET writes none (it made GETs five times slower)', async () => {
  const m = await createMuseum(10, unique('Live'));
  const path = `/museums/${m.id}`;
  let etag;
  for (let i = 0; i < 5; i++) etag = (await get(path)).headers.get('etag');
  assert.equal(copiesOf(path), 0, 'no copy after plain GETs');
  assert.equal((await get(path, { 'If-None-Match': etag })).status, 304);
  // nginx may answer the 304 before it has written the copy.
  await eventually(() => copiesOf(path) === 1, 2000, 'a poll to make one copy');
  assert.equal(copiesOf(path), 1);
});

test('credentials, tokens and other paths are never served from the copy', async () => {
  const m = await createMuseum(10, unique('Live'));
  const b = await book(m.id);
  const path = `/museums/${m.id}`;
  const etag = (await get(path)).headers.get('etag');
  const from = await lines();
  for (let i = 0; i < 3; i++) {
    assert.equal((await get(path, { ...STAFF, 'If-None-Match': etag })).status, 304, 'staff: the app\'s own 304');
    const own = await get(`/books/${b.id}`, { 'X-Booking-Token': b.token, 'If-None-Match': '"x"' });
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('cache-control'), 'no-store');
  }
  const staffLines = await logged(path, from);
  assert.equal(staffLines.length, 3);
  assert.ok(staffLines.every((l) => l.upstream === '304'), `staff polls reach the app: ${JSON.stringify(staffLines)}`);
  const bookLines = await logged(`/books/${b.id}`, from);
  assert.ok(bookLines.length === 3 && bookLines.every((l) => l.upstream === '200'), JSON.stringify(bookLines));
});
