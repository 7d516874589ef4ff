// Book page: a booking goes REQUESTED → REQUEST_COMPLETED; sold out and removed exhibitions explain why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, closePage, createMuseum, book, api, unique, waitForText, STAFF } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openBookPage(museum) {
  const page = await newPage(browser);
  await page.goto(`/book.html?museumId=${museum.id}`);
  await page.locator(`#museum option[value="${museum.id}"]`).waitFor({ state: 'attached' });
  assert.equal(await page.getByLabel('Exhibition').inputValue(), String(museum.id), 'exhibition preselected from the URL');
  return page;
}

test('a visitor books and sees REQUESTED then REQUEST_COMPLETED', async () => {
  const museum = await createMuseum({ name: unique('Book hall'), capacity: 3 });
  const visitor = unique('visitor');
  const page = await openBookPage(museum);
  await page.getByLabel('Your name').fill(visitor);
  await page.getByRole('button', { name: 'Book', exact: true }).click();

  await page.locator('#status-history li[data-status="REQUEST_COMPLETED"]').waitFor();
  assert.deepEqual(await page.locator('#status-history li').evaluateAll((lis) => lis.map((li) => li.dataset.status)), [
    'REQUESTED',
    'REQUEST_COMPLETED',
  ]);
  assert.equal(await page.locator('#booking-status').getAttribute('data-status'), 'REQUEST_COMPLETED');
  assert.equal(await page.locator('#booking-status').textContent(), 'Completed');
  assert.equal(await page.locator('#booking-name').textContent(), museum.name);
  assert.equal(await page.locator('#booking-visitor').textContent(), visitor);
  await waitForText(page.locator('#book-message'), /complete/);

  const id = await page.locator('#booking-id').textContent();
  const held = await page.evaluate(() => JSON.parse(localStorage.getItem('skmuseum.bookings')));
  assert.match(held[id].token, /^[0-9a-f]{64}$/, 'the booking’s token is kept in this browser');
  assert.equal(held[id].custNm, visitor);
  const stored = await api('GET', `/books/${id}`, undefined, { 'X-Booking-Token': held[id].token });
  assert.equal(stored.body.custNm, visitor);
  assert.equal((await api('GET', `/books/${id}`)).status, 404, 'and nothing opens it without the token');
  assert.equal((await api('GET', `/museums/${museum.id}`)).body.pcnt, 2, 'one seat taken');
  assert.equal(
    await page.getByRole('link', { name: 'See all my bookings' }).getAttribute('href'),
    `/my.html?custNm=${encodeURIComponent(visitor)}`,
  );
  await closePage(page);
});

test('booking a sold-out exhibition shows the sold-out message', async () => {
  const museum = await createMuseum({ name: unique('Full hall'), capacity: 1 });
  const page = await openBookPage(museum);
  await book(museum.id, unique('faster visitor')); // someone else takes the last seat meanwhile
  await page.getByLabel('Your name').fill(unique('visitor'));
  await page.getByRole('button', { name: 'Book', exact: true }).click();

  await waitForText(page.locator('#book-message'), /sold out/i);
  assert.equal(await page.locator('#book-message').getAttribute('data-kind'), 'error');
  assert.ok(await page.locator('#booking').isHidden(), 'no booking shown');
  await closePage(page, [/status of 409/]);
});

test('booking a removed exhibition shows the removed message', async () => {
  const museum = await createMuseum({ name: unique('Gone hall'), capacity: 2 });
  const page = await openBookPage(museum);
  assert.equal((await api('DELETE', `/museums/${museum.id}`, undefined, STAFF)).status, 204);
  await page.getByLabel('Your name').fill(unique('visitor'));
  await page.getByRole('button', { name: 'Book', exact: true }).click();

  await waitForText(page.locator('#book-message'), /removed/i);
  assert.equal(await page.locator('#book-message').getAttribute('data-kind'), 'error');
  await closePage(page, [/status of 404/]);
});

test('the book form says what is missing', async () => {
  const museum = await createMuseum({ name: unique('Form hall'), capacity: 2 });
  const page = await openBookPage(museum);
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await waitForText(page.locator('#custNm-error'), /required/);
  assert.equal(await page.getByLabel('Your name').getAttribute('aria-invalid'), 'true');
  assert.ok(await page.getByLabel('Your name').evaluate((input) => input === document.activeElement), 'focus on the field');
  assert.equal((await api('GET', `/museums/${museum.id}`)).body.pcnt, 2, 'nothing booked');
  await closePage(page);
});
