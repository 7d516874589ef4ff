// One source for each rule several languages need: the statuses and limits
// are the database's constraints, and the copies the C checks
// (fcgi/validate.h) and the pages (www/js/rules.js, the HTML forms) need
// must equal them; the endpoints are the router's table (fcgi/route.c), and
// nginx passes exactly those to the pool, and the pages call only those.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { ROOT, sql } from './lib.mjs';
import * as rules from '../../www/js/rules.js';

const read = (path) => readFileSync(`${ROOT}${path}`, 'utf8');
const quoted = (text) => [...text.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
const constraint = (where) => sql(`SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c ${where}`);
const maxOf = (def) => Number(def.match(/<= (\d+)/)[1]);

const db = {
  statuses: quoted(constraint(`JOIN pg_type t ON t.oid = c.contypid
    WHERE t.typnamespace = 'book'::regnamespace AND t.typname = 'status'`)),
  canceled: quoted(constraint(`WHERE c.conname = 'booking_canceled_at'`)),
  exhibitionName: maxOf(constraint(`WHERE c.conrelid = 'museum.exhibition'::regclass
    AND pg_get_constraintdef(c.oid) LIKE '%char_length(name)%'`)),
  custNm: maxOf(constraint(`WHERE c.conrelid = 'book.booking'::regclass
    AND pg_get_constraintdef(c.oid) LIKE '%char_length(cust_nm)%'`)),
  capacity: maxOf(constraint(`WHERE c.conrelid = 'museum.exhibition'::regclass
    AND pg_get_constraintdef(c.oid) LIKE '%capacity <=%'`)),
  description: maxOf(constraint(`WHERE c.conname = 'exhibition_description'`)),
  email: maxOf(constraint(`WHERE c.conrelid = 'book.booking'::regclass
    AND pg_get_constraintdef(c.oid) LIKE '%char_length(email)%'`)),
  gate: maxOf(constraint(`WHERE c.conrelid = 'door.scan'::regclass
    AND pg_get_constraintdef(c.oid) LIKE '%char_length(gate)%'`)),
  staffName: Number(constraint(`WHERE c.conname = 'account_name'`).match(/\{1,(\d+)\}/)[1]),
  slotMinutes: constraint(`WHERE c.conname = 'exhibition_slot_minutes'`)
    .match(/slot_minutes >= (\d+)\) AND \(slot_minutes <= (\d+)/)
    .slice(1)
    .map(Number),
};
const header = read('fcgi/validate.h');
const define = (name) => header.match(new RegExp(`#define ${name} (.+?)(?:\\s*/\\*.*)?$`, 'm'))[1];

test('the statuses: database, C and pages agree', () => {
  assert.equal(db.statuses.length, 4, `the book.status domain: ${db.statuses}`);
  assert.deepEqual(quoted(define('VALIDATE_BOOK_STATUSES').replaceAll('"', "'")), db.statuses);
  assert.deepEqual(rules.BOOK_STATUSES, db.statuses);
  const live = db.statuses.filter((s) => !db.canceled.includes(s));
  assert.deepEqual([...rules.LIVE_STATUSES], live, 'live = not canceled (booking_canceled_at)');
  const i18n = read('www/js/i18n.js');
  for (const s of db.statuses) {
    assert.equal(i18n.split(`'status.${s}':`).length - 1, 2, `status.${s} has an English and a Korean label`);
  }
});

test('the limits: database, C, pages and forms agree', () => {
  assert.equal(db.exhibitionName, db.custNm, 'one name limit for exhibitions and visitors');
  assert.equal(Number(define('VALIDATE_NAME_MAX')), db.exhibitionName);
  assert.equal(rules.NAME_MAX, db.exhibitionName);
  assert.equal(Number(define('VALIDATE_CAPACITY_MAX')), db.capacity);
  assert.equal(rules.CAPACITY_MAX, db.capacity);
  assert.equal(Number(define('VALIDATE_EMAIL_MAX')), db.email);
  // What each form field may hold, by its id; a ticket code may be typed
  // with spaces or hyphens between its 10 characters (the door normalises).
  const limitOf = (tag) =>
    /id="(edit-)?description"/.test(tag) ? db.description
      : /id="(access-)?email"/.test(tag) ? db.email
        : /id="door-gate"/.test(tag) ? db.gate
          : /id="door-user"/.test(tag) ? db.staffName
            : /id="door-code"/.test(tag) ? 20
              : db.custNm;
  for (const page of ['www/index.html', 'www/book.html', 'www/my.html', 'www/admin/index.html', 'www/door/index.html']) {
    for (const [tag, n] of read(page).matchAll(/<[^>]* maxlength="(\d+)"/g)) {
      assert.equal(Number(n), limitOf(tag), `${page} maxlength of ${tag}`);
    }
    for (const [, n] of read(page).matchAll(/id="capacity"[^>]* max="(\d+)"/g)) assert.equal(Number(n), db.capacity, `${page} capacity max`);
  }
});

test('the timed-entry limits: database, C and pages agree; the party rules are the settings', async () => {
  assert.equal(Number(define('VALIDATE_DESCRIPTION_MAX')), db.description);
  assert.equal(rules.DESCRIPTION_MAX, db.description);
  assert.deepEqual([Number(define('VALIDATE_SLOT_MINUTES_MIN')), Number(define('VALIDATE_SLOT_MINUTES_MAX'))], db.slotMinutes);
  assert.deepEqual([rules.SLOT_MINUTES_MIN, rules.SLOT_MINUTES_MAX], db.slotMinutes);
  // Categories and the largest party are settings: GET /site answers them
  // as etc/museum.conf (the test stack's) sets them, and the pages read them there.
  const conf = Object.fromEntries(
    [...read('etc/museum.conf').matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]),
  );
  const site = await (await fetch(`${process.env.BASE_URL}/site`)).json();
  assert.deepEqual(site.categories, (process.env.TICKET_CATEGORIES || conf.TICKET_CATEGORIES).split(','));
  assert.equal(site.maxParty, Number(process.env.MAX_PARTY || conf.MAX_PARTY));
  assert.ok(site.maxParty <= Number(define('VALIDATE_PARTY_MAX')));
});

test('no other copy of the status list or the capacity limit in the C or the pages', () => {
  const sources = [
    ...readdirSync(`${ROOT}fcgi`).map((f) => `fcgi/${f}`),
    ...readdirSync(`${ROOT}www/js`).map((f) => `www/js/${f}`),
  ].filter((f) => !['fcgi/validate.h', 'www/js/rules.js'].includes(f));
  for (const file of sources) {
    read(file).split('\n').forEach((line, i) => {
      const named = new Set(db.statuses.filter((s) => new RegExp(`\\b${s}\\b`).test(line)));
      assert.ok(named.size < 2, `${file}:${i + 1} lists statuses: ${line.trim()}`);
      // In C the number is also a nanosecond factor: only a line about seats counts there.
      const aboutSeats = file.startsWith('www/') || /capacity|pcnt|seat/i.test(line);
      assert.ok(!(aboutSeats && new RegExp(`\\b${db.capacity}\\b`).test(line)), `${file}:${i + 1} repeats the capacity limit`);
    });
  }
});

test('the endpoints: the router table, nginx and the pages agree', () => {
  const routed = new Set([...read('fcgi/route.c').matchAll(/\{"[A-Z]+", "\/(\w+)/g)].map((m) => m[1]));
  const nginx = readdirSync(`${ROOT}nginx`).filter((f) => f.endsWith('.in')).map((f) => read(`nginx/${f}`)).join('\n');
  const passed = new Set();
  for (const [, names] of nginx.matchAll(/location ~ \^\/\(([\w|]+)\)/g)) names.split('|').forEach((n) => passed.add(n));
  for (const [, name] of nginx.matchAll(/location = \/([a-z]\w*)\s*\{/g)) passed.add(name);
  assert.deepEqual([...passed].sort(), [...routed].sort(), 'nginx passes exactly the routed collections');
  const called = new Set([...read('www/js/api.js').matchAll(/'\/(\w+)[?/']/g)].map((m) => m[1]));
  for (const name of called) assert.ok(routed.has(name), `www/js/api.js calls /${name}, which no route answers`);
});

test('every setting the programs read is documented in etc/museum.conf', () => {
  const conf = read('etc/museum.conf');
  const names = new Set();
  for (const file of readdirSync(`${ROOT}fcgi`).filter((f) => f.endsWith('.c'))) {
    for (const [, name] of read(`fcgi/${file}`).matchAll(/daemon_env_\w+\("([A-Z_]+)"/g)) names.add(name);
  }
  assert.ok(names.size >= 20, `settings found: ${[...names]}`);
  for (const name of names) assert.match(conf, new RegExp(`^#?${name}=`, 'm'), `${name} is not in etc/museum.conf`);
});
