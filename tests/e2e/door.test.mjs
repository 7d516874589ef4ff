// The door (docs/door.md): staff accounts and their roles, POST /checkins
// (admitted once, the reasons, nonces replayed byte for byte, 20 scanners
// racing), GET /museums/{id}/inside, and an admitted booking that can no
// longer be canceled. Accounts are made as an operator would, with
// scripts/staff.sh (make staff-add ...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  addDays, api, apiSettled, assertProblem, basic, book, createExhibition, DBURL, ROOT, sql, staff, today, unique,
  visitor,
} from './lib.mjs';

// scripts/staff.sh on the stack under test (DATABASE_URL: the owner's).
function staffSh(args, password) {
  return execFileSync(`${ROOT}scripts/staff.sh`, args, {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: DBURL, STAFF_PASSWORD: password ?? '' },
  });
}
const newAccount = (role) => {
  const name = `${role}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const password = `pw-${randomUUID()}`;
  staffSh(['add', name, role], password);
  return { name, password, auth: basic(name, password) };
};

const door = newAccount('door');
const checkin = (body, who = door) => apiSettled('POST', '/checkins', body, who.auth);
const codeOf = (id) => sql(`SELECT code FROM book.booking WHERE id = ${id}`);
const scans = (id) => Number(sql(`SELECT count(*) FROM door.scan WHERE book_id = ${id}`));

// An exhibition of today, one slot over the whole day (open now).
const todays = () => createExhibition({ startDate: today(), endDate: today(), opens: '00:00', closes: '23:59', slotMinutes: undefined, capacity: 50 });

test('a party of 2 is admitted once: a new nonce is already_admitted, the first nonce replays its answer and records nothing', async () => {
  const m = await todays();
  const b = await book(m.id, unique('party'), { tickets: { adult: 2 } });
  const code = codeOf(b.id);
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{10}$/);
  const typed = `${code.slice(0, 5).toLowerCase()}-${code.slice(5).toLowerCase()}`; // as a person types it
  const first = await checkin({ code: typed, nonce: randomUUID(), gate: 'North' });
  assert.equal(first.status, 201, first.text);
  assert.match(first.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(
    { result: first.json.result, bookId: first.json.bookId, code: first.json.code, custNm: first.json.custNm, party: first.json.party, tickets: first.json.tickets, slot: first.json.slot },
    { result: 'admitted', bookId: b.id, code, custNm: b.custNm, party: 2, tickets: { adult: 2 }, slot: b.slot },
  );
  const nonce = randomUUID();
  const again = await checkin({ code, nonce });
  assertProblem(again, 409);
  assert.equal(again.json.reason, 'already_admitted');
  assert.equal(again.json.bookId, b.id);
  assert.equal(Date.parse(again.json.firstAdmittedAt), Date.parse(sql(`SELECT at FROM door.scan WHERE book_id = ${b.id} AND result = 'admitted'`)));
  assert.equal(scans(b.id), 2);
  // Replays: exactly the first answers, nothing recorded.
  const firstNonce = sql(`SELECT nonce FROM door.scan WHERE book_id = ${b.id} AND result = 'admitted'`);
  const replay = await checkin({ code: typed, nonce: firstNonce, gate: 'North' });
  assert.equal(replay.status, 201);
  assert.equal(replay.text, first.text, 'byte for byte');
  const replay2 = await checkin({ code, nonce });
  assert.equal(replay2.status, 409);
  assert.equal(replay2.text, again.text);
  assert.equal(scans(b.id), 2, 'no second record');
  // The same nonce with another code: 422, nothing recorded.
  const other = await book(m.id, unique('other'));
  const wrong = await checkin({ code: codeOf(other.id), nonce });
  assertProblem(wrong, 422);
  assert.ok(wrong.json.errors.nonce, wrong.text);
  assert.equal(scans(other.id), 0);
});

test('refusals: canceled at once (no listener waited for), too_early, too_late, unknown code 404, malformed 422', async () => {
  const m = await todays();
  const c = await book(m.id, unique('cancels'));
  const cancel = await api('PATCH', `/books/${c.id}`, { status: 'CANCELED' }, visitor(c.token));
  assert.equal(cancel.status, 200, cancel.text);
  const r1 = await checkin({ code: codeOf(c.id), nonce: randomUUID() });
  assertProblem(r1, 409);
  assert.equal(r1.json.reason, 'canceled');

  const later = await createExhibition({ endDate: undefined, slotMinutes: undefined }); // one day of 2031
  const e = await book(later.id, unique('early'));
  const r2 = await checkin({ code: codeOf(e.id), nonce: randomUUID() });
  assertProblem(r2, 409);
  assert.equal(r2.json.reason, 'too_early');

  // A visit that ended two hours ago (its slot moved into the past).
  const p = await todays();
  const l = await book(p.id, unique('late'));
  const from = "date_trunc('minute', now()) - interval '3 hours'";
  const to = "date_trunc('minute', now()) - interval '2 hours'";
  sql(`UPDATE museum.slot SET start_at = ${from}, end_at = ${to} WHERE museum_id = ${p.id};
       UPDATE book.booking SET slot_start = ${from}, slot_end = ${to} WHERE id = ${l.id};
       UPDATE confirm.confirmation SET slot_start = ${from} WHERE book_id = ${l.id};
       UPDATE mypage.entry SET slot_start = ${from}, slot_end = ${to} WHERE book_id = ${l.id}`);
  const r3 = await checkin({ code: codeOf(l.id), nonce: randomUUID() });
  assertProblem(r3, 409);
  assert.equal(r3.json.reason, 'too_late');

  const nonce = randomUUID();
  const u = await checkin({ code: 'ZZZZZZZZZZ', nonce });
  assertProblem(u, 404);
  assert.equal((await checkin({ code: 'ZZZZZZZZZZ', nonce })).text, u.text, 'an unknown code replays too');
  assert.equal(sql(`SELECT result FROM door.scan WHERE nonce = '${nonce}'`), 'unknown', 'recorded');

  for (const body of [{ code: 'ABCDEFGHJU', nonce: randomUUID() }, { code: '12345', nonce: randomUUID() },
    { code: codeOf(c.id), nonce: 'not a nonce' }, { code: codeOf(c.id), nonce: randomUUID(), type: 'in' },
    { code: codeOf(c.id), nonce: randomUUID(), gate: 'g'.repeat(41) }, { code: codeOf(c.id) },
    { code: codeOf(c.id), nonce: randomUUID(), extra: 1 }]) {
    const r = await checkin(body);
    assertProblem(r, 422);
  }
  assert.equal(scans(c.id), 1, 'malformed scans record nothing');
});

test('20 scanners racing on one code admit it exactly once', async () => {
  const m = await todays();
  const b = await book(m.id, unique('rush'), { tickets: { adult: 1, child: 2 } });
  const code = codeOf(b.id);
  const answers = await Promise.all(Array.from({ length: 20 }, () => checkin({ code, nonce: randomUUID() })));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, ...Array(19).fill(409)], answers.map((r) => r.text).join('\n'));
  assert.ok(answers.filter((r) => r.status === 409).every((r) => r.json.reason === 'already_admitted'));
  assert.equal(sql(`SELECT count(*) FROM door.scan WHERE book_id = ${b.id} AND result = 'admitted'`), '1');
  assert.equal(scans(b.id), 20);
});

test('an admitted booking can no longer be canceled (409); inside counts entries minus exits', async () => {
  const m = await todays();
  const a = await book(m.id, unique('two'), { tickets: { adult: 2 } });
  const c = await book(m.id, unique('three'), { tickets: { adult: 3 } });
  const inside = async (who = door) => {
    const r = await api('GET', `/museums/${m.id}/inside`, undefined, who.auth);
    assert.equal(r.status, 200, r.text);
    return r.json.inside;
  };
  assert.equal(await inside(), 0);
  assert.equal((await checkin({ code: codeOf(a.id), nonce: randomUUID() })).status, 201);
  assert.equal((await checkin({ code: codeOf(c.id), nonce: randomUUID(), type: 'entry' })).status, 201);
  assert.equal(await inside(), 5);
  const cancel = await api('PATCH', `/books/${a.id}`, { status: 'CANCELED' }, visitor(a.token));
  assertProblem(cancel, 409);
  assert.match(cancel.json.detail, /admitted/);
  assert.equal((await api('GET', `/books/${a.id}`, undefined, visitor(a.token))).json.status !== 'CANCELED', true);
  // Nor moved: its party is inside, its seats must not go back on sale.
  const left = (await api('GET', `/museums/${m.id}`)).json.pcnt;
  const move = await api('PATCH', `/books/${a.id}`, { tickets: { adult: 1 } }, visitor(a.token));
  assertProblem(move, 409);
  assert.match(move.json.detail, /admitted.*moved/);
  assert.equal((await api('GET', `/books/${a.id}`, undefined, visitor(a.token))).json.party, 2);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, left, 'no seat given back');
  const out = await checkin({ code: codeOf(a.id), nonce: randomUUID(), type: 'exit' });
  assert.equal(out.status, 201, out.text);
  assert.equal(out.json.result, 'exited');
  assert.equal(await inside(), 3);
  const twice = await checkin({ code: codeOf(a.id), nonce: randomUUID(), type: 'exit' });
  assertProblem(twice, 409);
  assert.equal(twice.json.reason, 'already_exited');
  const back = await checkin({ code: codeOf(a.id), nonce: randomUUID() });
  assert.equal(back.json.reason, 'already_admitted', 'admitted once: no re-entry');
  const never = await book(m.id, unique('never'));
  assert.equal((await checkin({ code: codeOf(never.id), nonce: randomUUID(), type: 'exit' })).json.reason, 'not_admitted');
  assert.equal((await staff('GET', `/museums/${m.id}/inside`)).json.inside, 3, 'admin sees it too');
  assertProblem(await api('GET', '/museums/999999999/inside', undefined, door.auth), 404);
  assertProblem(await api('GET', `/museums/${m.id}/inside`), 401);
});

test('a door account: 403 on the other staff routes, 200 on its own; not staff on a token route', async () => {
  const m = await todays();
  const b = await book(m.id, unique('listed'));
  const day = today();
  for (const [method, path, body] of [['POST', '/museums', { name: unique('No'), chkDate: '2031-01-01', pcnt: 1 }],
    ['PATCH', `/museums/${m.id}`, { name: 'x' }], ['DELETE', `/museums/${m.id}`], ['GET', '/books'],
    ['GET', `/books?day=${addDays(day, 1)}`], ['GET', `/books?museumId=${m.id}`], ['GET', '/confirms'],
    ['GET', '/myPages']]) {
    const r = await api(method, path, body, door.auth);
    assertProblem(r, 403);
    assert.equal(r.json.detail.includes('only check visitors in') || r.json.detail.includes('today'), true, r.text);
  }
  const list = await api('GET', `/books?day=${day}&museumId=${m.id}`, undefined, door.auth);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.map((x) => x.id), [b.id]);
  assertProblem(await api('GET', `/books/${b.id}`, undefined, door.auth), 404);
  assert.equal((await api('GET', `/books/${b.id}`, undefined, { ...door.auth, ...visitor(b.token) })).status, 200, 'with the token, as anyone');
  assert.equal((await api('GET', `/museums/${m.id}`, undefined, door.auth)).status, 200, 'public routes stay open');
  // An admin account may do what admin may.
  const boss = newAccount('admin');
  assert.equal((await api('GET', `/books?museumId=${m.id}`, undefined, boss.auth)).status, 200);
  assert.equal((await api('GET', `/books/${b.id}`, undefined, boss.auth)).status, 200);
  const created = await api('POST', '/museums', { name: unique('Boss'), chkDate: '2031-01-01', pcnt: 1 }, boss.auth);
  assert.equal(created.status, 201, created.text);
  assert.equal((await checkin({ code: codeOf(b.id), nonce: randomUUID() }, boss)).status, 201);
  assert.equal(sql(`SELECT device_user FROM door.scan WHERE book_id = ${b.id}`), boss.name, 'the scan names its device user');
  // The bootstrap admin checks in too.
  assert.equal((await staff('GET', `/museums/${m.id}/inside`)).status, 200);
});

test('credentials: a wrong password, an unknown user, staff-disable and staff-passwd are 401 from the next request on', async () => {
  const d = newAccount('door');
  const inside = (auth) => api('GET', '/museums/1/inside', undefined, auth);
  const ok = (r) => r.status === 200 || r.status === 404;
  assert.ok(ok(await inside(d.auth)));
  assert.ok(ok(await inside(d.auth)), 'again (the worker cached it)');
  assertProblem(await inside(basic(d.name, `${d.password}x`)), 401);
  assertProblem(await inside(basic(`${d.name}x`, d.password)), 401);
  assertProblem(await inside(basic('Door', d.password)), 401);
  const r = await inside(basic(d.name, 'wrong'));
  assert.match(r.headers.get('www-authenticate') ?? '', /^Basic /);
  // A new password: the old one is refused at once.
  const password = `pw-${randomUUID()}`;
  staffSh(['passwd', d.name], password);
  for (let i = 0; i < 4; i++) assertProblem(await inside(d.auth), 401); // whichever worker answers
  assert.ok(ok(await inside(basic(d.name, password))));
  // Disabled: refused at once, on every worker.
  staffSh(['disable', d.name]);
  for (let i = 0; i < 4; i++) assertProblem(await inside(basic(d.name, password)), 401);
  assert.match(staffSh(['list']), new RegExp(`${d.name} +\\| door`));
  // admin is the bootstrap account's name: not one of these.
  assert.throws(() => staffSh(['add', 'admin', 'door'], 'long enough password'));
  assert.throws(() => staffSh(['add', d.name, 'door'], 'long enough password'), 'names are unique');
  assert.throws(() => staffSh(['add', unique('x').replace(/ /g, ''), 'door'], 'short'), 'too short a password');
});
