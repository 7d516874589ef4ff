// The emails (docs/mail.md), through the real stack: bookings made over
// HTTP, the real listener composing and delivering, the Maildir it writes
// (MAIL_DIR, the stack's default) and a real SMTP server on loopback
// (tests/mail/smtp-sink.py, Debian's python3-aiosmtpd). Messages are read
// back with Python's email package (tests/mail/parse.py), not our code.
//
// Until POST /books takes "email"/"lang" (issue 14, the ticket API), a
// booking's email and sealed token are set by SQL right after it is made,
// as the API will: bookWithEmail switches by itself once the API has them.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import {
  alive, api, BASE, caughtUp, createExhibition, eventually, listenerPids, ROOT, sleep, sql, staff,
  unique, VAR, visitor,
} from '../e2e/lib.mjs';
import { filesOf, MAIL_DIR, mailOf, parse, PY, textOf } from './maildir.mjs';

const SEAL_KEY = process.env.TICKET_SEAL_KEY || readFileSync(`${VAR}/seal-key`, 'utf8').trim();
const STACK = `${ROOT}scripts/stack.sh`;
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

// A booking with an email (and language), as a visitor makes it.
async function bookWithEmail(museumId, slot, email, lang = 'en', tickets = { adult: 2, child: 1 }) {
  const custNm = unique('Mail visitor');
  let res = await api('POST', '/books', { museumId, custNm, slot, tickets, email, lang });
  if (res.status === 201 && res.json.email === email) return res.json;
  // The API does not take an email yet: book, then what it will store.
  assert.equal(res.status, 422, res.text);
  res = await api('POST', '/books', { museumId, custNm, slot, tickets });
  assert.equal(res.status, 201, res.text);
  sql(`UPDATE book.booking SET email = ${q(email)}, lang = ${q(lang)},
       token_sealed = mail.seal(${q(res.json.token)}, ${q(SEAL_KEY)}) WHERE id = ${res.json.id}`);
  return res.json;
}

// Many at once, as bookWithEmail (one SQL statement for those the API
// does not give their email yet). specs: [{ slot, email, lang }].
async function bookManyWithEmail(museumId, specs) {
  const out = [];
  const missing = [];
  for (const { slot, email, lang } of specs) {
    const custNm = unique('Mail visitor');
    let res = await api('POST', '/books', { museumId, custNm, slot, email, lang });
    if (res.status === 422) {
      res = await api('POST', '/books', { museumId, custNm, slot });
      missing.push(`(${res.json?.id}, ${q(email)}, ${q(lang)}, ${q(res.json?.token)})`);
    }
    assert.equal(res.status, 201, res.text);
    out.push(res.json);
  }
  if (missing.length) {
    sql(`UPDATE book.booking b SET email = v.email, lang = v.lang, token_sealed = mail.seal(v.token, ${q(SEAL_KEY)})
         FROM (VALUES ${missing.join(', ')}) v(id, email, lang, token) WHERE b.id = v.id`);
  }
  return out;
}

// The listeners as scripts/stack.sh starts them (MAIL_DIR, PUBLIC_URL,
// TICKET_SEAL_KEY): earlier tests may have started their own.
before(async () => restartListeners({}));

const messagesOf = (bookId) =>
  sql(`SELECT coalesce(json_agg(m ORDER BY id), '[]') FROM (SELECT id, kind, to_addr, lang, attempts,
         sent_at IS NOT NULL AS sent, dead, last_error, secret_sealed IS NOT NULL AS sealed
       FROM mail.message WHERE book_id = ${bookId}) m`);
const rowsOf = (bookId) => JSON.parse(messagesOf(bookId));

// Waits until booking bookId has kinds (in order), all sent; returns the rows.
async function sentFor(bookId, kinds, timeoutMs = 15000) {
  return eventually(() => {
    const rows = rowsOf(bookId);
    return rows.length === kinds.length && rows.every((r, i) => r.kind === kinds[i] && r.sent) && rows;
  }, timeoutMs, `${kinds.join(', ')} sent for booking ${bookId} (now ${messagesOf(bookId)})`);
}


async function exhibition() {
  const m = await createExhibition({ capacity: 50 });
  return { m, slot: `${m.startDate}T10:00:00+09:00` };
}

test('(a) a booking with an email gets one ticket: code, the .ics, the link with the token in its fragment', async () => {
  const { m, slot } = await exhibition();
  const b = await bookWithEmail(m.id, slot, 'visitor.one@example.com');
  const [row] = await sentFor(b.id, ['TICKET']);
  const code = sql(`SELECT code FROM book.booking WHERE id = ${b.id}`);
  assert.equal(row.sealed, false, 'the sealed token is erased once sent');
  assert.equal(sql(`SELECT token_sealed IS NULL FROM book.booking WHERE id = ${b.id}`), 't', 'the booking keeps none');
  const mail = mailOf(row.id);
  const h = mail.headers;
  assert.equal(h['Message-ID'], `<mail-${row.id}@localhost>`);
  assert.equal(h.To, 'visitor.one@example.com');
  assert.match(h.From, /<tickets@localhost>/);
  assert.ok(!Number.isNaN(Date.parse(h.Date)), h.Date);
  assert.equal(h['MIME-Version'], '1.0');
  assert.ok(h.Subject.includes(code) && h.Subject.includes(m.name), h.Subject);
  assert.equal(mail.type, 'multipart/mixed');
  assert.ok(/\r\n/.test(mail.raw) && !/[^\r]\n/.test(mail.raw), 'CRLF lines only');
  const text = textOf(mail);
  assert.ok(text.includes(code), text);
  assert.ok(text.includes(m.name), text);
  assert.match(text, /Party: 3 \(adult 2, child 1\)/);
  assert.match(text, /10:00–11:00/, 'the slot in the museum\'s time');
  const link = `/my.html#id=${b.id}&token=${b.token}`;
  assert.ok(text.includes(link), `the manage link with the token in the fragment: ${text}`);
  assert.ok(!mail.raw.includes(`?token=`) && !text.includes(`?token=`), 'never a query string');
  const ics = mail.parts.find((p) => p.type === 'text/calendar');
  assert.ok(ics, 'the calendar is attached');
  assert.equal(ics.filename, `visit-${code}.ics`);
  assert.equal(ics.params.method, 'PUBLISH');
  assert.equal(ics.charset, 'utf-8');
  assert.match(ics.text, /^BEGIN:VCALENDAR\r\n/);
  const start = new Date(Date.parse(slot)).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  assert.ok(ics.text.includes(`DTSTART:${start}`), `DTSTART ${start}: ${ics.text}`);
  assert.ok(ics.text.includes(`UID:booking-${b.id}-${code}@sk-museum`));
  assert.ok(ics.text.replace(/\r\n /g, '').includes(code));
  assert.ok(!ics.text.includes(b.token), 'no token in the calendar file');

  // The visitor cancels: one CANCELED message, and no second ticket.
  const res = await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, visitor(b.token));
  assert.equal(res.status, 200, res.text);
  const rows = await sentFor(b.id, ['TICKET', 'CANCELED']);
  const canceled = mailOf(rows[1].id);
  assert.ok(canceled.headers.Subject.includes(code), canceled.headers.Subject);
  assert.match(textOf(canceled), /canceled/);
  assert.ok(!textOf(canceled).includes(b.token), 'no token in a cancel');
  await caughtUp();
  assert.equal(rowsOf(b.id).length, 2, 'nothing more');
});

test('(a) the attached .ics is GET /books/{id}/visit.ics, byte for byte; a long subject folds within 78 octets', async () => {
  for (const [lang, name] of [['ko', `도자기 천 년 ${'가나다라마바사아자차카타파하 '.repeat(6)}${process.pid}`],
    ['en', `A Thousand Years of Korean Ceramics, from Goryeo Celadon to Joseon ${process.pid}`]]) {
    const m = await createExhibition({ name: name.slice(0, 190), capacity: 50 });
    const b = await bookWithEmail(m.id, `${m.startDate}T10:00:00+09:00`, `cal.${lang}@example.org`, lang,
      { child: 1, adult: 2, senior: 1 });
    const [row] = await sentFor(b.id, ['TICKET']);
    const mail = mailOf(row.id);
    const headers = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n')).split('\r\n');
    for (const l of headers) assert.ok(Buffer.byteLength(l) <= 78, `a header line of ${Buffer.byteLength(l)} octets: ${l}`);
    assert.ok(mail.headers.Subject.endsWith(name.slice(0, 190)), mail.headers.Subject);
    const attached = Buffer.from(mail.parts.find((p) => p.type === 'text/calendar').base64, 'base64');
    const res = await fetch(`${BASE}/books/${b.id}/visit.ics`, { headers: visitor(b.token) });
    assert.equal(res.status, 200);
    const served = Buffer.from(await res.arrayBuffer());
    assert.equal(attached.toString('utf8'), served.toString('utf8'), 'the same calendar');
    assert.ok(attached.equals(served), 'byte for byte');
  }
});

test('(a) Korean, a booking without an email, and "email me my ticket" later', async () => {
  const { m, slot } = await exhibition();
  const ko = await bookWithEmail(m.id, slot, 'kim@example.kr', 'ko', { adult: 1, senior: 1 });
  const [row] = await sentFor(ko.id, ['TICKET']);
  const mail = mailOf(row.id);
  assert.match(mail.rawSubject, /^=\?UTF-8\?B\?/, 'the subject RFC 2047-encoded');
  assert.ok(mail.headers.Subject.startsWith('입장권 '), mail.headers.Subject);
  const text = textOf(mail);
  assert.match(text, /인원: 2명 \(성인 1, 경로 1\)/);
  assert.match(text, /일시: \d{4}년 \d{1,2}월 \d{1,2}일 \([월화수목금토일]\) 10:00–11:00/);
  assert.ok(text.includes(`/my.html#id=${ko.id}&token=${ko.token}`));
  assert.match(mail.parts.find((p) => p.type === 'text/calendar').text, /SK 박물관/);

  // Without an email: nothing queued.
  const res = await api('POST', '/books', { museumId: m.id, custNm: unique('No mail'), slot });
  assert.equal(res.status, 201, res.text);
  await caughtUp();
  assert.equal(sql(`SELECT status FROM book.booking WHERE id = ${res.json.id}`), 'REQUEST_COMPLETED');
  assert.deepEqual(rowsOf(res.json.id), []);

  // An email added to the completed booking (PATCH {"email"} by staff:
  // no token at hand): the ticket, without the manage link.
  sql(`UPDATE book.booking SET email = 'later@example.com' WHERE id = ${res.json.id}`);
  const [later] = await sentFor(res.json.id, ['TICKET']);
  const t = textOf(mailOf(later.id));
  assert.ok(!t.includes('token='), t);
  assert.match(t, /\/my\.html — open them there with this email address/);
  // ... and by the token holder ("email me my ticket"): with the link.
  sql(`UPDATE book.booking SET token_sealed = mail.seal(${q(res.json.token)}, ${q(SEAL_KEY)})
       WHERE id = ${res.json.id}`);
  const rows = await sentFor(res.json.id, ['TICKET', 'TICKET']);
  assert.ok(textOf(mailOf(rows[1].id)).includes(`#id=${res.json.id}&token=${res.json.token}`));
});

test('(a) force-canceled by the museum: the reason in plain words, and an apology', async () => {
  const { m, slot } = await exhibition();
  const en = await bookWithEmail(m.id, slot, 'deleted@example.com');
  const ko = await bookWithEmail(m.id, slot, 'deleted.ko@example.com', 'ko');
  await sentFor(en.id, ['TICKET']);
  await sentFor(ko.id, ['TICKET']);
  const res = await staff('DELETE', `/museums/${m.id}`);
  assert.equal(res.status, 204, res.text);
  const [, fc] = await sentFor(en.id, ['TICKET', 'FORCE_CANCELED']);
  const text = textOf(mailOf(fc.id));
  assert.match(text, /the exhibition was withdrawn/);
  assert.match(text, /We apologise/);
  const [, fcKo] = await sentFor(ko.id, ['TICKET', 'FORCE_CANCELED']);
  const mail = mailOf(fcKo.id);
  assert.match(mail.headers.Subject, /죄송합니다/);
  assert.match(textOf(mail), /전시가 취소/);

  // A closed day: DAY_CLOSED.
  const day = await exhibition();
  const b = await bookWithEmail(day.m.id, day.slot, 'closed@example.com');
  await sentFor(b.id, ['TICKET']);
  const closed = await staff('PATCH', `/museums/${day.m.id}`, { closedDates: [day.m.startDate], forceCancel: true });
  assert.equal(closed.status, 200, closed.text);
  const [, dc] = await sentFor(b.id, ['TICKET', 'FORCE_CANCELED']);
  assert.match(textOf(mailOf(dc.id)), /the museum is closed that day/);
});

test('(a) a sign-in link: the access token in the fragment; a secret that cannot be opened is left out', async () => {
  const email = `${unique('access').replace(/\W/g, '')}@example.com`;
  const id = sql(`INSERT INTO mail.message (kind, to_addr, lang, secret_sealed)
                  VALUES ('ACCESS', ${q(email)}, 'en', mail.seal('access-token-abc', ${q(SEAL_KEY)})) RETURNING id`);
  const bad = sql(`INSERT INTO mail.message (kind, to_addr, lang, secret_sealed)
                   VALUES ('ACCESS', ${q(email)}, 'ko', mail.seal('other', 'another key entirely, not ours')) RETURNING id`);
  await eventually(() => sql(`SELECT bool_and(sent_at IS NOT NULL) FROM mail.message WHERE id IN (${id}, ${bad})`) === 't',
    10000, 'the sign-in emails sent (woken without an event)');
  const text = textOf(mailOf(id));
  assert.ok(text.includes('/my.html#access=access-token-abc'), text);
  assert.match(text, /30 minutes/);
  assert.match(text, /If you did not ask for it, ignore this email/);
  const other = textOf(mailOf(bad));
  assert.ok(!other.includes('#access='), other);
  assert.equal(sql(`SELECT count(*) FROM mail.message WHERE id IN (${id}, ${bad}) AND secret_sealed IS NOT NULL`), '0');
});

test('(a) make mail lists the Maildir, Korean subjects decoded, newest last', () => {
  const out = execFileSync(STACK, ['mail'], { encoding: 'utf8', env: { ...process.env, MAIL_DIR } });
  const lines = out.trim().split('\n');
  assert.match(lines.at(-1), /^\d+ email\(s\) in /);
  assert.ok(lines.some((l) => l.includes('입장권 ')), out);
  const dates = lines.slice(0, -1).map((l) => l.slice(0, 19));
  assert.deepEqual(dates, [...dates].sort(), 'oldest first');
});

// --- The listeners, pointed at a real SMTP server ---------------------------

const SINK = `${VAR}/smtp-sink`;
const CONTROL = `${VAR}/smtp-sink.fail`;
let sinkPort = 0;
let sink = null;

async function portOpen(port) {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

async function startSink() {
  sink = spawn(PY, [`${ROOT}tests/mail/smtp-sink.py`, String(sinkPort), SINK, CONTROL], { stdio: ['ignore', 'pipe', 'inherit'] });
  await eventually(() => portOpen(sinkPort), 10000, 'the SMTP sink to listen');
}

async function stopSink() {
  if (!sink) return;
  const s = sink;
  sink = null;
  s.kill('SIGTERM');
  await eventually(() => s.exitCode !== null || s.signalCode !== null, 10000, 'the sink to stop');
}

// Stops the listeners (SIGTERM: they finish what they are doing) and starts
// them again with env added to the stack's settings.
async function restartListeners(env) {
  for (const pid of listenerPids()) process.kill(pid, 'SIGTERM');
  await eventually(() => listenerPids().length === 0, 15000, 'the listeners to stop');
  execFileSync(STACK, ['listeners'], { env: { ...process.env, ...env }, stdio: 'inherit' });
}

// The sink's messages by Message-ID.
function sinkMessages() {
  return readdirSync(SINK).filter((f) => f.endsWith('.eml')).map((f) => {
    const head = readFileSync(`${SINK}/${f}`, 'utf8').split('\r\n\r\n')[0];
    return { file: f, id: /^Message-ID: (.*)$/m.exec(head)?.[1], to: /^X-Sink-To: (.*)$/m.exec(head)?.[1] };
  });
}

test('(b) SMTP on loopback: delivered; a failing server is retried with backoff; one down too long: dead, the booking unaffected, retry-dead sends it', async (t) => {
  rmSync(SINK, { recursive: true, force: true });
  mkdirSync(SINK, { recursive: true });
  writeFileSync(CONTROL, '0');
  for (sinkPort = 19500 + Math.floor(Math.random() * 400); await portOpen(sinkPort); sinkPort++);
  await startSink();
  t.after(async () => {
    await stopSink();
    await restartListeners({}); // back to the Maildir
  });
  await restartListeners({ SMTP_URL: `smtp://127.0.0.1:${sinkPort}`, MAIL_MAX_ATTEMPTS: '4', MAIL_BACKOFF_MS: '200' });
  const { m, slot } = await exhibition();

  // Delivered, once.
  const b = await bookWithEmail(m.id, slot, 'smtp.one@example.com');
  const [row] = await sentFor(b.id, ['TICKET']);
  let got = sinkMessages().filter((x) => x.id === `<mail-${row.id}@localhost>`);
  assert.equal(got.length, 1, JSON.stringify(sinkMessages()));
  assert.equal(got[0].to, 'smtp.one@example.com', 'the envelope recipient');
  const parsed = parse(`${SINK}/${got[0].file}`);
  assert.ok(textOf(parsed).includes(`#id=${b.id}&token=${b.token}`));
  assert.ok(parsed.parts.some((p) => p.type === 'text/calendar'));
  assert.equal(filesOf(row.id).length, 0, 'not in the Maildir');

  // The server answers 451 twice to this address: retried with backoff,
  // then delivered once.
  writeFileSync(CONTROL, '2 smtp.two@example.com');
  const c = await bookWithEmail(m.id, slot, 'smtp.two@example.com');
  const [retried] = await sentFor(c.id, ['TICKET'], 20000);
  assert.equal(retried.attempts, 3, 'two failures, then the delivery');
  assert.match(retried.last_error, /451|failed|Fail/i, retried.last_error);
  const times = sql(`SELECT extract(epoch FROM sent_at - created_at) FROM mail.message WHERE id = ${retried.id}`);
  assert.ok(Number(times) >= 0.2, `waited between tries (${times} s)`);
  got = sinkMessages().filter((x) => x.id === `<mail-${retried.id}@localhost>`);
  assert.equal(got.length, 1);

  // The server is down: dead after MAIL_MAX_ATTEMPTS tries; the booking is unharmed.
  await stopSink();
  const d = await bookWithEmail(m.id, slot, 'smtp.three@example.com');
  const dead = await eventually(() => {
    const rows = rowsOf(d.id);
    return rows.length === 1 && rows[0].dead && rows[0];
  }, 30000, 'the message parked dead');
  assert.equal(dead.attempts, 4);
  assert.equal(dead.sent, false);
  assert.equal(dead.sealed, true, 'still sealed (never in the clear) until sent');
  const booking = await api('GET', `/books/${d.id}`, undefined, visitor(d.token));
  assert.equal(booking.json.status, 'REQUEST_COMPLETED');
  // Any other email due while the server is down (one left by an earlier
  // test) dies too, at any moment: the counts are checked on a snapshot that
  // holds still (the table's count the same before and after both reads).
  const deadNow = () => Number(sql('SELECT count(*) FROM mail.message WHERE dead AND sent_at IS NULL AND obsolete_at IS NULL'));
  let seen;
  const steady = await eventually(async () => {
    const n = deadNow();
    const status = execFileSync(STACK, ['status'], { encoding: 'utf8' });
    const live = (await api('GET', '/status')).json;
    seen = { n, status, mail: live.mail };
    return n >= 1 && new RegExp(`mail: .*dead=${n}\\b`).test(status) && live.mail.dead === n && deadNow() === n;
  }, 10000, 'make status and GET /status to show the dead emails').catch(() => false);
  assert.ok(steady, `make status and GET /status show the dead emails: ${JSON.stringify(seen)}`);
  assert.equal(typeof seen.mail.oldestUnsentSeconds, 'number');

  // Back up; make retry-dead: sent, once.
  await startSink();
  const out = execFileSync(STACK, ['retry-dead'], { encoding: 'utf8' });
  const queued = /\b(\d+) dead email\(s\) queued again/.exec(out);
  assert.ok(queued && Number(queued[1]) >= 1, out);
  const [again] = await sentFor(d.id, ['TICKET'], 20000);
  got = sinkMessages().filter((x) => x.id === `<mail-${again.id}@localhost>`);
  assert.equal(got.length, 1);
  assert.ok(textOf(parse(`${SINK}/${got[0].file}`)).includes(`token=${d.token}`), 'with its link');
});

test('(b) a server that takes the connection and never greets: given up after SMTP_CONNECT_TIMEOUT_MS (2 s), not SMTP_TIMEOUT_MS (10 s)', async (t) => {
  const seen = []; // [accepted, closed] per connection, ms
  const silent = createServer((sock) => {
    const c = [Date.now(), null];
    seen.push(c);
    sock.on('end', () => { c[1] ??= Date.now(); sock.destroy(); });
    sock.on('close', () => { c[1] ??= Date.now(); });
    sock.on('error', () => {});
  });
  await new Promise((ok) => silent.listen(0, '127.0.0.1', ok));
  t.after(async () => {
    silent.close();
    await restartListeners({}); // back to the Maildir
  });
  await restartListeners({ SMTP_URL: `smtp://127.0.0.1:${silent.address().port}`, SMTP_TIMEOUT_MS: '10000', MAIL_BACKOFF_MS: '600000' });
  const { m, slot } = await exhibition();
  const b = await bookWithEmail(m.id, slot, 'silent.server@example.org');
  const [row] = await eventually(() => {
    const rows = rowsOf(b.id);
    return rows.length === 1 && rows[0].attempts === 1 && rows;
  }, 20000, `the ticket of ${b.id} tried once (now ${messagesOf(b.id)})`);
  assert.equal(row.sent, false);
  assert.match(row.last_error, /^smtp: Timeout/i, row.last_error);
  const [accepted, closed] = await eventually(() => seen[0]?.[1] && seen[0], 15000, 'the listener to close the connection');
  // Timed out (the error says so), and well before SMTP_TIMEOUT_MS: the
  // connect timeout's 2 s, give or take what a loaded machine delays this
  // test's own event loop by (a lower bound measured here is not reliable).
  assert.ok(closed - accepted < 6000, `given up after ${closed - accepted} ms, not 10 s`);
  sql(`UPDATE mail.message SET available_at = now() WHERE id = ${row.id}`); // the Maildir's, after
});

test('(c) listeners killed again and again while emails are due: each sent exactly once', async () => {
  const { m } = await exhibition();
  const slots = ['10:00', '11:00'].map((h) => `${m.startDate}T${h}:00+09:00`);
  const first = Number(sql('SELECT coalesce(max(id), 0) FROM mail.message'));
  // The listeners down: the bookings wait, emails set, then all at once.
  const pids = listenerPids();
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  await eventually(() => pids.every((p) => !alive(p)), 5000, 'the listeners dead');
  const N = 60;
  const books = await bookManyWithEmail(m.id, Array.from({ length: N }, (_, i) => (
    { slot: slots[i % 2], email: `crash${i}@example.com`, lang: i % 3 ? 'en' : 'ko' })));
  // Cancel a few too (before their confirmation: a CANCELED message, no ticket).
  for (const b of books.slice(0, 10)) {
    assert.equal((await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, visitor(b.token))).status, 200);
  }
  // And sign-in links due one after another over eight seconds, so the
  // kills land while messages are being sent (the same path as any other).
  const M = 200;
  sql(`INSERT INTO mail.message (kind, to_addr, lang, secret_sealed, available_at)
       SELECT 'ACCESS', 'crash-access' || i || '@example.com', 'en', mail.seal('tok' || i, ${q(SEAL_KEY)}),
              now() + i * interval '40 ms'
       FROM generate_series(1, ${M}) i`);
  // Start them, let them work a moment, kill them all (-9), again, until
  // everything is sent (and at least four times).
  let kills = 0;
  let killsWhileDue = 0;
  const deadline = Date.now() + 30000;
  for (;;) {
    execFileSync(STACK, ['listeners'], { stdio: 'inherit' });
    await sleep(50 + Math.random() * 250);
    const [queued, left] = sql(`SELECT count(*), count(*) FILTER (WHERE sent_at IS NULL)
                                FROM mail.message WHERE id > ${first}`).split('|').map(Number);
    if ((kills >= 4 && queued >= N + M && left === 0) || Date.now() > deadline) break;
    for (const pid of listenerPids()) process.kill(pid, 'SIGKILL');
    kills++;
    if (left > 0) killsWhileDue++;
  }
  execFileSync(STACK, ['listeners'], { stdio: 'inherit' });
  await caughtUp();
  const ids = await eventually(() => {
    const r = sql(`SELECT string_agg(id::text, ',' ORDER BY id) FROM mail.message WHERE id > ${first}
                   HAVING bool_and(sent_at IS NOT NULL) AND count(*) = ${N + M}`);
    return r && r.split(',');
  }, 30000, 'every email sent');
  assert.ok(killsWhileDue >= 3, `the listeners were killed while emails were due (${killsWhileDue} of ${kills} times)`);
  // Exactly one file per message, each carrying its own Message-ID.
  const all = ['new', 'cur'].flatMap((d) => readdirSync(`${MAIL_DIR}/${d}`).map((f) => `${MAIL_DIR}/${d}/${f}`));
  for (const id of ids) {
    const files = all.filter((f) => f.split('/').at(-1).startsWith(`mail-${id}@`));
    assert.equal(files.length, 1, `message ${id}: ${files.length} files`);
    assert.match(readFileSync(files[0], 'utf8'), new RegExp(`^Message-ID: <mail-${id}@localhost>\\r$`, 'm'));
  }
  const kinds = sql(`SELECT string_agg(kind || '=' || n, ' ' ORDER BY kind) FROM (SELECT kind, count(*) n
                     FROM mail.message WHERE id > ${first} GROUP BY kind) k`);
  assert.equal(kinds, `ACCESS=${M} CANCELED=10 TICKET=${N - 10}`, 'one ticket per confirmed booking, one message per cancel');
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id} AND token_sealed IS NOT NULL`), '0');
  assert.ok(existsSync(`${MAIL_DIR}/tmp`));
});

test('a pid file left by a listener that is gone (killed, a machine restart) is cleared when the listeners start: status shows only what runs', () => {
  const file = `${VAR}/run/listener-7.pid`;
  const gone = spawnSync('true').pid; // exited: no such process any more
  writeFileSync(file, String(gone));
  let status = spawnSync(STACK, ['status'], { encoding: 'utf8' });
  assert.match(status.stdout, /^listener-7: down$/m, status.stdout);
  assert.equal(status.status, 1, 'a listener down is a failed status');
  execFileSync(STACK, ['listeners'], { stdio: 'inherit' });
  assert.equal(existsSync(file), false, 'the stale pid file is gone');
  status = spawnSync(STACK, ['status'], { encoding: 'utf8' });
  assert.doesNotMatch(status.stdout, /listener-7/);
  assert.equal(status.status, 0, status.stdout);
  assert.ok(listenerPids().length >= 1, 'the configured listeners still run');
});
