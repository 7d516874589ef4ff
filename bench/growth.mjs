// Measures each API call's latency on the running stack (bench/growth.sh):
// per call, 15 unmeasured requests, then 150 one after another; prints
// one JSON line {label, call, p50_ms, p90_ms, statuses}. Argument: label.
import { randomUUID } from 'node:crypto';
import { api, staff, sql } from '../tests/e2e/lib.mjs';

const label = process.argv[2] ?? 'run';
const N = Number(process.env.GROWTH_N ?? 150);
const WARM = 15;
const ms = () => Number(process.hrtime.bigint()) / 1e6;
const q = (n, xs) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * n))];

// The exhibitions measured: the middle one with seats, and a sold-out one.
const open = sql(`SELECT id FROM museum.exhibition WHERE name LIKE 'growth %' AND id % 10 <> 0
                  ORDER BY id OFFSET (SELECT count(*) / 2 FROM museum.exhibition WHERE name LIKE 'growth %') LIMIT 1`);
const full = sql(`SELECT id FROM museum.exhibition WHERE name LIKE 'growth %' AND id % 10 = 0
                  ORDER BY id DESC LIMIT 1`);
const slot = (await api('GET', `/museums/${open}/slots`)).json[0].start;
const fullSlot = (await api('GET', `/museums/${full}/slots`)).json[0].start;
const today = sql(`SELECT (now() AT TIME ZONE 'Asia/Seoul')::date`);
const code = sql(`SELECT code FROM book.booking WHERE cust_nm LIKE 'growth-%' ORDER BY id DESC LIMIT 1`);
const made = [];
const joined = [];

const calls = [
  ['GET /museums (100)', () => api('GET', '/museums?limit=100')],
  ['GET /museums?from=', () => api('GET', `/museums?from=${today}&limit=100`)],
  ['GET /museums/{id}', () => api('GET', `/museums/${open}`)],
  ['GET /museums/{id}/slots', () => api('GET', `/museums/${open}/slots`)],
  ['POST /books', async () => {
    const r = await api('POST', '/books', { museumId: Number(open), custNm: `growth-new-${made.length}`, slot });
    if (r.status === 201) made.push(r.json);
    return r;
  }],
  ['GET /books/{id} (token)', () => {
    const b = made[Math.floor(Math.random() * made.length)];
    return api('GET', `/books/${b.id}`, undefined, { 'X-Booking-Token': b.token });
  }],
  ['PATCH /books/{id} cancel', () => {
    const b = made.pop();
    return api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, { 'X-Booking-Token': b.token });
  }],
  ['POST /museums/{id}/waitlist', async () => {
    const r = await api('POST', `/museums/${full}/waitlist`, { custNm: `growth-join-${joined.length}`, slot: fullSlot });
    if (r.status === 201) joined.push(r.json);
    return r;
  }],
  ['GET /waitlist/{id} (token)', () => {
    const w = joined[Math.floor(Math.random() * joined.length)];
    return api('GET', `/waitlist/${w.id}`, undefined, { 'X-Booking-Token': w.token });
  }],
  ['GET /myPages?custNm= (staff)', () => staff('GET', `/myPages?custNm=growth-${Math.floor(Math.random() * 200000)}`)],
  ['GET /books?museumId= (staff)', () => staff('GET', `/books?museumId=${open}&limit=100`)],
  ['GET /museums (staff, occupancy)', () => staff('GET', '/museums?limit=100')],
  ['POST /checkins (door)', () => staff('POST', '/checkins', { code, nonce: randomUUID() })],
];

for (const [call, fn] of calls) {
  const lat = [];
  const statuses = {};
  for (let i = 0; i < WARM + N; i++) {
    const t = ms();
    const r = await fn();
    const d = ms() - t;
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (i >= WARM) lat.push(d);
  }
  console.log(JSON.stringify({ label, call, p50_ms: +q(0.5, lat).toFixed(3), p90_ms: +q(0.9, lat).toFixed(3), statuses }));
}
