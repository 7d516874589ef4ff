// Who may do what: every route of the API × every kind of caller, from the
// route table below. A 404 for someone else's booking must read exactly as
// the 404 for an id that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, basic, book, caughtUp, createMuseum, sql, STAFF, unique, visitor } from './lib.mjs';

const CALLERS = {
  none: () => ({}),
  wrongPassword: () => basic('admin', 'not the password'),
  otherToken: (f) => visitor(f.other.token),
  ownToken: (f) => visitor(f.own.token),
  staff: () => STAFF,
};

// Lists answered to a token holder must hold only rows of that holder.
const onlyCust = (f, caller, rows) => {
  const cust = { otherToken: f.other.custNm, ownToken: f.own.custNm }[caller];
  return cust === undefined || rows.every((r) => r.custNm === cust);
};
const hasOwn = (f, rows) => rows.some((r) => (r.bookId ?? r.id) === f.own.id);

// [method, path(f), body(f), expected status per caller (in CALLERS order), check(f, caller, json)]
const ROUTES = [
  ['GET', () => '/museums', null, [200, 401, 200, 200, 200]],
  ['GET', (f) => `/museums/${f.museum.id}`, null, [200, 401, 200, 200, 200]],
  ['POST', () => '/museums', () => ({ name: unique('Authz'), chkDate: '2031-01-01', pcnt: 3 }), [401, 401, 401, 401, 201]],
  ['DELETE', (f) => `/museums/${f.museum.id}`, null, [401, 401, 401, 401, 204]],
  ['POST', () => '/books', (f) => ({ museumId: f.museum.id, custNm: unique('booker') }), [201, 401, 201, 201, 201],
    (f, caller, json) => /^[0-9a-f]{64}$/.test(json.token)],
  ['GET', () => '/books', null, [401, 401, 401, 401, 200]],
  ['GET', (f) => `/books?museumId=${f.museum.id}`, null, [401, 401, 401, 401, 200], (f, c, rows) => hasOwn(f, rows)],
  ['GET', (f) => `/books/${f.own.id}`, null, [404, 401, 404, 200, 200], (f, c, json) => json.id === f.own.id],
  ['PATCH', (f) => `/books/${f.own.id}`, () => ({ status: 'CANCELED' }), [404, 401, 404, 200, 200],
    (f, c, json) => json.status === 'CANCELED'],
  ['PUT', (f) => `/books/${f.own.id}`, () => ({ status: 'CANCELED' }), [404, 401, 404, 200, 200]],
  ['GET', () => '/confirms', null, [401, 401, 200, 200, 200], (f, c, rows) => onlyCust(f, c, rows)],
  ['GET', (f) => `/confirms?bookId=${f.own.id}`, null, [401, 401, 404, 200, 200], (f, c, rows) => hasOwn(f, rows)],
  ['GET', (f) => `/confirms/${f.confirmId}`, null, [404, 401, 404, 200, 200], (f, c, json) => json.bookId === f.own.id],
  // MyPage lists are staff's: a name is no identity (issue 14).
  ['GET', () => '/myPages', null, [401, 401, 401, 401, 200]],
  ['GET', (f) => `/myPages?custNm=${encodeURIComponent(f.own.custNm)}`, null, [401, 401, 401, 401, 200],
    (f, c, rows) => hasOwn(f, rows)],
  ['GET', (f) => `/myPages?bookId=${f.own.id}`, null, [401, 401, 401, 401, 200], (f, c, rows) => hasOwn(f, rows)],
  ['GET', (f) => `/myPages/${f.myPageId}`, null, [404, 401, 404, 200, 200], (f, c, json) => json.bookId === f.own.id],
  // The token in the query (for links); an X-Booking-Token header takes precedence.
  ['GET', (f) => `/books/${f.own.id}?token=${f.own.token}`, null, [200, 401, 404, 200, 200], (f, c, json) => json.id === f.own.id],
  ['GET', (f) => `/myPages?token=${f.own.token}`, null, [401, 401, 401, 401, 200]],
  // Tickets (issue 14).
  ['GET', (f) => `/books/${f.own.id}/qr.svg`, null, [404, 401, 404, 200, 200]],
  ['GET', (f) => `/books/${f.own.id}/visit.ics`, null, [404, 401, 404, 200, 200]],
  ['POST', () => '/visitors/access', () => ({ email: `authz-${Math.random().toString(36).slice(2)}@authz.test` }),
    [202, 401, 202, 202, 202], (f, c, json) => json.status === 'sent'],
  ['GET', () => '/myBookings', null, [401, 401, 401, 401, 401]],
];

// One exhibition with two visitors' bookings per route, all made first,
// then the listener's confirmations and MyPage rows waited for once.
async function fixtures(n) {
  const list = [];
  for (let i = 0; i < n; i++) {
    const museum = await createMuseum(20);
    list.push({ museum, own: await book(museum.id, unique('own')), other: await book(museum.id, unique('other')) });
  }
  await caughtUp();
  const ids = new Map(sql(`SELECT c.book_id || ' ' || c.id || ' ' || m.id FROM confirm.confirmation c
    JOIN mypage.entry m USING (book_id) WHERE c.book_id IN (${list.map((f) => f.own.id).join(',')})`)
    .split('\n').map((l) => l.split(' ').map(Number)).map(([b, c, m]) => [b, { confirmId: c, myPageId: m }]));
  return list.map((f) => ({ ...f, ...ids.get(f.own.id) }));
}

// The 404 a caller gets for an id that surely does not exist, on the same route.
async function missing404(path, method, body) {
  const ghost = path.replace(/\/(\d+)(\/|\?|$)/, '/9007199254740991$2');
  return api(method, ghost, body, STAFF);
}

test('authorisation matrix: every route × every kind of caller', async () => {
  const failures = [];
  let cells = 0;
  const all = await fixtures(ROUTES.length);
  for (const [method, path, body, expected, check] of ROUTES) {
    const f = all.shift();
    const names = Object.keys(CALLERS);
    for (let i = 0; i < names.length; i++) {
      const caller = names[i];
      const p = path(f);
      const payload = body ? body(f) : undefined;
      const r = await api(method, p, payload, CALLERS[caller](f));
      cells++;
      const label = `${method} ${p.replace(/token=[0-9a-f]+/, 'token=…')} as ${caller}`;
      if (r.status !== expected[i]) {
        failures.push(`${label}: ${r.status}, expected ${expected[i]} — ${r.text.slice(0, 160)}`);
        continue;
      }
      // A sign-in link's token is asked for with a challenge of its own.
      const challenge = p === '/myBookings' && caller !== 'wrongPassword' ? /^AccessToken realm="SK Museum visitors"/
        : /^Basic realm="SK Museum staff"/;
      if (r.status === 401 && !challenge.test(r.headers.get('www-authenticate') ?? '')) {
        failures.push(`${label}: 401 without a Basic challenge`);
      }
      if (r.status === 404 && /\/\d+/.test(p)) {
        const ghost = await missing404(p, method, payload);
        const expectDetail = ghost.json?.detail?.replace('9007199254740991', String(p.match(/\/(\d+)/)[1]));
        if (r.json?.detail !== expectDetail) failures.push(`${label}: 404 detail "${r.json?.detail}" differs from a missing id's "${expectDetail}"`);
      }
      if (r.status < 300 && r.status !== 204 && check && !check(f, caller, r.json)) {
        failures.push(`${label}: unexpected answer ${r.text.slice(0, 200)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.equal(cells, ROUTES.length * 5);
});

test('a token opens only its own booking, even among one visitor’s bookings', async () => {
  const museum = await createMuseum(5);
  const cust = unique('twice');
  const first = await book(museum.id, cust);
  const second = await book(museum.id, cust);
  await caughtUp();
  assert.equal((await api('GET', `/books/${second.id}`, undefined, visitor(first.token))).status, 404);
  assert.equal((await api('PATCH', `/books/${second.id}`, { status: 'CANCELED' }, visitor(first.token))).status, 404);
  // ... and lists no MyPage, not even the visitor's (a name is no identity).
  const mine = await api('GET', `/myPages?custNm=${encodeURIComponent(cust)}`, undefined, visitor(first.token));
  assert.equal(mine.status, 401);
  assert.equal(sql(`SELECT status FROM book.booking WHERE id = ${second.id}`), 'REQUEST_COMPLETED');
});

test('tokens are stored only as sha256 and are 256 random bits', async () => {
  const museum = await createMuseum(3);
  const a = await book(museum.id);
  const b = await book(museum.id);
  assert.notEqual(a.token, b.token);
  assert.equal(sql(`SELECT encode(token_hash, 'hex') FROM book.booking WHERE id = ${a.id}`),
    sql(`SELECT encode(sha256('${a.token}'::bytea), 'hex')`));
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE token_hash::text LIKE '%${a.token}%'`), '0');
  // Later reads never answer the token again.
  const again = await api('GET', `/books/${a.id}`, undefined, visitor(a.token));
  assert.equal(again.json.token, undefined);
});
