// Staff page: sign-in, validation, register, occupancy, one exhibition's bookings, delete → FORCE_CANCELED.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, closePage, book, api, unique, futureDate, waitForText, eventually, staffSignIn, rememberBookings, visitor, ADMIN_PASSWORD,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const cellTexts = (row) => row.locator('th, td').allTextContents();

test('staff sign in with the staff password; a wrong one is refused; sign out', async () => {
  const page = await newPage(browser);
  await page.goto('/admin/');
  assert.ok(await page.locator('#register').isHidden(), 'nothing for staff before signing in');
  assert.ok(await page.locator('#occupancy-section').isHidden());
  await page.getByLabel('Staff password').fill(`${ADMIN_PASSWORD}x`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForText(page.locator('#login-message'), /not right/);
  assert.ok(await page.locator('#register').isHidden());
  assert.equal(await page.evaluate(() => sessionStorage.getItem('skmuseum.staff')), null, 'a wrong password is not kept');

  await page.getByLabel('Staff password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#register').waitFor();
  await page.locator('#occupancy-section').waitFor();
  assert.ok(await page.locator('#login').isHidden());
  await page.reload(); // kept for this tab
  await page.locator('#occupancy-section').waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#login').waitFor();
  assert.ok(await page.locator('#register').isHidden());
  assert.equal(await page.evaluate(() => sessionStorage.getItem('skmuseum.staff')), null);
  await closePage(page, [/status of 401/]);
});

test('a stale password sends staff back to the sign-in form', async () => {
  const page = await newPage(browser);
  await staffSignIn(page);
  await page.evaluate(() => sessionStorage.setItem('skmuseum.staff', btoa('admin:changed')));
  await page.locator('#login').waitFor({ timeout: 30000 }); // at the next refresh (every 5 s)
  await waitForText(page.locator('#login-message'), /sign in again/);
  await closePage(page, [/status of 401/]);
});

test('the register form validates before sending and shows the server’s field errors', async () => {
  const page = await newPage(browser);
  await staffSignIn(page);
  await page.getByRole('button', { name: 'Register' }).click();
  await waitForText(page.locator('#name-error'), /required/);
  await waitForText(page.locator('#chkDate-error'), /required/);
  await waitForText(page.locator('#capacity-error'), /required/);
  assert.ok(await page.getByLabel('Hall name').evaluate((el) => el === document.activeElement), 'focus on the first bad field');

  await page.getByLabel('Hall name').fill('Some hall');
  await page.getByLabel('Date', { exact: true }).fill('2091-03-04');
  await page.getByLabel('Capacity (seats)').fill('0');
  await page.getByRole('button', { name: 'Register' }).click();
  await waitForText(page.locator('#capacity-error'), /whole number from 1/);
  assert.equal(await page.locator('#name-error').textContent(), '');

  // What the server says is shown too (answer simulated: the real API accepts this input).
  await page.route(
    (url) => url.pathname === '/museums',
    (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 400,
            contentType: 'application/problem+json',
            body: JSON.stringify({ title: 'Bad Request', status: 400, detail: 'Invalid exhibition.', errors: { name: 'is already taken' } }),
          })
        : route.continue(),
  );
  await page.getByLabel('Capacity (seats)').fill('10');
  await page.getByRole('button', { name: 'Register' }).click();
  await waitForText(page.locator('#name-error'), /is already taken/);
  await waitForText(page.locator('#register-message'), /Invalid exhibition\./);
  await closePage(page, [/status of 400/]);
});

test('staff register and delete an exhibition; its bookings show FORCE_CANCELED', async () => {
  const name = unique('Admin hall');
  const chkDate = futureDate();
  const page = await newPage(browser);
  await staffSignIn(page);
  await page.getByLabel('Hall name').fill(name);
  await page.getByLabel('Date', { exact: true }).fill(chkDate);
  await page.getByLabel('Capacity (seats)').fill('4');
  await page.getByRole('button', { name: 'Register' }).click();
  await waitForText(page.locator('#register-message'), new RegExp(`Registered “${name}”`));
  assert.equal(await page.getByLabel('Hall name').inputValue(), '', 'form cleared');

  // Occupancy lists a page of exhibitions from a date (today by default): show the new one's.
  await page.getByLabel('Exhibitions from').fill(chkDate);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  const row = page.locator('#occupancy-rows tr', { hasText: name });
  await row.waitFor();
  const museumId = Number(await row.getAttribute('data-museum-id'));
  const museum = (await api('GET', `/museums/${museumId}`)).body;
  assert.deepEqual([museum.name, museum.chkDate, museum.capacity], [name, chkDate, 4]);

  // Occupancy: two visitors book, one cancels.
  const keeper = unique('keeper');
  const kept = await book(museumId, keeper);
  const canceled = await book(museumId, unique('canceler'));
  assert.equal((await api('PATCH', `/books/${canceled.id}`, { status: 'CANCELED' }, visitor(canceled))).status, 200);
  await eventually(
    async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await cellTexts(row)).slice(2, 6).join(' ') === '4 1 1 3'; // capacity booked canceled left
    },
    { interval: 500, message: 'occupancy 4 1 1 3' },
  );

  // The exhibition's bookings and entry confirmations.
  await row.getByRole('button', { name: `Show bookings of ${name}` }).click();
  await waitForText(page.locator('#details-heading'), new RegExp(`Bookings of ${name}`));
  const keptRow = page.locator(`#details-books-rows tr[data-book-id="${kept.id}"]`);
  await keptRow.locator('.badge[data-status="REQUEST_COMPLETED"]').waitFor();
  await page.locator(`#details-books-rows tr[data-book-id="${canceled.id}"] .badge[data-status="CANCELED"]`).waitFor();
  await page.locator(`#details-confirms-rows tr[data-book-id="${kept.id}"]`).waitFor();

  // Delete, with a warning about the forced cancellations.
  await row.getByRole('button', { name: `Delete ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this exhibition?' });
  await waitForText(dialog, /Its 1 live bookings will be force-canceled/);
  await dialog.getByRole('button', { name: 'Delete exhibition' }).click();
  await waitForText(page.locator('#occupancy-message'), new RegExp(`Deleted “${name}”`));
  await row.waitFor({ state: 'detached' });
  assert.equal((await api('GET', `/museums/${museumId}`)).status, 404);

  // The details follow the force-cancellation.
  assert.ok(await page.locator('#details-removed').isVisible(), 'removed note shown');
  await keptRow.locator('.badge[data-status="FORCE_CANCELED"]').waitFor();
  await page.locator(`#details-books-rows tr[data-book-id="${canceled.id}"] .badge[data-status="CANCELED"]`).waitFor();
  await closePage(page);

  // ... and so does the visitor's My bookings page.
  const my = await newPage(browser);
  await rememberBookings(my, [kept]);
  await my.goto(`/my.html?custNm=${encodeURIComponent(keeper)}`);
  const myRow = my.locator(`#my-rows tr[data-book-id="${kept.id}"]`);
  await myRow.locator('.badge[data-status="FORCE_CANCELED"]').first().waitFor();
  await waitForText(myRow, /Force-canceled/);
  assert.equal(await myRow.getByRole('button').count(), 0, 'nothing left to cancel');
  await closePage(my);
});
