// Load shedding by waiting time: a request that waited in the pool's queue
// longer than APP_QUEUE_MAX_MS (nginx passes when it handed it on) is
// answered 503 at once, with nothing done, so the queue drains to requests
// that can still be answered in time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { api, createMuseum, eventually, restartApp, sql, unique } from './lib.mjs';

const run = promisify(execFile);
test('a request that waited in the queue past APP_QUEUE_MAX_MS is a quick 503 that does nothing', async () => {
  // Two workers, both held for 3 s by bookings waiting on a row lock;
  // what comes meanwhile waits in the queue longer than 300 ms.
  await restartApp({ APP_WORKERS_MIN: '2', APP_WORKERS_MAX: '2', APP_QUEUE_MAX_MS: '300', DB_LOCK_TIMEOUT_MS: '3000' });
  try {
    const m = await createMuseum(10);
    const other = await createMuseum(10);
    const holder = run('psql', [process.env.DBURL, '-Xq', '-c',
      `BEGIN; SELECT 1 FROM museum.slot WHERE museum_id = ${m.id} FOR UPDATE; SELECT pg_sleep(7); COMMIT;`]);
    await eventually(() => sql(`SELECT count(*) FROM pg_stat_activity
      WHERE state = 'active' AND query LIKE '%pg_sleep(7)%' AND pid <> pg_backend_pid()`) === '1', 3000, 'the lock holder');
    const blocked = [1, 2].map(() => api('POST', '/books', { museumId: m.id, custNm: unique('blocked') }));
    await eventually(() => sql(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
      AND application_name = 'museum-app'`) === '2', 3000, 'both workers waiting on the lock');
    const queued = await api('POST', '/books', { museumId: other.id, custNm: unique('queued') });
    assert.equal(queued.status, 503, queued.text);
    assert.match(queued.json.detail, /too busy.*nothing was done/);
    assert.ok(queued.headers.get('retry-after'), 'with Retry-After');
    assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${other.id}`), '0', 'the queued booking did nothing');
    // (The second blocked booking waits for the first one's lock, then for
    // the holder's: it may outlast the holder and book.)
    const booked = (await Promise.all(blocked)).filter((r) => r.status === 201).length;
    assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id}`), String(booked));
    await holder;
    const after = await api('POST', '/books', { museumId: other.id, custNm: unique('after') });
    assert.equal(after.status, 201, 'a request that did not wait is served');
  } finally {
    await restartApp({});
  }
});
