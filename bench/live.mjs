// The server's cost of open pages (issue 16, "live counts"): PAGES pages
// (default 1,000), each on its own keep-alive connection, polling every
// POLL_MS (2,000, as the pages do) with If-None-Match, a third on the home
// page's list and the rest on the slots of 20 exhibitions, for SECONDS
// (20). Measured twice, interleaved: as the pages poll ("copy": nginx
// answers from its 1-second copy, nginx/http.conf.in), and the same polls
// sent past the copy to the app ("app": an X-Access-Token header, which
// these reads ignore, makes them private), as every poll was before.
// Reported per mode: polls answered, 304s, and the CPU seconds nginx, the
// app's workers and PostgreSQL spent (from /proc), per 1,000 polls.
//
//   PORT=8282 make start && PORT=8282 node bench/live.mjs
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const PORT = Number(process.env.PORT ?? 8080);
const PAGES = Number(process.env.PAGES ?? 1000);
const POLL_MS = Number(process.env.POLL_MS ?? 2000);
const SECONDS = Number(process.env.SECONDS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const ROOT = new URL('..', import.meta.url).pathname;
const VAR = process.env.VAR ?? `${ROOT}var`;
const PASSWORD = process.env.ADMIN_PASSWORD || readFileSync(`${VAR}/admin-password`, 'utf8').trim();
const agent = new http.Agent({ keepAlive: true, maxSockets: PAGES });

function call(method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, method, path, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, etag: res.headers.etag, text }));
    });
    req.on('error', reject);
    if (body) req.end(body); else req.end();
  });
}

// CPU ticks of a process tree: the parent's own and its reaped children's
// (utime, stime, cutime, cstime), and its live children's likewise, so that
// a worker that exits between two readings is still counted.
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
function own(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch { return 0; }
}
function tree(pid) {
  let t = own(pid);
  let kids = [];
  try { kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean); } catch { /* gone */ }
  for (const k of kids) t += own(k);
  return t;
}
const pidFile = (f) => Number(readFileSync(f, 'utf8').split('\n')[0]);
const RUN = `${VAR}/run`;
const PGDATA = execFileSync('readlink', ['-f', `${VAR}/pg`], { encoding: 'utf8' }).trim();
const parts = {
  nginx: () => pidFile(`${RUN}/nginx.pid`),
  app: () => pidFile(`${RUN}/app.pid`),
  postgres: () => pidFile(`${PGDATA}/postmaster.pid`),
};
const cpu = () => Object.fromEntries(Object.entries(parts).map(([k, pid]) => [k, tree(pid())]));

const auth = { Authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`, 'Content-Type': 'application/json' };
const urls = ['/museums?limit=20'];
for (let i = 0; i < 20; i++) {
  const r = await call('POST', '/museums', auth, JSON.stringify({ name: `live ${Date.now()} ${i}`, chkDate: '20300301', pcnt: 100 }));
  if (r.status !== 201) throw new Error(`POST /museums: ${r.status} ${r.text}`);
  urls.push(`/museums/${JSON.parse(r.text).id}/slots?from=2030-03-01&to=2030-03-01`);
}
const pageUrl = (i) => (i % 3 === 0 ? urls[0] : urls[1 + (i % 20)]);

async function run(mode) {
  const extra = mode === 'app' ? { 'X-Access-Token': 'bench' } : {};
  const etags = new Map();
  for (const u of urls) etags.set(u, (await call('GET', u)).etag);
  const until = Date.now() + SECONDS * 1000;
  const count = { polls: 0, notModified: 0, other: 0 };
  const before = cpu();
  const page = async (i) => {
    const u = pageUrl(i);
    await new Promise((r) => setTimeout(r, (i * POLL_MS) / PAGES)); // spread over the interval
    while (Date.now() < until) {
      const started = Date.now();
      const r = await call('GET', u, { 'If-None-Match': etags.get(u), ...extra });
      count.polls++;
      if (r.status === 304) count.notModified++; else if (r.status === 200) etags.set(u, r.etag); else count.other++;
      await new Promise((res) => setTimeout(res, Math.max(0, POLL_MS - (Date.now() - started))));
    }
  };
  await Promise.all(Array.from({ length: PAGES }, (_, i) => page(i)));
  const after = cpu();
  const seconds = Object.fromEntries(Object.keys(parts).map((k) => [k, (after[k] - before[k]) / TICK]));
  const total = Object.values(seconds).reduce((a, b) => a + b, 0);
  return { mode, ...count, cpuSeconds: seconds, cpuPer1000Polls: +(1000 * total / count.polls).toFixed(3),
    cpuShare: +(total / SECONDS / 2).toFixed(3) };
}

const results = [];
for (let r = 0; r < ROUNDS; r++) for (const mode of ['copy', 'app']) results.push(await run(mode));
console.log(JSON.stringify({ pages: PAGES, pollMs: POLL_MS, seconds: SECONDS, results }, null, 1));
agent.destroy();
