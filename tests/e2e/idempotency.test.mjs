// Idempotency-Key on POST /books and the cancel calls: a retry gets the
// first answer again and books nothing more; another request with the key
// is 422; a retry while the first still runs is 409; keys expire after 24 h.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { api, assertProblem, book, caughtUp, createMuseum, DBURL, sql, staff, unique, visitor } from './lib.mjs';

const key = () => ({ 'Idempotency-Key': randomUUID() });
const pcnt = async (id) => (await api('GET', `/museums/${id}`)).json.pcnt;
const bookings = (museumId) => sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${museumId}`);

test('a retried POST /books answers the first booking again, token included', async () => {
  const m = await createMuseum(5);
  const k = key();
  const body = { museumId: m.id, custNm: unique('retry') };
  const first = await api('POST', '/books', body, k);
  assert.equal(first.status, 201, first.text);
  await caughtUp(); // the booking is REQUEST_COMPLETED now; the replay still says what was first answered
  const again = await api('POST', '/books', body, k);
  assert.equal(again.status, 201);
  assert.deepEqual(again.json, first.json);
  assert.equal(again.headers.get('location'), `/books/${first.json.id}`);
  // The same request with other whitespace is the same request.
  const spaced = await api('POST', '/books', `{ "museumId" : ${m.id} ,\n "custNm" : ${JSON.stringify(body.custNm)} }`, k);
  assert.equal(spaced.status, 201);
  assert.equal(spaced.json.id, first.json.id);
  assert.equal(bookings(m.id), '1');
  assert.equal(await pcnt(m.id), 4);
  assert.equal((await api('GET', `/books/${first.json.id}`, undefined, visitor(again.json.token))).status, 200);
  // Stored: hashes of the key and the request, the answer without the token in the clear.
  assert.equal(sql(`SELECT count(*) FROM book.idempotency WHERE key_hash = sha256('${k['Idempotency-Key']}'::bytea)
    AND response->>'id' = '${first.json.id}' AND NOT response ? 'token'
    AND token_sealed <> decode('${first.json.token}', 'hex')`), '1');
});

test('a retry with the members in another order, at every level, is the same request', async () => {
  const m = await createMuseum(5);
  const k = key();
  const cust = unique('order');
  const first = await api('POST', '/books', `{"museumId":${m.id},"custNm":"${cust}","tickets":{"adult":1,"child":1}}`, k);
  assert.equal(first.status, 201, first.text);
  const again = await api('POST', '/books', `{"tickets":{"child":1,"adult":1},"custNm":"${cust}","museumId":${m.id}}`, k);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.id, first.json.id);
  assert.equal(bookings(m.id), '1');
  assert.equal(await pcnt(m.id), 3);
});

test('the same key with another body is 422 and writes nothing', async () => {
  const m = await createMuseum(5);
  const k = key();
  const cust = unique('retry');
  assert.equal((await api('POST', '/books', { museumId: m.id, custNm: cust }, k)).status, 201);
  const before = sql('SELECT count(*) FROM book.booking') + '/' + sql('SELECT count(*) FROM book.idempotency');
  const other = await api('POST', '/books', { museumId: m.id, custNm: `${cust}x` }, k);
  assertProblem(other, 422);
  assert.match(other.json.detail, /Idempotency-Key/);
  // ... also on another route.
  const b = await book(m.id);
  assertProblem(await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, { ...k, ...visitor(b.token) }), 422);
  assert.equal(sql('SELECT count(*) FROM book.booking') + '/' + sql('SELECT count(*) FROM book.idempotency'),
    `${Number(before.split('/')[0]) + 1}/${before.split('/')[1]}`);
  assert.equal(await pcnt(m.id), 3);
  assert.equal(sql(`SELECT status IN ('REQUESTED', 'REQUEST_COMPLETED') FROM book.booking WHERE id = ${b.id}`), 't');
});

test('a retry while the first request is still running is 409; afterwards it replays', async () => {
  const m = await createMuseum(5);
  const k = key();
  const body = { museumId: m.id, custNm: unique('slow') };
  // Hold the exhibition's slot row (for less than DB_LOCK_TIMEOUT_MS, 1 s)
  // so that the first request waits on its seat.
  const locker = spawn('psql', [DBURL, '-Xq', '-c',
    `BEGIN; SELECT 1 FROM museum.slot WHERE museum_id = ${m.id} FOR UPDATE; SELECT pg_sleep(0.8); COMMIT;`]);
  const lockerDone = new Promise((resolve) => locker.on('exit', resolve));
  const waitForLock = async () => {
    for (let i = 0; i < 100; i++) {
      if (sql(`SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
        WHERE c.relname = 'slot' AND l.mode = 'RowShareLock' AND l.granted`) !== '0') return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await waitForLock();
  const firstP = api('POST', '/books', body, k);
  await new Promise((r) => setTimeout(r, 250));
  const during = await api('POST', '/books', body, k);
  assertProblem(during, 409);
  assert.match(during.json.detail, /in progress/);
  const first = await firstP;
  assert.equal(first.status, 201, first.text);
  await lockerDone;
  const after = await api('POST', '/books', body, k);
  assert.equal(after.status, 201);
  assert.deepEqual(after.json, first.json);
  assert.equal(bookings(m.id), '1');
});

test('ten simultaneous requests with one key make one booking', async () => {
  const m = await createMuseum(20);
  const k = key();
  const body = { museumId: m.id, custNm: unique('rush') };
  const answers = await Promise.all(Array.from({ length: 10 }, () => api('POST', '/books', body, k)));
  const ok = answers.filter((r) => r.status === 201);
  assert.ok(ok.length >= 1);
  assert.ok(answers.every((r) => r.status === 201 || r.status === 409), answers.map((r) => r.status).join());
  assert.ok(ok.every((r) => r.json.id === ok[0].json.id && r.json.token === ok[0].json.token));
  assert.equal(bookings(m.id), '1');
  assert.equal(await pcnt(m.id), 19);
});

test('cancel with a key: the retry answers the first cancel; PUT and PATCH too', async () => {
  const m = await createMuseum(5);
  const b = await book(m.id);
  const k = { ...key(), ...visitor(b.token) };
  const first = await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, k);
  assert.equal(first.status, 200);
  const again = await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, k);
  assert.deepEqual(again.json, first.json);
  assert.equal(sql(`SELECT count(*) FROM outbox.event WHERE book_id = ${b.id} AND kind = 'CANCELED'`), '1');
  const c = await book(m.id);
  const kc = { ...key(), ...visitor(c.token) };
  const whole = { museumId: m.id, custNm: c.custNm, status: 'CANCELED' };
  assert.equal((await api('PUT', `/books/${c.id}`, whole, kc)).status, 200);
  assert.equal((await api('PUT', `/books/${c.id}`, whole, kc)).status, 200);
  assertProblem(await api('PATCH', `/books/${c.id}`, { status: 'CANCELED' }, kc), 422);
  // Staff use keys too.
  const d = await book(m.id);
  const ks = key();
  assert.equal((await staff('PATCH', `/books/${d.id}`, { status: 'CANCELED' }, ks)).status, 200);
  assert.equal((await staff('PATCH', `/books/${d.id}`, { status: 'CANCELED' }, ks)).status, 200);
  await caughtUp();
  assert.equal(await pcnt(m.id), 5);
});

test('a refused request does not use up its key', async () => {
  const m = await createMuseum(1);
  const taken = await book(m.id);
  const k = key();
  const body = { museumId: m.id, custNm: unique('waiting') };
  assertProblem(await api('POST', '/books', body, k), 409); // sold out
  assert.equal((await api('PATCH', `/books/${taken.id}`, { status: 'CANCELED' }, visitor(taken.token))).status, 200);
  await caughtUp();
  const r = await api('POST', '/books', body, k);
  assert.equal(r.status, 201, r.text);
});

test('keys expire after 24 hours', async () => {
  const m = await createMuseum(5);
  const k = key();
  const first = await api('POST', '/books', { museumId: m.id, custNm: unique('old') }, k);
  assert.equal(first.status, 201);
  sql(`UPDATE book.idempotency SET created_at = now() - interval '24 hours 1 second'
       WHERE key_hash = sha256('${k['Idempotency-Key']}'::bytea)`);
  const later = await api('POST', '/books', { museumId: m.id, custNm: unique('new') }, k);
  assert.equal(later.status, 201, later.text);
  assert.notEqual(later.json.id, first.json.id);
  assert.equal(bookings(m.id), '2');
  assert.equal(sql(`SELECT count(*) FROM book.idempotency WHERE key_hash = sha256('${k['Idempotency-Key']}'::bytea)
    AND created_at > now() - interval '1 minute'`), '1');
  assert.ok(Number(sql('SELECT book.idempotency_prune()')) >= 0);
  assert.equal(sql(`SELECT count(*) FROM book.idempotency WHERE created_at <= now() - interval '24 hours'`), '0');
});
