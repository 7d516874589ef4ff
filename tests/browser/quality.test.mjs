// Cross-page quality checks: phone width, labels, keyboard, and nothing inline (for a strict CSP).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, newPage, closePage, createMuseum, book, unique, PHONE, rememberBookings } from './helpers.mjs';

const PAGES = ['/', '/book.html', '/my.html', '/waitlist.html', '/admin/', '/door/'];
const FILES = ['index.html', 'book.html', 'my.html', 'waitlist.html', 'admin/index.html', 'door/index.html'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('pages have no inline scripts, styles or event handlers', async () => {
  for (const file of FILES) {
    const html = await readFile(new URL(`../../www/${file}`, import.meta.url), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, `${file}: inline <script>`);
    assert.doesNotMatch(html, /<style/i, `${file}: <style>`);
    assert.doesNotMatch(html, /\sstyle=/i, `${file}: style attribute`);
    assert.doesNotMatch(html, /\son[a-z]+=/i, `${file}: inline event handler`);
  }
});

test('pages fit a 375px phone screen and every form field has a label', async () => {
  const museum = await createMuseum({ name: unique('Phone hall with a rather long name'), capacity: 3 });
  const visitor = unique('phone visitor');
  const booking = await book(museum.id, visitor);
  for (const path of PAGES) {
    const page = await newPage(browser, { viewport: PHONE });
    await rememberBookings(page, [booking]);
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path}: ${overflow}px wider than the screen`);
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea')].filter((f) => !f.labels?.length).map((f) => f.id || f.name),
    );
    assert.deepEqual(unlabeled, [], `${path}: fields without a label`);
    await closePage(page);
  }
});

test('the keyboard reaches the skip link, the navigation and the forms', async () => {
  const page = await newPage(browser);
  const museum = await createMuseum({ name: unique('Keyboard hall'), capacity: 2 });
  await page.goto(`/book.html?museumId=${museum.id}`);
  await page.locator('#cal-body td[tabindex="0"]').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'museum', 'skip link jumps to the form');
  const stops = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    stops.push(await page.evaluate(() => document.activeElement.dataset.date ? 'day' : document.activeElement.id));
  }
  assert.equal(stops.filter((s) => s === 'day').length, 1, `one day of the calendar in the tab order: ${stops}`);
  await closePage(page);
});
