// The door page: a door account signs in, chooses the exhibition and a gate; a ticket's QR code fed
// as an image admits the party once (green), the second scan is red "already admitted"; a typed
// code goes through; a scan made offline is queued with its nonce (kept in localStorage) and its
// answer shows under "Answers learnt later" once the connection is back; "inside now" counts the
// parties admitted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  launch, newPage, closePage, createExhibition, book, unique, waitForText, eventually, museumTodayWithTimeLeft, slotsOn, ADMIN_PASSWORD,
} from './helpers.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
let browser;
let account = { user: 'admin', password: ADMIN_PASSWORD };

before(async () => {
  browser = await launch();
  // A door account when the stack can make one (make staff-add), else the bootstrap admin.
  const user = `door${Date.now().toString(36)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  try {
    execFileSync('make', ['-s', '--no-print-directory', 'staff-add', `USER=${user}`, 'ROLE=door'], {
      cwd: ROOT,
      env: { ...process.env, STAFF_PASSWORD: password },
      stdio: 'ignore',
    });
    account = { user, password };
  } catch {
    console.warn('make staff-add is not there: the door test signs in as admin');
  }
});
after(async () => { await browser?.close(); });

/** An exhibition open all of today (one slot), so that its bookings may be checked in now. */
async function todayExhibition() {
  const day = await museumTodayWithTimeLeft(10);
  const museum = await createExhibition({ name: unique('Door hall'), startDate: day, opens: '00:00', closes: '23:59', capacity: 50 });
  const [slot] = await slotsOn(museum.id, day);
  assert.ok(slot, 'a slot today');
  return { museum, slot };
}

async function signInAtDoor(page, museum) {
  await page.goto('/door/');
  await page.locator('#door-user').fill(account.user);
  await page.locator('#door-password').fill(account.password);
  await page.locator('#door-login-form button[type="submit"]').click();
  await page.locator('#door-app').waitFor();
  await page.locator(`#door-museum option[value="${museum.id}"]`).waitFor({ state: 'attached' });
  await page.locator('#door-museum').selectOption(String(museum.id));
  await page.locator('#door-gate').fill('Main entrance');
  await page.locator('#door-gate').dispatchEvent('change');
}

/** The booking's QR code as a PNG: its qr.svg (fetched with its token), drawn on a canvas in the page. */
async function qrPng(page, booking) {
  const base64 = await page.evaluate(async ({ id, token }) => {
    const res = await fetch(`/books/${id}/qr.svg`, { headers: { 'X-Booking-Token': token } });
    if (!res.ok) throw new Error(`qr.svg: ${res.status}`);
    const svg = await res.text();
    const img = new Image();
    img.src = `data:image/svg+xml;base64,${btoa(svg)}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 480;
    canvas.height = 480;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 480, 480);
    ctx.drawImage(img, 40, 40, 400, 400);
    return canvas.toDataURL('image/png').split(',')[1];
  }, { id: booking.id, token: booking.token });
  return Buffer.from(base64, 'base64');
}

const feed = (page, png) => page.locator('#door-file').setInputFiles({ name: 'ticket.png', mimeType: 'image/png', buffer: png });
const answer = (page) => page.locator('#door-answer');

test('a ticket’s QR image admits the party once; typed codes; inside now', async () => {
  const { museum, slot } = await todayExhibition();
  const family = await book(museum.id, unique('Door family'), { slot: slot.start, tickets: { adult: 2, child: 1 } });
  const single = await book(museum.id, unique('Door single'), { slot: slot.start, tickets: { adult: 1 } });
  const page = await newPage(browser);
  await signInAtDoor(page, museum);
  await waitForText(page.locator('#door-inside-count'), /^0$/);

  const png = await qrPng(page, family);
  await feed(page, png);
  await eventually(async () => (await answer(page).getAttribute('data-result')) === 'admitted', { message: 'admitted' });
  await waitForText(answer(page), /Admitted/);
  await waitForText(answer(page), /3 people · 2 adults, 1 child/);
  await waitForText(answer(page), new RegExp(family.custNm));

  await feed(page, png); // the same ticket again: an image always goes (no debounce), and is refused
  await eventually(async () => (await answer(page).getAttribute('data-reason')) === 'already_admitted', { message: 'already admitted' });
  assert.equal(await answer(page).getAttribute('data-result'), 'refused');
  await waitForText(answer(page), /Already admitted at \d\d:\d\d/);

  // Typed, with spaces, a hyphen and lower case.
  const typed = `${single.code.slice(0, 4).toLowerCase()} ${single.code.slice(4, 8)}-${single.code.slice(8)}`;
  await page.getByLabel('Type the code').fill(typed);
  await page.getByRole('button', { name: 'Check in' }).click();
  await eventually(async () => (await answer(page).getAttribute('data-result')) === 'admitted', { message: 'typed code admitted' });
  await waitForText(answer(page), /1 person/);

  // Not a code at all: refused here, nothing sent.
  await page.getByLabel('Type the code').fill('HELLO');
  await page.getByRole('button', { name: 'Check in' }).click();
  await waitForText(page.locator('#door-code-error'), /10 letters and digits/);

  await waitForText(page.locator('#door-inside-count'), /^4$/);
  await closePage(page, [/status of 409/]);
});

test('a scan made offline is queued with its nonce and answered once back online', async () => {
  const { museum, slot } = await todayExhibition();
  const booking = await book(museum.id, unique('Offline visitor'), { slot: slot.start, tickets: { adult: 2 } });
  const canceled = await book(museum.id, unique('Canceled visitor'), { slot: slot.start });
  const res = await fetch(`${process.env.BASE_URL || 'http://127.0.0.1:8080'}/books/${canceled.id}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', 'X-Booking-Token': canceled.token },
    body: JSON.stringify({ status: 'CANCELED' }),
  });
  assert.equal(res.status, 200);
  const page = await newPage(browser);
  await signInAtDoor(page, museum);

  await page.context().setOffline(true);
  await page.getByLabel('Type the code').fill(booking.code);
  await page.getByRole('button', { name: 'Check in' }).click();
  await eventually(async () => (await answer(page).getAttribute('data-result')) === 'queued', { message: 'queued' });
  await page.getByLabel('Type the code').fill(canceled.code);
  await page.getByRole('button', { name: 'Check in' }).click();
  await waitForText(page.locator('#door-queue-count'), /2 scans are waiting/);
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('skmuseum.doorQueue')));
  assert.deepEqual(queued.map((q) => q.code), [booking.code, canceled.code], 'kept in order, in localStorage');
  assert.ok(queued.every((q) => /^[0-9a-f-]{36}$/.test(q.nonce)), 'each with its nonce');
  assert.equal(queued[0].gate, 'Main entrance');

  await page.context().setOffline(false);
  const later = page.locator('#door-later li');
  await eventually(async () => (await later.count()) === 2, { timeout: 20000, message: 'both answers learnt later' });
  await page.locator(`#door-later li[data-code="${booking.code}"][data-result="admitted"]`).waitFor();
  await page.locator(`#door-later li[data-code="${canceled.code}"][data-result="refused"][data-reason="canceled"]`).waitFor();
  assert.ok(await page.locator('#door-queue-section').isHidden(), 'nothing left to send');
  assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('skmuseum.doorQueue'))), []);
  await waitForText(page.locator('#door-inside-count'), /^2$/);

  // Learnt later survives a reload, and the page stays signed in for the tab.
  await page.reload();
  await page.locator(`#door-later li[data-code="${booking.code}"]`).waitFor();
  await closePage(page, [/status of 409/, /ERR_INTERNET_DISCONNECTED/]);
});
