// Booking a visit: a family books once for a time slot (2 adults + 2 children); the steppers are
// bounded by the slot's places left and the museum's largest party; the calendar is a keyboard
// grid that announces the month and the chosen day; past days and ended slots are never offered;
// a slot taken meanwhile and a missing choice are explained in plain words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, closePage, createExhibition, book, api, unique, futureDate, addDays, waitForText, chooseSlot, openBooking,
  slotsOn, site, museumToday, visitor, PHONE,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const stepper = (page, category) => page.locator(`.stepper[data-category="${category}"]`);
const plus = (page, category) => stepper(page, category).locator('button[data-step="1"]');
const minus = (page, category) => stepper(page, category).locator('button[data-step="-1"]');
const count = async (page, category) => Number(await stepper(page, category).locator('input').inputValue());

test('a family books one slot for 2 adults and 2 children; the summary shows it first', async () => {
  const day = futureDate();
  const museum = await createExhibition({
    name: unique('Family hall'), startDate: day, endDate: addDays(day, 20), opens: '10:00', closes: '12:00', slotMinutes: 60, capacity: 5,
    description: 'Paintings for all ages.',
  });
  const custNm = unique('Kim family');
  const page = await newPage(browser);
  await openBooking(page, museum);
  assert.equal(await page.locator('#exhibition-name').textContent(), museum.name);
  assert.equal(await page.locator('#exhibition-description').textContent(), 'Paintings for all ages.');
  await chooseSlot(page, day, '11:00');
  await waitForText(page.locator('#slot-list label', { hasText: /^11:00/ }), /5 places left/);

  assert.equal(await count(page, 'adult'), 1, 'one adult to start with');
  await plus(page, 'adult').click();
  await plus(page, 'child').click();
  await plus(page, 'child').click();
  await page.getByLabel('Your name').fill(custNm);
  await waitForText(page.locator('#summary-party'), /^2 adults, 2 children \(4 people\)$/);
  await waitForText(page.locator('#summary-time'), /^11:00–12:00$/);
  await waitForText(page.locator('#summary-name'), new RegExp(museum.name));

  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await page.locator('#status-history li[data-status="REQUEST_COMPLETED"]').waitFor();
  assert.equal(await page.locator('#booking-party').textContent(), '2 adults, 2 children (4 people)');
  assert.equal(await page.locator('#booking-time').textContent(), '11:00–12:00');
  assert.equal(await page.locator('#booking-visitor').textContent(), custNm);

  const id = await page.locator('#booking-id').textContent();
  const held = await page.evaluate(() => JSON.parse(localStorage.getItem('skmuseum.bookings')));
  const stored = await api('GET', `/books/${id}`, undefined, { 'X-Booking-Token': held[id].token });
  assert.deepEqual([stored.body.tickets, stored.body.party, stored.body.slot.slice(11, 16)], [{ adult: 2, child: 2 }, 4, '11:00']);
  const slots = await slotsOn(museum.id, day);
  assert.deepEqual(slots.map((s) => s.left), [5, 1], 'one booking took four places of the 11:00 slot');
  await closePage(page);
});

test('steppers stop at the places left in the slot and at the largest party', async () => {
  const { maxParty } = await site();
  const day = futureDate();
  const museum = await createExhibition({ startDate: day, opens: '10:00', closes: '12:00', slotMinutes: 60, capacity: maxParty + 5 });
  const [first] = await slotsOn(museum.id, day);
  await book(museum.id, unique('group'), { slot: first.start, tickets: { adult: maxParty } });
  await book(museum.id, unique('group'), { slot: first.start, tickets: { adult: 2 } }); // 3 left at 10:00
  const page = await newPage(browser);
  await openBooking(page, museum);

  await chooseSlot(page, day, '10:00');
  await waitForText(page.locator('#party-hint'), /3 places are left at 10:00/);
  await plus(page, 'adult').click();
  await plus(page, 'senior').click();
  assert.equal((await count(page, 'adult')) + (await count(page, 'senior')), 3);
  assert.ok(await plus(page, 'adult').isDisabled(), 'no more than the 3 places left');
  assert.ok(await plus(page, 'child').isDisabled());
  await stepper(page, 'child').locator('input').fill('5');
  await stepper(page, 'child').locator('input').press('Tab');
  assert.equal(await count(page, 'child'), 0, 'typing more than fits is cut to what fits');

  await page.locator('#slot-list label', { hasText: /^11:00/ }).locator('input').check(); // a free slot: the party's limit
  for (let i = 0; i < maxParty + 3; i++) if (!(await plus(page, 'child').isDisabled())) await plus(page, 'child').click();
  const total = (await count(page, 'adult')) + (await count(page, 'child')) + (await count(page, 'senior')) + (await count(page, 'youth'));
  assert.equal(total, maxParty, `at most ${maxParty} people in one booking`);
  assert.ok(await plus(page, 'youth').isDisabled());
  await waitForText(page.locator('#party-hint'), new RegExp(`Up to ${maxParty} people`));
  await minus(page, 'child').click();
  assert.ok(await plus(page, 'youth').isEnabled(), 'one less: one more of another category');
  await closePage(page);
});

test('the calendar is a keyboard grid: arrows, Home/End, PageUp/PageDown; it announces the month and the day', async () => {
  // A Wednesday from the 7th to the 13th: its whole week is in its month.
  const tenth = `${futureDate().slice(0, 8)}10`;
  const start = addDays(tenth, 3 - (new Date(`${tenth}T00:00:00Z`).getUTCDay() || 7));
  const closedDate = addDays(start, 2);
  const museum = await createExhibition({
    startDate: start, endDate: addDays(start, 70), opens: '10:00', closes: '11:00', capacity: 4, closedDates: [closedDate],
  });
  const page = await newPage(browser);
  await openBooking(page, museum);
  const active = () => page.evaluate(() => document.activeElement?.dataset?.date ?? document.activeElement?.id);
  const month = (d) => new Date(`${d}T00:00:00Z`).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

  // One day is in the tab order: the first day that can be booked.
  assert.equal(await page.locator('#cal-body td[tabindex="0"]').count(), 1);
  assert.equal(await page.locator('#cal-body td[tabindex="0"]').getAttribute('data-date'), start);
  await page.locator('#cal-body td[tabindex="0"]').focus();
  assert.equal(await page.getByRole('grid').getAttribute('aria-labelledby'), 'cal-month');

  await page.keyboard.press('ArrowRight');
  assert.equal(await active(), addDays(start, 1));
  await page.keyboard.press('ArrowDown');
  assert.equal(await active(), addDays(start, 8));
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await active(), start);
  assert.equal(await page.locator('#cal-body td[tabindex="0"]').count(), 1, 'roving tabindex: still one day in the tab order');
  await page.keyboard.press('Home');
  assert.equal(await active(), addDays(start, -2), 'Home: the week’s Monday');
  await page.keyboard.press('End');
  assert.equal(await active(), addDays(start, 4), 'End: the week’s Sunday');

  // A closed day can be reached but not chosen.
  await page.locator(`#cal-body td[data-date="${start}"]`).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await active(), closedDate);
  const closedCell = page.locator(`#cal-body td[data-date="${closedDate}"]`);
  assert.equal(await closedCell.getAttribute('aria-disabled'), 'true');
  assert.match(await closedCell.getAttribute('aria-label'), /Closed$/);
  await page.keyboard.press('Enter');
  assert.equal(await closedCell.getAttribute('aria-selected'), 'false');

  // PageDown: the next month, announced.
  await page.keyboard.press('PageDown');
  const next = await active();
  assert.equal(next.slice(0, 7), addDays(`${start.slice(0, 7)}-01`, 32).slice(0, 7));
  await waitForText(page.locator('#cal-month'), new RegExp(month(next)));
  await waitForText(page.locator('#cal-live'), new RegExp(`^${month(next)}$`));
  assert.equal(await page.locator('#cal-live').getAttribute('aria-live'), 'polite');
  await page.keyboard.press('PageUp');
  await waitForText(page.locator('#cal-live'), new RegExp(`^${month(start)}$`));

  // Enter chooses an open day: selected, announced, and its times shown.
  await page.locator(`#cal-body td[data-date="${start}"]`).focus();
  await page.keyboard.press('Enter');
  const chosen = page.locator(`#cal-body td[data-date="${start}"]`);
  assert.equal(await chosen.getAttribute('aria-selected'), 'true');
  await waitForText(page.locator('#cal-live'), /^Selected: .+\. 1 times available\.$|^Selected: .+\. 1 time/);
  await page.locator('#slot-list label', { hasText: /^10:00–11:00/ }).waitFor();
  await closePage(page);
});

test('past days and slots that have ended are never offered', async () => {
  const today = await museumToday();
  const museum = await createExhibition({ startDate: today, endDate: addDays(today, 3), opens: '00:00', closes: '23:30', slotMinutes: 30, capacity: 3 });
  const page = await newPage(browser);
  await openBooking(page, museum);
  const now = Date.now();
  const slots = await slotsOn(museum.id, today);
  const open = slots.filter((s) => Date.parse(s.end) > now);
  const cell = page.locator(`#cal-body td[data-date="${today}"]`);
  if (open.length) {
    await cell.click();
    await page.locator('#slot-list label').first().waitFor();
    const offered = await page.locator('#slot-list input').evaluateAll((inputs) => inputs.map((i) => i.value));
    assert.deepEqual(offered, open.map((s) => s.start), 'only the slots that have not ended');
    assert.ok(offered.length < slots.length || slots.length === open.length);
  } else {
    assert.equal(await cell.getAttribute('aria-disabled'), 'true', 'every slot of today has ended');
  }
  const yesterday = addDays(today, -1);
  const past = page.locator(`#cal-body td[data-date="${yesterday}"]`);
  if (await past.count()) {
    assert.equal(await past.getAttribute('aria-disabled'), 'true');
    await past.click({ force: true }); // aria-disabled: Playwright would wait for it to be enabled
    assert.equal(await past.getAttribute('aria-selected'), 'false', 'a past day cannot be chosen');
  }
  await closePage(page);
});

test('a slot taken meanwhile: a plain message, and the places left shown again', async () => {
  const day = futureDate();
  const museum = await createExhibition({ startDate: day, opens: '10:00', closes: '11:00', capacity: 2 });
  const page = await newPage(browser);
  await openBooking(page, museum);
  await chooseSlot(page, day, '10:00');
  await plus(page, 'adult').click(); // 2 people
  await page.getByLabel('Your name').fill(unique('visitor'));
  await book(museum.id, unique('faster visitor')); // someone else takes one of the two places
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await waitForText(page.locator('#book-message'), /no longer has enough places/);
  assert.equal(await page.locator('#book-message').getAttribute('data-kind'), 'error');
  assert.doesNotMatch(await page.locator('#book-message').textContent(), /\d{3}|exhibition \d/, 'no status codes or ids');
  await waitForText(page.locator('#slot-list label', { hasText: /^10:00/ }), /1 places left|1 place/);
  assert.equal(await count(page, 'adult'), 1, 'the party is cut to what is left');
  assert.ok(await page.locator('#booking').isHidden(), 'no booking shown');
  await closePage(page, [/status of 409/]);
});

test('the booking form says what is missing, and focuses it', async () => {
  const day = futureDate();
  const museum = await createExhibition({ startDate: day, capacity: 2 });
  const page = await newPage(browser);
  await openBooking(page, museum);
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await waitForText(page.locator('#day-error'), /choose a day/);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.date), day, 'focus on the calendar');
  await chooseSlot(page, day, '');
  await page.getByLabel('Your name').fill('');
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await waitForText(page.locator('#custNm-error'), /required/);
  assert.equal(await page.getByLabel('Your name').getAttribute('aria-invalid'), 'true');
  assert.equal((await slotsOn(museum.id, day))[0].left, 2, 'nothing booked');
  await closePage(page);
});

test('on a phone the exhibition’s whole name shows, wrapped, and the page fits', async () => {
  const name = unique('The Long Afternoon of Korean Modern Painting from Seoul, Busan and Daegu, 1920–1960');
  const museum = await createExhibition({ name, capacity: 3 });
  const page = await newPage(browser, { viewport: PHONE });
  await openBooking(page, museum);
  const box = await page.locator('#exhibition-name').evaluate((h) => ({ text: h.textContent, fits: h.scrollWidth <= h.clientWidth, lines: h.getClientRects()[0].height }));
  assert.equal(box.text, name);
  assert.ok(box.fits, 'not cut off');
  assert.ok(await page.locator('#exhibition-name').isVisible());
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'no sideways scrolling');
  await closePage(page);
});

export { visitor };
