// The edge (nginx) under a hostile client: per-client limits on concurrent
// API requests and on the rates of bookings and of credentials, with
// TRUSTED_CLIENTS exempt; booking tokens kept out of every log, also when
// nginx answers for a stopped pool; shedding by a queue bounded in time
// rather than a small count; nginx's own errors as problem+json.
//
// Untrusted clients are other loopback addresses (127.0.0.2 ...), one per
// test, so that the per-client state one test leaves does not touch another;
// the rest of the suite runs from 127.0.0.1, which is trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import {
  alive, api, BASE, basic, book, createMuseum, eventually, pidOf, ROOT, sleep, unique, VAR, visitor,
} from './lib.mjs';

const { hostname: HOST, port: PORT } = new URL(BASE);

// One HTTP request from a chosen local address; { status, statusLine,
// headers, text, json, ms }. A fresh connection unless agent is given.
function send({ method = 'GET', path, body, headers = {}, from = '127.0.0.1', agent, timeout = 15000 }) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h = { ...headers };
    if (data !== undefined) {
      h['Content-Type'] ??= 'application/json';
      h['Content-Length'] = Buffer.byteLength(data);
    }
    const req = http.request({ host: HOST, port: PORT, method, path, headers: h, localAddress: from,
      agent: agent ?? false, timeout }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, statusMessage: res.statusMessage, headers: res.headers, text, json,
          ms: performance.now() - t0 });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeout} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

// One raw exchange (what http.request will not send); { status, statusLine, headers, text, json }.
function raw(request, from = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const s = net.connect({ host: HOST, port: Number(PORT), localAddress: from }, () => s.write(request));
    s.setTimeout(5000, () => s.destroy());
    s.on('data', (c) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = all.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const text = rest.join('\r\n\r\n');
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      resolve({ status: Number(lines[0].split(' ')[1]), statusLine: lines[0], headers, text, json });
    });
  });
}

function assertProblemOf(r, status) {
  assert.equal(r.status, status, r.text?.slice(0, 300));
  assert.match(r.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(r.json?.status, status);
  assert.equal(typeof r.json?.title, 'string');
}

// Everything the stack logs, as one string: nginx's access and error
// logs, the pool's and the listeners' (not PostgreSQL's: its own issue).
const allLogs = () => readdirSync(`${VAR}/log`).filter((f) => f.endsWith('.log'))
  .map((f) => readFileSync(`${VAR}/log/${f}`, 'utf8')).join('\n');
const accessLog = () => readFileSync(`${VAR}/log/nginx-access.log`, 'utf8');

test('64 slow uploads from one address: everyone else is answered normally meanwhile', async () => {
  // Each sends the head of a 10,000-byte booking, then one byte every 2 s.
  const slow = [];
  for (let i = 0; i < 64; i++) {
    const s = net.connect({ host: HOST, port: Number(PORT), localAddress: '127.0.0.2' });
    s.on('error', () => {});
    s.write('POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{');
    slow.push(s);
  }
  const drip = setInterval(() => { for (const s of slow) if (s.writable) s.write(' '); }, 2000);
  try {
    await sleep(1000); // all of them in nginx, holding whatever they hold
    const m = await createMuseum(10);
    for (let i = 0; i < 10; i++) {
      const r = await send({ path: i % 2 ? `/museums/${m.id}` : '/museums?limit=5' });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.ms < 1000, `answered in ${r.ms} ms`);
    }
    const b = await send({ method: 'POST', path: '/books', body: { museumId: m.id, custNm: unique('meanwhile') } });
    assert.equal(b.status, 201, b.text);
    assert.ok(b.ms < 1000, `booked in ${b.ms} ms`);
  } finally {
    clearInterval(drip);
    for (const s of slow) s.destroy();
  }
});

test('bookings: 200 back to back from one untrusted client are mostly refused with 429', async () => {
  const m = await createMuseum(1000);
  const statuses = {};
  let refused;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  await Promise.all(Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; i < 25; i++) {
      const r = await send({ method: 'POST', path: '/books', body: { museumId: m.id, custNm: `rush-${w}-${i}` },
        from: '127.0.0.3', agent });
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 429) refused = r;
    }
  }));
  agent.destroy();
  assert.ok(statuses[429] > 100, JSON.stringify(statuses));
  assert.deepEqual(Object.keys(statuses).filter((s) => !['201', '429'].includes(s)), [], JSON.stringify(statuses));
  assertProblemOf(refused, 429);
  assert.match(refused.headers['retry-after'] ?? '', /^[1-9]\d*$/);
  const seats = 1000 - (await api('GET', `/museums/${m.id}`)).json.pcnt;
  assert.equal(seats, statuses[201]);
  assert.ok(seats < 100, `${seats} seats taken`);
  // The access log has the client's method for a refused POST, not the
  // error page's GET.
  await eventually(() => /method=POST uri="\/books" status=429/.test(accessLog()), 5000, 'the 429 in the access log');
  // A trusted client (127.0.0.1) is not limited: 30 more back to back.
  for (let i = 0; i < 30; i++) {
    assert.equal((await send({ method: 'POST', path: '/books', body: { museumId: m.id, custNm: `trusted-${i}` } })).status, 201);
  }
});

test('wrong staff passwords: 50 in a row from one untrusted client get 429s', async () => {
  const statuses = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 50; i++) {
    const r = await send({ path: '/books?limit=1', headers: basic('admin', `guess-${i}`), from: '127.0.0.4', agent });
    statuses.push(r.status);
    if (r.status === 429) assertProblemOf(r, 429);
  }
  agent.destroy();
  assert.deepEqual([...new Set(statuses)].sort(), [401, 429], statuses.join(' '));
  assert.equal(statuses.at(-1), 429);
  assert.ok(statuses.filter((s) => s === 429).length >= 10, statuses.join(' '));
  // The same from a trusted address: every one is checked (401).
  for (let i = 0; i < 50; i++) {
    assert.equal((await send({ path: '/books?limit=1', headers: basic('admin', `guess-${i}`) })).status, 401);
  }
});

test('booking tokens in the query reach no log: app up, limited, and pool stopped', async () => {
  const m = await createMuseum(5);
  const b = await book(m.id, unique('logged'));
  const T = b.token;
  const urls = [
    `/books/${b.id}?token=${T}`,
    `/books/${b.id}?token=${T}&token=x`,
    `/books/${b.id}?token=x&token=${T}`,
    `/books/${b.id}?token=${T}&token=${T}&token=${T}`,
    `/confirms?bookId=${b.id}&token=${T}`,
    `/myPages?token=${T}&custNm=${encodeURIComponent(b.custNm)}`,
    `/healthz?token=${T}`,
    `/js/?token=${T}`,
    `/nowhere?token=${T}`,
  ];
  // The app up: the first form opens the booking; every one answered.
  assert.equal((await api('GET', urls[0])).status, 200);
  for (const u of urls) assert.ok((await api('GET', u)).status < 500, u);
  // Refused by nginx's limits (which log the request line when they refuse).
  for (let i = 0; i < 60; i++) {
    await send({ path: `/books/${b.id}?token=${T}`, headers: basic('admin', 'wrong'), from: '127.0.0.5' });
  }
  // The pool stopped: nginx answers 503 itself.
  const pid = pidOf('app');
  process.kill(pid, 'SIGTERM');
  await eventually(() => !alive(pid), 10000, 'the app to stop');
  try {
    for (const u of urls.slice(0, 7)) {
      const r = await api('GET', u);
      assert.equal(r.status, 503, `${u}: ${r.text}`);
      assert.match(r.headers.get('content-type'), /problem\+json/);
    }
  } finally {
    execFileSync(`${ROOT}scripts/stack.sh`, ['start'], { stdio: 'ignore' });
  }
  assert.equal((await api('GET', urls[0])).status, 200);
  await eventually(() => accessLog().split('\n').filter((l) => l.includes(`/books/${b.id}?`) && l.includes('status=503')).length >= 4,
    5000, 'the 503s in the access log');
  const logs = allLogs();
  assert.ok(!logs.includes(T), 'a token is in a log');
  assert.ok(!logs.includes(T.slice(0, 16)), 'part of a token is in a log');
  assert.match(accessLog(), new RegExp(`uri="/books/${b.id}\\?token=\\[redacted\\]" status=200`));
});

test('100 concurrent bookings for 5 s from a trusted client: all answered 201 or 409, none shed', async () => {
  const m = await createMuseum(1000000);
  const statuses = {};
  const errors = [];
  let worst = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
  const until = performance.now() + 5000;
  await Promise.all(Array.from({ length: 100 }, async (_, w) => {
    for (let i = 0; performance.now() < until; i++) {
      try {
        const r = await send({ method: 'POST', path: '/books', body: { museumId: m.id, custNm: `load-${w}-${i}` }, agent });
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        worst = Math.max(worst, r.ms);
      } catch (e) {
        errors.push(String(e));
      }
    }
  }));
  agent.destroy();
  assert.deepEqual(errors, []);
  assert.deepEqual(Object.keys(statuses).filter((s) => !['201', '409'].includes(s)), [], JSON.stringify(statuses));
  assert.ok(statuses[201] > 100, JSON.stringify(statuses));
  // Generous: the sanitizer build on a shared 2-core machine.
  assert.ok(worst < 5000, `slowest answer ${worst} ms`);
});

test("nginx's own errors are problem+json: 501, 505, 412, 416, and 431 for a 9 KiB header block", async () => {
  assertProblemOf(await raw('POST /books HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n'), 501);
  assertProblemOf(await raw('GET /museums HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n'), 505);
  assertProblemOf(await send({ path: '/index.html', headers: { 'If-Match': '"not-this"' } }), 412);
  assertProblemOf(await send({ path: '/index.html', headers: { Range: 'bytes=99999999-' } }), 416);
  // Headers: at most about 8 KiB in all, however they are split into lines.
  const block = (n, size) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-Filler-${i}`, 'x'.repeat(size)]));
  assert.equal((await send({ path: '/museums?limit=1', headers: block(7, 1000) })).status, 200, '7 KiB of headers');
  const big = await send({ path: '/museums?limit=1', headers: block(9, 1024) });
  assertProblemOf(big, 431);
  // Its status line is "HTTP/1.1 431 ", without a reason phrase: nginx has
  // none for 431 in its table and no directive sets one for its own
  // answers (valid HTTP/1.1: the phrase is optional, and HTTP/2 has none).
  assertProblemOf(await send({ path: '/museums?limit=1', headers: block(4, 7000) }), 431);
});
