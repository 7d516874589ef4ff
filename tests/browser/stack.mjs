// The stack under test, for the browser tests that break it on purpose: SQL through the owner's
// DBURL, row locks held from a psql session, the worker processes of museum-app, and restarting
// museum-app with other settings (as tests/e2e/ops.test.mjs does).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const VAR = process.env.VAR || `${ROOT}var`;
export const DBURL = process.env.DBURL || execFileSync(`${ROOT}scripts/stack.sh`, ['dburl'], { encoding: 'utf8' }).trim();

/** Runs SQL through psql as the database owner; returns the trimmed unaligned output. */
export function sql(query) {
  return execFileSync('psql', [DBURL, '-XtAq', '-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8' }).trim();
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function until(fn, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Locks exhibition museumId's row (FOR UPDATE) from a psql session of its own, so that a booking
 * of it waits; resolves once the lock is held. release() commits and waits for psql to end.
 */
export async function holdExhibitionRow(museumId) {
  const name = `lockholder-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const psql = spawn('psql', [DBURL, '-Xq', '-v', 'ON_ERROR_STOP=1'], {
    env: { ...process.env, PGAPPNAME: name },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const ended = new Promise((resolve) => psql.on('exit', resolve));
  // A booking takes its places from its slot's row (museum.slot): lock the exhibition's slots.
  psql.stdin.write(`BEGIN; SELECT 1 FROM museum.slot WHERE museum_id = ${Number(museumId)} FOR UPDATE;\n`);
  await until(
    () => sql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = '${name}' AND state = 'idle in transaction'`) === '1',
    10000,
    'the row lock',
  );
  let released = false;
  return {
    async release() {
      if (!released) psql.stdin.end('COMMIT;\n');
      released = true;
      await ended;
    },
  };
}

/** pg_stat_activity pids of the backends waiting on a lock in book.create. */
export const waitingBookings = () =>
  sql(`SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
       WHERE wait_event_type = 'Lock' AND query LIKE '%book.create%'`)
    .split(' ')
    .filter(Boolean)
    .map(Number);

export const backendAlive = (pid) => sql(`SELECT count(*) FROM pg_stat_activity WHERE pid = ${Number(pid)}`) === '1';

export const appPid = () => Number(readFileSync(`${VAR}/run/app.pid`, 'utf8'));

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The pids of museum-app's workers: the master's children. */
export function workerPids() {
  const master = appPid();
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === master) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Sends signal to every worker of museum-app; returns their pids. */
export function signalWorkers(signal) {
  const pids = workerPids();
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Stops museum-app and starts it again with env added to its settings (e.g. { DB_LOCK_TIMEOUT_MS: '10000' }). */
export async function restartApp(env = {}) {
  const pid = appPid();
  process.kill(pid, 'SIGTERM');
  await until(() => !alive(pid), 15000, 'museum-app to stop');
  execFileSync(`${ROOT}scripts/stack.sh`, ['start'], { env: { ...process.env, ...env }, stdio: 'ignore' });
}
