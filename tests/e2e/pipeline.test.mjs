// The event pipeline under stress: two listeners keep per-booking order,
// a poison event is parked without blocking others, and the effects stay
// exactly-once while listeners are SIGKILLed over and over and PostgreSQL
// restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { alive, allSlots, api, apiSettled, assertSeatsAgree, caughtUp, createExhibition, createMuseum, eventually, listenerNames, listenerPids, pidOf, ROOT, sleep, sql, staff, unique, VAR } from './lib.mjs';

const stack = (...args) => execFileSync(`${ROOT}scripts/stack.sh`, args, { stdio: ['ignore', 'ignore', 'inherit'] });

// How the listeners connect (as museum_listener), and the user they run as.
const stackSays = (what) => execFileSync(`${ROOT}scripts/stack.sh`, [what], { encoding: 'utf8' }).trim();
let listenerEnv;
const listenerDbEnv = () => (listenerEnv ??= { LISTENER_DATABASE_URL: stackSays('listenerdburl'), LISTENER_USER: stackSays('listeneruser') });

// Restarts dead listeners the way scripts/stack.sh does, without its
// start-up checks, so the killer can strike every few hundred ms.
async function restartListeners() {
  for (const name of listenerNames()) {
    const old = pidOf(name);
    if (alive(old)) continue;
    const log = openSync(`${VAR}/log/${name}.log`, 'a');
    spawn(`${process.env.BIN ?? `${ROOT}build/release`}/museum-listener`, [], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...listenerDbEnv(), LISTENER_NAME: name, LISTENER_PIDFILE: `${VAR}/run/${name}.pid` },
    }).unref();
    for (let i = 0; i < 200 && (pidOf(name) === old || !alive(pidOf(name))); i++) await sleep(10);
  }
}

// Runs async task fn(i) for i < n with at most `width` in flight.
async function pool(n, width, fn) {
  let next = 0;
  const results = new Array(n);
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) { const i = next++; results[i] = await fn(i); }
  }));
  return results;
}

// Checks every invariant over the whole database, and the seat counts of
// exhibitions ids through the API and the reports too.
async function assertConsistent(ids = []) {
  assert.equal(sql('SELECT count(*) FROM outbox.event WHERE done_at IS NULL OR dead'), '0', 'every event done, none dead');
  assert.equal(sql('SELECT count(*) FROM outbox.event WHERE attempts <> 1'), '0', 'every event applied exactly once');
  // Every slot's taken seats are its live bookings' parties; pcnt, GET
  // slots and report.slot_occupancy agree.
  await assertSeatsAgree(ids, { settle: false });
  assert.equal(sql("SELECT count(*) FROM book.booking WHERE status = 'REQUESTED'"), '0', 'no booking left unconfirmed');
  assert.equal(sql(`SELECT count(*) FROM book.booking b LEFT JOIN confirm.confirmation c ON c.book_id = b.id
    WHERE c.status IS DISTINCT FROM b.status::text`), '0', 'every confirmation agrees with its booking');
  execFileSync(`${ROOT}scripts/stack.sh`, ['check-mypage'], { stdio: 'ignore' }); // throws on a difference
}

test('two listeners: book-then-cancel pairs in quick succession end CANCELED everywhere', async () => {
  assert.ok(listenerPids().length >= 2, 'the test stack runs two listeners');
  const m = await createMuseum(50);
  const ids = await pool(200, 16, async (i) => {
    const b = await apiSettled('POST', '/books', { museumId: m.id, custNm: `pair-${i}` });
    assert.equal(b.status, 201, b.text);
    const c = await apiSettled('PATCH', `/books/${b.json.id}`, { status: 'CANCELED' }, { 'X-Booking-Token': b.json.token });
    assert.equal(c.status, 200, c.text);
    return b.json.id;
  });
  await caughtUp();
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 50, 'every seat back');
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id} AND status <> 'CANCELED'`), '0');
  const confirms = (await staff('GET', `/confirms?museumId=${m.id}&limit=1000`)).json;
  assert.equal(confirms.length, ids.length);
  assert.ok(confirms.every((c) => c.status === 'CANCELED'));
  assert.equal(sql(`SELECT count(*) FROM mypage.entry WHERE museum_id = ${m.id}
    AND (status <> 'CANCELED' OR confirm_status <> 'CANCELED')`), '0');
  // Each listener reports its count with its heartbeat (every 2 s): wait for the next one.
  await eventually(() => Number(sql("SELECT count(*) FROM outbox.listener WHERE events > 0")) >= 2,
    6000, 'both listeners did some of the work');
  await assertSeatsAgree([m.id]);
});

test('two listeners: book, move, resize and cancel in quick succession on slots end where the last change says', async () => {
  const m = await createExhibition({ capacity: 200 });
  const slots = await allSlots(m);
  const ends = await pool(120, 16, async (i) => {
    const from = slots[i % slots.length].start;
    const to = slots[(i + 1) % slots.length].start;
    const b = await apiSettled('POST', '/books', { museumId: m.id, custNm: `chain-${i}`, slot: from, tickets: { adult: 1 + (i % 2) } });
    assert.equal(b.status, 201, b.text);
    const me = { 'X-Booking-Token': b.json.token };
    const mv = await apiSettled('PATCH', `/books/${b.json.id}`, { slot: to, tickets: { adult: 1, child: 1 + (i % 2) } }, me);
    assert.equal(mv.status, 200, mv.text);
    if (i % 3 === 0) {
      const c = await apiSettled('PATCH', `/books/${b.json.id}`, { status: 'CANCELED' }, me);
      assert.equal(c.status, 200, c.text);
    }
    return { id: b.json.id, slot: to, party: 2 + (i % 2), canceled: i % 3 === 0 };
  });
  await caughtUp();
  for (const e of ends) {
    const c = (await staff('GET', `/confirms?bookId=${e.id}`)).json[0];
    assert.deepEqual([c.slot, c.party, c.status], [e.slot, e.party, e.canceled ? 'CANCELED' : 'REQUEST_COMPLETED'], `booking ${e.id}`);
  }
  assert.equal(sql('SELECT count(*) FROM mypage.diff()'), '0', 'MyPage agrees');
  await assertSeatsAgree([m.id]);
});

test('a poison event is retried, parked dead, and blocks nothing else', async () => {
  const m = await createMuseum(1);
  // A second CANCELED event of a canceled booking (which the API never
  // writes) releases its seat again, beyond the slot's capacity: this
  // effect always fails.
  const gone = (await api('POST', '/books', { museumId: m.id, custNm: unique('gone') })).json;
  assert.equal((await staff('PATCH', `/books/${gone.id}`, { status: 'CANCELED' })).status, 200);
  await caughtUp();
  const poison = sql(`INSERT INTO outbox.event (kind, museum_id, book_id) VALUES ('CANCELED', ${m.id}, ${gone.id}) RETURNING id`);
  try {
    const other = await createMuseum(5);
    const b = (await api('POST', '/books', { museumId: other.id, custNm: unique('bystander') })).json;
    await eventually(async () => (await staff('GET', `/books/${b.id}`)).json.status === 'REQUEST_COMPLETED',
      10000, 'the bystander booking to complete');
    await eventually(() => sql(`SELECT dead FROM outbox.event WHERE id = ${poison}`) === 't', 10000, 'parked');
    const [attempts, error] = sql(`SELECT attempts, last_error FROM outbox.event WHERE id = ${poison}`).split('|');
    assert.equal(attempts, '3');
    assert.match(error, /slot_seats_left_range/);
    assert.equal(sql(`SELECT count(*) FROM report.dead_events WHERE id = ${poison}`), '1');
    assert.match(execFileSync(`${ROOT}scripts/stack.sh`, ['status'], { encoding: 'utf8' }), /dead=1/);
    assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 1, 'the failed effect left nothing behind');
    // make retry-dead puts it back; it fails again and is parked again.
    assert.match(execFileSync('make', ['-s', 'retry-dead'], { cwd: ROOT, encoding: 'utf8' }), /^1 dead/);
    await eventually(() => sql(`SELECT attempts = 3 AND dead FROM outbox.event WHERE id = ${poison}`) === 't',
      10000, 'parked again');
  } finally {
    sql(`DELETE FROM outbox.event WHERE id = ${poison}`);
  }
  await assertSeatsAgree([m.id]);
});

test('a PostgreSQL restart: listeners and workers reconnect by themselves', async () => {
  const before = listenerPids().sort();
  stack('pg-stop');
  const down = await api('GET', '/museums?limit=1');
  assert.equal(down.status, 503);
  stack('pg-start');
  await eventually(async () => (await api('GET', '/museums?limit=1')).status === 200, 10000, 'the API to recover');
  // Every worker's connection died with the server: no write may then be
  // answered "outcome unknown" (a worker checks its connection before sending).
  const m = await createMuseum(3);
  for (let i = 0; i < 20; i++) {
    const r = await api('POST', '/books', { museumId: m.id, custNm: unique('w') });
    assert.ok(r.status === 201 || r.status === 409, r.text);
  }
  const b = await createMuseum(1);
  const bk = await api('POST', '/books', { museumId: b.id, custNm: unique('r') });
  assert.equal(bk.status, 201, bk.text);
  await eventually(async () => (await staff('GET', `/books/${bk.json.id}`)).json.status === 'REQUEST_COMPLETED',
    15000, 'the listeners to reconnect and apply the event');
  assert.deepEqual(listenerPids().sort(), before, 'the same listener processes, not restarted');
});

test('crash test: 30+ SIGKILLs of listeners and a PostgreSQL fast restart under a mixed workload', async () => {
  // Half of them the original one-slot kind, half of them timed, with two
  // slots a day; half of the bookings parties of 2 or 3.
  const museums = [];
  for (let i = 0; i < 3; i++) museums.push(await createMuseum(15));
  for (let i = 0; i < 3; i++) {
    const m = await createExhibition({ capacity: 15, endDate: undefined });
    m.slots = (await allSlots(m)).map((s) => s.start);
    museums.push(m);
  }
  const bookBody = (m, custNm) => {
    const body = { museumId: m.id, custNm };
    if (m.slots) body.slot = pick(m.slots);
    if (Math.random() < 0.5) body.tickets = Math.random() < 0.5 ? { adult: 2 } : { adult: 1, child: 2 };
    return body;
  };
  const mine = []; // live booking ids
  let stop = false;
  const statuses = {};
  const note = (r) => { statuses[r.status] = (statuses[r.status] ?? 0) + 1; return r; };
  const pick = (a) => a[Math.floor(Math.random() * a.length)];

  const worker = async () => {
    while (!stop) {
      const op = Math.random();
      const live = museums.filter((m) => !m.deleted);
      if (op < 0.45 && live.length) {
        const r = note(await api('POST', '/books', bookBody(pick(live), unique('crash'))));
        if (r.status === 201) mine.push(r.json.id);
      } else if (op < 0.65 && mine.length) {
        const id = mine.splice(Math.floor(Math.random() * mine.length), 1)[0];
        // a duplicate cancel, racing the first
        await Promise.all([1, 2].map(async () => note(await staff('PATCH', `/books/${id}`, { status: 'CANCELED' }))));
      } else if (op < 0.9 && live.length) {
        const m = pick(live);
        const r = note(await api('POST', '/books', bookBody(m, unique('pair'))));
        if (r.status === 201 && m.slots && Math.random() < 0.5) {
          // a move to another slot (or another party), racing nothing but the listeners
          note(await api('PATCH', `/books/${r.json.id}`, { slot: pick(m.slots), tickets: { adult: 1 + Math.floor(Math.random() * 3) } },
            { 'X-Booking-Token': r.json.token }));
        }
        if (r.status === 201) note(await api('PUT', `/books/${r.json.id}`, { status: 'CANCELED' }, { 'X-Booking-Token': r.json.token }));
      } else if (op < 0.93 && live.length > 2) {
        const m = pick(live);
        m.deleted = true;
        note(await staff('DELETE', `/museums/${m.id}`));
      } else if (op < 0.96) {
        const r = note(await staff('POST', '/museums', { name: unique('Crash hall'), chkDate: '20310726', pcnt: 10 }));
        if (r.status === 201) museums.push(r.json);
      } else {
        await sleep(5);
      }
    }
  };

  let kills = 0;
  const killer = async () => {
    while (kills < 32) {
      await sleep(150 + Math.random() * 200);
      const pids = listenerPids();
      if (pids.length) { process.kill(pick(pids), 'SIGKILL'); kills++; }
      if (kills === 12) { stack('pg-stop'); await sleep(300); stack('pg-start'); }
      await restartListeners();
    }
    stop = true;
  };

  try {
    await Promise.all([killer(), ...Array.from({ length: 6 }, worker)]);
  } finally {
    stop = true; // on any failure too: no request loop may outlive the test
  }
  const unexpected = Object.keys(statuses).filter((s) => !['200', '201', '204', '404', '409', '503'].includes(s));
  assert.deepEqual(unexpected, [], `only expected statuses: ${JSON.stringify(statuses)}`);
  assert.ok(kills >= 30);
  await restartListeners();
  await caughtUp(60000);
  await assertConsistent(museums.map((m) => m.id));
});
