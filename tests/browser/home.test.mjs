// Home page: exhibitions with seats left (self-refreshing), order, sold out, errors, language switch.
// The page lists what is on from a date (today by default; ?from= or its form picks another),
// one page at a time: each test opens it at its own exhibition's date, as a visitor would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, closePage, createMuseum, book, unique, futureDate, addDays, waitForText } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const card = (page, name) => page.locator('#exhibitions > li', { hasText: name });

test('home lists a new exhibition with its seats and refreshes them by itself', async () => {
  const museum = await createMuseum({ name: unique('Home hall'), capacity: 5 });
  const page = await newPage(browser);
  await page.goto(`/?from=${museum.chkDate}`);
  const item = card(page, museum.name);
  await waitForText(item.locator('.seats'), /^5 of 5 seats left$/);
  assert.equal(await item.locator('time').getAttribute('datetime'), museum.chkDate);
  assert.equal(await item.getByRole('link', { name: /^Book/ }).getAttribute('href'), `/book.html?museumId=${museum.id}`);

  await book(museum.id, unique('visitor'));
  await waitForText(item.locator('.seats'), /^4 of 5 seats left$/); // no reload: the page polls
  await closePage(page);
});

test('home shows the soonest exhibition first and marks sold-out ones', async () => {
  const date = futureDate();
  const later = await createMuseum({ name: unique('Later hall'), chkDate: addDays(date, 1), capacity: 1 });
  const sooner = await createMuseum({ name: unique('Sooner hall'), chkDate: date, capacity: 1 });
  await book(sooner.id, unique('visitor'));
  const page = await newPage(browser);
  await page.goto('/');
  await page.getByLabel('Exhibitions from').fill(date); // the visitor picks the date
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await waitForText(card(page, sooner.name), /Sold out/);
  await waitForText(card(page, later.name), /1 of 1 seats left/);

  const names = await page.locator('#exhibitions > li h3').allTextContents();
  assert.ok(names.indexOf(sooner.name) >= 0 && names.indexOf(sooner.name) < names.indexOf(later.name), 'sooner date listed first');
  assert.equal(await card(page, sooner.name).getByRole('link').count(), 0, 'no Book link when sold out');
  assert.equal(await card(page, sooner.name).locator('.seats').textContent(), '0 of 1 seats left');
  await closePage(page);
});

test('a failed request shows a message instead of a blank page', async () => {
  const page = await newPage(browser);
  const museumsApi = (url) => url.pathname === '/museums';
  await page.route(museumsApi, (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The database is down.' }),
    }),
  );
  await page.goto('/');
  await waitForText(page.locator('#home-message'), /The database is down\./);
  assert.equal(await page.locator('#home-message').getAttribute('data-kind'), 'error');

  await page.unroute(museumsApi);
  await page.route(museumsApi, (route) => route.abort('connectionrefused'));
  await page.reload();
  await waitForText(page.locator('#home-message'), /Could not reach the server/);
  await closePage(page, [/status of 503/, /ERR_CONNECTION_REFUSED/]);
});

test('language switch shows Korean and is remembered', async () => {
  const museum = await createMuseum({ name: unique('Lang hall'), capacity: 3 });
  const page = await newPage(browser);
  await page.goto(`/?from=${museum.chkDate}`);
  await waitForText(card(page, museum.name).locator('.seats'), /3 of 3 seats left/);
  await page.getByRole('button', { name: '한국어' }).click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  await waitForText(page.locator('main h2'), /^전시$/);
  await waitForText(card(page, museum.name).locator('.seats'), /잔여 좌석 3 \/ 3/);

  await page.reload();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  await waitForText(page.getByRole('link', { name: '내 예약' }), /내 예약/);
  await page.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.title(), 'Exhibitions – SK Museum');
  await closePage(page);
});
