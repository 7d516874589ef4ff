// READ_DATABASE_URL: the reads that may be stale (the staff lists of
// /myPages and /confirms, db.h's DB_STALE) go over the workers' second
// connection (application_name museum-app-read), everything else over the
// primary's; an unreachable read server leaves those reads to the primary.
// Here both URLs reach the same server, told apart by application_name; the
// cluster suite (tests/cluster/) reads from a real standby.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { alive, book, caughtUp, createMuseum, eventually, ROOT, sql, staff, unique, VAR } from './lib.mjs';

const appPid = () => Number(readFileSync(`${VAR}/run/app.pid`, 'utf8'));
const restartApp = async (env) => {
  const pid = appPid();
  process.kill(pid, 'SIGTERM');
  await eventually(() => !alive(pid), 10000, 'the app to stop');
  execFileSync(`${ROOT}scripts/stack.sh`, ['start'], { env: { ...process.env, ...env }, stdio: 'ignore' });
};
const appUrl = () => process.env.DBURL.replace(/([?&]user=)postgres\b/, '$1museum_app');
// The last statement of each museum-app-read backend.
const readQueries = () => sql(`SELECT coalesce(string_agg(query, E'\\n'), '') FROM pg_stat_activity
  WHERE application_name = 'museum-app-read'`);

test('with READ_DATABASE_URL, the /myPages and /confirms lists are read over it and nothing else is', async () => {
  await restartApp({ READ_DATABASE_URL: appUrl() });
  try {
    const m = await createMuseum(5);
    const custNm = unique('reader');
    const b = await book(m.id, custNm);
    await caughtUp();
    for (let i = 0; i < 4; i++) { // every worker, whichever serves
      const my = await staff('GET', `/myPages?custNm=${encodeURIComponent(custNm)}`);
      assert.equal(my.status, 200, my.text);
      assert.deepEqual(my.json.map((x) => x.bookId), [b.id]);
      const confirms = await staff('GET', `/confirms?bookId=${b.id}`);
      assert.equal(confirms.status, 200, confirms.text);
      assert.equal(confirms.json.length, 1);
    }
    const seen = readQueries();
    assert.match(seen, /mypage\.list|confirm\.list/, 'the lists went over the read connection');
    // Writes and own-write reads stay on the primary's connection.
    await book(m.id, unique('writer'));
    assert.equal((await staff('GET', `/books/${b.id}`)).status, 200);
    assert.doesNotMatch(readQueries(), /book\.|museum\.|visitor\.|waitlist\./, 'only the stale reads');
  } finally {
    await restartApp({ READ_DATABASE_URL: '' });
  }
});

test('an unreachable READ_DATABASE_URL: the app starts, and the primary serves those reads', async () => {
  await restartApp({ READ_DATABASE_URL: 'postgresql://museum_app@127.0.0.1:1/museum' });
  try {
    const m = await createMuseum(5);
    const custNm = unique('fallback');
    const b = await book(m.id, custNm);
    await caughtUp();
    const my = await staff('GET', `/myPages?custNm=${encodeURIComponent(custNm)}`);
    assert.equal(my.status, 200, my.text);
    assert.deepEqual(my.json.map((x) => x.bookId), [b.id]);
    assert.equal(readQueries(), '', 'no read connection');
  } finally {
    await restartApp({ READ_DATABASE_URL: '' });
  }
});
