// Hostile input: broken JSON, wrong types, overflows, NUL bytes, invalid
// UTF-8, huge bodies and headers, SQL and path injection, wrong methods,
// unknown fields. Each request gets its exact status and a problem body;
// and nothing at all is written by any of them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ADMIN_PASSWORD, api, BASE, basic, book, caughtUp, createMuseum, sql, staff, STAFF, visitor } from './lib.mjs';

let museum;
let booking;
const state = () => sql(`SELECT (SELECT count(*) FROM museum.exhibition) || '/' ||
  (SELECT sum(seats_left) FROM museum.slot) || '/' || (SELECT count(*) FROM museum.slot) || '/' || (SELECT count(*) FROM museum.exhibition WHERE deleted_at IS NOT NULL) || '/' ||
  (SELECT count(*) FROM book.booking) || '/' || (SELECT count(*) FROM book.booking WHERE status IN ('CANCELED', 'FORCE_CANCELED')) || '/' ||
  (SELECT count(*) FROM outbox.event) || '/' || (SELECT count(*) FROM book.idempotency) || '/' ||
  (SELECT count(*) FROM confirm.confirmation) || '/' || (SELECT count(*) FROM mypage.entry)`);

before(async () => {
  museum = await createMuseum(5);
  booking = await book(museum.id);
  await caughtUp();
});

// One raw HTTP/1.1 exchange (for what fetch will not send). Returns { status, headers, text, json }.
function raw(request) {
  const { hostname, port } = new URL(BASE);
  return new Promise((resolve, reject) => {
    const chunks = [];
    const socket = net.connect(Number(port), hostname, () => socket.write(request)); // no half-close: nginx would drop the request
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = all.split('\r\n\r\n');
      let body = rest.join('\r\n\r\n');
      const lines = head.split('\r\n');
      const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
        let out = '';
        for (let i = 0; ;) {
          const eol = body.indexOf('\r\n', i);
          const n = parseInt(body.slice(i, eol), 16);
          if (!n) break;
          out += body.slice(eol + 2, eol + 2 + n);
          i = eol + 2 + n + 2;
        }
        body = out;
      }
      let json;
      try { json = JSON.parse(Buffer.from(body, 'latin1').toString('utf8')); } catch { json = undefined; }
      resolve({ status: Number(lines[0].split(' ')[1]), headers: { get: (k) => headers.get(k.toLowerCase()) ?? null }, text: body, json });
    });
  });
}

const J = { 'Content-Type': 'application/json' };
const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

// [title, () => request, status, field (422: must be in errors)]
function cases() {
  const m = museum.id;
  const b = booking.id;
  const me = visitor(booking.token);
  const post = (body, headers = {}) => () => api('POST', '/books', body, headers);
  const postRaw = (buf, headers = J) => () => fetch(`${BASE}/books`, { method: 'POST', headers, body: buf }).then(wrap);
  const museumPost = (body) => () => staff('POST', '/museums', body);
  const patch = (body, headers = me) => () => api('PATCH', `/books/${b}`, body, headers);
  const get = (path, headers = {}) => () => api('GET', path, undefined, headers);
  const nest = (n) => '{"a":' + '['.repeat(n) + ']'.repeat(n) + '}';
  const deepObj = (n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  return [
    // Malformed JSON -> 400
    ['truncated object', post('{"museumId":1,'), 400],
    ['array body', post('[1,2]'), 400],
    ['string body', post('"museumId"'), 400],
    ['number body', post('42'), 400],
    ['null body', post('null'), 400],
    ['empty body', post(''), 400],
    ['whitespace body', post('  \n '), 400],
    ['trailing garbage', post(`{"museumId":${m},"custNm":"a"} x`), 400],
    ['two JSON values', post(`{"museumId":${m}}{"custNm":"a"}`), 400],
    ['single quotes', post(`{'museumId':${m},'custNm':'a'}`), 400],
    ['NaN', post('{"museumId":NaN,"custNm":"a"}'), 400],
    ['Infinity', post('{"museumId":Infinity,"custNm":"a"}'), 400],
    ['-Infinity', post('{"museumId":-Infinity,"custNm":"a"}'), 400],
    ['number "1."', post(`{"museumId":${m}.,"custNm":"a"}`), 400],
    ['number "-.5"', post('{"museumId":-.5,"custNm":"a"}'), 400],
    ['leading zero', post('{"museumId":01,"custNm":"a"}'), 400],
    ['hex number', post('{"museumId":0x10,"custNm":"a"}'), 400],
    ['plus sign', post(`{"museumId":+${m},"custNm":"a"}`), 400],
    ['trailing comma', post(`{"museumId":${m},"custNm":"a",}`), 400],
    ['comment', post(`{"museumId":${m},"custNm":"a" /* c */}`), 400],
    ['nested 100 arrays deep', post(nest(100)), 400],
    ['nested 20 objects deep', post(deepObj(20)), 400],
    ['nested 100000 arrays deep', post(nest(8000)), 400],
    ['duplicate member name', post(`{"museumId":${m},"museumId":${m},"custNm":"a"}`), 400],
    ['raw tab in a string', post(`{"museumId":${m},"custNm":"a\tb"}`), 400],
    ['raw newline in a string', post(`{"museumId":${m},"custNm":"a\nb"}`), 400],
    ['lone high surrogate', post(`{"museumId":${m},"custNm":"\\ud800"}`), 400],
    ['lone low surrogate', post(`{"museumId":${m},"custNm":"\\udc00x"}`), 400],
    ['NUL escape in a member name', post(`{"museumId":${m},"custNm\\u0000x":"a","custNm":"b"}`), 400],
    ['bad escape', post(`{"museumId":${m},"custNm":"\\x41"}`), 400],
    ['invalid UTF-8 byte', postRaw(bytes(`{"museumId":${m},"custNm":"a`, [0xff], '"}')), 400],
    ['overlong UTF-8', postRaw(bytes(`{"museumId":${m},"custNm":"a`, [0xc0, 0xaf], '"}')), 400],
    ['UTF-8 encoded surrogate', postRaw(bytes(`{"museumId":${m},"custNm":"a`, [0xed, 0xa0, 0x80], '"}')), 400],
    ['truncated UTF-8', postRaw(bytes(`{"museumId":${m},"custNm":"a`, [0xe2, 0x82], '"}')), 400],
    ['raw NUL byte', postRaw(bytes(`{"museumId":${m},"custNm":"a`, [0], 'b"}')), 400],
    ['byte order mark', postRaw(bytes([0xef, 0xbb, 0xbf], `{"museumId":${m},"custNm":"a"}`)), 400],
    // Wrong types, ranges, lengths -> 422 naming the field
    // A string of decimal digits is an id (the original system accepted it); nothing else in a string is.
    ['id as a decimal string', post({ museumId: `${m}.0`, custNm: 'a' }), 422, 'museumId'],
    ['id as a string with a space', post({ museumId: ` ${m}`, custNm: 'a' }), 422, 'museumId'],
    ['id as a string with a leading zero', post({ museumId: `0${m}`, custNm: 'a' }), 422, 'museumId'],
    ['id as a string in exponent form', post({ museumId: '1e3', custNm: 'a' }), 422, 'museumId'],
    ['id as a string with a suffix', post({ museumId: '01x', custNm: 'a' }), 422, 'museumId'],
    ['id as a string too large', post({ museumId: '99999999999999999999', custNm: 'a' }), 422, 'museumId'],
    ['party of 0', post({ museumId: m, custNm: 'a', tickets: { adult: 0 } }), 422, 'tickets'],
    ['party of 11', post({ museumId: m, custNm: 'a', tickets: { adult: 6, senior: 5 } }), 422, 'tickets'],
    ['unknown ticket category', post({ museumId: m, custNm: 'a', tickets: { student: 1 } }), 422, 'tickets'],
    ['a count as a string', post({ museumId: m, custNm: 'a', tickets: { adult: '1' } }), 422, 'tickets'],
    ['a slot with SQL', post({ museumId: m, custNm: 'a', slot: "2031-07-26T09:00'; --" }), 422, 'slot'],
    ['a slot of 10,000 characters', post({ museumId: m, custNm: 'a', slot: '2'.repeat(10000) }), 422, 'slot'],
    ['a slot with a short offset', post({ museumId: m, custNm: 'a', slot: '2031-07-26T09:00+9' }), 422, 'slot'],
    ['a slot with a bare sign', post({ museumId: m, custNm: 'a', slot: '2031-07-26T09:00+' }), 422, 'slot'],
    ['id as a fraction', post(`{"museumId":${m}.5,"custNm":"a"}`), 422, 'museumId'],
    ['id as 1.0', post(`{"museumId":${m}.0,"custNm":"a"}`), 422, 'museumId'],
    ['id in exponent form', post('{"museumId":1e3,"custNm":"a"}'), 422, 'museumId'],
    ['id as a boolean', post({ museumId: true, custNm: 'a' }), 422, 'museumId'],
    ['id as null', post({ museumId: null, custNm: 'a' }), 422, 'museumId'],
    ['id as an array', post({ museumId: [m], custNm: 'a' }), 422, 'museumId'],
    ['id as an object', post({ museumId: { id: m }, custNm: 'a' }), 422, 'museumId'],
    ['id zero', post({ museumId: 0, custNm: 'a' }), 422, 'museumId'],
    ['id negative', post({ museumId: -m, custNm: 'a' }), 422, 'museumId'],
    ['id 2^53', post('{"museumId":9007199254740992,"custNm":"a"}'), 422, 'museumId'],
    ['id beyond int64', post('{"museumId":99999999999999999999,"custNm":"a"}'), 422, 'museumId'],
    ['id below int64', post('{"museumId":-9223372036854775809,"custNm":"a"}'), 422, 'museumId'],
    ['id 1e400', post('{"museumId":1e400,"custNm":"a"}'), 422, 'museumId'],
    ['name as a number', post({ museumId: m, custNm: 123 }), 422, 'custNm'],
    ['name empty', post({ museumId: m, custNm: '' }), 422, 'custNm'],
    ['name blank', post({ museumId: m, custNm: ' \u3000 ' }), 422, 'custNm'],
    ['name of 201 characters', post({ museumId: m, custNm: '가'.repeat(201) }), 422, 'custNm'],
    ['name with an escaped NUL', post({ museumId: m, custNm: 'a\u0000b' }), 422, 'custNm'],
    ['name with a control character', post({ museumId: m, custNm: 'a\u0007b' }), 422, 'custNm'],
    ['name missing', post({ museumId: m }), 422, 'custNm'],
    ['unknown field', post({ museumId: m, custNm: 'a', admin: true }), 422, 'admin'],
    ['__proto__ field', post(`{"museumId":${m},"custNm":"a","__proto__":{"admin":true}}`), 422, '__proto__'],
    ['status on create', post({ museumId: m, custNm: 'a', status: 'REQUEST_COMPLETED' }), 422, 'status'],
    ['not a leap day', post({ museumId: m, custNm: 'a', chkDate: '2021-02-29' }), 422, 'chkDate'],
    ['month 13', post({ museumId: m, custNm: 'a', chkDate: '20211301' }), 422, 'chkDate'],
    ['year 0', post({ museumId: m, custNm: 'a', chkDate: '0000-01-01' }), 422, 'chkDate'],
    ['capacity beyond the maximum', museumPost({ name: 'X', chkDate: '20300101', pcnt: 1000001 }), 422, 'pcnt'],
    ['capacity beyond int32', museumPost({ name: 'X', chkDate: '20300101', capacity: 2147483648 }), 422, 'capacity'],
    ['capacity as a string', museumPost({ name: 'X', chkDate: '20300101', capacity: '100' }), 422, 'capacity'],
    // SQL and path injection
    ['SQL in a name, unknown exhibition', post({ museumId: 9007199254740991, custNm: "x'); DROP TABLE book.booking; --" }), 404],
    ['SQL in a query id', get('/books?museumId=1%20OR%201=1', STAFF), 400],
    ['SQL in a path id', get('/museums/1;DROP%20TABLE%20museum.exhibition'), 404],
    ['SQL in a list filter, no credentials', get("/myPages?custNm='%20OR%20'1'='1"), 401],
    ['path traversal, encoded', get('/museums/..%2f..%2fetc%2fpasswd'), 400],
    ['path traversal above the root', () => raw('GET /museums/1/../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 400],
    ['path traversal into a page', () => raw('GET /museums/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 400],
    ['encoded NUL in the path', get('/museums/%00'), 400],
    ['CR LF in the path', get('/museums/1%0d%0aSet-Cookie:%20x=1'), 404],
    ['id in exponent form in the path', get('/books/1e3', STAFF), 404],
    ['negative id in the path', get('/books/-1', STAFF), 404],
    ['internal location', get('/_problem/404.json'), 404],
    ['query: limit 0', get('/museums?limit=0'), 400],
    ['query: limit too large', get('/museums?limit=1001'), 400],
    ['query: bad escape', get('/museums?limit=%zz'), 400],
    ['query: encoded NUL', get('/museums?limit=1%00'), 400],
    ['query: unknown parameter', get('/museums?limit=1&admin=1'), 400],
    ['query: invalid UTF-8 name', get('/books?custNm=%ff', STAFF), 400],
    ['query: lowercase status', get('/books?status=canceled', STAFF), 400],
    // Wrong methods -> 405 with Allow
    ['DELETE /books', () => api('DELETE', '/books'), 405],
    ['PUT /museums', () => staff('PUT', '/museums', {}), 405],
    ['POST /museums/{id}', () => staff('POST', `/museums/${m}`, {}), 405],
    ['PATCH /confirms/1', () => api('PATCH', '/confirms/1', {}), 405],
    ['made-up method', () => raw('FOO /museums HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 405],
    ['POST to a page', () => api('POST', '/index.html', {}), 405],
    // Media type, length, sizes
    ['text/plain', post(`{"museumId":${m},"custNm":"a"}`, { 'Content-Type': 'text/plain' }), 415],
    ['no Content-Type', postRaw(`{"museumId":${m},"custNm":"a"}`, {}), 415],
    ['application/jsonx', post(`{"museumId":${m},"custNm":"a"}`, { 'Content-Type': 'application/jsonx' }), 415],
    ['body over 16 KiB', post(`{"museumId":${m},"custNm":"${'x'.repeat(16 * 1024)}"}`), 413],
    ['1 MiB body', postRaw('['.repeat(1 << 20)), 413],
    ['header over 8 KiB', get('/museums', { 'X-Filler': 'x'.repeat(9000) }), 431],
    ['URI over 8 KiB', get(`/museums?limit=1&${'a'.repeat(9000)}=1`), 414],
    ['bad Content-Length', () => raw('POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}'), 400],
    ['no Host header', () => raw('GET /museums HTTP/1.1\r\nConnection: close\r\n\r\n'), 400],
    ['Idempotency-Key of 256 characters', post({ museumId: m, custNm: 'a' }, { 'Idempotency-Key': 'k'.repeat(256) }), 400],
    ['Idempotency-Key empty', post({ museumId: m, custNm: 'a' }, { 'Idempotency-Key': '' }), 400],
    ['Idempotency-Key not ASCII', post({ museumId: m, custNm: 'a' }, { 'Idempotency-Key': 'cl\u00e9' }), 400],
    // Credentials
    ['garbage Basic credentials', get('/museums', { Authorization: 'Basic !!!' }), 401],
    ['Bearer instead of Basic', get('/museums', { Authorization: 'Bearer x' }), 401],
    ['Basic without a password', get('/books', { Authorization: `Basic ${Buffer.from('admin').toString('base64')}` }), 401],
    ['Basic with part of the password', get('/books', basic('admin', ADMIN_PASSWORD.slice(0, -1))), 401],
    ['Basic with the password and more', get('/books', basic('admin', `${ADMIN_PASSWORD}x`)), 401],
    ['Basic with another user', get('/books', basic('root', ADMIN_PASSWORD)), 401],
    // Status changes: only a cancel, only the status field
    ['status with an unknown field', patch({ status: 'CANCELED', pcnt: 5 }), 422, 'pcnt'],
    ['status in lowercase', patch({ status: 'canceled' }), 422, 'status'],
    ['status as a number', patch({ status: 1 }), 422, 'status'],
    ['status null', patch({ status: null }), 422, 'status'],
    ['status as an array', patch({ status: ['CANCELED'] }), 422, 'status'],
    ['PUT with a decimal string id', () => api('PUT', `/books/${b}`, { status: 'CANCELED', museumId: `${m}.0` }, me), 422, 'museumId'],
    ['PATCH with a slot and a status', () => api('PATCH', `/books/${b}`, { status: 'CANCELED', slot: '2031-07-26T09:00' }, me), 422, 'status'],
    ['PATCH with tickets of 0', () => api('PATCH', `/books/${b}`, { tickets: { adult: 0 } }, me), 422, 'tickets'],
    ['PATCH with a slot of 10,000 characters', () => api('PATCH', `/books/${b}`, { slot: '9'.repeat(10000) }, me), 422, 'slot'],
    ['status FORCE_CANCELED by a visitor', patch({ status: 'FORCE_CANCELED' }), 409],
    ['cancel without the token', patch({ status: 'CANCELED' }, {}), 404],
    ['cancel with a forged token', patch({ status: 'CANCELED' }, visitor('0'.repeat(64))), 404],
    ['cancel with a malformed token', patch({ status: 'CANCELED' }, visitor("' OR 1=1 --")), 404],
  ];
}

async function wrap(res) {
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

test('hostile requests get their exact status and a problem body, and write nothing', async () => {
  const list = cases();
  assert.ok(list.length >= 60, `${list.length} cases`);
  const before = state();
  const failures = [];
  for (const [title, send, status, field] of list) {
    const r = await send();
    const why = [];
    if (r.status !== status) why.push(`status ${r.status}, expected ${status}`);
    if (!/^application\/problem\+json/.test(r.headers.get('content-type') ?? '')) why.push(`content-type ${r.headers.get('content-type')}`);
    if (r.json?.status !== r.status || typeof r.json?.title !== 'string' || !r.json?.detail) why.push('not a problem body');
    if (field && !(r.json?.errors && field in r.json.errors)) why.push(`errors lacks ${field}`);
    if (r.status === 405 && !r.headers.get('allow') && title !== 'POST to a page') why.push('no Allow');
    if (r.status === 401 && !/^Basic realm="SK Museum staff"/.test(r.headers.get('www-authenticate') ?? '')) why.push('no WWW-Authenticate');
    if (why.length) failures.push(`${title}: ${why.join('; ')} — ${r.text.slice(0, 200)}`);
  }
  assert.deepEqual(failures, []);
  await caughtUp();
  assert.equal(state(), before, 'nothing was written');
  // The booking used above is untouched and still the visitor's.
  const mine = await api('GET', `/books/${booking.id}`, undefined, visitor(booking.token));
  assert.equal(mine.status, 200);
  assert.equal(mine.json.status, 'REQUEST_COMPLETED');
});

test('the workers survived all of it', async () => {
  const r = await api('GET', `/museums/${museum.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.pcnt, 4);
});
