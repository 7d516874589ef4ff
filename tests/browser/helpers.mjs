// Shared helpers for the browser tests: the browser, pages that record console errors,
// and direct API calls (from Node) to create each test's own data.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 812 };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page in a fresh context (own localStorage) that records console errors and uncaught exceptions. */
export async function newPage(browser, { viewport = DESKTOP, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport, locale });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.consoleErrors.push(`${msg.text()} (${msg.location().url || page.url()})`);
  });
  page.on('pageerror', (err) => page.consoleErrors.push(`uncaught: ${err.message}`));
  return page;
}

/**
 * Assert the page logged no console errors, then close its context. `allow` lists patterns of
 * errors a test provokes on purpose (Chromium logs every 4xx/5xx answer as "Failed to load resource").
 */
export async function closePage(page, allow = []) {
  const errors = page.consoleErrors.filter((text) => !allow.some((re) => re.test(text)));
  await page.context().close();
  assert.deepEqual(errors, [], 'console errors on the page');
}

/** A name no other test run uses. */
export const unique = (prefix) => `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

/** A random date in 2090–2098, so test exhibitions never collide in meaning with real ones. */
export function futureDate() {
  return new Date(Date.UTC(2090, 0, 1) + Math.floor(Math.random() * 3000) * 86400000).toISOString().slice(0, 10);
}

/** "2091-03-04" plus n days, as YYYY-MM-DD. */
export const addDays = (date, n) => new Date(Date.parse(date) + n * 86400000).toISOString().slice(0, 10);

export async function api(method, path, body) {
  const res = await fetch(BASE_URL + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

export async function createMuseum({ name = unique('Hall'), chkDate = futureDate(), capacity = 5 } = {}) {
  const res = await api('POST', '/museums', { name, chkDate, pcnt: capacity });
  assert.equal(res.status, 201, `POST /museums: ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function book(museumId, custNm) {
  const res = await api('POST', '/books', { museumId, custNm });
  assert.equal(res.status, 201, `POST /books: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Poll fn (sync or async) until it returns a truthy value; fail after timeout ms. */
export async function eventually(fn, { timeout = 15000, interval = 200, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) assert.fail(`timed out waiting for ${message} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Wait until the locator's text matches re. */
export async function waitForText(locator, re, timeout = 15000) {
  await eventually(async () => re.test((await locator.textContent({ timeout: 1000 })) || ''), {
    timeout,
    message: `text ${re} in ${locator}`,
  });
}
