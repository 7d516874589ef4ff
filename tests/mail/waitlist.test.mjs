// The waiting list's emails (issue 15; docs/mail.md), through the real
// stack: entries joined over HTTP, the real listener offering freed seats
// (waitlist.tick), expiring offers and composing the emails into the
// Maildir; messages read back with Python's email package (parse.py).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  api, caughtUp, createExhibition, eventually, listenerPids, ROOT, sql, staff, unique, visitor,
} from '../e2e/lib.mjs';
import { filesOf, mailOf, textOf } from './maildir.mjs';

const STACK = `${ROOT}scripts/stack.sh`;

// The listeners as scripts/stack.sh starts them (MAIL_DIR, PUBLIC_URL,
// TICKET_SEAL_KEY): earlier tests may have started their own.
before(async () => {
  for (const pid of listenerPids()) process.kill(pid, 'SIGTERM');
  await eventually(() => listenerPids().length === 0, 15000, 'the listeners to stop');
  execFileSync(STACK, ['listeners'], { stdio: 'inherit' });
});


const messagesOf = (entryId) =>
  sql(`SELECT coalesce(json_agg(m ORDER BY id), '[]') FROM (SELECT id, kind, to_addr, lang,
         sent_at IS NOT NULL AS sent, obsolete_at IS NOT NULL AS obsolete, secret_sealed IS NOT NULL AS sealed
       FROM mail.message WHERE entry_id = ${entryId}) m`);
// Waits until entry entryId has kinds (in order), all sent; returns the rows.
async function sentFor(entryId, kinds, timeoutMs = 15000) {
  return eventually(() => {
    const rows = JSON.parse(messagesOf(entryId));
    return rows.length === kinds.length && rows.every((r, i) => r.kind === kinds[i] && r.sent) && rows;
  }, timeoutMs, `${kinds.join(', ')} sent for entry ${entryId} (now ${messagesOf(entryId)})`);
}

export async function join(museumId, slot, { email, lang, tickets = { adult: 1 } } = {}) {
  const body = { custNm: unique('Waiting'), slot, tickets };
  if (email) body.email = email;
  if (lang) body.lang = lang;
  const res = await api('POST', `/museums/${museumId}/waitlist`, body);
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.status, 'WAITING');
  return res.json;
}

// When entry id's offer runs out, in the museum's time, as the email says.
const heldUntil = (id, ko) => sql(`SELECT to_char(date_trunc('minute', offer_expires_at AT TIME ZONE 'Asia/Seoul'),
  ${ko ? `'YYYY"년" FMMM"월" FMDD"일"'` : `'FMDay FMDD FMMonth YYYY, HH24:MI'`}) FROM waitlist.entry WHERE id = ${id}`);
const koWeekday = (id) => '일월화수목금토'[Number(sql(`SELECT extract(dow FROM offer_expires_at AT TIME ZONE 'Asia/Seoul')
  FROM waitlist.entry WHERE id = ${id}`))];
const koTime = (id) => sql(`SELECT to_char(offer_expires_at AT TIME ZONE 'Asia/Seoul', 'HH24:MI') FROM waitlist.entry WHERE id = ${id}`);

test('an offer: the link with the token in its fragment, held until the right time; its expiry; the next one in Korean; canceled with the exhibition', async () => {
  const m = await createExhibition({ capacity: 2 });
  const slot = `${m.startDate}T10:00:00+09:00`;
  const full = await api('POST', '/books', { museumId: m.id, custNm: unique('Full'), slot, tickets: { adult: 2 } });
  assert.equal(full.status, 201, full.text);
  const one = await join(m.id, slot, { email: 'wl.one@example.com', tickets: { adult: 1, child: 1 } });
  const two = await join(m.id, slot, { email: 'wl.two@example.kr', lang: 'ko', tickets: { adult: 2 } });
  const silent = await join(m.id, slot, { tickets: { adult: 1 } });
  const three = await join(m.id, slot, { email: 'wl.three@example.com', tickets: { adult: 2 } });
  assert.deepEqual([one.position, two.position, silent.position, three.position], [1, 2, 3, 4]);
  await caughtUp();
  assert.equal(messagesOf(one.id), '[]', 'waiting: no email');

  // Seats come free: the first in the queue is offered them.
  const res = await api('PATCH', `/books/${full.json.id}`, { status: 'CANCELED' }, visitor(full.json.token));
  assert.equal(res.status, 200, res.text);
  const [offer] = await sentFor(one.id, ['WAITLIST_OFFER']);
  assert.equal(offer.sealed, false, 'the sealed token is erased once sent');
  assert.equal(sql(`SELECT token_sealed IS NULL FROM waitlist.entry WHERE id = ${one.id}`), 't', 'the entry keeps none');
  let mail = mailOf(offer.id);
  assert.equal(mail.headers.To, 'wl.one@example.com');
  assert.equal(mail.headers['Message-ID'], `<mail-${offer.id}@localhost>`);
  assert.ok(mail.headers.Subject.includes(m.name), mail.headers.Subject);
  assert.ok(!mail.parts.some((p) => p.type === 'text/calendar'), 'no calendar: not booked yet');
  let text = textOf(mail);
  assert.ok(text.includes(m.name), text);
  assert.match(text, /When: \w+ \d+ \w+ \d{4}, 10:00–11:00/, 'the slot in the museum\'s time');
  assert.match(text, /Party: 2 \(adult 1, child 1\)/);
  assert.ok(text.includes(`held for you until ${heldUntil(one.id)}.`), `held until ${heldUntil(one.id)}: ${text}`);
  const got = await api('GET', `/waitlist/${one.id}`, undefined, visitor(one.token));
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.status, 'OFFERED');
  assert.ok(new RegExp(`/waitlist\\.html#id=${one.id}&token=${one.token}\r?$`, 'm').test(text), `the accept link: ${text}`);
  assert.ok(!mail.raw.includes('?token='), 'never a query string');

  // It runs out: the expiry, and the seats go to the next (Korean) one.
  sql(`UPDATE waitlist.entry SET offer_expires_at = now() WHERE id = ${one.id}`);
  const [, expired] = await sentFor(one.id, ['WAITLIST_OFFER', 'WAITLIST_EXPIRED']);
  text = textOf(mailOf(expired.id));
  assert.match(text, /went to the next person waiting/);
  assert.match(text, /10:00–11:00/);
  assert.ok(!text.includes(one.token) && !text.includes('waitlist.html'), 'no link in an expiry');
  const [offerKo] = await sentFor(two.id, ['WAITLIST_OFFER']);
  mail = mailOf(offerKo.id);
  assert.match(mail.rawSubject, /^=\?UTF-8\?B\?/);
  assert.match(mail.headers.Subject, /자리가 났습니다/);
  text = textOf(mail);
  assert.match(text, /일시: \d{4}년 \d{1,2}월 \d{1,2}일 \([월화수목금토일]\) 10:00–11:00/);
  assert.match(text, /인원: 2명 \(성인 2\)/);
  assert.ok(text.includes(`${heldUntil(two.id, true)} (${koWeekday(two.id)}) ${koTime(two.id)}까지`), text);
  assert.ok(text.includes(`/waitlist.html#id=${two.id}&token=${two.token}`), text);
  assert.equal(messagesOf(three.id), '[]', 'no seats for the others');

  // The exhibition is deleted: every entry still there is canceled; those
  // with an email are told why.
  assert.equal((await staff('DELETE', `/museums/${m.id}`)).status, 204);
  const [, canceledKo] = await sentFor(two.id, ['WAITLIST_OFFER', 'WAITLIST_CANCELED']);
  mail = mailOf(canceledKo.id);
  assert.match(mail.headers.Subject, /죄송합니다/);
  assert.match(textOf(mail), /전시가 취소\(철회\)되었습니다/);
  const [canceled] = await sentFor(three.id, ['WAITLIST_CANCELED']);
  text = textOf(mailOf(canceled.id));
  assert.match(text, /canceled your place on the waiting list, because the exhibition was withdrawn/);
  assert.match(text, /We apologise/);
  assert.ok(!text.includes(three.token), 'no token in a cancel');
  await caughtUp();
  assert.equal(sql(`SELECT string_agg(status, ' ' ORDER BY id) FROM waitlist.entry WHERE museum_id = ${m.id}`),
    'EXPIRED CANCELED CANCELED CANCELED');
  assert.equal(messagesOf(silent.id), '[]', 'no email: nothing');
  assert.equal(sql(`SELECT count(*) FROM waitlist.entry WHERE museum_id = ${m.id} AND token_sealed IS NOT NULL`), '0');
});

test('an offer accepted or left before its email goes is not sent; a closed day cancels in plain words', async () => {
  const m = await createExhibition({ capacity: 1 });
  const slot = `${m.startDate}T11:00:00+09:00`;
  const full = await api('POST', '/books', { museumId: m.id, custNm: unique('Full'), slot });
  assert.equal(full.status, 201, full.text);
  const left = await join(m.id, slot, { email: 'wl.left@example.com' });
  const next = await join(m.id, slot, { email: 'wl.next@example.com' });
  await caughtUp();
  // The listeners stopped: the offer made (what they do, by hand), then
  // left, before its email could go.
  for (const pid of listenerPids()) process.kill(pid, 'SIGTERM');
  await eventually(() => listenerPids().length === 0, 15000, 'the listeners to stop');
  assert.equal((await api('PATCH', `/books/${full.json.id}`, { status: 'CANCELED' }, visitor(full.json.token))).status, 200);
  while (Number(sql('SELECT outbox.process(100)')) > 0);
  sql(`SELECT waitlist.tick(600)`);
  assert.equal(sql(`SELECT status FROM waitlist.entry WHERE id = ${left.id}`), 'OFFERED');
  assert.equal((await api('DELETE', `/waitlist/${left.id}`, undefined, visitor(left.token))).status, 204);
  execFileSync(STACK, ['listeners'], { stdio: 'inherit' });
  const [passed] = await eventually(() => {
    const rows = JSON.parse(messagesOf(left.id));
    return rows.length === 1 && rows[0].obsolete && rows;
  }, 15000, `the offer passed over (now ${messagesOf(left.id)})`);
  assert.equal(filesOf(passed.id).length, 0, 'never delivered');
  assert.equal(sql(`SELECT last_error FROM mail.message WHERE id = ${passed.id}`),
    'not sent: the offer was accepted, left or expired before it could be sent');
  // The seats went to the next one, whose offer is sent.
  await sentFor(next.id, ['WAITLIST_OFFER']);

  // A day closed with its bookings canceled: DAY_CLOSED.
  const d = await createExhibition({ capacity: 1 });
  const dslot = `${d.startDate}T10:00:00+09:00`;
  assert.equal((await api('POST', '/books', { museumId: d.id, custNm: unique('Full'), slot: dslot })).status, 201);
  const w = await join(d.id, dslot, { email: 'wl.closed@example.com' });
  const closed = await staff('PATCH', `/museums/${d.id}`, { closedDates: [d.startDate], forceCancel: true });
  assert.equal(closed.status, 200, closed.text);
  const [dc] = await sentFor(w.id, ['WAITLIST_CANCELED']);
  assert.match(textOf(mailOf(dc.id)), /because the museum is closed that day/);
});

test('an accepted offer\'s ticket has the manage link with the new booking\'s token, as a booking\'s has', async () => {
  const m = await createExhibition({ capacity: 1 });
  const slot = `${m.startDate}T10:00:00+09:00`;
  const full = await api('POST', '/books', { museumId: m.id, custNm: unique('Full'), slot, tickets: { adult: 1 } });
  assert.equal(full.status, 201, full.text);
  const w = await join(m.id, slot, { email: 'wl.accept@example.com' });
  await caughtUp();
  assert.equal((await api('PATCH', `/books/${full.json.id}`, { status: 'CANCELED' }, visitor(full.json.token))).status, 200);
  await sentFor(w.id, ['WAITLIST_OFFER']);
  const accepted = await api('POST', `/waitlist/${w.id}/accept`, {}, visitor(w.token));
  assert.equal(accepted.status, 201, accepted.text);
  const b = accepted.json;
  const ticket = await eventually(() => sql(`SELECT id FROM mail.message WHERE book_id = ${b.id}
    AND kind = 'TICKET' AND sent_at IS NOT NULL`), 15000, 'the accepted booking\'s ticket sent');
  const text = textOf(mailOf(ticket));
  assert.ok(text.includes(b.code), text);
  assert.ok(text.includes(`/my.html#id=${b.id}&token=${b.token}`), `the manage link: ${text}`);
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE id = ${b.id} AND token_sealed IS NOT NULL`), '0',
    'the sealed token erased once sent');
});
