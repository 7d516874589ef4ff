// Helpers of the cluster tests (tests/cluster/run.sh brings the cluster
// up): its processes, a booking load through the front nginx, and a
// sampler of which PostgreSQL nodes accept writes.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import { ROOT } from '../e2e/lib.mjs';

export const CLUSTER_DIR = process.env.CLUSTER_DIR;
export const BASE = new URL(process.env.BASE_URL);
export const B = Number(process.env.CLUSTER_BASE);
// The ports (scripts/cluster.sh, ports()).
export const pgPort = (i) => B + 30 + i;
export const restPort = (i) => B + 40 + i;
export const appPort = (n) => B + { a: 61, b: 62 }[n];
export const SUPERUSER = readFileSync(`${CLUSTER_DIR}/secrets/superuser`, 'utf8').trim();

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// scripts/cluster.sh with the test's environment; its stderr goes to ours.
export const cluster = (...args) => execFileSync(`${ROOT}scripts/cluster.sh`, args, { stdio: ['ignore', 'inherit', 'inherit'] });

// The pid in a pid file, or null.
export function pidFile(file) {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0].trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
// A process that runs (a zombie, killed but not yet reaped, does not).
export function alive(pid) {
  try { return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}
// pid and all its descendants (asynchronously: the load goes on meanwhile).
export async function tree(pid) {
  const kids = await new Promise((resolve) => execFile('pgrep', ['-P', String(pid)], (err, out) => resolve(err ? '' : out)));
  const out = [pid];
  for (const k of kids.split('\n').filter(Boolean)) out.push(...await tree(Number(k)));
  return out;
}
export function killAll(pids) {
  for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
}

// One HTTP request through the front on a fresh connection (no keep-alive:
// a connection an nginx reload closes would fail a request that never
// reached a node). Returns { status, json, text } or { error }.
export function request(method, path, body, headers = {}, timeoutMs = 20000) {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      host: BASE.hostname, port: BASE.port, method, path, agent: false, timeout: timeoutMs,
      headers: { ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, json, text });
      });
      res.on('error', (e) => resolve({ error: e.code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
    if (data) req.write(data);
    req.end();
  });
}

// `width` clients booking back to back until stop() is called; each
// request is recorded { start, end, status | error, ... }. makeRequest()
// gives { body, headers, ...extra } for the next one.
export function load(width, makeRequest) {
  const log = [];
  let running = true;
  const clients = Array.from({ length: width }, async () => {
    while (running) {
      const r = makeRequest();
      const start = Date.now();
      const res = await request('POST', '/books', r.body, r.headers);
      log.push({ ...r, start, end: Date.now(), status: res.status, error: res.error, json: res.json, text: res.text });
      if (res.status !== 201) await sleep(20);
    }
  });
  return { log, stop: async () => { running = false; await Promise.all(clients); return log; } };
}

// Samples both nodes every ~100 ms (tests/cluster/sampler.py, a process
// of its own: this one blocks in synchronous psql calls) until stop(): the
// samples, each { t, pg1, pg2 } ('t' in recovery, 'f' accepts writes, null
// no answer).
export function sampler() {
  const child = spawn(new URL('./sampler.py', import.meta.url).pathname, [String(pgPort(1)), String(pgPort(2)), `${CLUSTER_DIR}/secrets/superuser`],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c) => { out += c; });
  const exited = new Promise((r) => child.on('exit', r));
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
  };
}

// Patroni's view of node i (GET /patroni), or null.
export async function patroni(i) {
  try {
    const res = await fetch(`http://127.0.0.1:${restPort(i)}/patroni`, { signal: AbortSignal.timeout(2000) });
    return await res.json();
  } catch { return null; }
}
// The node (1 or 2) Patroni says is the running primary, or null.
export async function primaryNode() {
  for (const i of [1, 2]) {
    const p = await patroni(i);
    if (p && ['master', 'primary'].includes(p.role) && p.state === 'running') return i;
  }
  return null;
}

// GET /readyz of app node n directly: its status, or null.
export async function readyz(n) {
  try {
    return (await fetch(`http://127.0.0.1:${appPort(n)}/readyz`, { signal: AbortSignal.timeout(2000) })).status;
  } catch { return null; }
}
