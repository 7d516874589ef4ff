// The waiting list under crashes (issue 15): many slots of two seats,
// queues of entries with and without an email, while cancels, accepts,
// leaves, forced expiries, a closed day and a deleted exhibition race, and
// the listeners are killed (-9) again and again. Once they catch up: every
// slot's seats add up (capacity = left + booked + held), each entry was
// offered at most once and never after it ended, and each email was
// delivered exactly once (one Maildir file per message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  addDays, alive, api, caughtUp, createExhibition, eventually, listenerPids, ROOT, sleep, slotsOf, sql, staff, unique,
  VAR, visitor,
} from '../e2e/lib.mjs';
import { MAIL_DIR } from './maildir.mjs';

const STACK = `${ROOT}scripts/stack.sh`;
const run = promisify(execFile);
const pick = (a) => a[Math.floor(Math.random() * a.length)];

test('listeners killed again and again while offers, accepts, leaves, expiries and cancels race: seats add up, each offer once, each email once', async () => {
  const started = Date.now();
  await run(STACK, ['listeners']); // (a test before may have left them down)
  const first = Number(sql('SELECT coalesce(max(id), 0) FROM mail.message'));
  const m = await createExhibition({ capacity: 2, opens: '10:00', closes: '16:00' });
  const doomed = await createExhibition({ capacity: 2, opens: '10:00', closes: '12:00' });
  const day2 = addDays(m.startDate, 1);
  const slots = [...(await slotsOf(m.id, `from=${m.startDate}&to=${m.endDate}`)).map((s) => [m.id, s.start]),
    ...(await slotsOf(doomed.id, `from=${doomed.startDate}&to=${doomed.startDate}`)).map((s) => [doomed.id, s.start])];
  assert.ok(slots.length >= 20, `${slots.length} slots`);

  // Every slot full (two bookings of one), then a queue of four on each.
  // The visitors leave the bookings and first queues of the day that will
  // close and of the exhibition that will go alone: the museum cancels them.
  const kept = ([museumId, slot]) => museumId === doomed.id || slot.startsWith(day2);
  const bookings = []; // { id, token }
  await Promise.all(slots.map(async ([museumId, slot]) => {
    for (let i = 0; i < 2; i++) {
      const r = await api('POST', '/books', { museumId, custNm: unique('Crash'), slot });
      assert.equal(r.status, 201, r.text);
      if (!kept([museumId, slot])) bookings.push({ id: r.json.id, token: r.json.token });
    }
  }));
  const entries = new Map(); // id -> { token, email }: the visitors'
  let n = 0;
  async function join(museumId, slot, party, into = entries) {
    const email = n++ % 2 === 0 ? `wl.crash${n}@example.com` : undefined;
    const r = await api('POST', `/museums/${museumId}/waitlist`,
      { custNm: unique('Crash wait'), slot, tickets: { adult: party }, email, lang: n % 3 ? 'en' : 'ko' });
    if (r.status === 201) into.set(r.json.id, { token: r.json.token, email });
    else assert.ok([409, 422, 404].includes(r.status), r.text); // seats came free, the day closed, the exhibition gone
    return r.status;
  }
  const keptEntries = new Map();
  await Promise.all(slots.map(async (s) => {
    for (const party of [1, 2, 1, 1]) assert.equal(await join(...s, party, kept(s) ? keptEntries : entries), 201);
  }));
  await caughtUp();
  const ours = `museum_id IN (${m.id}, ${doomed.id})`;

  // The race: visitors act while the listeners are started, let work a
  // moment and killed, again and again.
  const RACE_MS = 18000;
  const until = Date.now() + RACE_MS;
  // And sign-in links falling due one after another all along (as in
  // mail.test.mjs (c)): the waiting list's emails queue among them, and
  // the kills land while emails are due.
  const SEAL_KEY = process.env.TICKET_SEAL_KEY || readFileSync(`${VAR}/seal-key`, 'utf8').trim();
  const ACCESS = 400;
  sql(`INSERT INTO mail.message (kind, to_addr, lang, secret_sealed, available_at)
       SELECT 'ACCESS', 'wl-crash-access' || i || '@example.com', 'en', mail.seal('tok' || i, '${SEAL_KEY}'),
              now() + i * interval '${Math.round((RACE_MS + 6000) / ACCESS)} ms'
       FROM generate_series(1, ${ACCESS}) i`);
  const counts = { cancel: 0, accept: 0, leave: 0, expire: 0, join: 0, kills: 0, killsWhileBusy: 0 };
  const killer = (async () => {
    // (Past the race, while fewer than eight kills or two that found work
    // due, more rounds, for at most 30 s: the bursts and sign-in links
    // still make some. The listeners are quick: most kills find them caught
    // up; and on a busy machine a round takes seconds.)
    while (Date.now() < until || ((counts.kills < 8 || counts.killsWhileBusy < 2) && Date.now() < until + 30000)) {
      await run(STACK, ['listeners']);
      // Offers falling due over the next moments (the listeners expire
      // them at their next turn, at most LISTENER_POLL_MS later), so that
      // the kill lands while there is work to do.
      sql(`UPDATE waitlist.entry SET offer_expires_at = now() + random() * interval '1.5 seconds'
           WHERE ${ours} AND status = 'OFFERED'`);
      await sleep(100 + Math.random() * 600);
      // A burst of cancels (each an event, seats freed, offers and their
      // emails to follow), and the kill in the middle of it.
      const cancels = bookings.splice(0, 4).map(async (b) => {
        const res = await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, visitor(b.token));
        assert.ok([200, 409].includes(res.status), res.text);
        counts.cancel++;
      });
      const burst = Promise.all(cancels);
      await Promise.race([...cancels, sleep(100)]); // the first committed: its work begins
      const at = Date.now() / 1000;
      for (const pid of listenerPids()) process.kill(pid, 'SIGKILL');
      counts.kills++;
      await burst;
      // Busy: an event, an email or an expiry due when they died is not done.
      const busy = sql(`SELECT (SELECT count(*) FROM outbox.event WHERE done_at IS NULL AND created_at < to_timestamp(${at}))
        + (SELECT count(*) FROM mail.message WHERE id > ${first} AND sent_at IS NULL AND obsolete_at IS NULL
           AND NOT dead AND available_at < to_timestamp(${at}))
        + (SELECT count(*) FROM waitlist.entry WHERE ${ours} AND status = 'OFFERED' AND offer_expires_at < to_timestamp(${at}))`);
      if (Number(busy) > 0) counts.killsWhileBusy++;
    }
  })();
  const actor = async () => {
    while (Date.now() < until) {
      const offered = (await Promise.all([m.id, doomed.id].map((id) => staff('GET', `/museums/${id}/waitlist`))))
        .flatMap((res) => res.json ?? []).filter((e) => e.status === 'OFFERED' && entries.has(e.id)).map((e) => e.id);
      const r = Math.random();
      if (offered.length && r < 0.3) {
        const id = pick(offered);
        const e = entries.get(id);
        const s = Math.random();
        if (s < 0.5) {
          const res = await api('POST', `/waitlist/${id}/accept`, {}, visitor(e.token));
          assert.ok([201, 409].includes(res.status), res.text);
          if (res.status === 201) {
            bookings.push({ id: res.json.id, token: res.json.token });
            counts.accept++;
            entries.delete(id);
          }
        } else if (s < 0.75) {
          const res = await api('DELETE', `/waitlist/${id}`, undefined, visitor(e.token));
          assert.ok([204, 409].includes(res.status), res.text);
          counts.leave++;
          entries.delete(id);
        } else {
          sql(`UPDATE waitlist.entry SET offer_expires_at = now() WHERE id = ${id} AND status = 'OFFERED'`);
          counts.expire++;
        }
      } else if (r < 0.7 && bookings.length > 4) {
        const b = bookings.splice(Math.floor(Math.random() * bookings.length), 1)[0];
        const res = await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, visitor(b.token));
        assert.ok([200, 409].includes(res.status), res.text);
        counts.cancel++;
      } else if (r < 0.75) {
        const id = pick([...entries.keys()]);
        if (id !== undefined) {
          const res = await api('DELETE', `/waitlist/${id}`, undefined, visitor(entries.get(id).token));
          assert.ok([204, 409].includes(res.status), res.text);
          counts.leave++;
          entries.delete(id);
        }
      } else {
        const [museumId, slot] = pick(slots);
        if (await join(museumId, slot, 1 + Math.floor(Math.random() * 2)) === 201) counts.join++;
      }
      await sleep(10 + Math.random() * 30);
    }
  };
  const events = (async () => {
    await sleep(RACE_MS / 3);
    const closed = await staff('PATCH', `/museums/${m.id}`, { closedDates: [day2], forceCancel: true });
    assert.equal(closed.status, 200, closed.text);
    await sleep(RACE_MS / 3);
    assert.equal((await staff('DELETE', `/museums/${doomed.id}`)).status, 204);
  })();
  try {
    await Promise.all([killer, actor(), actor(), events]);
  } finally {
    await killer.catch(() => {});
    await run(STACK, ['listeners']); // caught up: the events applied, the offers due made, every email done
  }
  await caughtUp(30000);
  await eventually(() => sql(`SELECT count(*) FROM mail.message WHERE id > ${first} AND sent_at IS NULL AND obsolete_at IS NULL`) === '0'
    && sql(`SELECT count(*) FROM waitlist.entry w JOIN museum.slot s ON s.id = w.slot_id
            WHERE w.${ours} AND w.status = 'WAITING' AND s.open AND w.party <= s.seats_left`) === '0',
  20000, 'every email sent or passed over, every fitting entry offered');

  // 1. The seats add up, by the database's check and by our own count.
  assert.equal(sql(`SELECT string_agg(slot_id || ' ' || problem || ': ' || detail, '; ') FROM museum.seat_diff()`), '',
    'museum.seat_diff(): capacity = left + booked + held');
  assert.equal(sql(`SELECT string_agg(s.id || ': ' || s.capacity || ' <> ' || s.seats_left || ' + ' || b.n || ' + ' || h.n, '; ')
    FROM museum.slot s
    CROSS JOIN LATERAL (SELECT coalesce(sum(party), 0) n FROM book.booking b WHERE b.museum_id = s.museum_id
                        AND b.slot_start = s.start_at AND b.status IN ('REQUESTED', 'REQUEST_COMPLETED')) b
    CROSS JOIN LATERAL (SELECT coalesce(sum(held), 0) n FROM waitlist.entry w WHERE w.slot_id = s.id AND w.status = 'OFFERED') h
    WHERE s.${ours} AND s.open AND s.capacity <> s.seats_left + b.n + h.n`), '', 'every open slot: capacity = left + booked + held');

  // 2. Each entry offered at most once, never after it ended; the emails
  // its story calls for, once each.
  const entryRows = JSON.parse(sql(`SELECT json_agg(x) FROM (SELECT w.id, w.status, w.email IS NOT NULL AS mail,
      w.offered_at IS NOT NULL AS offered, w.token_sealed IS NOT NULL AS sealed,
      (SELECT count(*) FROM mail.message x WHERE x.entry_id = w.id AND x.kind = 'WAITLIST_OFFER') AS offers,
      (SELECT count(*) FROM mail.message x WHERE x.entry_id = w.id AND x.kind = 'WAITLIST_EXPIRED') AS expiries,
      (SELECT count(*) FROM mail.message x WHERE x.entry_id = w.id AND x.kind = 'WAITLIST_CANCELED') AS cancels,
      (SELECT count(*) FROM mail.message x WHERE x.entry_id = w.id AND x.kind = 'WAITLIST_OFFER'
                                            AND x.created_at > w.ended_at) AS late_offers
    FROM waitlist.entry w WHERE w.${ours}) x`));
  const statuses = {};
  for (const e of entryRows) {
    statuses[e.status] = (statuses[e.status] ?? 0) + 1;
    const was = e.status === 'OFFERED' || e.status === 'ACCEPTED' || e.status === 'EXPIRED';
    assert.equal(e.late_offers, 0, `entry ${e.id}: no offer after it ended`);
    assert.ok(e.offers <= 1, `entry ${e.id} (${e.status}): offered ${e.offers} times`);
    if (was) assert.ok(e.offered, `entry ${e.id} (${e.status}): offered_at set`);
    if (e.status === 'WAITING') assert.ok(!e.offered, `entry ${e.id}: waiting, never offered`);
    if (e.mail) {
      if (was) assert.equal(e.offers, 1, `entry ${e.id} (${e.status}): its offer queued once`);
      if (e.status === 'WAITING') assert.equal(e.offers, 0, `entry ${e.id}: waiting, no offer`);
      assert.equal(e.expiries, e.status === 'EXPIRED' ? 1 : 0, `entry ${e.id} (${e.status}): expiry emails`);
      assert.equal(e.cancels, e.status === 'CANCELED' ? 1 : 0, `entry ${e.id} (${e.status}): cancel emails`);
    } else {
      assert.equal(e.offers + e.expiries + e.cancels, 0, `entry ${e.id}: no email, no message`);
    }
    assert.ok(!e.sealed || e.status === 'WAITING', `entry ${e.id} (${e.status}) keeps no sealed token`);
  }
  assert.equal(sql(`SELECT count(*) FROM waitlist.entry w JOIN book.booking b ON b.id = w.book_id
                    WHERE w.${ours} AND w.status = 'ACCEPTED' AND b.party <> w.party`), '0', 'each accept booked its party');

  // 3. Each email delivered exactly once (sent: one file, its Message-ID;
  // passed over: none); nothing dead.
  const msgs = JSON.parse(sql(`SELECT coalesce(json_agg(x), '[]') FROM (SELECT id, kind, entry_id, sent_at IS NOT NULL AS sent,
      obsolete_at IS NOT NULL AS obsolete, dead FROM mail.message WHERE id > ${first} AND (entry_id IN (
      SELECT id FROM waitlist.entry WHERE ${ours}) OR to_addr LIKE 'wl-crash-access%')) x`));
  const files = ['new', 'cur'].flatMap((d) => readdirSync(`${MAIL_DIR}/${d}`).map((f) => `${MAIL_DIR}/${d}/${f}`));
  const byId = new Map();
  for (const f of files) {
    const id = /^mail-(\d+)@/.exec(f.split('/').at(-1))?.[1];
    if (id) byId.set(id, [...(byId.get(id) ?? []), f]);
  }
  const sentKinds = {};
  for (const x of msgs) {
    assert.ok(!x.dead && (x.sent !== x.obsolete), `message ${x.id} (${x.kind}): sent or passed over`);
    const got = byId.get(String(x.id)) ?? [];
    if (x.obsolete) {
      // Not sent; but a listener killed after delivering it and before its
      // COMMIT has left its one file (the crash's "again", then passed over).
      // An expiry is passed over only with its offer (never sent, so never to be ended).
      assert.ok(x.kind === 'WAITLIST_OFFER' || (x.kind === 'WAITLIST_EXPIRED'
        && msgs.some((o) => o.entry_id === x.entry_id && o.kind === 'WAITLIST_OFFER' && o.obsolete)),
      `message ${x.id} (${x.kind}): only an offer, or the expiry of one never sent, is passed over`);
      assert.ok(got.length <= 1, `message ${x.id} passed over: ${got.length} files`);
      continue;
    }
    sentKinds[x.kind] = (sentKinds[x.kind] ?? 0) + 1;
    assert.equal(got.length, 1, `message ${x.id} (${x.kind}): ${got.length} files`);
    assert.match(readFileSync(got[0], 'utf8'), new RegExp(`^Message-ID: <mail-${x.id}@localhost>\\r$`, 'm'));
  }
  const obsolete = msgs.filter((x) => x.obsolete).length;
  console.log(`# ${slots.length} slots, ${sql(`SELECT count(*) FROM waitlist.entry WHERE ${ours}`)} entries (${JSON.stringify(statuses)}), ${JSON.stringify(counts)};`
    + ` emails sent ${JSON.stringify(sentKinds)}, offers passed over ${obsolete}; ${Date.now() - started} ms`);
  assert.ok(counts.kills >= 8 && counts.killsWhileBusy >= 1, `killed while busy: ${JSON.stringify(counts)}`);
  assert.ok(counts.accept > 0 && counts.cancel > 0 && counts.expire > 0, JSON.stringify(counts));
  assert.ok((statuses.CANCELED ?? 0) > 0 && (statuses.EXPIRED ?? 0) > 0, JSON.stringify(statuses));
  assert.equal(sentKinds.ACCESS, ACCESS);
  assert.ok(sentKinds.WAITLIST_OFFER > 0 && sentKinds.WAITLIST_EXPIRED > 0 && sentKinds.WAITLIST_CANCELED > 0,
    JSON.stringify(sentKinds));
  assert.ok(listenerPids().every(alive));
});
