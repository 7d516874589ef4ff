// Primary loss and return: under booking load with Idempotency-Keys, the
// primary PostgreSQL node is SIGKILLed, its Patroni and all its postgres
// processes. Patroni promotes the synchronous standby; bookings succeed
// again within 30 s; after a retry pass with the same keys every booking
// exists exactly once, no slot is oversold, the listeners apply every
// event exactly once. Then `make cluster` brings the old primary back as a
// standby (pg_rewind). Both nodes are sampled every ~100 ms throughout: at
// no sample do two nodes accept writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { assertSeatsAgree, caughtUp, createMuseum, eventually, ROOT, sql } from '../e2e/lib.mjs';
import { alive, CLUSTER_DIR, cluster, killAll, load, patroni, pidFile, primaryNode, request, sampler, sleep, tree } from './lib.mjs';

const WIDTH = 4;
const CAPACITY = 100000;

test('primary SIGKILLed under load: the standby takes over, every booking exactly once, the old primary returns as a standby', async () => {
  const m = await createMuseum(CAPACITY);
  const watch = sampler();
  try {
    const old = await primaryNode();
    assert.ok(old, 'a primary');
    const standby = 3 - old;
    assert.equal((await patroni(standby))?.role, 'replica');
    const timeline = (await patroni(old)).timeline;

    const booking = load(WIDTH, () => {
      const key = randomUUID();
      return { key, body: { museumId: m.id, custNm: `key ${key}` }, headers: { 'Idempotency-Key': key } };
    });
    await sleep(3000);
    // The node's Patroni and every postgres process (killing postgres
    // alone, Patroni would restart it in place).
    const pgPid = pidFile(`${CLUSTER_DIR}/pg${old}/data/postmaster.pid`);
    const pids = [pidFile(`${CLUSTER_DIR}/run/patroni${old}.pid`), ...await tree(pgPid)];
    assert.ok(pids.every(alive), 'the primary node runs');
    const killedAt = Date.now();
    killAll(pids);
    // Bookings succeed again: the first success of a request sent after the kill.
    const back = await eventually(() => booking.log.find((r) => r.start > killedAt && r.status === 201), 60000, 'a booking after the kill');
    const failover = (back.end - killedAt) / 1000;
    console.log(`primary loss: pg${old} killed; bookings succeed again after ${failover.toFixed(1)} s`);
    assert.ok(failover < 30, `bookings succeed again within 30 s (${failover} s)`);
    assert.equal(await primaryNode(), standby, `Patroni promoted pg${standby}`);
    await sleep(3000);
    const log = await booking.stop();

    // A retry pass: every request not answered 201 again, same key and body.
    const acked = new Map(log.filter((r) => r.status === 201).map((r) => [r.key, r.json.id]));
    const failed = log.filter((r) => r.status !== 201);
    const kinds = {};
    for (const r of failed) kinds[r.status ?? r.error] = (kinds[r.status ?? r.error] ?? 0) + 1;
    console.log(`primary loss: ${log.length} bookings sent, ${acked.size} acknowledged, ${failed.length} to retry: ${JSON.stringify(kinds)}`);
    let replayed = 0;
    for (const r of failed) {
      let res;
      for (let i = 0; i < 100; i++) {
        res = await request('POST', '/books', r.body, r.headers);
        if (res.status === 201) break;
        await sleep(100);
      }
      assert.equal(res.status, 201, `retry of ${r.key}: ${res.status} ${res.text}`);
      if (r.status === 503 || r.status === 502 || r.error) replayed++;
      acked.set(r.key, res.json.id);
    }
    // A sample of the acknowledged ones replays the same booking.
    for (const r of log.filter((x) => x.status === 201).slice(-20)) {
      const res = await request('POST', '/books', r.body, r.headers);
      assert.equal(res.status, 201);
      assert.equal(res.json.id, r.json.id, 'a replay answers the same booking');
    }

    // Exactly once: per key one booking (its name carries the key), the
    // one acknowledged, and the key's stored answer names it.
    const values = [...acked].map(([k, id]) => `('${k}', ${id})`).join(',');
    assert.equal(sql(`SELECT count(*) FROM (VALUES ${values}) k(key, id)
      WHERE (SELECT count(*) FROM book.booking b WHERE b.museum_id = ${m.id} AND b.cust_nm = 'key ' || k.key) <> 1
         OR NOT EXISTS (SELECT 1 FROM book.booking b WHERE b.id = k.id AND b.cust_nm = 'key ' || k.key)
         OR NOT EXISTS (SELECT 1 FROM book.idempotency i WHERE i.key_hash = sha256(convert_to(k.key, 'UTF8')) AND i.response->>'id' = k.id::text)`),
    '0', 'every key: one booking, the acknowledged one');
    assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id}`), String(acked.size), 'no booking without a key');

    // No slot oversold; the listeners caught up, every event once.
    await caughtUp(60000);
    assert.equal(sql('SELECT count(*) FROM museum.seat_diff()'), '0', 'museum.seat_diff(): none');
    assert.equal(sql(`SELECT count(*) FROM museum.slot s
      WHERE s.capacity <> s.seats_left
        + (SELECT coalesce(sum(b.party), 0) FROM book.booking b WHERE b.slot_id = s.id AND b.status IN ('REQUESTED', 'REQUEST_COMPLETED'))
        + (SELECT coalesce(sum(w.held), 0) FROM waitlist.entry w WHERE w.slot_id = s.id AND w.status = 'OFFERED')`), '0',
    'every slot: capacity = seats left + live booked seats + held offers');
    assert.equal(sql(`SELECT sum(seats_left) FROM museum.slot WHERE museum_id = ${m.id}`), String(CAPACITY - acked.size));
    assert.equal(sql('SELECT count(*) FROM outbox.event WHERE done_at IS NULL OR dead'), '0', 'every event done, none dead');
    assert.equal(sql('SELECT count(*) FROM outbox.event WHERE attempts <> 1'), '0', 'every event applied exactly once');
    assert.equal(sql("SELECT count(*) FROM book.booking WHERE status = 'REQUESTED'"), '0', 'every booking confirmed');
    assert.equal(sql('SELECT count(*) FROM mypage.diff()'), '0', 'MyPage matches its source tables (make check-mypage)');
    await assertSeatsAgree([m.id], { settle: false });

    // The old primary returns as a standby of the new one (pg_rewind).
    const t0 = Date.now();
    cluster('start');
    await eventually(async () => {
      const p = await patroni(old);
      return p?.role === 'replica' && p.state === 'running' && p.timeline > timeline;
    }, 90000, `pg${old} back as a replica on the new timeline`);
    await eventually(async () => (await patroni(standby))?.replication?.some((r) => r.sync_state === 'sync' && r.state === 'streaming'),
      60000, `pg${old} the synchronous standby again`);
    console.log(`old primary back as the synchronous standby in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const list = execFileSync('patronictl', ['-c', `${CLUSTER_DIR}/pg1/patroni.yml`, 'list'], { encoding: 'utf8' });
    console.log(list);
    assert.equal(await primaryNode(), standby);
    await sleep(1000);
  } finally {
    const samples = await watch.stop();
    const both = samples.filter((s) => s.pg1 === 'f' && s.pg2 === 'f');
    const writable = (s) => (s.pg1 === 'f' ? 'pg1' : '') + (s.pg2 === 'f' ? 'pg2' : '');
    let changes = 0;
    for (let i = 1; i < samples.length; i++) if (writable(samples[i]) !== writable(samples[i - 1])) changes++;
    console.log(`split brain sampler: ${samples.length} samples over ${((samples.at(-1).t - samples[0].t) / 1000).toFixed(1)} s, ` +
      `${changes} changes of the writable node, ${both.length} with both writable`);
    assert.equal(both.length, 0, `two nodes accepted writes at ${JSON.stringify(both.slice(0, 3))}`);
    assert.ok(samples.length > 100, 'sampled through the test');
  }
});
