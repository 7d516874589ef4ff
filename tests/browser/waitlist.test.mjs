// The waiting list (issue 15): a visitor joins the waiting list of a sold-out slot from the
// booking page and sees her place in line on the entry's page; a cancel frees the seat, the page
// shows the offer with a countdown and "Accept", which gives the ticket. A booking refused as sold
// out offers the waiting list for the party refused. An entry opened from its email link (the
// fragment leaves the address bar) can be left, with a confirmation. Staff see each slot's queue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, closePage, createExhibition, book, api, unique, futureDate, waitForText, eventually, chooseSlot, openBooking,
  slotsOn, staffSignIn, visitor, STAFF,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** An exhibition of one slot of `capacity` seats on a future day, filled by a booking through the API. */
async function soldOut(capacity = 1) {
  const day = futureDate();
  const museum = await createExhibition({ name: unique('Waiting hall'), startDate: day, opens: '10:00', closes: '11:00', capacity });
  const [slot] = await slotsOn(museum.id, day);
  const booking = await book(museum.id, unique('first visitor'), { slot: slot.start, tickets: { adult: capacity } });
  assert.equal((await slotsOn(museum.id, day))[0].left, 0);
  return { day, museum, slot, booking };
}

const entryToken = (page, id) => page.evaluate((k) => JSON.parse(localStorage.getItem('skmuseum.waitlist') || '{}')[k]?.token, String(id));

test('join the waiting list of a sold-out slot; a cancel offers the seat with a countdown; accept gives the ticket', async () => {
  const { day, museum, booking } = await soldOut(1);
  const page = await newPage(browser);
  await openBooking(page, museum);
  assert.equal(await page.locator(`#cal-body td[data-date="${day}"]`).getAttribute('data-state'), 'soldout');
  await chooseSlot(page, day, '10:00');
  await waitForText(page.locator('#slot-list label', { hasText: /^10:00/ }), /Full – waiting list/);
  await waitForText(page.locator('#party-hint'), /fully booked: join its waiting list/);
  await waitForText(page.locator('#book-submit'), /^Join the waiting list$/);
  await waitForText(page.locator('label[for="email"]'), /^Email \(optional\)$/);
  await page.getByLabel('Your name').fill(unique('waiting visitor'));
  await page.locator('#book-submit').click();

  // The entry's page: position 1, its token kept on this device, never in the address.
  await page.waitForURL(/\/waitlist\.html\?id=\d+$/);
  const entryId = new URL(page.url()).searchParams.get('id');
  assert.ok(await entryToken(page, entryId), 'the entry’s token is kept like a booking’s');
  await waitForText(page.locator('#wl-name'), new RegExp(museum.name));
  await waitForText(page.locator('#wl-status'), /^Waiting$/);
  await waitForText(page.locator('#wl-live'), /You are 1st in line\. You are next in line\./);
  assert.equal(await page.locator('#wl-live').getAttribute('aria-live'), 'polite');
  await waitForText(page.locator('#wl-party'), /^1 person$/);
  assert.ok(await page.locator('#wl-offer').isHidden());
  assert.ok(await page.getByRole('button', { name: 'Leave the waiting list' }).isVisible());

  // My bookings lists the entry.
  const my = await page.context().newPage();
  await my.goto('/my.html');
  const row = my.locator(`#my-waitlist-rows tr[data-entry-id="${entryId}"]`);
  await waitForText(row, /Waiting/);
  assert.equal(await row.locator('td').nth(6).textContent(), '1st');
  assert.equal(await row.getByRole('link', { name: `Open waiting-list entry ${entryId}` }).getAttribute('href'), `/waitlist.html?id=${entryId}`);
  await my.close();

  // The booking is canceled: the seat is offered to the first in line.
  const res = await api('PATCH', `/books/${booking.id}`, { status: 'CANCELED' }, visitor(booking));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await waitForText(page.locator('#wl-status'), /^Places offered to you$/, 20000);
  await page.locator('#wl-offer').waitFor();
  const first = await page.locator('#wl-countdown').textContent();
  assert.match(first, /^(\d+:)?\d\d:\d\d$/, 'a countdown');
  await eventually(async () => (await page.locator('#wl-countdown').textContent()) !== first, { message: 'the countdown ticking' });
  assert.equal(await page.locator('#wl-countdown').getAttribute('aria-live'), null, 'the countdown is not announced every second');
  assert.equal((await slotsOn(museum.id, day))[0].left, 0, 'the held seat is not shown as left');

  await page.getByRole('button', { name: 'Accept and get my ticket' }).click();
  await page.locator('#wl-booking .ticket').waitFor();
  await waitForText(page.locator('#wl-booking .ticket-code'), /^[0-9A-HJKMNP-TV-Z]{10}$/);
  await waitForText(page.locator('#wl-status'), /^Accepted: booked$/);
  assert.ok(await page.locator('#wl-leave').isHidden(), 'no leaving once accepted');
  const held = await page.evaluate(() => JSON.parse(localStorage.getItem('skmuseum.bookings') || '{}'));
  assert.equal(Object.keys(held).length, 1, 'the booking’s token is kept as the booking page keeps it');
  const [bookId] = Object.keys(held);
  const made = await api('GET', `/books/${bookId}`, undefined, { 'X-Booking-Token': held[bookId].token });
  assert.equal(made.status, 200);
  assert.equal(made.body.party, 1);
  await closePage(page);
});

test('a booking refused as sold out offers the waiting list for the party refused', async () => {
  const day = futureDate();
  const museum = await createExhibition({ startDate: day, opens: '10:00', closes: '11:00', capacity: 2 });
  const page = await newPage(browser);
  await openBooking(page, museum);
  await chooseSlot(page, day, '10:00');
  await page.locator('.stepper[data-category="adult"] button[data-step="1"]').click(); // 2 people
  await page.getByLabel('Your name').fill(unique('visitor'));
  await book(museum.id, unique('faster visitor')); // one of the two places goes meanwhile
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await waitForText(page.locator('#book-message'), /no longer has enough places/);
  const join = page.getByRole('button', { name: 'Join the waiting list for 2 people' });
  await join.click();
  await page.waitForURL(/\/waitlist\.html\?id=\d+$/);
  await waitForText(page.locator('#wl-party'), /^2 people$/);
  await waitForText(page.locator('#wl-live'), /1st in line/);
  await closePage(page, [/status of 409/]);
});

test('a party larger than the places left joins the waiting list instead', async () => {
  const day = futureDate();
  const museum = await createExhibition({ startDate: day, opens: '10:00', closes: '11:00', capacity: 3 });
  const [slot] = await slotsOn(museum.id, day);
  await book(museum.id, unique('early visitor'), { slot: slot.start, tickets: { adult: 2 } }); // 1 left
  const page = await newPage(browser);
  await openBooking(page, museum);
  await chooseSlot(page, day, '10:00');
  await waitForText(page.locator('#party-hint'), /1 places are left at 10:00|1 place/);
  const plus = page.locator('.stepper[data-category="adult"] button[data-step="1"]');
  assert.ok(await plus.isDisabled(), 'no more than the place left, to book');
  const toggle = page.getByRole('button', { name: 'Join the waiting list instead' });
  await toggle.click();
  assert.equal(await page.locator('#waitlist-toggle').getAttribute('aria-pressed'), 'true');
  await waitForText(page.locator('#book-submit'), /^Join the waiting list$/);
  await plus.click();
  await plus.click(); // 3 people
  await page.getByLabel('Your name').fill(unique('family'));
  await page.locator('#book-submit').click();
  await page.waitForURL(/\/waitlist\.html\?id=\d+$/);
  await waitForText(page.locator('#wl-party'), /^3 people$/);
  await closePage(page);
});

test('an entry opened from its email link can be left, with a confirmation; staff see the queue', async () => {
  const { day, museum, slot } = await soldOut(2);
  const join = async (custNm, party) => {
    const res = await api('POST', `/museums/${museum.id}/waitlist`, { custNm, slot: slot.start, tickets: { adult: party } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const firstName = unique('first in line');
  const secondName = unique('second in line');
  await join(firstName, 2);
  const second = await join(secondName, 1);
  assert.equal(second.position, 2);

  const page = await newPage(browser);
  await page.goto(`/waitlist.html#id=${second.id}&token=${encodeURIComponent(second.token)}`);
  await waitForText(page.locator('#wl-live'), /You are 2nd in line\./);
  assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
  assert.equal(new URL(page.url()).search, `?id=${second.id}`);
  assert.equal(await entryToken(page, second.id), second.token);

  await page.getByRole('button', { name: 'Leave the waiting list' }).click();
  const dialog = page.getByRole('dialog', { name: 'Leave the waiting list?' });
  await waitForText(dialog, /10:00 \(1 person\)/);
  await page.keyboard.press('Escape'); // changing one's mind keeps the place
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await api('GET', `/waitlist/${second.id}`, undefined, visitor(second))).body.status, 'WAITING');
  await page.getByRole('button', { name: 'Leave the waiting list' }).click();
  await dialog.getByRole('button', { name: 'Yes, leave' }).click();
  await waitForText(page.locator('#wl-status'), /^Left the waiting list$/);
  await waitForText(page.locator('#wl-message'), /You left the waiting list/);
  assert.ok(await page.locator('#wl-leave').isHidden());
  assert.equal((await api('GET', `/waitlist/${second.id}`, undefined, visitor(second))).body.status, 'LEFT');
  await closePage(page);

  // Staff: the day's queue of the slot.
  const queue = await api('GET', `/museums/${museum.id}/waitlist?day=${day}`, undefined, STAFF);
  assert.equal(queue.status, 200, JSON.stringify(queue.body));
  const staff = await newPage(browser);
  await staffSignIn(staff);
  await staff.getByLabel('Open on or after').fill(day);
  await staff.getByRole('button', { name: 'Show', exact: true }).click();
  const row = staff.locator('#occupancy-rows tr', { hasText: museum.name });
  await row.getByRole('button', { name: `Show time slots of ${museum.name}` }).click();
  await staff.getByLabel('Day', { exact: true }).fill(day);
  await staff.locator('#slots-form').getByRole('button', { name: 'Show' }).click();
  const firstRow = staff.locator('#waitlist-rows tr', { hasText: firstName });
  await waitForText(firstRow, /Waiting/);
  const cells = await firstRow.locator('th, td').allTextContents();
  assert.deepEqual(cells.slice(0, 5), ['10:00', '1', firstName, '2', 'Waiting']);
  await waitForText(staff.locator('#waitlist-rows tr', { hasText: secondName }), /Left the waiting list/);
  await closePage(staff);
});
