// Shared helpers for the browser tests: the browser, pages that record console errors,
// and direct API calls (from Node) to create each test's own data.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

// Staff password: ADMIN_PASSWORD, else the one the stack generated into $VAR/admin-password.
const VAR = process.env.VAR || new URL('../../var', import.meta.url).pathname;
export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD || readFileSync(`${VAR}/admin-password`, 'utf8').trim();
export const STAFF = { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
export const visitor = (booking) => ({ 'X-Booking-Token': booking.token });

export async function api(method, path, body, headers = {}) {
  const res = await fetch(BASE_URL + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
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
  const res = await api('POST', '/museums', { name, chkDate, pcnt: capacity }, STAFF);
  assert.equal(res.status, 201, `POST /museums: ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A timed-entry exhibition through the API: { name, startDate, endDate, opens, closes, slotMinutes,
 * capacity (per slot), closedWeekdays, closedDates, description } (what is not given is left out).
 */
export async function createExhibition({ name = unique('Hall'), startDate = futureDate(), capacity = 5, ...rest } = {}) {
  const res = await api('POST', '/museums', { name, startDate, capacity, ...rest }, STAFF);
  assert.equal(res.status, 201, `POST /museums: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The exhibition's slots of one day (GET /museums/{id}/slots). */
export async function slotsOn(museumId, day) {
  const res = await api('GET', `/museums/${museumId}/slots?from=${day}&to=${day}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** The museum's settings (GET /site). */
export const site = async () => (await api('GET', '/site')).body;

/** Today in the museum's time zone, as YYYY-MM-DD. */
export async function museumToday() {
  const { timeZone } = await site();
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/**
 * Today in the museum's time zone with at least `minutes` of it left: closer to midnight than
 * that, it waits for the next day first (a test that books today's slot must not race its end).
 */
export async function museumTodayWithTimeLeft(minutes = 10) {
  const { timeZone } = await site();
  const [h, m, sec] = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .format(new Date()).split(':').map(Number);
  const left = 86400 - (h * 3600 + m * 60 + sec);
  if (left < minutes * 60) await new Promise((r) => setTimeout(r, (left + 2) * 1000));
  return museumToday();
}

/** Books through the API (as a visitor on another device); the answer carries the token. */
export async function book(museumId, custNm, { slot, tickets } = {}) {
  const res = await api('POST', '/books', { museumId, custNm, ...(slot ? { slot } : {}), ...(tickets ? { tickets } : {}) });
  assert.equal(res.status, 201, `POST /books: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Makes the page's browser hold these bookings' tokens, as if they had been booked in it. Call before goto. */
export async function rememberBookings(page, bookings) {
  const entries = Object.fromEntries(bookings.map((b) => [b.id, { token: b.token, custNm: b.custNm }]));
  await page.addInitScript((add) => {
    const held = JSON.parse(localStorage.getItem('skmuseum.bookings') || '{}');
    localStorage.setItem('skmuseum.bookings', JSON.stringify({ ...held, ...add }));
  }, entries);
}

/** On the booking page: choose day in the calendar, then the slot starting at clock ("10:00"). */
export async function chooseSlot(page, day, clock) {
  await page.locator(`#cal-body td[data-date="${day}"]:not([data-state="loading"])`).waitFor();
  await page.locator(`#cal-body td[data-date="${day}"]`).click();
  const slot = page.locator('#slot-list label', { hasText: new RegExp(`^${clock}`) }).first();
  await slot.waitFor();
  await slot.locator('input').check();
}

/** Opens the booking page of exhibition museum, waiting until its calendar shows. */
export async function openBooking(page, museum) {
  await page.goto(`/book.html?museumId=${museum.id}`);
  await page.locator('#cal-body td[data-date]').first().waitFor();
  await page.locator('#cal-body td[data-state]:not([data-state="loading"])').first().waitFor();
}

/** Opens the staff page and signs in with the staff password. */
export async function staffSignIn(page) {
  await page.goto('/admin/');
  await page.locator('#password').fill(ADMIN_PASSWORD); // by id: also on a Korean page
  await page.locator('#login-form button[type="submit"]').click();
  await page.locator('#occupancy-section').waitFor();
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
