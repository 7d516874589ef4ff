// App node loss: under steady booking load through the front nginx, every
// process of app node A is SIGKILLed (its FastCGI master and workers, its
// listener, its nginx master and workers). Bookings keep succeeding through
// B; only those in flight on A fail; `make cluster` brings A back.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { assertSeatsAgree, createMuseum, eventually, sql, unique } from '../e2e/lib.mjs';
import { alive, CLUSTER_DIR, cluster, killAll, load, pidFile, readyz, request, sleep, tree } from './lib.mjs';

const WIDTH = 4;
const readUpstream = () => readFileSync(`${CLUSTER_DIR}/front/upstream.conf`, 'utf8');

// Every process of app node n, from its pid files (each with its children).
async function nodeProcesses(n) {
  const run = `${CLUSTER_DIR}/app-${n}/run`;
  const out = [];
  // nginx first: from then on the node refuses connections.
  for (const name of ['nginx', 'app', 'listener']) {
    const pid = pidFile(`${run}/${name}.pid`);
    assert.ok(pid && alive(pid), `app-${n}: ${name} runs`);
    out.push(...await tree(pid));
  }
  return out;
}

test('app node A SIGKILLed under load: B serves, only requests in flight on A fail, make cluster brings A back', async () => {
  const m = await createMuseum(100000);
  assert.equal(await readyz('a'), 200);
  assert.equal(await readyz('b'), 200);
  const booking = load(WIDTH, () => ({ body: { museumId: m.id, custNm: unique('node-loss') } }));
  await sleep(3000);
  const pids = await nodeProcesses('a');
  const killedAt = Date.now();
  killAll(pids);
  await eventually(() => pids.every((p) => !alive(p)), 5000, 'node A gone');
  // A request sent while the kills were under way was in flight on A too.
  const goneAt = Date.now();
  await sleep(6000);
  const log = await booking.stop();

  const before = log.filter((r) => r.end < killedAt);
  const after = log.filter((r) => r.start > killedAt);

  const failed = log.filter((r) => r.status !== 201);
  console.log(`node loss: ${log.length} bookings sent, ${before.length} answered before the kill, ` +
    `${after.length} sent after it, ${failed.length} failed: ${JSON.stringify(failed.map((r) => r.status ?? r.error))}`);
  assert.ok(before.length > 10 && before.every((r) => r.status === 201), 'bookings succeed before the kill');
  assert.ok(after.length > 50, `bookings go on after the kill (${after.length})`);
  // Only requests in flight on A may fail: sent before A was gone, at most
  // one per client.
  assert.ok(failed.length <= WIDTH, `at most ${WIDTH} failures (${failed.length})`);
  console.log(`node loss: the kills took ${goneAt - killedAt} ms; failures sent at ${JSON.stringify(failed.map((r) => r.start - killedAt))} ms from the first`);
  for (const r of failed) assert.ok(r.start <= goneAt, `a failure sent ${r.start - goneAt} ms after A was gone: ${r.status ?? r.error} ${r.text ?? ''}`);
  for (const r of failed) assert.ok([502, 503, 504, undefined].includes(r.status), `in flight on A: ${r.status} ${r.text ?? ''}`);
  // The watcher marks A down in the front's upstream.
  await eventually(() => /down/.test(readUpstream()), 10000, 'A marked down');

  // make cluster brings A (and only A) back.
  const bPid = pidFile(`${CLUSTER_DIR}/app-b/run/app.pid`);
  cluster('start');
  assert.equal(await readyz('a'), 200, 'A ready again');
  assert.equal(pidFile(`${CLUSTER_DIR}/app-b/run/app.pid`), bPid, 'B was left alone');
  await eventually(() => !/down/.test(readUpstream()), 10000, 'A up again in the front');
  // All up: make cluster again starts nothing (every pid the same).
  const allPids = () => execFileSync('sh', ['-c', `cat ${CLUSTER_DIR}/run/*.pid ${CLUSTER_DIR}/app-*/run/*.pid`], { encoding: 'utf8' });
  const running = allPids();
  cluster('start');
  assert.equal(allPids(), running, 'make cluster with all up leaves every process as it is');
  // Every acknowledged booking exists once; a failed one at most once;
  // the seats agree once the listeners caught up.
  const acked = log.filter((r) => r.status === 201);
  const names = (rs) => rs.map((r) => `('${r.body.custNm}')`).join(',');
  assert.equal(sql(`SELECT count(*) FROM (VALUES ${names(acked)}) k(n)
    WHERE (SELECT count(*) FROM book.booking b WHERE b.museum_id = ${m.id} AND b.cust_nm = k.n) <> 1`), '0',
  'every acknowledged booking exists exactly once');
  const total = Number(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id}`));
  assert.ok(total >= acked.length && total <= acked.length + failed.length, `bookings: ${total}, acknowledged ${acked.length}`);
  await assertSeatsAgree([m.id]);
});

test('the front overwrites X-Forwarded-For: a client cannot pass another address to the app nodes', async () => {
  // The app nodes take the client's address from the front's header
  // (REAL_IP_FROM): this machine's, which etc/museum.conf trusts (no
  // per-client booking limit). Believed, the spoofed address would be
  // limited to BOOKING_BURST + 1 bookings at once (429s).
  const m = await createMuseum(1000);
  const answers = [];
  for (let i = 0; i < 25; i++) {
    const res = await request('POST', '/books', { museumId: m.id, custNm: unique('spoof') }, { 'X-Forwarded-For': '203.0.113.9' });
    answers.push(res.status);
  }
  assert.deepEqual([...new Set(answers)], [201], `every booking made: ${answers}`);
});
