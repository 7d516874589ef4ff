// My bookings: time slot and party shown; cancel (with a confirmation step) gives the places
// back; change the party through the booking page (PATCH). (Tickets, the sign-in link and
// forgetting the device: tickets.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, closePage, createExhibition, book, unique, futureDate, waitForText, eventually, rememberBookings, slotsOn, api, visitor } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function exhibitionWithBooking(capacity = 6, tickets = { adult: 2, child: 1 }) {
  const day = futureDate();
  const museum = await createExhibition({ name: unique('My hall'), startDate: day, opens: '10:00', closes: '12:00', slotMinutes: 60, capacity });
  const [slot] = await slotsOn(museum.id, day);
  const custNm = unique('visitor');
  const booking = await book(museum.id, custNm, { slot: slot.start, tickets });
  return { museum, day, slot, custNm, booking };
}

test('My bookings shows time and party; cancel gives the places back', async () => {
  const { museum, day, custNm, booking } = await exhibitionWithBooking();
  const page = await newPage(browser);
  await rememberBookings(page, [booking]);
  await page.goto('/my.html');
  const row = page.locator(`#my-rows tr[data-book-id="${booking.id}"]`);
  await row.locator('.badge[data-status="REQUEST_COMPLETED"]').first().waitFor();
  assert.equal(await row.locator('td').nth(1).textContent(), museum.name);
  assert.equal(await row.locator('td').nth(3).textContent(), '10:00–11:00');
  assert.equal(await row.locator('td').nth(4).textContent(), '2 adults, 1 child (3 people)');
  assert.match(await row.locator('td').nth(6).textContent(), /^[0-9A-HJKMNP-TV-Z]{4} [0-9A-HJKMNP-TV-Z]{4} [0-9A-HJKMNP-TV-Z]{2}$/, 'the ticket code');

  await row.getByRole('button', { name: `Cancel booking ${booking.id}` }).click();
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Escape'); // changing one's mind keeps the booking
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await row.getByRole('button', { name: `Cancel booking ${booking.id}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this booking?' });
  await waitForText(dialog, /at 10:00–11:00 \(2 adults, 1 child/);
  await dialog.getByRole('button', { name: 'Yes, cancel booking' }).click();
  await row.locator('.badge[data-status="CANCELED"]').first().waitFor();
  await waitForText(page.locator('#my-message'), new RegExp(`Booking ${booking.id} was canceled`));
  await row.getByRole('button', { name: `Cancel booking ${booking.id}` }).waitFor({ state: 'detached' });
  assert.equal(await row.getByRole('link', { name: `Change booking ${booking.id}` }).count(), 0, 'nothing left to change');
  // Its ticket can still be looked at, marked no longer valid, without a QR code to scan.
  await row.getByRole('button', { name: `Show the ticket of booking ${booking.id}` }).click();
  const ticket = page.locator('#my-ticket .ticket[data-status="CANCELED"]');
  await waitForText(ticket.locator('.ticket-hint'), /no longer valid/);
  assert.ok(await ticket.locator('.ticket-qr-box').isHidden(), 'no QR code');
  assert.ok(await ticket.locator('.ticket-actions').isHidden(), 'no calendar, email or print');
  await eventually(async () => (await slotsOn(museum.id, day))[0].left === 6, { message: 'places back' });
  await closePage(page);
});

test('a visitor changes the party and the time of a booking', async () => {
  const { museum, day, custNm, booking } = await exhibitionWithBooking(6, { adult: 2 });
  const page = await newPage(browser);
  await rememberBookings(page, [booking]);
  await page.goto('/my.html');
  const row = page.locator(`#my-rows tr[data-book-id="${booking.id}"]`);
  await row.getByRole('link', { name: `Change booking ${booking.id}` }).click();
  await waitForText(page.locator('#change-note'), new RegExp(`Changing booking ${booking.id}`));
  await page.locator(`#cal-body td[data-date="${day}"][aria-selected="true"]`).waitFor();
  assert.ok(await page.locator('#slot-list input[type="radio"]').first().isChecked(), 'its slot chosen');
  await page.locator('.stepper[data-category="child"] button[data-step="1"]').click();
  await page.locator('#slot-list label', { hasText: /^11:00/ }).locator('input').check();
  await waitForText(page.locator('#summary-party'), /^2 adults, 1 child \(3 people\)$/);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await waitForText(page.locator('#book-message'), /was changed/);
  const stored = await api('GET', `/books/${booking.id}`, undefined, visitor(booking));
  assert.deepEqual([stored.body.tickets, stored.body.slot.slice(11, 16)], [{ adult: 2, child: 1 }, '11:00']);
  const slots = await slotsOn(museum.id, day);
  assert.deepEqual(slots.map((s) => s.left), [6, 3], 'the places moved with it');
  await closePage(page);
});
