// Timed entry: exhibitions that run from startDate to endDate with opening
// hours, slots and closures; bookings of a party's seats of one slot
// (tickets by category); moves between slots; PATCH /museums/{id}; GET
// /museums/{id}/slots; GET /site; the reports. Every test ends with the
// seat invariant (lib.mjs assertSeatsAgree): pcnt, GET slots' left and
// report.slot_occupancy agree, and every slot's taken seats are its live
// bookings' parties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDays, allSlots, api, apiSettled, assertProblem, assertSeatsAgree, book, caughtUp, createExhibition,
  createMuseum, eventually, futureMonday, isoWeekday, leftOf, SLOT_FORMAT, slotAt, slotsOf, sql, staff, today,
  unique, visitor,
} from './lib.mjs';

const live = (museumId) => sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${museumId}
  AND status IN ('REQUESTED', 'REQUEST_COMPLETED')`);

test('a timed exhibition: its fields, slots by day and hour, closed weekdays and dates without slots', async () => {
  const monday = futureMonday();
  const m = await createExhibition({
    startDate: monday.replaceAll('-', ''), endDate: addDays(monday, 6), opens: '10:00', closes: '11:30',
    slotMinutes: 30, capacity: 4, closedWeekdays: [7, 3, 3], closedDates: [addDays(monday, 1), addDays(monday, 1)],
    description: 'Line one\nLine two\twith a tab',
  });
  assert.deepEqual(Object.keys(m), ['id', 'name', 'chkDate', 'capacity', 'pcnt', 'startDate', 'endDate', 'opens',
    'closes', 'slotMinutes', 'closedWeekdays', 'closedDates', 'description']);
  assert.equal(m.startDate, monday, 'YYYYMMDD accepted, answered YYYY-MM-DD');
  assert.equal(m.chkDate, monday, 'chkDate = startDate');
  assert.equal(m.endDate, addDays(monday, 6));
  assert.deepEqual([m.opens, m.closes, m.slotMinutes, m.capacity], ['10:00', '11:30', 30, 4]);
  assert.deepEqual(m.closedWeekdays, [3, 7], 'sorted, without repeats');
  assert.deepEqual(m.closedDates, [addDays(monday, 1)]);
  assert.equal(m.description, 'Line one\nLine two\twith a tab');
  // Mon..Sun minus Tue (date), Wed and Sun (weekdays): 4 days of 3 slots.
  assert.equal(m.pcnt, 4 * 3 * 4, 'pcnt = seats left summed over the open slots');
  const slots = await allSlots(m);
  assert.equal(slots.length, 12);
  for (const s of slots) {
    assert.match(s.start, SLOT_FORMAT);
    assert.match(s.end, SLOT_FORMAT);
    assert.deepEqual(Object.keys(s), ['start', 'end', 'capacity', 'left']);
    assert.equal(Date.parse(s.end) - Date.parse(s.start), 30 * 60000);
    assert.equal(s.capacity, 4);
    assert.equal(s.left, 4);
    assert.ok(![2, 3, 7].includes(isoWeekday(s.start.slice(0, 10))), `no slot on a closed day: ${s.start}`);
  }
  assert.deepEqual(slots.map((s) => s.start), [...slots.map((s) => s.start)].sort(), 'in time order');
  assert.deepEqual(slots.slice(0, 3).map((s) => s.start),
    [slotAt(monday, '10:00'), slotAt(monday, '10:30'), slotAt(monday, '11:00')]);
  assert.equal(slots[2].end, slotAt(monday, '11:30'));
  assert.deepEqual(await slotsOf(m.id, `from=${addDays(monday, 1)}&to=${addDays(monday, 2)}`), [], 'a closed date and a closed weekday');
  const got = await api('GET', `/museums/${m.id}`);
  assert.deepEqual(got.json, m);

  // Without slotMinutes: one slot from opens to closes each day.
  const one = await createExhibition({ startDate: monday, endDate: addDays(monday, 1), slotMinutes: undefined, opens: '09:30', closes: '17:00', capacity: 2 });
  assert.equal(one.slotMinutes, null);
  assert.deepEqual((await allSlots(one)).map((s) => [s.start, s.end]), [
    [slotAt(monday, '09:30'), slotAt(monday, '17:00')],
    [slotAt(addDays(monday, 1), '09:30'), slotAt(addDays(monday, 1), '17:00')]]);
  assert.equal(one.pcnt, 4);
  await assertSeatsAgree([m.id, one.id]);
});

test('GET /museums/{id}/slots: from and to, the default from today for 31 days, at most 92, 400 and 404', async () => {
  const t = today();
  const m = await createExhibition({ startDate: t, endDate: addDays(t, 99), opens: '00:00', closes: '23:55', slotMinutes: undefined, capacity: 1 });
  const days = (xs) => [...new Set(xs.map((s) => s.start.slice(0, 10)))];
  assert.deepEqual(days(await slotsOf(m.id)), Array.from({ length: 31 }, (_, i) => addDays(t, i)), 'today and 30 more days');
  assert.deepEqual(days(await slotsOf(m.id, `from=${addDays(t, 10)}`)), Array.from({ length: 31 }, (_, i) => addDays(t, 10 + i)));
  assert.equal((await slotsOf(m.id, `from=${t}&to=${addDays(t, 91)}`)).length, 92, '92 days is fine');
  assert.deepEqual(days(await slotsOf(m.id, `from=${addDays(t, 3).replaceAll('-', '')}&to=${addDays(t, 3)}`)), [addDays(t, 3)]);
  assert.deepEqual(await slotsOf(m.id, `from=${addDays(t, 200)}&to=${addDays(t, 201)}`), [], 'after the run: none');
  for (const q of [`from=${t}&to=${addDays(t, 92)}`, `from=${addDays(t, 5)}&to=${addDays(t, 4)}`, `to=${addDays(t, -1)}`,
    'from=2031-02-30', 'from=today', 'to=', 'day=2031-01-01', `from=${t}&from=${t}`]) {
    assertProblem(await api('GET', `/museums/${m.id}/slots?${q}`), 400);
  }
  assertProblem(await api('GET', '/museums/9007199254740991/slots'), 404);
  assertProblem(await api('GET', '/museums/abc/slots'), 404);
  // The pcnt of an exhibition running today counts only slots that have not ended.
  await assertSeatsAgree([m.id]);
  assert.equal((await staff('DELETE', `/museums/${m.id}`)).status, 204);
  assertProblem(await api('GET', `/museums/${m.id}/slots`), 404, 'deleted');
});

test('creating exhibitions: slotMinutes must divide the hours, startDate not in the past, and the rest of the rules', async () => {
  const monday = futureMonday();
  const yesterday = addDays(today(), -1);
  const before = sql('SELECT count(*) FROM museum.exhibition') + '/' + sql('SELECT count(*) FROM museum.slot');
  const base = { name: unique('Bad'), startDate: monday, endDate: addDays(monday, 1), opens: '10:00', closes: '12:00', slotMinutes: 60, capacity: 5 };
  const cases = [
    [{ slotMinutes: 7 }, 'slotMinutes'],
    [{ slotMinutes: 50 }, 'slotMinutes'],
    [{ slotMinutes: 0 }, 'slotMinutes'],
    [{ slotMinutes: 1.5 }, 'slotMinutes'],
    [{ slotMinutes: '60' }, 'slotMinutes'],
    [{ startDate: yesterday }, 'startDate'],
    [{ startDate: undefined, chkDate: yesterday }, 'chkDate'],
    [{ endDate: addDays(monday, -1) }, 'endDate'],
    [{ endDate: addDays(monday, 400) }, 'endDate'],
    [{ closes: '10:00' }, 'closes'],
    [{ opens: '9:00' }, 'opens'],
    [{ opens: '24:00' }, 'opens'],
    [{ closes: '12:00:00' }, 'closes'],
    [{ capacity: 0 }, 'capacity'],
    [{ capacity: undefined }, 'capacity'],
    [{ closedWeekdays: [0] }, 'closedWeekdays'],
    [{ closedWeekdays: [8] }, 'closedWeekdays'],
    [{ closedWeekdays: ['1'] }, 'closedWeekdays'],
    [{ closedWeekdays: [1.5] }, 'closedWeekdays'],
    [{ closedWeekdays: 1 }, 'closedWeekdays'],
    [{ closedDates: ['2031-02-30'] }, 'closedDates'],
    [{ closedDates: ['tomorrow'] }, 'closedDates'],
    [{ closedDates: [20310801] }, 'closedDates'],
    [{ closedDates: '2031-08-01' }, 'closedDates'],
    [{ closedDates: ['2031-13-01'] }, 'closedDates'],
    [{ description: 'x'.repeat(2001) }, 'description'],
    [{ description: 7 }, 'description'],
    [{ description: 'a\u0001b' }, 'description'],
    [{ startDate: monday, chkDate: addDays(monday, 1) }, 'chkDate'],
    [{ pcnt: 4 }, 'pcnt'],
    [{ slots: 3 }, 'slots'],
  ];
  for (const [change, field] of cases) {
    const body = { ...base, ...change };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const r = await staff('POST', '/museums', body);
    assertProblem(r, 422);
    assert.ok(r.json.errors && field in r.json.errors, `${JSON.stringify(change)} -> ${r.text}`);
  }
  assert.equal(sql('SELECT count(*) FROM museum.exhibition') + '/' + sql('SELECT count(*) FROM museum.slot'), before, 'nothing made');
  // 2,000 characters of description are fine (multi-byte ones too).
  const ok = await createExhibition({ startDate: monday, description: '가'.repeat(2000) });
  assert.equal(ok.description.length, 2000);
});

test('a rush of 30 simultaneous bookings of 2 on a slot with 5 seats left: exactly 2 succeed, 1 seat left', async () => {
  const m = await createExhibition({ capacity: 8 });
  const [first, target, other] = await allSlots(m);
  const early = await book(m.id, unique('early'), { slot: target.start, tickets: { adult: 1, child: 2 } });
  assert.equal(early.party, 3);
  assert.equal(await leftOf(m, target.start), 5);
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    apiSettled('POST', '/books', { museumId: m.id, custNm: `rush2-${i}`, slot: target.start, tickets: { adult: 2 } })));
  const byStatus = {};
  for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  assert.deepEqual(byStatus, { 201: 2, 409: 28 });
  for (const r of results.filter((x) => x.status === 409)) {
    assertProblem(r, 409);
    assert.match(r.json.detail, /only 1 seat left.*party of 2/, r.json.detail);
  }
  const won = results.filter((r) => r.status === 201).map((r) => r.json);
  for (const b of won) {
    assert.equal(b.slot, target.start);
    assert.equal(b.slotEnd, target.end);
    assert.deepEqual(b.tickets, { adult: 2 });
    assert.equal(b.party, 2);
  }
  assert.equal(await leftOf(m, target.start), 1);
  assert.equal(await leftOf(m, first.start), 8, 'the other slots are untouched');
  assert.equal(await leftOf(m, other.start), 8);
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${m.id}`), '3');
  // A party of 1 still fits; then it is sold out.
  await book(m.id, unique('single'), { slot: target.start });
  const full = await api('POST', '/books', { museumId: m.id, custNm: unique('late'), slot: target.start });
  assertProblem(full, 409);
  assert.match(full.json.detail, /sold out/);
  const pcnt = (await assertSeatsAgree([m.id]))[m.id];
  assert.equal(pcnt, 6 * 8 - 8);

  // Cancels give back exactly the party, once, however often they are sent.
  const answers = await Promise.all([0, 1, 2].map(() =>
    api('PATCH', `/books/${won[0].id}`, { status: 'CANCELED' }, visitor(won[0].token))));
  assert.ok(answers.every((r) => r.status === 200 && r.json.status === 'CANCELED'), answers.map((r) => r.text).join());
  await caughtUp();
  assert.equal(await leftOf(m, target.start), 2);
  assert.equal((await api('PATCH', `/books/${early.id}`, { status: 'CANCELED' }, visitor(early.token))).status, 200);
  await caughtUp();
  assert.equal(await leftOf(m, target.start), 5, 'the party of 3 came back whole');
  assert.equal(sql(`SELECT count(*) || '/' || sum(attempts) FROM outbox.event WHERE museum_id = ${m.id} AND kind = 'CANCELED'`), '2/2');
  await assertSeatsAgree([m.id]);
});

test('booking a slot: the forms of slot, tickets and party, and what is not a slot', async () => {
  const m = await createExhibition({ capacity: 10, closedWeekdays: [2] }); // Monday, (Tuesday closed), Wednesday
  const monday = m.startDate;
  const a = await book(m.id, unique('kim'), { slot: slotAt(monday, '11:00'), tickets: { adult: 2, child: 2 } });
  assert.equal(a.slot, slotAt(monday, '11:00'));
  assert.equal(a.slotEnd, slotAt(monday, '12:00'));
  assert.deepEqual(a.tickets, { adult: 2, child: 2 });
  assert.equal(a.party, 4);
  assert.equal(a.cancelReason, null);
  assert.equal(a.chkDate, monday, 'chkDate is the day of the visit');
  assert.equal(a.status, 'REQUESTED');
  // The local form; category order and zero counts do not matter.
  const b = await book(m.id, unique('lee'), { slot: `${addDays(monday, 2)}T10:00`, tickets: { senior: 1, youth: 0, adult: 1 } });
  assert.equal(b.slot, slotAt(addDays(monday, 2), '10:00'));
  assert.deepEqual(b.tickets, { adult: 1, senior: 1 });
  assert.equal(b.party, 2);
  // The same instant in UTC, and local with seconds; no tickets: one adult.
  const c = await book(m.id, unique('park'), { slot: `${monday}T01:00:00Z` });
  assert.equal(c.slot, slotAt(monday, '10:00'));
  assert.deepEqual(c.tickets, { adult: 1 });
  assert.equal(c.party, 1);
  const d = await book(m.id, unique('choi'), { slot: `${monday}T10:00:00`, tickets: { youth: 9 } });
  assert.equal(d.party, 9, 'a party of MAX_PARTY - 1 ...');
  assert.equal(await leftOf(m, slotAt(monday, '10:00')), 0);
  const e = await book(m.id, unique('max'), { slot: slotAt(addDays(monday, 2), '11:00'), tickets: { adult: 4, youth: 3, child: 2, senior: 1 } });
  assert.equal(e.party, 10, '... and MAX_PARTY itself');

  const before = sql(`SELECT count(*) FROM book.booking`) + '/' + sql('SELECT sum(seats_left) FROM museum.slot');
  // Not one of its slots: a closed day, a time between slots, before opening, after the run: 422 on slot.
  for (const slot of [slotAt(addDays(monday, 1), '10:00'), slotAt(monday, '10:30'), slotAt(monday, '09:00'),
    slotAt(monday, '12:00'), slotAt(addDays(monday, 3), '10:00'), `${monday}T10:00:01`]) {
    const r = await api('POST', '/books', { museumId: m.id, custNm: unique('x'), slot });
    assertProblem(r, 422);
    assert.ok(r.json.errors?.slot, `${slot}: ${r.text}`);
  }
  // No slot named, and more than one not ended: 422 on slot.
  const none = await api('POST', '/books', { museumId: m.id, custNm: unique('x') });
  assertProblem(none, 422);
  assert.match(none.json.errors?.slot ?? '', /required.*4 slots/, none.text);
  // Fewer seats left than the party: 409, the detail says how many.
  const tooMany = await api('POST', '/books', { museumId: m.id, custNm: unique('x'), slot: slotAt(monday, '11:00'), tickets: { adult: 7 } });
  assertProblem(tooMany, 409);
  assert.match(tooMany.json.detail, /only 6 seats left.*party of 7/);
  assert.equal(sql(`SELECT count(*) FROM book.booking`) + '/' + sql('SELECT sum(seats_left) FROM museum.slot'), before, 'nothing booked');
  await assertSeatsAgree([m.id]);
});

test('strict parsing of slot, tickets and museumId: 422 and nothing changes', async () => {
  const m = await createExhibition();
  const start = (await allSlots(m))[0].start;
  const state = () => sql(`SELECT (SELECT count(*) FROM book.booking) || '/' || (SELECT sum(seats_left) FROM museum.slot)
    || '/' || (SELECT count(*) FROM outbox.event)`);
  const before = state();
  const post = (extra, museumId = m.id) => api('POST', '/books', { museumId, custNm: unique('strict'), slot: start, ...extra });
  const cases = [
    ...['2031-07-28 10:00', '2031-07-28T10', '2031-07-28T10:00+9', '2031-07-28T25:00', '2031-07-28T10:60',
      '2031-02-30T10:00', '20310728T1000', '2031-07-28T10:00:00.000Z', '2031-07-28T10:00:00+09:00 ', 'tomorrow',
      '', 'T10:00', '2031-07-28T10:00:00+16:00', '2031-7-28T10:00'].map((slot) => [{ slot }, 'slot']),
    [{ slot: 1900000000 }, 'slot'],
    [{ slot: [start] }, 'slot'],
    [{ tickets: { adult: 1, student: 1 } }, 'tickets'],
    [{ tickets: { Adult: 1 } }, 'tickets'],
    [{ tickets: { adult: 0 } }, 'tickets'],
    [{ tickets: {} }, 'tickets'],
    [{ tickets: { adult: 6, child: 5 } }, 'tickets'],
    [{ tickets: { adult: 11 } }, 'tickets'],
    [{ tickets: { adult: 1.5 } }, 'tickets'],
    [{ tickets: { adult: 2.0000001 } }, 'tickets'],
    [{ tickets: { adult: '2' } }, 'tickets'],
    [{ tickets: { adult: true } }, 'tickets'],
    [{ tickets: { adult: null } }, 'tickets'],
    [{ tickets: { adult: -1, child: 2 } }, 'tickets'],
    [{ tickets: { adult: 1e20 } }, 'tickets'],
    [{ tickets: [1] }, 'tickets'],
    [{ tickets: 2 }, 'tickets'],
    [{ party: 2 }, 'party'],
    ...['1.0', ' 1', '1e3', '01x', '01', '', '-1', '0', '99999999999999999999', `${m.id} `].map((id) => [{ museumId: id }, 'museumId']),
  ];
  for (const [extra, field] of cases) {
    const { museumId, ...rest } = extra;
    const r = await post(rest, museumId);
    assertProblem(r, 422);
    assert.ok(r.json.errors && field in r.json.errors, `${JSON.stringify(extra)} -> ${r.text}`);
  }
  // A party of 2.0: JSON has no integer type, but the API counts only whole numbers written as such.
  assertProblem(await api('POST', '/books', `{"museumId":${m.id},"custNm":"x","slot":"${start}","tickets":{"adult":2.0}}`), 422);
  assert.equal(state(), before, 'nothing booked, no seat taken, no event');
  // "tickets": null is either no tickets (one adult) or a field error, not
  // a database constraint's message.
  const nul = await api('POST', '/books', { museumId: m.id, custNm: unique('null'), slot: start, tickets: null });
  assert.ok(nul.status === 201 ? nul.json.party === 1 : nul.status === 422 && nul.json.errors?.tickets,
    `"tickets": null -> ${nul.status} ${nul.text}`);
  // museumId as a string of decimal digits is accepted (what httpie's key=value sends).
  const s = await api('POST', '/books', { museumId: String(m.id), custNm: unique('httpie'), slot: start });
  assert.equal(s.status, 201, s.text);
  assert.equal(s.json.museumId, m.id);
  assertProblem(await api('POST', '/books', { museumId: '9007199254740991', custNm: 'x', slot: start }), 404);
  await assertSeatsAgree([m.id]);
});

test('a slot that has ended: not bookable (409), its bookings cannot be canceled (409); without slot, the one not ended', async () => {
  const m = await createExhibition({ endDate: undefined, opens: '10:00', closes: '12:00', slotMinutes: 60 });
  const [past, next] = await allSlots(m);
  const b = await book(m.id, unique('was'), { slot: past.start, tickets: { adult: 2 } });
  await caughtUp();
  // The first slot (and its booking, confirmation, MyPage row) moved into
  // the past, whole minutes: it has ended.
  const from = "date_trunc('minute', now()) - interval '2 hours'";
  const to = "date_trunc('minute', now()) - interval '1 hour'";
  sql(`UPDATE museum.slot SET start_at = ${from}, end_at = ${to} WHERE museum_id = ${m.id} AND start_at = '${past.start}';
       UPDATE book.booking SET slot_start = ${from}, slot_end = ${to} WHERE id = ${b.id};
       UPDATE confirm.confirmation SET slot_start = ${from} WHERE book_id = ${b.id};
       UPDATE mypage.entry SET slot_start = ${from}, slot_end = ${to} WHERE book_id = ${b.id}`);
  const ended = sql(`SELECT to_json(start_at) #>> '{}' FROM museum.slot WHERE museum_id = ${m.id} ORDER BY start_at LIMIT 1`);
  assert.match(ended, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d\d:\d\d$/);
  const r = await api('POST', '/books', { museumId: m.id, custNm: unique('late'), slot: ended });
  assertProblem(r, 409);
  assert.match(r.json.detail, /ended/);
  const c = await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, visitor(b.token));
  assertProblem(c, 409);
  assert.match(c.json.detail, /ended/);
  assertProblem(await staff('PATCH', `/books/${b.id}`, { slot: next.start }), 409);
  assert.equal(sql(`SELECT status FROM book.booking WHERE id = ${b.id}`), 'REQUEST_COMPLETED');
  // Exactly one slot has not ended: a booking without slot takes it (the original clients).
  const auto = await book(m.id, unique('auto'));
  assert.equal(auto.slot, next.start);
  const got = (await api('GET', `/museums/${m.id}`)).json;
  assert.equal(got.pcnt, 4, 'pcnt counts the slot not ended only');
  await assertSeatsAgree([m.id]);
});

test('moving a booking: to another slot, another party, atomically; 409 keeps its place', async () => {
  const m = await createExhibition({ capacity: 4 });
  const [s1, s2, s3] = await allSlots(m);
  const b = await book(m.id, unique('mover'), { slot: s1.start, tickets: { adult: 1, child: 1 } });
  const me = visitor(b.token);
  await caughtUp();
  // To s2, the same party.
  const moved = await api('PATCH', `/books/${b.id}`, { slot: s2.start }, me);
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.slot, s2.start);
  assert.equal(moved.json.slotEnd, s2.end);
  assert.equal(moved.json.party, 2);
  assert.deepEqual([await leftOf(m, s1.start), await leftOf(m, s2.start)], [4, 2]);
  // A bigger party in the same slot, then a smaller one.
  const bigger = await api('PATCH', `/books/${b.id}`, { tickets: { adult: 3, senior: 1 } }, me);
  assert.equal(bigger.status, 200, bigger.text);
  assert.equal(bigger.json.party, 4);
  assert.deepEqual(bigger.json.tickets, { adult: 3, senior: 1 });
  assert.equal(await leftOf(m, s2.start), 0);
  const smaller = await staff('PATCH', `/books/${b.id}`, { tickets: { adult: 1 } });
  assert.equal(smaller.status, 200, smaller.text);
  assert.equal(await leftOf(m, s2.start), 3);
  // The local form, with tickets, to s3.
  const both = await api('PATCH', `/books/${b.id}`, { slot: s3.start.slice(0, 16), tickets: { child: 3 } }, me);
  assert.equal(both.status, 200, both.text);
  assert.equal(both.json.slot, s3.start);
  assert.equal(both.json.party, 3);
  assert.deepEqual([await leftOf(m, s2.start), await leftOf(m, s3.start)], [4, 1]);

  // The target lacks seats: 409, and the booking keeps its place.
  await book(m.id, unique('filler'), { slot: s1.start, tickets: { adult: 3 } });
  const refused = await api('PATCH', `/books/${b.id}`, { slot: s1.start }, me);
  assertProblem(refused, 409);
  assert.match(refused.json.detail, /only 1 seat left.*party of 3/);
  const grow = await api('PATCH', `/books/${b.id}`, { tickets: { child: 5 } }, me);
  assertProblem(grow, 409);
  const still = (await api('GET', `/books/${b.id}`, undefined, me)).json;
  assert.deepEqual([still.slot, still.party, still.tickets], [s3.start, 3, { child: 3 }]);
  assert.deepEqual([await leftOf(m, s1.start), await leftOf(m, s3.start)], [1, 1]);
  // Not a slot, bad bodies: 422 and nothing changes.
  for (const body of [{ slot: slotAt(m.startDate, '10:30') }, { slot: 'soon' }, { tickets: { adult: 0 } },
    { status: 'CANCELED', slot: s2.start }, { tickets: { dog: 1 } }, { museumId: m.id }, {}]) {
    assertProblem(await api('PATCH', `/books/${b.id}`, body, me), 422);
  }
  // Someone else's token: 404.
  const other = await book(m.id, unique('other'), { slot: s2.start });
  assertProblem(await api('PATCH', `/books/${b.id}`, { slot: s2.start }, visitor(other.token)), 404);
  assertProblem(await api('PATCH', `/books/${b.id}`, { slot: s2.start }), 404);

  // Confirmation and MyPage follow the move.
  await caughtUp();
  const conf = (await api('GET', `/confirms?bookId=${b.id}`, undefined, me)).json[0];
  assert.deepEqual([conf.slot, conf.party, conf.chkDate], [s3.start, 3, s3.start.slice(0, 10)]);
  const my = (await staff('GET', `/myPages?bookId=${b.id}`)).json[0];
  assert.deepEqual([my.slot, my.slotEnd, my.party, my.tickets], [s3.start, s3.end, 3, { child: 3 }]);
  assert.equal(sql('SELECT count(*) FROM mypage.diff()'), '0');

  // The cancel gives back the whole party, once.
  assert.equal((await api('PATCH', `/books/${b.id}`, { status: 'CANCELED' }, me)).status, 200);
  assertProblem(await api('PATCH', `/books/${b.id}`, { slot: s2.start }, me), 409);
  await caughtUp();
  assert.equal(await leftOf(m, s3.start), 4);
  await assertSeatsAgree([m.id]);
});

test('moves racing each other the other way round: no deadlock, no seat lost', async () => {
  const m = await createExhibition({ capacity: 10 });
  const [s1, s2] = await allSlots(m);
  const one = await Promise.all(Array.from({ length: 4 }, () => book(m.id, unique('a'), { slot: s1.start, tickets: { adult: 2 } })));
  const two = await Promise.all(Array.from({ length: 4 }, () => book(m.id, unique('b'), { slot: s2.start, tickets: { adult: 2 } })));
  const moves = [
    ...one.map((b) => apiSettled('PATCH', `/books/${b.id}`, { slot: s2.start }, visitor(b.token))),
    ...two.map((b) => apiSettled('PATCH', `/books/${b.id}`, { slot: s1.start }, visitor(b.token))),
  ];
  const results = await Promise.all(moves);
  assert.ok(results.every((r) => r.status === 200 || r.status === 409), results.map((r) => r.status).join());
  await assertSeatsAgree([m.id]);
  assert.equal(await leftOf(m, s1.start) + await leftOf(m, s2.start), 20 - 16);
});

test('PATCH /museums/{id}: name, description, capacity, endDate, closedDates with forceCancel', async () => {
  const m = await createExhibition({ capacity: 4, description: 'Old text' });
  const [d0, d1, d2] = [m.startDate, addDays(m.startDate, 1), addDays(m.startDate, 2)];
  const p = (body) => staff('PATCH', `/museums/${m.id}`, body);

  const named = await p({ name: 'Renamed hall', description: 'New text' });
  assert.equal(named.status, 200, named.text);
  assert.deepEqual([named.json.name, named.json.description], ['Renamed hall', 'New text']);
  assert.equal((await p({ description: '' })).json.description, null, '"" removes it');
  assertProblem(await api('PATCH', `/museums/${m.id}`, { name: 'x' }), 401);
  assertProblem(await p({ name: 'x', startDate: d1 }), 422);
  assertProblem(await staff('PATCH', '/museums/9007199254740991', { name: 'x' }), 404);

  // Capacity: up; down to what the fullest slot holds; not below (409).
  const b = await book(m.id, unique('cap'), { slot: slotAt(d0, '10:00'), tickets: { adult: 3 } });
  assert.equal((await p({ capacity: 6 })).json.pcnt, 6 * 6 - 3);
  assert.equal(await leftOf(m, slotAt(d0, '10:00')), 3);
  const low = await p({ capacity: 2 });
  assertProblem(low, 409);
  assert.match(low.json.detail, /3 seats taken/);
  const three = await p({ capacity: 3 });
  assert.equal(three.status, 200, three.text);
  assert.equal(three.json.capacity, 3);
  assert.equal(await leftOf(m, slotAt(d0, '10:00')), 0);
  assert.equal(await leftOf(m, slotAt(d0, '11:00')), 3);
  await assertSeatsAgree([m.id]);

  // endDate: longer makes slots; shorter drops days only without bookings.
  const longer = await p({ endDate: addDays(d0, 4) });
  assert.equal(longer.status, 200, longer.text);
  assert.equal(longer.json.endDate, addDays(d0, 4));
  assert.equal((await slotsOf(m.id, `from=${addDays(d0, 4)}&to=${addDays(d0, 4)}`)).length, 2);
  assert.equal((await slotsOf(m.id, `from=${addDays(d0, 4)}&to=${addDays(d0, 4)}`))[0].capacity, 3);
  const onD2 = await book(m.id, unique('d2'), { slot: slotAt(d2, '11:00') });
  const drop = await p({ endDate: d1 });
  assertProblem(drop, 409);
  assert.match(drop.json.detail, new RegExp(d2));
  assert.equal((await api('GET', `/museums/${m.id}`)).json.endDate, addDays(d0, 4), 'unchanged');
  assert.equal((await slotsOf(m.id, `from=${addDays(d0, 3)}&to=${addDays(d0, 4)}`)).length, 4, 'no slot dropped');
  assert.equal((await p({ endDate: d2 })).json.endDate, d2);
  assert.deepEqual(await slotsOf(m.id, `from=${addDays(d0, 3)}&to=${addDays(d0, 4)}`), []);
  assertProblem(await p({ endDate: addDays(d0, -1) }), 422);
  await assertSeatsAgree([m.id]);

  // closedDates: closing a day with bookings is 409 unless forceCancel.
  const onD1 = await Promise.all([1, 2].map((n) => book(m.id, unique('d1'), { slot: slotAt(d1, '10:00'), tickets: { adult: n } })));
  const refused = await p({ closedDates: [d1] });
  assertProblem(refused, 409);
  assert.match(refused.json.detail, /forceCancel/);
  assert.equal((await slotsOf(m.id, `from=${d1}&to=${d1}`)).length, 2, 'still open');
  const empty = await p({ closedDates: [addDays(d0, 2)].filter(() => false) });
  assert.equal(empty.status, 200);
  const closed = await p({ closedDates: [d1], forceCancel: true });
  assert.equal(closed.status, 200, closed.text);
  assert.deepEqual(closed.json.closedDates, [d1]);
  assert.deepEqual(await slotsOf(m.id, `from=${d1}&to=${d1}`), [], 'a closed day has no slots');
  assertProblem(await api('POST', '/books', { museumId: m.id, custNm: 'x', slot: slotAt(d1, '11:00') }), 422);
  for (const x of onD1) {
    await eventually(async () => (await api('GET', `/books/${x.id}`, undefined, visitor(x.token))).json.status === 'FORCE_CANCELED',
      10000, 'the force-cancel of the closed day');
    const got = (await api('GET', `/books/${x.id}`, undefined, visitor(x.token))).json;
    assert.equal(got.cancelReason, 'DAY_CLOSED');
  }
  await caughtUp();
  assert.equal(sql(`SELECT status FROM book.booking WHERE id = ${onD2.id}`), 'REQUEST_COMPLETED', 'other days untouched');
  assert.equal(sql(`SELECT status FROM book.booking WHERE id = ${b.id}`), 'REQUEST_COMPLETED');
  assert.deepEqual((await staff('GET', `/confirms?bookId=${onD1[0].id}`)).json.map((c) => c.status), ['FORCE_CANCELED']);
  assert.equal(sql('SELECT count(*) FROM mypage.diff()'), '0');
  await assertSeatsAgree([m.id]);
  // Reopened: its slots are back with all their seats (the force-canceled parties returned).
  const reopened = await p({ closedDates: [] });
  assert.equal(reopened.status, 200, reopened.text);
  assert.deepEqual((await slotsOf(m.id, `from=${d1}&to=${d1}`)).map((s) => s.left), [3, 3]);
  // Closing a day without bookings needs no forceCancel; a day before today cannot be closed.
  assert.equal((await p({ closedDates: [d1] })).status, 200);
  const past = await p({ closedDates: [d1, addDays(today(), -1)] });
  assertProblem(past, 422);
  assert.ok(past.json.errors?.closedDates, past.text);
  await assertSeatsAgree([m.id]);
});

test('PATCH /museums/{id} strict parsing: 422 and nothing changes', async () => {
  const m = await createExhibition();
  const state = () => JSON.stringify([sql(`SELECT row_to_json(e) FROM museum.exhibition e WHERE id = ${m.id}`),
    sql(`SELECT json_agg(s ORDER BY s.id) FROM museum.slot s WHERE museum_id = ${m.id}`), sql('SELECT count(*) FROM outbox.event')]);
  const before = state();
  for (const [body, field] of [
    [{ capacity: 0 }, 'capacity'], [{ capacity: 1.5 }, 'capacity'], [{ capacity: '4' }, 'capacity'],
    [{ capacity: 1000001 }, 'capacity'],
    [{ description: 'x'.repeat(2001) }, 'description'], [{ description: 5 }, 'description'],
    [{ name: '' }, 'name'], [{ name: 'x'.repeat(201) }, 'name'],
    [{ endDate: '2031-02-30' }, 'endDate'], [{ endDate: 20310801 }, 'endDate'],
    [{ closedDates: ['2031-02-30'] }, 'closedDates'], [{ closedDates: ['someday'] }, 'closedDates'],
    [{ closedDates: [null] }, 'closedDates'], [{ closedDates: '2031-08-01' }, 'closedDates'],
    [{ forceCancel: 'yes' }, 'forceCancel'], [{ forceCancel: 1 }, 'forceCancel'],
    [{ closedWeekdays: [1] }, 'closedWeekdays'], [{ slotMinutes: 30 }, 'slotMinutes'], [{ pcnt: 3 }, 'pcnt'],
    [{ name: 'fine', capacity: -1 }, 'capacity'],
  ]) {
    const r = await staff('PATCH', `/museums/${m.id}`, body);
    assert.equal(r.status, 422, `${JSON.stringify(body)} -> ${r.text}`);
    assertProblem(r, 422);
    assert.ok(r.json.errors && field in r.json.errors, `${JSON.stringify(body)} -> ${r.text}`);
  }
  assertProblem(await staff('PATCH', `/museums/${m.id}`, '{"name":'), 400);
  assert.equal(state(), before);
});

test('GET /site: the museum, its hours, time zone, ticket categories and largest party', async () => {
  const r = await api('GET', '/site');
  assert.equal(r.status, 200, r.text);
  for (const k of ['name', 'nameKo', 'logo', 'address', 'opens', 'closes', 'closedWeekdays', 'timeZone', 'categories', 'maxParty']) {
    assert.ok(k in r.json, k);
  }
  assert.equal(r.json.timeZone, 'Asia/Seoul');
  assert.deepEqual(r.json.categories, ['adult', 'youth', 'child', 'senior']);
  assert.equal(r.json.maxParty, 10);
  assert.match(r.json.opens, /^\d\d:\d\d$/);
  assert.ok(Array.isArray(r.json.closedWeekdays));
  assertProblem(await api('GET', '/site?x=1'), 400);
  assertProblem(await api('POST', '/site', {}), 405);
});

test('reports: slot_occupancy, visitors by category, occupancy seats', async () => {
  const m = await createExhibition({ capacity: 6 });
  const [s1, s2] = await allSlots(m);
  const a = await book(m.id, unique('r'), { slot: s1.start, tickets: { adult: 2, child: 1 } });
  await book(m.id, unique('r'), { slot: s1.start, tickets: { senior: 2 } });
  await book(m.id, unique('r'), { slot: s2.start, tickets: { adult: 1, youth: 1 } });
  const gone = await book(m.id, unique('r'), { slot: s2.start, tickets: { child: 4 } });
  assert.equal((await staff('PATCH', `/books/${gone.id}`, { status: 'CANCELED' })).status, 200);
  await assertSeatsAgree([m.id]);
  assert.equal(sql(`SELECT string_agg(category || '=' || tickets, ',' ORDER BY category) FROM report.visitors
    WHERE museum_id = ${m.id} AND day = '${m.startDate}'`), 'adult=3,child=1,senior=2,youth=1');
  assert.equal(sql(`SELECT booked || '/' || "left" FROM report.slot_occupancy WHERE museum_id = ${m.id}
    AND slot_start = '${s1.start}'`), '5/1');
  assert.equal(sql(`SELECT booked || '/' || seats || '/' || canceled FROM report.occupancy WHERE museum_id = ${m.id}`), '3/7/1');
  // Moves are counted where they go.
  assert.equal((await staff('PATCH', `/books/${a.id}`, { slot: s2.start })).status, 200);
  await assertSeatsAgree([m.id]);
  assert.equal(sql(`SELECT string_agg(booked || '/' || "left", ' ' ORDER BY slot_start) FROM report.slot_occupancy
    WHERE museum_id = ${m.id} AND slot_start IN ('${s1.start}', '${s2.start}')`), '2/4 5/1');
  assert.equal(live(m.id), '3');
});

test('GET /museums?from= lists exhibitions that have not ended by that date, by endDate then id', async () => {
  // In a far year of its own, so that other tests' exhibitions do not interleave.
  const base = `${2400 + Math.floor(Math.random() * 400)}-03-01`;
  const long = await createExhibition({ startDate: base, endDate: addDays(base, 30), slotMinutes: undefined });
  const short = await createExhibition({ startDate: addDays(base, 5), endDate: addDays(base, 6), slotMinutes: undefined });
  const ended = await createExhibition({ startDate: base, endDate: addDays(base, 3), slotMinutes: undefined });
  const mid = await createExhibition({ startDate: addDays(base, 1), endDate: addDays(base, 10), slotMinutes: undefined });
  const list = async (from) => (await api('GET', `/museums?from=${from}&limit=1000`)).json
    .filter((x) => [long.id, short.id, ended.id, mid.id].includes(x.id)).map((x) => x.id);
  assert.deepEqual(await list(addDays(base, 4)), [short.id, mid.id, long.id], 'still running on that day, closing soonest first');
  assert.deepEqual(await list(addDays(base, 3)), [ended.id, short.id, mid.id, long.id], 'endDate itself counts');
  assert.deepEqual(await list(addDays(base, 11)), [long.id]);
  const page = await api('GET', `/museums?from=${addDays(base, 4)}&limit=1`);
  assert.equal(page.json[0].id, short.id);
  assert.match(page.headers.get('link'), new RegExp(`after=${short.id}`));
});

test('the original body still makes a one-day, one-slot exhibition; its bookings are parties of one', async () => {
  const m = await createMuseum(3);
  assert.deepEqual([m.startDate, m.endDate, m.opens, m.closes, m.slotMinutes, m.capacity, m.pcnt],
    ['2031-07-26', '2031-07-26', '09:00', '18:00', null, 3, 3]);
  assert.deepEqual(await allSlots(m), [{ start: slotAt('2031-07-26', '09:00'), end: slotAt('2031-07-26', '18:00'), capacity: 3, left: 3 }]);
  const b = await book(m.id);
  assert.deepEqual([b.slot, b.slotEnd, b.party, b.tickets], [slotAt('2031-07-26', '09:00'), slotAt('2031-07-26', '18:00'), 1, { adult: 1 }]);
  // A party on the original exhibition.
  const p = await book(m.id, unique('party'), { tickets: { adult: 1, child: 1 } });
  assert.equal(p.party, 2);
  assertProblem(await api('POST', '/books', { museumId: m.id, custNm: unique('x') }), 409);
  await assertSeatsAgree([m.id]);
  assert.equal((await api('GET', `/museums/${m.id}`)).json.pcnt, 0);
});
