// Tickets, the visitor's part (issue 14): every booking's code, its QR code
// and calendar file, an email and language for the ticket, sign-in links by
// email and the bookings they open from any device; and no more name as
// identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import jsQR from 'jsqr';
import {
  BASE, VAR, allSlots, api, assertProblem, book, createExhibition, createMuseum, eventually, sql, staff, unique, visitor,
} from './lib.mjs';

const CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/;
const SEAL_KEY = () => readFileSync(`${VAR}/seal-key`, 'utf8').trim();
const access = (token) => ({ 'X-Access-Token': token });
const mailbox = () => `t${process.pid}-${Math.random().toString(36).slice(2, 10)}@tickets.test`;
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

// The raw bytes of an answer (the SVG and the calendar are not JSON).
async function raw(path, headers = {}) {
  const res = await fetch(BASE + path, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

// An SVG made by fcgi/qr.c back to the text it carries: its one path's runs
// ("M x y h n v1 h-n z") painted into a bitmap, scaled up, read by jsQR.
function decodeSvg(svg) {
  const box = svg.match(/viewBox="0 0 (\d+) (\d+)"/);
  assert.ok(box, svg.slice(0, 200));
  const side = Number(box[1]);
  const paths = svg.match(/<path /g) ?? [];
  assert.equal(paths.length, 1, 'one path of dark modules');
  const d = svg.match(/ d="([^"]*)"/)[1];
  const dark = Array.from({ length: side }, () => new Uint8Array(side));
  const runs = [...d.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)];
  assert.equal(runs.map((r) => r[0]).join(''), d, 'the path is made of runs only');
  for (const [, x, y, n] of runs) for (let i = 0; i < Number(n); i++) dark[Number(y)][Number(x) + i] = 1;
  const px = 6;
  const w = side * px;
  const rgba = new Uint8ClampedArray(w * w * 4);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const v = dark[Math.floor(y / px)][Math.floor(x / px)] ? 0 : 255;
      rgba.set([v, v, v, 255], (y * w + x) * 4);
    }
  }
  return jsQR(rgba, w, w)?.data;
}

// One request from a chosen local address (127.0.0.x other than 1 is not a
// trusted client: nginx's limits apply).
function from(address, method, path, body) {
  const { hostname, port } = new URL(BASE);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path, localAddress: address, agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

// The text of the email message id as the listener wrote it into the
// Maildir (every base64 part decoded), or null while it is not there.
function mailedText(id) {
  const dir = `${VAR}/mail/new`;
  const file = existsSync(dir) && readdirSync(dir).find((f) => f.startsWith(`mail-${id}@`));
  if (!file) return null;
  const raw = readFileSync(`${dir}/${file}`, 'utf8');
  const blocks = raw.match(/(?:^[A-Za-z0-9+/]+=*\r\n)+/gm) || [];
  return [raw, ...blocks.map((b) => Buffer.from(b, 'base64').toString('utf8'))].join('\n');
}

// The token the link of message id carries (`name`=<64 hex> in the link's
// fragment): still sealed on the queued message, or, once the listener has
// sent it (and erased the seal), read from the email itself.
async function linkSecret(id, name) {
  return eventually(() => {
    const sealed = sql(`SELECT coalesce(mail.unseal(secret_sealed, ${q(SEAL_KEY())}), '') FROM mail.message WHERE id = ${id}`);
    if (sealed) return sealed;
    const text = mailedText(id);
    return text && (text.match(new RegExp(`[#&]${name}=([0-9a-f]{64})`)) || [])[1];
  }, 10000, `the ${name} link of message ${id}`);
}

// The access token of the last sign-in link queued to email (the app never
// answers it; only the email carries it).
const accessTokenOf = async (email) => linkSecret(sql(`SELECT id FROM mail.message
  WHERE kind = 'ACCESS' AND to_addr = ${q(email)} ORDER BY id DESC LIMIT 1`), 'access');

test('every booking has its own ticket code, answered with it', async () => {
  const m = await createMuseum(100);
  const codes = [];
  for (let i = 0; i < 60; i++) {
    const b = await book(m.id);
    assert.match(b.code, CODE);
    codes.push(b.code);
    if (i === 0) {
      assert.equal((await api('GET', `/books/${b.id}`, undefined, visitor(b.token))).json.code, b.code, 'to its token');
      assert.equal((await staff('GET', `/books/${b.id}`)).json.code, b.code, 'to staff');
      assert.deepEqual([b.email, b.lang], [null, 'en']);
    }
  }
  assert.equal(new Set(codes).size, codes.length, 'no two alike');
  assert.equal(sql(`SELECT count(*) = count(DISTINCT code) AND bool_and(code ~ '^[0-9A-HJKMNP-TV-Z]{10}$')
    FROM book.booking`), 't', 'over every booking in the database');
});

test('GET /books/{id}/qr.svg: the code as a QR code that decodes back to it', async () => {
  const m = await createMuseum(10);
  const a = await book(m.id);
  const b = await book(m.id);
  const r = await raw(`/books/${a.id}/qr.svg`, visitor(a.token));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'image/svg+xml');
  assert.equal(r.headers.get('cache-control'), 'no-store', 'a ticket left in no cache (a shared computer)');
  assert.match(r.text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 (\d+) \1"[^>]* shape-rendering="crispEdges"/);
  assert.equal(decodeSvg(r.text), a.code);
  // Another booking's image carries another code (the check can fail).
  const other = await raw(`/books/${b.id}/qr.svg`, visitor(b.token));
  assert.equal(decodeSvg(other.text), b.code);
  assert.notEqual(decodeSvg(other.text), a.code);
  // A 4-module quiet zone: nothing dark in the outer 4 rows and columns.
  const side = Number(r.text.match(/viewBox="0 0 (\d+)/)[1]);
  for (const [, x, y, n] of r.text.matchAll(/M(\d+) (\d+)h(\d+)/g)) {
    assert.ok(+x >= 4 && +y >= 4 && +x + +n <= side - 4 && +y < side - 4, `run at ${x},${y}`);
  }
  assert.equal((await raw(`/books/${a.id}/qr.svg`, STAFF_H())).status, 200, 'staff');
  assertProblem(await api('GET', `/books/${a.id}/qr.svg`, undefined, visitor(b.token)), 404);
  assertProblem(await api('GET', `/books/${a.id}/qr.svg`), 404);
});

const STAFF_H = () => ({ Authorization: `Basic ${Buffer.from(`admin:${readFileSync(`${VAR}/admin-password`, 'utf8').trim()}`).toString('base64')}` });

test('GET /books/{id}/visit.ics: the visit as RFC 5545, stable, in the booking\'s language', async () => {
  const long = `Calendar ${'가나다라마바사 '.repeat(12)}${process.pid}`.slice(0, 190);
  const m = await createExhibition({ name: long });
  const [slot] = await allSlots(m);
  const b = await book(m.id, unique('cal'), { slot: slot.start, tickets: { adult: 2, child: 1 }, lang: 'ko' });
  const r = await raw(`/books/${b.id}/visit.ics`, visitor(b.token));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'text/calendar; charset=utf-8');
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="visit-${b.code}.ics"`);
  assert.ok(r.text.endsWith('\r\n'));
  const lines = r.text.slice(0, -2).split('\r\n');
  assert.ok(lines.every((l) => !l.includes('\n') && Buffer.byteLength(l) <= 75), 'CRLF lines of at most 75 octets');
  assert.ok(lines.some((l) => l.startsWith(' ')), 'the long summary is folded');
  const unfolded = r.text.replace(/\r\n /g, '').split('\r\n');
  const prop = (name) => unfolded.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
  const utc = (iso) => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  assert.equal(prop('UID'), `booking-${b.id}-${b.code}@sk-museum`);
  assert.equal(prop('DTSTART'), utc(slot.start));
  assert.equal(prop('DTEND'), utc(slot.end));
  assert.ok(prop('SUMMARY').startsWith(long.replace(/,/g, '\\,')), prop('SUMMARY'));
  assert.match(prop('DESCRIPTION'), new RegExp(`^티켓 코드: ${b.code}\\\\n인원: 3명 \\(성인 2\\\\, 어린이 1\\)$`));
  assert.equal(prop('URL'), undefined, 'no link');
  const again = await raw(`/books/${b.id}/visit.ics`, visitor(b.token));
  assert.equal(again.text, r.text, 'the same file until the booking changes');
  // English for an English booking.
  const en = await book(m.id, unique('cal'), { slot: slot.start });
  const t = (await raw(`/books/${en.id}/visit.ics`, visitor(en.token))).text.replace(/\r\n /g, '');
  assert.match(t, new RegExp(`DESCRIPTION:Ticket code: ${en.code}\\\\nParty: 1 \\(adult 1\\)\r\n`));
  assertProblem(await api('GET', `/books/${b.id}/visit.ics`, undefined, visitor(en.token)), 404);
});

test('POST /books: an email is checked (422 changes nothing) and kept as given, trimmed', async () => {
  const m = await createMuseum(5);
  const bad = ['', 'plain', 'a@b', 'a@@b.org', 'a b@c.org', '@c.org', 'a@c..org', 'a@-c.org', 'a@c.org.', 'a@c_d.org',
    `${'x'.repeat(65)}@c.org`, `a@${'b'.repeat(250)}.org`, 7, 'a\u0001@c.org',
    // What an SMTP server could not be given plainly: one check for the API
    // and the listener (validate_email), so none is accepted and never sent.
    'a(b)@c.org', 'a,b@c.org', '"a"@c.org', 'a..b@c.org', '.a@c.org', 'é@c.org', '김@박물관.한국'];
  for (const email of bad) {
    const cust = unique('bad-email');
    const r = await api('POST', '/books', { museumId: m.id, custNm: cust, email });
    assertProblem(r, 422);
    assert.ok(r.json.errors?.email, `${JSON.stringify(email)}: ${r.text}`);
    assert.equal(sql(`SELECT count(*) FROM book.booking WHERE cust_nm = ${q(cust)}`), '0');
  }
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 5, 'no seat taken');
  const ok = await book(m.id, unique('email'), { email: '  Kim.Lee+museum@Example-Mail.co.kr ' });
  assert.equal(ok.email, 'Kim.Lee+museum@Example-Mail.co.kr');
  // Sealed on the booking until it is confirmed, then on its ticket's
  // message until sent: the email's link carries it.
  const ticket = await eventually(() => sql(`SELECT id FROM mail.message WHERE book_id = ${ok.id} AND kind = 'TICKET'`),
    10000, 'the ticket queued');
  assert.equal(await linkSecret(ticket, 'token'), ok.token, 'its token sealed for the ticket email');
  assertProblem(await api('POST', '/books', { museumId: m.id, custNm: unique('x'), lang: 'de' }), 422);
});

test('POST /books: lang, else the first of ko/en Accept-Language prefers, else en', async () => {
  const m = await createMuseum(20);
  const cases = [
    ['ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7', undefined, 'ko'],
    ['en-US,en;q=0.9,ko;q=0.8', undefined, 'en'],
    ['fr-FR, ko;q=0.5, en;q=0.4', undefined, 'ko'],
    ['fr-FR, en;q=0.1, ko;q=0', undefined, 'en'],
    ['fr', undefined, 'en'],
    [undefined, undefined, 'en'],
    ['ko', 'en', 'en'],
    ['en', 'ko', 'ko'],
  ];
  for (const [header, lang, want] of cases) {
    const r = await api('POST', '/books', { museumId: m.id, custNm: unique('lang'), ...(lang ? { lang } : {}) },
      header ? { 'Accept-Language': header } : {});
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.lang, want, `${header} ${lang}`);
  }
});

test('an Idempotency-Key replay with an email answers the same token and code', async () => {
  const m = await createMuseum(5);
  const body = { museumId: m.id, custNm: unique('idem'), email: mailbox() };
  const key = { 'Idempotency-Key': unique('key') };
  const first = await api('POST', '/books', body, key);
  const again = await api('POST', '/books', body, key);
  assert.equal(first.status, 201, first.text);
  assert.deepEqual(again.json, first.json);
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE cust_nm = ${q(body.custNm)}`), '1');
  assertProblem(await api('POST', '/books', { ...body, email: mailbox() }, key), 422);
});

test('PATCH /books/{id} email: by its token (its link sealed), by staff (the email only), and its limits', async () => {
  const m = await createMuseum(5);
  const b = await book(m.id);
  const email = mailbox();
  const r = await api('PATCH', `/books/${b.id}`, { email: ` ${email}` }, visitor(b.token));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.email, email);
  assert.equal(r.json.status === 'REQUESTED' || r.json.status === 'REQUEST_COMPLETED', true);
  const sealed = () => sql(`SELECT coalesce(mail.unseal(token_sealed, ${q(SEAL_KEY())}), '-') FROM book.booking WHERE id = ${b.id}`);
  const queued = () => sql(`SELECT count(*) FROM mail.message WHERE book_id = ${b.id} AND kind = 'TICKET'`);
  // The token waits sealed, or has moved onto its queued ticket message.
  assert.ok(sealed() === b.token || Number(queued()) >= 1, 'sealed for the ticket email');
  const other = await book(m.id);
  assertProblem(await api('PATCH', `/books/${b.id}`, { email }, visitor(other.token)), 404);
  assertProblem(await api('PATCH', `/books/${b.id}`, { email: 'nope' }, visitor(b.token)), 422);
  const both = await api('PATCH', `/books/${b.id}`, { email, status: 'CANCELED' }, visitor(b.token));
  assertProblem(both, 422);
  assert.ok(both.json.errors.email);
  // Staff set the email only.
  sql(`UPDATE book.booking SET token_sealed = NULL WHERE id = ${b.id}`);
  const byStaff = await staff('PATCH', `/books/${b.id}`, { email: 'desk@tickets.test' });
  assert.equal(byStaff.status, 200, byStaff.text);
  assert.equal(byStaff.json.email, 'desk@tickets.test');
  assert.equal(sealed(), '-', 'staff seal no token');
  // The same address again by staff ("email me my ticket" at the desk):
  // nothing on the row changes, and the ticket goes again, without a link.
  await eventually(() => sql(`SELECT status FROM book.booking WHERE id = ${b.id}`) === 'REQUEST_COMPLETED', 10000, 'confirmed');
  const before = Number(queued());
  assert.equal((await staff('PATCH', `/books/${b.id}`, { email: 'desk@tickets.test' })).status, 200);
  assert.equal(Number(queued()), before + 1, 'one more ticket queued');
  assert.equal(sql(`SELECT secret_sealed IS NULL FROM mail.message WHERE book_id = ${b.id} ORDER BY id DESC LIMIT 1`), 't');
  // 5 ticket emails an hour at most.
  sql(`INSERT INTO mail.message (kind, book_id, to_addr, lang) SELECT 'TICKET', ${b.id}, 'x@tickets.test', 'en'
       FROM generate_series(1, 5)`);
  const limited = await api('PATCH', `/books/${b.id}`, { email }, visitor(b.token));
  assertProblem(limited, 429);
  assert.match(limited.json.detail, /5 times in the last hour/);
  assert.equal(sql(`SELECT email FROM book.booking WHERE id = ${b.id}`), 'desk@tickets.test', 'nothing changed');
  // A canceled booking's email cannot change.
  const c = await book(m.id);
  assert.equal((await api('PATCH', `/books/${c.id}`, { status: 'CANCELED' }, visitor(c.token))).status, 200);
  assertProblem(await api('PATCH', `/books/${c.id}`, { email }, visitor(c.token)), 409);
});

test('POST /visitors/access: the same answer for known and unknown emails; 422, 429', async () => {
  const m = await createMuseum(5);
  const known = mailbox();
  await book(m.id, unique('known'), { email: known });
  const unknown = mailbox();
  const a = await api('POST', '/visitors/access', { email: known });
  const b = await api('POST', '/visitors/access', { email: unknown });
  assert.equal(a.status, 202, a.text);
  assert.deepEqual([b.status, b.text], [a.status, a.text]);
  assert.deepEqual(a.json, { status: 'sent' });
  assert.ok(!/[0-9a-f]{64}/.test(a.text), 'the token is never answered');
  for (const e of [known, unknown]) {
    assert.equal(sql(`SELECT count(*) FROM mail.message WHERE kind = 'ACCESS' AND to_addr = ${q(e)}`), '1', e);
    assert.equal(sql(`SELECT count(*) FROM visitor.access WHERE email = ${q(e)} AND expires_at - created_at = '30 minutes'`), '1');
  }
  for (const email of ['', 'nope', 'a@b', 12]) assertProblem(await api('POST', '/visitors/access', { email }), 422);
  assertProblem(await api('POST', '/visitors/access', {}), 422);
  // Per email: 5 links an hour.
  for (let i = 0; i < 4; i++) assert.equal((await api('POST', '/visitors/access', { email: unknown.toUpperCase() })).status, 202);
  const limited = await api('POST', '/visitors/access', { email: unknown });
  assertProblem(limited, 429);
  assert.equal(sql(`SELECT count(*) FROM visitor.access WHERE email = ${q(unknown)}`), '5', 'no sixth link');
  // Per client, by nginx (an untrusted address): 5 a minute and a burst of 5.
  const statuses = [];
  for (let i = 0; i < 14; i++) statuses.push((await from('127.0.0.7', 'POST', '/visitors/access', { email: mailbox() })).status);
  assert.ok(statuses.filter((s) => s === 429).length >= 3, statuses.join(' '));
  assert.ok(statuses.slice(0, 5).every((s) => s === 202), statuses.join(' '));
});

test('GET /myBookings: a sign-in link lists exactly its email\'s bookings, newest visit first, and opens them', async () => {
  const m = await createExhibition();
  const slots = await allSlots(m);
  const email = mailbox();
  const mine = [];
  for (const s of [slots[2], slots[0], slots[4]]) {
    mine.push(await book(m.id, unique('mine'), { slot: s.start, email: mine.length === 1 ? email.toUpperCase() : email }));
  }
  const stranger = await book(m.id, unique('stranger'), { slot: slots[1].start, email: mailbox() });
  const noEmail = await book(m.id, unique('none'), { slot: slots[3].start });
  assert.equal((await api('POST', '/visitors/access', { email })).status, 202);
  const token = await accessTokenOf(email);
  assert.match(token, /^[0-9a-f]{64}$/);
  const r = await api('GET', '/myBookings', undefined, access(token));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.map((x) => x.id), [mine[2].id, mine[0].id, mine[1].id], 'newest visit first');
  assert.ok(r.json.every((x) => CODE.test(x.code) && 'token' in x === false));
  // It opens those bookings, and no others.
  assert.equal((await api('GET', `/books/${mine[1].id}`, undefined, access(token))).json.code, mine[1].code);
  assert.equal((await raw(`/books/${mine[0].id}/qr.svg`, access(token))).status, 200);
  assert.equal((await raw(`/books/${mine[0].id}/visit.ics`, access(token))).status, 200);
  assertProblem(await api('GET', `/books/${stranger.id}`, undefined, access(token)), 404);
  assertProblem(await api('GET', `/books/${noEmail.id}`, undefined, access(token)), 404);
  assertProblem(await api('PATCH', `/books/${stranger.id}`, { status: 'CANCELED' }, access(token)), 404);
  // A visitor cancels from another device.
  const cancel = await api('PATCH', `/books/${mine[0].id}`, { status: 'CANCELED' }, access(token));
  assert.equal(cancel.status, 200, cancel.text);
  assert.equal(cancel.json.status, 'CANCELED');
  // Without, with a wrong, and with an expired token: 401.
  for (const h of [{}, access('nope'), access('0'.repeat(64)), visitor(mine[1].token)]) {
    const no = await api('GET', '/myBookings', undefined, h);
    assertProblem(no, 401);
    assert.match(no.headers.get('www-authenticate') ?? '', /^AccessToken /);
  }
  sql(`UPDATE visitor.access SET expires_at = now() - interval '1 second'
       WHERE token_hash = sha256(convert_to(${q(token)}, 'UTF8'))`);
  assertProblem(await api('GET', '/myBookings', undefined, access(token)), 401);
  assertProblem(await api('GET', `/books/${mine[1].id}`, undefined, access(token)), 404);
});

test('a booking token no longer lists another visitor\'s bookings (a name is no identity)', async () => {
  const m = await createMuseum(5);
  const name = unique('Same Name');
  const victim = await book(m.id, name, { email: mailbox() });
  const other = await book(m.id, name);
  for (const path of [`/myPages?custNm=${encodeURIComponent(name)}`, `/myPages?bookId=${victim.id}`, '/myPages',
    `/myPages?token=${other.token}&custNm=${encodeURIComponent(name)}`]) {
    const r = await api('GET', path, undefined, visitor(other.token));
    assertProblem(r, 401);
    assert.ok(!r.text.includes(String(victim.code)));
  }
  assertProblem(await api('GET', `/books/${victim.id}`, undefined, visitor(other.token)), 404);
  assertProblem(await api('GET', `/books/${victim.id}/qr.svg`, undefined, visitor(other.token)), 404);
  assertProblem(await api('GET', '/myBookings', undefined, visitor(other.token)), 401);
  assertProblem(await api('GET', `/confirms?bookId=${victim.id}`, undefined, visitor(other.token)), 404);
  assert.equal((await staff('GET', `/myPages?custNm=${encodeURIComponent(name)}`)).status, 200, 'staff still list');
});
