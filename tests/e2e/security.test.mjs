// The deployment around the API: headers, limits, the database role the
// application runs as, the staff password file, logs without tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, readFileSync } from 'node:fs';
import { api, book, createMuseum, eventually, sql, VAR, visitor } from './lib.mjs';

const SECURITY_HEADERS = {
  'content-security-policy': /default-src 'self'.*script-src 'self'.*object-src 'none'.*frame-ancestors 'none'/,
  'x-content-type-options': /^nosniff$/,
  'referrer-policy': /^no-referrer$/,
  'x-frame-options': /^DENY$/,
};

test('pages, API answers and nginx errors carry the security headers; no version is told', async () => {
  for (const path of ['/', '/book.html', '/my.html', '/admin/', '/js/api.js', '/museums', '/books/1', '/no/such/page']) {
    const r = await api('GET', path);
    for (const [name, re] of Object.entries(SECURITY_HEADERS)) {
      assert.match(r.headers.get(name) ?? '', re, `${path}: ${name}`);
    }
    assert.equal(r.headers.get('server'), 'nginx', `${path}: server_tokens off`);
  }
});

test('the application connects as museum_app, the listeners as museum_listener', () => {
  assert.equal(sql(`SELECT string_agg(DISTINCT application_name || '=' || usename, ',' ORDER BY application_name || '=' || usename)
    FROM pg_stat_activity WHERE application_name IN ('museum-app', 'museum-listener')`),
  'museum-app=museum_app,museum-listener=museum_listener');
  assert.equal(sql(`SELECT bool_or(rolsuper) FROM pg_roles WHERE rolname IN ('museum_app', 'museum_listener')`), 'f');
});

test('the generated staff password is kept with mode 600', () => {
  const st = statSync(`${VAR}/admin-password`);
  assert.equal(st.mode & 0o777, 0o600);
  assert.ok(readFileSync(`${VAR}/admin-password`, 'utf8').trim().length >= 20);
});

test('tokens in query strings are not written to the access log', async () => {
  const m = await createMuseum(2);
  const b = await book(m.id);
  const r = await api('GET', `/books/${b.id}?token=${b.token}`);
  assert.equal(r.status, 200);
  await eventually(() => readFileSync(`${VAR}/log/nginx-access.log`, 'utf8').includes(`/books/${b.id}?token=[redacted]`),
    5000, 'the access log line');
  assert.ok(!readFileSync(`${VAR}/log/nginx-access.log`, 'utf8').includes(b.token));
  assert.ok(!readFileSync(`${VAR}/log/app.log`, 'utf8').includes(b.token));
  assert.equal((await api('GET', `/books/${b.id}`, undefined, visitor(b.token))).json.id, b.id);
});
