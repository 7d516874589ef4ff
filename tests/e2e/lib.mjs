// Shared helpers for the end-to-end tests: real HTTP through nginx (fetch)
// and real PostgreSQL (psql) for checks the API does not expose.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
export const DBURL = process.env.DBURL;
export const ROOT = new URL('../..', import.meta.url).pathname;
export const VAR = process.env.VAR ?? `${ROOT}var`;

// Staff credentials: ADMIN_PASSWORD, else the one the stack generated.
export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD || readFileSync(`${VAR}/admin-password`, 'utf8').trim();
export const basic = (user, password) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
export const STAFF = basic('admin', ADMIN_PASSWORD);
// A visitor's proof of one booking.
export const visitor = (token) => ({ 'X-Booking-Token': token });

// One HTTP call. body: object (sent as JSON), string (sent as is), or
// undefined. Returns { status, headers, json, text }.
export async function api(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    if (!('Content-Type' in init.headers)) init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(BASE + path, init);
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

// The same call with staff credentials.
export const staff = (method, path, body, headers = {}) => api(method, path, body, { ...STAFF, ...headers });

// Asserts a problem+json answer with the given status.
export function assertProblem(res, status) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.json.status, status);
  assert.equal(typeof res.json.title, 'string');
  assert.equal(typeof res.json.detail, 'string');
  assert.ok(res.json.detail.length > 0);
}

// Runs SQL through psql; returns trimmed unaligned output.
export function sql(query) {
  return execFileSync('psql', [DBURL, '-XtAq', '-v', 'ON_ERROR_STOP=1', '-c', query], {
    encoding: 'utf8',
  }).trim();
}

// Polls fn until it returns a truthy value or timeoutMs passes.
export async function eventually(fn, timeoutMs = 10000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// Waits until the listener has applied every event.
export async function caughtUp(timeoutMs = 20000) {
  await eventually(
    () => sql('SELECT count(*) FROM outbox.event WHERE done_at IS NULL') === '0',
    timeoutMs,
    'the outbox to drain',
  );
}

export function unique(prefix) {
  return `${prefix} ${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function createMuseum(capacity, name = unique('Hall')) {
  const res = await staff('POST', '/museums', { name, chkDate: '20310726', pcnt: capacity });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

// Like api(), but as a well-behaved client: a 503 (the circuit breaker
// or a lock wait that timed out; both guarantee nothing was done) is
// retried after its Retry-After, briefly, with jitter.
export async function apiSettled(method, path, body, headers = {}) {
  for (let attempt = 0; ; attempt++) {
    const res = await api(method, path, body, headers);
    if (res.status !== 503 || attempt === 100) return res;
    assert.ok(res.headers.get('retry-after'), '503 carries Retry-After');
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
  }
}

// Books as a visitor; the answer carries the booking's token.
export async function book(museumId, custNm = unique('visitor')) {
  const res = await api('POST', '/books', { museumId, custNm });
  assert.equal(res.status, 201, res.text);
  assert.match(res.json.token, /^[0-9a-f]{64}$/);
  return res.json;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Processes of the stack under test, from the pid files in $VAR/run.
export const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
export const pidOf = (name) => { try { return Number(readFileSync(`${VAR}/run/${name}.pid`, 'utf8')); } catch { return 0; } };
export const listenerNames = () => readdirSync(`${VAR}/run`).filter((f) => /^listener.*\.pid$/.test(f)).map((f) => f.slice(0, -4));
export const listenerPids = () => listenerNames().map(pidOf).filter(alive);
