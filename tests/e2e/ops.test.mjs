// Running it for real: zero-downtime reload under load, broken deploys
// refused, the circuit breaker under a burst, held locks and a stopped
// database answered fast, health probes, the pool's status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { api, assertSeatsAgree, BASE, caughtUp, createMuseum, eventually, listenerPids, restartApp, ROOT, sleep, sql, unique, VAR } from './lib.mjs';

const BIN = process.env.BIN ?? `${ROOT}build/release`;
const run = promisify(execFile);
const appPid = () => Number(readFileSync(`${VAR}/run/app.pid`, 'utf8'));

// Sends requests from `width` loops until stop() is called; tallies
// statuses and network errors, and the latency of admitted requests, of
// refused ones, and of those a worker shed for waiting past
// APP_QUEUE_MAX_MS (makeRequest marks them res.shed).
function load(width, makeRequest) {
  const tally = { statuses: {}, errors: [], latencies: [], refused: [], shed: [] };
  let stopped = false;
  const loops = Array.from({ length: width }, async (_, w) => {
    for (let i = 0; !stopped; i++) {
      const t0 = performance.now();
      try {
        const res = await makeRequest(w, i);
        tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
        if (res.status !== 503 && res.status !== 429) tally.latencies.push(performance.now() - t0);
        else (res.shed ? tally.shed : tally.refused).push(performance.now() - t0);
      } catch (e) {
        tally.errors.push(String(e.cause ?? e));
      }
    }
  });
  return { tally, stop: async () => { stopped = true; await Promise.all(loops); return tally; } };
}

const p99 = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? 0;

test('make reload twice under load: no refused, dropped or failed request', async () => {
  const ms = [];
  for (let k = 0; k < 8; k++) ms.push(await createMuseum(1000000));
  const pid = appPid();
  const l = load(8, async (w, i) => {
    const m = ms[w % ms.length];
    const res = await (i % 2
      ? fetch(`${BASE}/museums/${m.id}`)
      : fetch(`${BASE}/books`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ museumId: m.id, custNm: `reload-${w}-${i}` }) }));
    await res.arrayBuffer();
    return res;
  });
  // About 20 s of load, with a reload a third and two thirds of the way.
  await sleep(5000);
  for (let k = 0; k < 2; k++) {
    await run('make', ['-s', 'reload'], { cwd: ROOT });
    await sleep(6000);
  }
  const tally = await l.stop();
  assert.deepEqual(tally.errors, []);
  const bad = Object.keys(tally.statuses).filter((s) => !['200', '201', '409'].includes(s));
  assert.deepEqual(bad, [], JSON.stringify(tally.statuses));
  assert.ok(tally.statuses[201] > 50, JSON.stringify(tally.statuses));
  assert.equal(appPid(), pid, 'the master kept its pid (and its socket)');
  const log = readFileSync(`${VAR}/log/app.log`, 'utf8');
  assert.ok((log.match(/event=reload binary=/g) ?? []).length >= 2);
});

test('a broken binary or config is refused and the old version keeps serving', async () => {
  const pid = appPid();
  const broken = mkdtempSync(`${tmpdir()}/museum-broken-`);
  try {
    cpSync(BIN, broken, { recursive: true });
    writeFileSync(`${broken}/museum-app`, '#!/bin/sh\necho "I am broken" >&2\nexit 1\n');
    chmodSync(`${broken}/museum-app`, 0o755);
    await assert.rejects(run(`${ROOT}scripts/stack.sh`, ['reload'], { env: { ...process.env, BIN: broken } }),
      /refused/);
  } finally {
    rmSync(broken, { recursive: true, force: true });
  }
  await assert.rejects(run(`${ROOT}scripts/stack.sh`, ['reload'],
    { env: { ...process.env, NGINX_MAX_CONNS: 'many' } }), /nginx configuration test failed/);
  assert.equal(appPid(), pid);
  assert.equal((await api('GET', '/museums?limit=1')).status, 200);
});

// tests/run.sh caps the test stack at NGINX_MAX_CONNS=128 API requests in
// nginx (production: 512), above the 100 concurrent bookings of
// tests/e2e/edge.test.mjs, so 384 connections are three times the cap.
// n requests that hold their place under the cap: a booking's headers
// sent, its body never (nginx counts a request from its headers on).
// Resolves 300 ms after sending them, nginx's time to read them; destroy the
// sockets to let go.
async function holdSlots(n) {
  const { hostname, port } = new URL(BASE);
  const socks = Array.from({ length: n }, () => {
    const s = createConnection({ host: hostname, port: Number(port) });
    s.on('error', () => {});
    s.write('POST /books HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n');
    return s;
  });
  await sleep(300);
  return socks;
}

test('a burst of 384 connections, 3 times the cap: only 2xx/409/503, refusals fast, admitted bounded, healthy after', async (t) => {
  const m = await createMuseum(100);
  // Slow uploads hold 112 of the cap's 128 places through the burst, so
  // the burst meets the cap however fast this machine serves it (a fast
  // pool with a busy test client kept under it: once, no 503 at all).
  const held = await holdSlots(112);
  t.after(() => { for (const s of held) s.destroy(); });
  let retryAfter = null;
  const l = load(384, async (w, i) => {
    const res = await fetch(i % 3 ? `${BASE}/museums/${m.id}`
      : `${BASE}/books`, i % 3 ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ museumId: m.id, custNm: `burst-${w}-${i}` }) });
    if (res.status === 503) {
      retryAfter = res.headers.get('retry-after');
      assert.match(res.headers.get('content-type'), /problem\+json/);
      res.shed = /too busy/.test((await res.json()).detail);
      return res;
    }
    await res.arrayBuffer();
    return res;
  });
  await sleep(4000);
  const tally = await l.stop();
  for (const s of held) s.destroy();
  assert.deepEqual(tally.errors, []);
  const bad = Object.keys(tally.statuses).filter((s) => !['200', '201', '409', '503', '429'].includes(s));
  assert.deepEqual(bad, [], JSON.stringify(tally.statuses));
  assert.ok(tally.statuses[503] > 0, `the breaker opened: ${JSON.stringify(tally.statuses)}`);
  assert.equal(retryAfter, '1');
  // Bounded, not fast: this runs on the sanitizer build on a shared 2-core
  // machine (bench/ measures the real figure); without the breaker the
  // queue would grow with the burst.
  assert.ok(p99(tally.latencies) < 5000, `p99 of admitted requests ${p99(tally.latencies)} ms`);
  const bound = Number(process.env.APP_QUEUE_MAX_MS ?? 700);
  assert.ok(p99(tally.shed) < bound + 3000, `p99 of requests shed for waiting past APP_QUEUE_MAX_MS ${p99(tally.shed)} ms`);
  // Refused by nginx at once: the median 503 (the client's event loop busy
  // with 384 connections is most of what it measures) well under an
  // admitted one's. (Those a worker shed waited in its queue first.)
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  assert.ok(median(tally.refused) < 1000, `median 503 ${median(tally.refused)} ms`);
  // Healthy right after.
  assert.equal((await api('GET', '/readyz')).status, 200);
  assert.equal((await api('GET', `/museums/${m.id}`)).status, 200);
  await caughtUp();
  assert.equal(sql(`SELECT capacity - seats_left = (SELECT count(*) FROM book.booking WHERE museum_id = ${m.id})
    FROM museum.slot WHERE museum_id = ${m.id}`), 't', 'no booking lost or doubled');
  await assertSeatsAgree([m.id]);
  const status = (await api('GET', '/status')).json;
  assert.ok(status.workers.highWater > status.workers.min, 'the pool grew under load');
  assert.ok(status.workers.total <= status.workers.max);
  assert.equal(typeof status.listenQueue.length, 'number');
  assert.equal(typeof status.outbox.pending, 'number');
  assert.equal(typeof status.mail.due, 'number', 'and the email queue');
});

test('a request stuck past APP_REQUEST_TIMEOUT_MS: its worker is killed, the client gets a 503, the pool replaces it', async () => {
  // Restart the pool with a request timeout shorter than the lock timeout,
  // so that a held row lock leaves the request hanging.
  await restartApp({ APP_REQUEST_TIMEOUT_MS: '1000', DB_LOCK_TIMEOUT_MS: '10000' });
  try {
    const m = await createMuseum(5);
    const holder = run('psql', [process.env.DBURL, '-Xq', '-c',
      `BEGIN; SELECT 1 FROM museum.slot WHERE museum_id = ${m.id} FOR UPDATE; SELECT pg_sleep(4); COMMIT;`]);
    await eventually(() => sql(`SELECT count(*) FROM pg_stat_activity
      WHERE state = 'active' AND query LIKE '%pg_sleep(4)%' AND pid <> pg_backend_pid()`) === '1', 3000, 'the lock holder');
    const before = (readFileSync(`${VAR}/log/app.log`, 'utf8').match(/event=worker_timeout/g) ?? []).length;
    const t0 = performance.now();
    const r = await api('POST', '/books', { museumId: m.id, custNm: unique('stuck') });
    const ms = performance.now() - t0;
    assert.equal(r.status, 503, r.text);
    assert.match(r.headers.get('content-type'), /problem\+json/);
    assert.ok(ms < 3000, `answered in ${ms} ms`);
    const after = (readFileSync(`${VAR}/log/app.log`, 'utf8').match(/event=worker_timeout/g) ?? []).length;
    assert.equal(after, before + 1, 'the master killed the stuck worker');
    assert.equal((await api('GET', `/museums/${m.id}`)).status, 200, 'the pool still answers');
    await holder;
    assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 5, 'the killed request booked nothing');
  } finally {
    await restartApp({});
  }
});

test('a held row lock turns into a quick 503, not a hung worker', async () => {
  const m = await createMuseum(5);
  const holder = run('psql', [process.env.DBURL, '-Xq', '-c',
    `BEGIN; SELECT 1 FROM museum.slot WHERE museum_id = ${m.id} FOR UPDATE; SELECT pg_sleep(3.5); COMMIT;`]);
  await eventually(() => sql(`SELECT count(*) FROM pg_stat_activity
    WHERE state = 'active' AND query LIKE '%pg_sleep(3.5)%' AND pid <> pg_backend_pid()`) === '1',
  3000, 'the lock holder');
  const t0 = performance.now();
  const r = await api('POST', '/books', { museumId: m.id, custNm: unique('locked') });
  const ms = performance.now() - t0;
  assert.equal(r.status, 503, r.text);
  assert.equal(r.headers.get('retry-after'), '1');
  assert.ok(ms < 2500, `answered in ${ms} ms`);
  await holder;
  assert.equal((await api('POST', '/books', { museumId: m.id, custNm: unique('after') })).status, 201);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 4, 'the refused booking took no seat');
});

test('PostgreSQL stopped: 503 within 1 s; started: recovered within 2 s, no restart', async () => {
  const pid = appPid();
  execFileSync(`${ROOT}scripts/stack.sh`, ['pg-stop'], { stdio: 'ignore' });
  try {
    for (const path of ['/museums?limit=1', '/readyz']) {
      const t0 = performance.now();
      const r = await api('GET', path);
      assert.equal(r.status, 503);
      assert.ok(performance.now() - t0 < 1000, `${path} answered in ${performance.now() - t0} ms`);
    }
    assert.equal((await api('GET', '/healthz')).status, 200, 'the process is up');
  } finally {
    execFileSync(`${ROOT}scripts/stack.sh`, ['pg-start'], { stdio: 'ignore' });
  }
  const t0 = performance.now();
  await eventually(async () => (await api('GET', '/museums?limit=1')).status === 200, 2000, 'recovery');
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(appPid(), pid);
});

test('readyz reports listener lag', async () => {
  assert.equal((await api('GET', '/readyz')).status, 200);
  for (const pid of listenerPids()) process.kill(pid, 'SIGTERM');
  await sleep(500);
  const id = sql(`INSERT INTO outbox.event (kind, museum_id, book_id, created_at)
    VALUES ('BOOKED', 0, 0, now() - interval '10 minutes') RETURNING id`);
  try {
    const r = await api('GET', '/readyz');
    assert.equal(r.status, 503);
    assert.match(r.json.detail, /behind/);
  } finally {
    execFileSync('make', ['-s', 'start'], { cwd: ROOT, stdio: 'ignore' });
  }
  await eventually(() => sql(`SELECT done_at IS NOT NULL FROM outbox.event WHERE id = ${id}`) === 't', 10000);
  assert.equal((await api('GET', '/readyz')).status, 200);
});
