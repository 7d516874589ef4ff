// Home: the exhibitions not ended, closing soonest first, each with its description, dates and
// whether it is filling up (refreshed by itself); the museum's identity and visit information
// from GET /site; errors in plain words; the language switch; Korean set in the web font.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, closePage, createExhibition, book, unique, futureDate, addDays, waitForText, slotsOn } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const card = (page, name) => page.locator('#exhibitions > li', { hasText: name });

test('home shows an exhibition’s description, dates and availability, and refreshes by itself', async () => {
  const day = futureDate();
  const museum = await createExhibition({ name: unique('Home hall'), startDate: day, capacity: 4, description: 'Celadon from the Goryeo period.' });
  const page = await newPage(browser);
  await page.goto(`/?from=${day}`);
  const item = card(page, museum.name);
  await waitForText(item.locator('.availability'), /^Places available$/);
  assert.equal(await item.locator('.description').textContent(), 'Celadon from the Goryeo period.');
  assert.match(await item.locator('.dates').textContent(), /\d{4}/);
  assert.equal(await item.getByRole('link', { name: `Choose a time for ${museum.name}` }).getAttribute('href'), `/book.html?museumId=${museum.id}`);

  const [slot] = await slotsOn(museum.id, day);
  await book(museum.id, unique('visitor'), { slot: slot.start, tickets: { adult: 4 } });
  await waitForText(item.locator('.availability'), /^Fully booked$/); // no reload: the page polls
  assert.equal(await item.getByRole('link').count(), 0, 'nothing to book when fully booked');
  await closePage(page);
});

test('home lists the exhibitions closing soonest first, and none that has ended', async () => {
  const date = futureDate();
  const later = await createExhibition({ name: unique('Later hall'), startDate: date, endDate: addDays(date, 9) });
  const sooner = await createExhibition({ name: unique('Sooner hall'), startDate: date, endDate: addDays(date, 2) });
  const page = await newPage(browser);
  await page.goto('/');
  await page.getByLabel('Open on or after').fill(addDays(date, 1));
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await card(page, later.name).waitFor();
  await card(page, sooner.name).waitFor();
  const names = await page.locator('#exhibitions > li h3').allTextContents();
  assert.ok(names.indexOf(sooner.name) < names.indexOf(later.name), 'the one closing sooner first');

  await page.getByLabel('Open on or after').fill(addDays(date, 5));
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await card(page, later.name).waitFor();
  assert.equal(await card(page, sooner.name).count(), 0, 'ended by then: not listed');
  await closePage(page);
});

test('a failed request shows a message in plain words instead of a blank page', async () => {
  const page = await newPage(browser);
  const museumsApi = (url) => url.pathname === '/museums';
  await page.route(museumsApi, (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'worker 3 died (pool.c)' }),
    }),
  );
  await page.goto('/');
  await waitForText(page.locator('#home-message'), /busy or unavailable/);
  assert.doesNotMatch(await page.locator('#home-message').textContent(), /worker|503/, 'no internals');
  assert.equal(await page.locator('#home-message').getAttribute('data-kind'), 'error');

  await page.unroute(museumsApi);
  await page.route(museumsApi, (route) => route.abort('connectionrefused'));
  await page.reload();
  await waitForText(page.locator('#home-message'), /Could not reach/);
  await closePage(page, [/status of 503/, /ERR_CONNECTION_REFUSED/]);
});

test('the museum’s name, logo and visit information come from its configuration', async () => {
  const page = await newPage(browser);
  await page.route((url) => url.pathname === '/site', (route) =>
    route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({
        name: 'Harbour Museum', nameKo: '항구 미술관', logo: '/favicon.svg', address: '1 Quay Street', addressKo: '부두로 1',
        phone: '+82 51 000 0000', email: 'hello@example.org', accessibility: 'Step-free entrance.', accessibilityKo: '계단 없는 입구.',
        opens: '10:00', closes: '17:00', closedWeekdays: [1, 2], timeZone: 'Asia/Seoul', categories: ['adult', 'child'], maxParty: 6,
      }),
    }),
  );
  await page.goto('/');
  await waitForText(page.locator('.brand'), /^Harbour Museum$/);
  assert.equal(await page.locator('.brand img').getAttribute('src'), '/favicon.svg');
  await waitForText(page.locator('#visit-hours'), /Daily 10:00–17:00.*Closed on Monday and Tuesday/);
  await waitForText(page.locator('#visit-address'), /^1 Quay Street$/);
  await waitForText(page.locator('#visit-accessibility'), /Step-free entrance/);
  const footer = page.locator('#site-footer');
  await waitForText(footer, /\+82 51 000 0000/);
  await waitForText(footer, /cancel any time until your time slot ends/);
  assert.equal(await page.title(), 'Exhibitions – Harbour Museum');
  await page.getByRole('button', { name: '한국어' }).click();
  await waitForText(page.locator('.brand'), /^항구 미술관$/);
  await waitForText(page.locator('#visit-address'), /^부두로 1$/);
  await closePage(page);
});

test('staff sign-in is in the footer, not in the visitor menu', async () => {
  const page = await newPage(browser);
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Exhibitions', 'Visit', 'My bookings']);
  const link = page.locator('footer').getByRole('link', { name: 'Staff sign-in' });
  await link.click();
  await page.getByLabel('Staff password').waitFor();
  assert.equal(new URL(page.url()).pathname, '/admin/');
  await closePage(page);
});

test('language switch shows Korean, set in the self-hosted Noto Sans KR, and is remembered', async () => {
  const museum = await createExhibition({ name: unique('전시실'), capacity: 3 });
  const page = await newPage(browser);
  await page.goto(`/?from=${museum.chkDate}`);
  await waitForText(card(page, museum.name).locator('.availability'), /Places available/);
  await page.getByRole('button', { name: '한국어' }).click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  await waitForText(page.locator('#exhibitions-heading'), /^전시$/);
  await waitForText(card(page, museum.name).locator('.availability'), /예약 가능/);

  // The glyphs come from the web font (this machine has no Korean font of its own): the font's
  // Hangul slices load, and the text is as wide as Noto Sans KR sets it, not as a fallback's boxes.
  await page.evaluate(() => document.fonts.ready);
  await page.waitForFunction(() => document.fonts.check('16px "Noto Sans KR"', '한국어 예약'));
  const loaded = await page.evaluate(() => [...document.fonts].filter((f) => f.family.replace(/"/g, '') === 'Noto Sans KR' && f.status === 'loaded').length);
  assert.ok(loaded >= 2, `Hangul slices of Noto Sans KR loaded: ${loaded}`);
  const widths = await page.evaluate(() => {
    const probe = (family) => {
      const span = document.createElement('span');
      span.style.cssText = `position: absolute; white-space: nowrap; font: 32px ${family}`; // a probe of the test's, not the page's
      span.textContent = '미술관 예약';
      document.body.append(span);
      const w = span.getBoundingClientRect().width;
      span.remove();
      return w;
    };
    return { web: probe('"Noto Sans KR"'), fallback: probe('monospace') };
  });
  assert.ok(Math.abs(widths.web - widths.fallback) > 1, `Korean set by the web font: ${JSON.stringify(widths)}`);
  const family = await page.locator('#exhibitions-heading').evaluate((h) => getComputedStyle(h).fontFamily);
  assert.match(family, /^"Noto Sans KR"/);

  await page.reload();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  await waitForText(page.getByRole('link', { name: '내 예약' }), /내 예약/);
  await page.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.match(await page.title(), /^Exhibitions – /);
  await closePage(page);
});
