// Staff page: sign-in, validation, register, occupancy, one exhibition's bookings, delete → FORCE_CANCELED.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, closePage, book, api, unique, futureDate, addDays, waitForText, eventually, staffSignIn, rememberBookings, visitor, slotsOn, site,
  ADMIN_PASSWORD,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const cellTexts = (row) => row.locator('th, td').allTextContents();

/** What the create form holds for the hours and closed weekdays: { opens, closes, closedWeekdays }. */
const createDefaults = async (page) => ({
  opens: await page.locator('#opens').inputValue(),
  closes: await page.locator('#closes').inputValue(),
  closedWeekdays: (await page.locator('#closedWeekdays input:checked').evaluateAll((boxes) => boxes.map((b) => Number(b.value)))).sort(),
});
const expected = (s) => ({ opens: s.opens, closes: s.closes, closedWeekdays: [...s.closedWeekdays].sort() });

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

test('the create form validates before sending and shows the server’s field errors', async () => {
  const page = await newPage(browser);
  await staffSignIn(page);
  await page.getByRole('button', { name: 'Create exhibition' }).click();
  await waitForText(page.locator('#name-error'), /required/);
  await waitForText(page.locator('#startDate-error'), /required/);
  await waitForText(page.locator('#capacity-error'), /required/);
  assert.ok(await page.locator('#museum-form').getByLabel('Exhibition name').evaluate((el) => el === document.activeElement), 'focus on the first bad field');

  await page.locator('#museum-form').getByLabel('Exhibition name').fill('Some hall');
  await page.locator('#museum-form').getByLabel('First day').fill('2091-03-04');
  await page.locator('#museum-form').getByLabel('Last day').fill('2091-03-01');
  await page.locator('#museum-form').getByLabel('Places per time slot').fill('10');
  await page.locator('#museum-form').getByLabel('Opens at').fill('10:00');
  await page.locator('#museum-form').getByLabel('Closes at').fill('17:00');
  await page.locator('#museum-form').getByLabel('Time slot length (minutes)').fill('40');
  await page.getByRole('button', { name: 'Create exhibition' }).click();
  await waitForText(page.locator('#endDate-error'), /cannot be before/);
  await waitForText(page.locator('#slotMinutes-error'), /divides/);

  // What the server says is shown next to its field (answer simulated).
  await page.route(
    (url) => url.pathname === '/museums',
    (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 422,
            contentType: 'application/problem+json',
            body: JSON.stringify({ title: 'Unprocessable Content', status: 422, detail: 'some fields are invalid', errors: { name: 'is already taken' } }),
          })
        : route.continue(),
  );
  await page.locator('#museum-form').getByLabel('Last day').fill('2091-03-30');
  await page.locator('#museum-form').getByLabel('Time slot length (minutes)').fill('30');
  await page.getByRole('button', { name: 'Create exhibition' }).click();
  await waitForText(page.locator('#name-error'), /is already taken/);
  await waitForText(page.locator('#register-message'), /some fields are invalid/);
  await closePage(page, [/status of 422/]);
});

test('the create form starts with the museum’s usual hours and closed weekdays (GET /site), again after a create', async () => {
  const settings = await site();
  const page = await newPage(browser);
  await staffSignIn(page);
  assert.deepEqual(await createDefaults(page), expected(settings), 'prefilled from /site when shown');

  // Created with other hours and no closed weekday: the form clears back to the museum's usual ones.
  const name = unique('Prefill hall');
  await page.locator('#museum-form').getByLabel('Exhibition name').fill(name);
  await page.locator('#museum-form').getByLabel('First day').fill(futureDate());
  await page.locator('#museum-form').getByLabel('Places per time slot').fill('3');
  await page.locator('#museum-form').getByLabel('Opens at').fill('11:00');
  await page.locator('#museum-form').getByLabel('Closes at').fill('15:00');
  for (const box of await page.locator('#closedWeekdays input').all()) await box.uncheck();
  const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/museums');
  await page.getByRole('button', { name: 'Create exhibition' }).click();
  await waitForText(page.locator('#register-message'), new RegExp(`Created “${name}”`));
  const body = (await sent).postDataJSON();
  assert.deepEqual([body.opens, body.closes, body.closedWeekdays], ['11:00', '15:00', []], 'what staff typed was sent');
  assert.equal(await page.locator('#museum-form').getByLabel('Exhibition name').inputValue(), '', 'form cleared');
  assert.deepEqual(await createDefaults(page), expected(settings), 'prefilled again after the create');
  await closePage(page);

  // Whatever /site answers is what the form starts with (here a museum open 10:30–19:30, closed Mondays and Tuesdays).
  const other = await newPage(browser);
  await other.route(
    (url) => url.pathname === '/site',
    async (route) => {
      const res = await route.fetch();
      const body = { ...(await res.json()), opens: '10:30', closes: '19:30', closedWeekdays: [2, 1] };
      await route.fulfill({ response: res, json: body });
    },
  );
  await staffSignIn(other);
  assert.deepEqual(await createDefaults(other), { opens: '10:30', closes: '19:30', closedWeekdays: [1, 2] });
  await closePage(other);
});

test('staff create an exhibition with hours, slots and closures; see a day’s slots; edit it; delete it', async () => {
  const name = unique('Admin hall');
  const start = futureDate();
  const end = addDays(start, 30);
  const closed = addDays(start, 5);
  const page = await newPage(browser);
  await staffSignIn(page);
  await page.locator('#museum-form').getByLabel('Exhibition name').fill(name);
  await page.locator('#museum-form').getByLabel('First day').fill(start);
  await page.locator('#museum-form').getByLabel('Last day').fill(end);
  await page.locator('#museum-form').getByLabel('Opens at').fill('10:00');
  await page.locator('#museum-form').getByLabel('Closes at').fill('12:00');
  await page.locator('#museum-form').getByLabel('Time slot length (minutes)').fill('30');
  await page.locator('#museum-form').getByLabel('Places per time slot').fill('4');
  for (const box of await page.locator('#closedWeekdays input').all()) await box.uncheck(); // whatever the museum's usual ones are
  await page.getByRole('checkbox', { name: 'Monday' }).check();
  await page.locator('#museum-form').getByLabel('Date to close').fill(closed);
  await page.locator('#create-closed').getByRole('button', { name: 'Add date' }).click();
  await page.locator(`#create-closed li[data-date="${closed}"]`).waitFor();
  await page.locator('#museum-form').getByLabel('Description').fill('Moon jars.');
  await page.getByRole('button', { name: 'Create exhibition' }).click();
  await waitForText(page.locator('#register-message'), new RegExp(`Created “${name}”`));
  assert.equal(await page.locator('#museum-form').getByLabel('Exhibition name').inputValue(), '', 'form cleared');

  await page.getByLabel('Open on or after').fill(start);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  const row = page.locator('#occupancy-rows tr', { hasText: name });
  await row.waitFor();
  const museumId = Number(await row.getAttribute('data-museum-id'));
  const museum = (await api('GET', `/museums/${museumId}`)).body;
  assert.deepEqual(
    [museum.startDate, museum.endDate, museum.opens, museum.closes, museum.slotMinutes, museum.capacity, museum.closedWeekdays, museum.closedDates, museum.description],
    [start, end, '10:00', '12:00', 30, 4, [1], [closed], 'Moon jars.'],
  );

  // Per-slot occupancy of a day: booked = capacity − left.
  let day = start;
  while ((new Date(`${day}T00:00:00Z`).getUTCDay() || 7) === 1 || day === closed) day = addDays(day, 1);
  const slots = await slotsOn(museumId, day);
  assert.equal(slots.length, 4);
  const keeper = unique('keeper');
  const kept = await book(museumId, keeper, { slot: slots[1].start, tickets: { adult: 2, child: 1 } });
  await row.getByRole('button', { name: `Show time slots of ${name}` }).click();
  await page.getByLabel('Day', { exact: true }).fill(day);
  await page.locator('#slots-form').getByRole('button', { name: 'Show' }).click();
  const slotRow = page.locator(`#slots-rows tr[data-slot="${slots[1].start}"]`);
  await waitForText(slotRow, /10:30–11:00/);
  assert.deepEqual((await cellTexts(slotRow)).slice(0, 5), ['10:30–11:00', '4', '3', '0', '1']);
  assert.deepEqual((await cellTexts(page.locator('#slots-rows tr[data-slot="total"]'))).slice(0, 5), ['Total', '16', '3', '0', '13']);

  // A seat freed while someone waits is held for their offer: neither booked nor left.
  const filler = await book(museumId, unique('filler'), { slot: slots[1].start, tickets: { adult: 1 } });
  const joined = await api('POST', `/museums/${museumId}/waitlist`, { custNm: unique('waiting'), slot: slots[1].start, tickets: { adult: 1 } });
  assert.equal(joined.status, 201);
  assert.equal((await api('PATCH', `/books/${filler.id}`, { status: 'CANCELED' }, visitor(filler))).status, 200);
  await waitForText(slotRow, /10:30–11:00\s*4\s*3\s*1\s*0/);
  assert.deepEqual((await cellTexts(slotRow)).slice(0, 5), ['10:30–11:00', '4', '3', '1', '0']);
  await waitForText(page.locator('#waitlist-rows'), /Places offered/);

  // Edit: more places per slot, a new name, and the booked day closed (with consent: its booking is canceled).
  await row.getByRole('button', { name: `Edit ${name}` }).click();
  const renamed = `${name} (extended)`;
  await page.locator('#edit-name').fill(renamed);
  await page.locator('#edit-capacity').fill('6');
  await page.locator('#edit-closed-date').fill(day);
  await page.locator('#edit-closed').getByRole('button', { name: 'Add date' }).click();
  await page.getByRole('button', { name: 'Save changes' }).click();
  const dialog = page.getByRole('dialog', { name: 'Close days that have bookings?' });
  await dialog.getByRole('button', { name: 'Close them and cancel the bookings' }).click();
  await waitForText(page.locator('#occupancy-message'), new RegExp(`Saved “${renamed.replace(/[()]/g, '\\$&')}”`));
  const edited = (await api('GET', `/museums/${museumId}`)).body;
  assert.deepEqual([edited.name, edited.capacity, edited.closedDates], [renamed, 6, [closed, day].sort()]);
  await eventually(async () => {
    const b = (await api('GET', `/books/${kept.id}`, undefined, visitor(kept))).body;
    return b.status === 'FORCE_CANCELED' && b.cancelReason === 'DAY_CLOSED';
  }, { message: 'the booking on the closed day force-canceled' });

  // Delete, with a warning.
  const renamedRow = page.locator('#occupancy-rows tr', { hasText: renamed });
  await renamedRow.getByRole('button', { name: `Delete ${renamed}` }).click();
  const del = page.getByRole('dialog', { name: 'Delete this exhibition?' });
  await del.getByRole('button', { name: 'Delete exhibition' }).click();
  await renamedRow.waitFor({ state: 'detached' });
  assert.equal((await api('GET', `/museums/${museumId}`)).status, 404);
  await closePage(page, [/status of 409/]);

  // The visitor's My bookings says why.
  const my = await newPage(browser);
  await rememberBookings(my, [kept]);
  await my.goto('/my.html');
  const myRow = my.locator(`#my-rows tr[data-book-id="${kept.id}"]`);
  await myRow.locator('.badge[data-status="FORCE_CANCELED"]').first().waitFor();
  await waitForText(myRow, /Canceled by the museum/);
  await closePage(my);
});
