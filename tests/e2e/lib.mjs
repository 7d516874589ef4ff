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

// Runs SQL through psql; returns trimmed unaligned output. A query over
// 100,000 characters (one argument may not exceed 128 kB: E2BIG) goes in on
// stdin, where psql shows each statement's result, not the last one's.
export function sql(query) {
  const args = [DBURL, '-XtAq', '-v', 'ON_ERROR_STOP=1'];
  if (query.length > 100000) return execFileSync('psql', args, { encoding: 'utf8', input: query }).trim();
  return execFileSync('psql', [...args, '-c', query], { encoding: 'utf8' }).trim();
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

// Books as a visitor; the answer carries the booking's token. extra:
// { slot, tickets } (absent: the exhibition's one slot, one adult).
export async function book(museumId, custNm = unique('visitor'), extra = {}) {
  const res = await api('POST', '/books', { museumId, custNm, ...extra });
  assert.equal(res.status, 201, res.text);
  assert.match(res.json.token, /^[0-9a-f]{64}$/);
  return res.json;
}

// --- Timed entry -------------------------------------------------------------

// The museum's time zone offset (MUSEUM_TZ Asia/Seoul: no daylight saving).
export const OFFSET = '+09:00';
export const SLOT_FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/;

// Date arithmetic on YYYY-MM-DD strings.
export const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
// ISO weekday (1 = Monday ... 7 = Sunday) of a YYYY-MM-DD date.
export const isoWeekday = (date) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
// The start of a slot as the API answers it, from a local date and HH:MM.
export const slotAt = (date, hhmm) => `${date}T${hhmm}:00${OFFSET}`;
// Today in the museum's time zone, as the database sees it.
export const today = () => sql(`SELECT (now() AT TIME ZONE 'Asia/Seoul')::date`);

// A Monday of the suite's future (2031; 2031-01-06 is a Monday), one of
// 52 at random unless n picks it, so that exhibitions rarely share days.
export const futureMonday = (n = Math.floor(Math.random() * 52)) => addDays('2031-01-06', 7 * n);

// A timed exhibition (staff POST /museums with the new fields). Defaults:
// three days from a Monday of 2031, 10:00 to 12:00 in 60-minute slots of
// 5 seats (6 slots). Returns the answer.
export async function createExhibition(fields = {}) {
  const startDate = fields.startDate ?? futureMonday();
  const body = {
    name: unique('Timed hall'), startDate, endDate: 'endDate' in fields ? undefined : addDays(startDate, 2),
    opens: '10:00', closes: '12:00', slotMinutes: 60, capacity: 5, ...fields,
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  const res = await staff('POST', '/museums', body);
  assert.equal(res.status, 201, res.text);
  return res.json;
}

// GET /museums/{id}/slots with a query (a string, "from=...&to=..."); asserts 200.
export async function slotsOf(id, query = '') {
  const res = await api('GET', `/museums/${id}/slots${query ? `?${query}` : ''}`);
  assert.equal(res.status, 200, res.text);
  assert.ok(Array.isArray(res.json), res.text);
  return res.json;
}

// Every open slot of exhibition m (an answer of /museums), over its whole
// run, asked for 92 days at a time.
export async function allSlots(m) {
  const out = [];
  for (let from = m.startDate; from <= m.endDate; from = addDays(from, 92)) {
    const to = addDays(from, 91) < m.endDate ? addDays(from, 91) : m.endDate;
    out.push(...await slotsOf(m.id, `from=${from}&to=${to}`));
  }
  return out;
}

// The seats left of one slot (by its start as answered) per GET slots.
export async function leftOf(m, start) {
  const day = start.slice(0, 10);
  const s = (await slotsOf(m.id ?? m, `from=${day}&to=${day}`)).find((x) => x.start === start);
  assert.ok(s, `no slot ${start}`);
  return s.left;
}

// The invariant of the seat counts, after the listeners have caught up:
//  - in the whole database, every slot's taken seats (capacity - seats
//    left) are exactly the parties of its live bookings plus the seats
//    its waiting list's offers hold, and no live
//    booking sits on a closed slot of a live exhibition;
//  - for each live exhibition of ids: pcnt (GET /museums/{id}) = the seats
//    left of its slots that have not ended, summed from GET
//    /museums/{id}/slots; each slot's left and capacity there are
//    report.slot_occupancy's, where booked + left + held (seats held by
//    waiting list offers) = capacity; and
//    report.occupancy has the same pcnt, its seats the slots' booked.
// Returns { [id]: pcnt }.
export async function assertSeatsAgree(ids = [], { settle = true } = {}) {
  if (settle) await caughtUp(60000);
  // The database's own check (make check-seats): every slot's capacity = seats left + the
  // parties of its live bookings, no live booking on a closed day, each booking with its
  // slot's times.
  assert.equal(sql(`SELECT string_agg(slot_id || ' ' || problem || ': ' || detail, '; ') FROM museum.seat_diff()`), '',
    'museum.seat_diff(): the seat rules hold');
  const out = {};
  for (const id of [...new Set(ids)]) {
    const got = await api('GET', `/museums/${id}`);
    if (got.status === 404) continue; // deleted: the database checks above cover it
    assert.equal(got.status, 200, got.text);
    const m = got.json;
    const slots = await allSlots(m);
    const now = Date.now();
    const leftSum = slots.filter((s) => Date.parse(s.end) > now).reduce((a, s) => a + s.left, 0);
    assert.equal(m.pcnt, leftSum, `exhibition ${id}: pcnt = the seats left of its slots (GET slots)`);
    const report = new Map(sql(`SELECT extract(epoch FROM slot_start)::bigint || ' ' || capacity || ' ' || booked || ' ' || "left" || ' ' || held
      FROM report.slot_occupancy WHERE museum_id = ${id}`).split('\n').filter(Boolean)
      .map((l) => { const [t, capacity, booked, left, held] = l.split(' ').map(Number); return [t, { capacity, booked, left, held }]; }));
    assert.equal(report.size, slots.length, `exhibition ${id}: report.slot_occupancy has its open slots`);
    let booked = 0;
    for (const s of slots) {
      const r = report.get(Date.parse(s.start) / 1000);
      assert.ok(r, `exhibition ${id}: slot ${s.start} in report.slot_occupancy`);
      assert.deepEqual({ capacity: r.capacity, left: r.left }, { capacity: s.capacity, left: s.left },
        `exhibition ${id}: slot ${s.start}, GET slots and report.slot_occupancy`);
      assert.equal(r.booked + r.left + r.held, r.capacity, `exhibition ${id}: slot ${s.start}: booked + left + held = capacity`);
      assert.ok(s.left >= 0 && s.left <= s.capacity);
      booked += r.booked;
    }
    const [pcnt, seats] = sql(`SELECT pcnt || ' ' || seats FROM report.occupancy WHERE museum_id = ${id}`).split(' ').map(Number);
    assert.equal(pcnt, m.pcnt, `exhibition ${id}: report.occupancy's pcnt`);
    assert.equal(seats, booked, `exhibition ${id}: report.occupancy's seats = the slots' booked`);
    out[id] = m.pcnt;
  }
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Processes of the stack under test, from the pid files in $VAR/run.
export const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
export const pidOf = (name) => { try { return Number(readFileSync(`${VAR}/run/${name}.pid`, 'utf8')); } catch { return 0; } };
export const listenerNames = () => readdirSync(`${VAR}/run`).filter((f) => /^listener.*\.pid$/.test(f)).map((f) => f.slice(0, -4));
export const listenerPids = () => listenerNames().map(pidOf).filter(alive);

// Stops the FastCGI pool (SIGTERM, waits for it) and starts it again through
// scripts/stack.sh with env added to this process's environment.
export async function restartApp(env) {
  const pid = pidOf('app');
  process.kill(pid, 'SIGTERM');
  await eventually(() => !alive(pid), 10000, 'the app to stop');
  execFileSync(`${ROOT}scripts/stack.sh`, ['start'], { env: { ...process.env, ...env }, stdio: 'ignore' });
}
