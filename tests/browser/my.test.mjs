// My bookings: statuses update by themselves; cancel (with a confirmation step) updates the list and the seats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, closePage, createMuseum, book, unique, waitForText, eventually, rememberBookings } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('cancel updates My bookings and the seats left', async () => {
  const museum = await createMuseum({ name: unique('Cancel hall'), capacity: 2 });
  const visitor = unique('visitor');
  const booking = await book(museum.id, visitor);

  const home = await newPage(browser);
  await home.goto(`/?from=${museum.chkDate}`);
  const seats = home.locator('#exhibitions > li', { hasText: museum.name }).locator('.seats');
  await waitForText(seats, /^1 of 2 seats left$/);

  const page = await newPage(browser);
  await rememberBookings(page, [booking]);
  await page.goto(`/my.html?custNm=${encodeURIComponent(visitor)}`);
  const row = page.locator(`#my-rows tr[data-book-id="${booking.id}"]`);
  await row.locator('.badge[data-status="REQUEST_COMPLETED"]').first().waitFor();
  assert.equal(await row.locator('td').nth(1).textContent(), museum.name);
  // The entry confirmation appears asynchronously too.
  await eventually(async () => (await row.locator('.badge').nth(1).getAttribute('data-status')) !== 'NONE', {
    message: 'entry confirmation',
  });

  // Changing one's mind in the dialog (Esc) keeps the booking.
  await row.getByRole('button', { name: `Cancel booking ${booking.id}` }).click();
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal(await row.locator('.badge').first().getAttribute('data-status'), 'REQUEST_COMPLETED');

  await row.getByRole('button', { name: `Cancel booking ${booking.id}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this booking?' });
  await waitForText(dialog, new RegExp(`Booking ${booking.id} for`));
  await dialog.getByRole('button', { name: 'Yes, cancel booking' }).click();

  await row.locator('.badge[data-status="CANCELED"]').first().waitFor();
  await waitForText(page.locator('#my-message'), new RegExp(`Booking ${booking.id} was canceled`));
  assert.equal(await row.getByRole('button').count(), 0, 'no Cancel button on a canceled booking');
  await waitForText(seats, /^2 of 2 seats left$/); // the home page, still open, gets the seat back
  await closePage(page);
  await closePage(home);
});

test('a visitor finds their bookings by name', async () => {
  const museum = await createMuseum({ name: unique('Lookup hall'), capacity: 4 });
  const visitor = unique('visitor');
  const first = await book(museum.id, visitor);
  const second = await book(museum.id, visitor); // booked on another device: listed, but not cancelable here
  const other = await book(museum.id, unique('someone else'));

  const page = await newPage(browser);
  await rememberBookings(page, [first, other]);
  await page.goto('/my.html');
  await page.getByLabel('Visitor name').fill(visitor);
  await page.getByLabel('Visitor name').press('Enter');
  await page.locator(`#my-rows tr[data-book-id="${first.id}"]`).waitFor();
  await page.locator(`#my-rows tr[data-book-id="${second.id}"]`).waitFor();
  assert.equal(await page.locator('#my-rows tr').count(), 2, 'only this visitor’s bookings');
  await page.locator(`#my-rows tr[data-book-id="${first.id}"] .badge[data-status="REQUEST_COMPLETED"]`).first().waitFor();
  await page.locator(`#my-rows tr[data-book-id="${second.id}"] .badge[data-status="REQUEST_COMPLETED"]`).first().waitFor();
  assert.equal(await page.locator(`#my-rows tr[data-book-id="${first.id}"]`).getByRole('button').count(), 1);
  assert.equal(await page.locator(`#my-rows tr[data-book-id="${second.id}"]`).getByRole('button').count(), 0,
    'no token here for the other device’s booking');
  assert.match(page.url(), new RegExp(`custNm=${encodeURIComponent(visitor).replace(/%20/g, '(%20|\\+)')}`));
  await waitForText(page.locator('#my-caption'), new RegExp(`Bookings of ${visitor}`));

  const unknown = unique('nobody');
  await page.getByLabel('Visitor name').fill(unknown);
  await page.getByRole('button', { name: 'Show my bookings' }).click();
  await waitForText(page.locator('#my-message'), new RegExp(`No booking of ${unknown} was made in this browser`));
  assert.ok(await page.locator('#my-results').isHidden());
  await closePage(page);
});
