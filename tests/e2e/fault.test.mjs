// The listener dies (kill -9); bookings and cancels still succeed; `make
// start` brings it back and everything catches up exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { alive, api, assertSeatsAgree, caughtUp, createMuseum, listenerPids, ROOT, sql, staff, unique } from './lib.mjs';

test('kill -9 the listeners, book and cancel, make start: caught up exactly once', async () => {
  const pids = listenerPids();
  assert.ok(pids.length >= 1);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(pids.filter(alive), []);

  const m = await createMuseum(5);
  const doomed = await createMuseum(3);
  const cust = unique('fault');
  const ids = [];
  const tokens = {};
  for (let i = 0; i < 4; i++) {
    const r = await api('POST', '/books', { museumId: m.id, custNm: cust });
    assert.equal(r.status, 201);
    ids.push(r.json.id);
    tokens[r.json.id] = { 'X-Booking-Token': r.json.token };
  }
  const d = await api('POST', '/books', { museumId: doomed.id, custNm: cust });
  assert.equal(d.status, 201);
  for (const id of [ids[0], ids[1], ids[1]]) {
    const r = await api('PATCH', `/books/${id}`, { status: 'CANCELED' }, tokens[id]);
    assert.equal(r.status, 200);
  }
  assert.equal((await staff('DELETE', `/museums/${doomed.id}`)).status, 204);

  // Nothing asynchronous happened while the listener was down.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 1);
  assert.equal((await api('GET', `/books/${ids[2]}`, undefined, tokens[ids[2]])).json.status, 'REQUESTED');
  assert.equal((await staff('GET', `/confirms?museumId=${m.id}`)).json.length, 0);
  assert.ok(Number(sql('SELECT count(*) FROM outbox.event WHERE done_at IS NULL')) >= 8);

  execFileSync('make', ['-s', 'start'], { cwd: ROOT, stdio: 'inherit' });
  const restarted = listenerPids();
  assert.equal(restarted.length, pids.length, 'make start restarted every listener');
  assert.ok(restarted.every((p) => !pids.includes(p)));
  await caughtUp();

  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 3);
  const books = (await staff('GET', `/books?custNm=${encodeURIComponent(cust)}`)).json;
  assert.deepEqual(books.map((b) => b.status),
    ['CANCELED', 'CANCELED', 'REQUEST_COMPLETED', 'REQUEST_COMPLETED', 'FORCE_CANCELED']);
  const confirms = (await staff('GET', `/confirms?museumId=${m.id}`)).json;
  assert.deepEqual(confirms.map((c) => [c.bookId, c.status]),
    [[ids[0], 'CANCELED'], [ids[1], 'CANCELED'], [ids[2], 'REQUEST_COMPLETED'], [ids[3], 'REQUEST_COMPLETED']]);
  const my = (await staff('GET', `/myPages?custNm=${encodeURIComponent(cust)}`)).json;
  assert.deepEqual(my.map((x) => [x.status, x.confirmStatus]), [
    ['CANCELED', 'CANCELED'], ['CANCELED', 'CANCELED'], ['REQUEST_COMPLETED', 'REQUEST_COMPLETED'],
    ['REQUEST_COMPLETED', 'REQUEST_COMPLETED'], ['FORCE_CANCELED', 'FORCE_CANCELED']]);
  assert.equal(sql(`SELECT count(*) FROM outbox.event WHERE museum_id IN (${m.id}, ${doomed.id})
    AND (attempts <> 1 OR dead OR done_at IS NULL)`), '0');
  assert.equal(sql(`SELECT count(*) FROM outbox.event WHERE museum_id IN (${m.id}, ${doomed.id})`), '8');
  await assertSeatsAgree([m.id, doomed.id]);
});
