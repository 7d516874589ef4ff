// Tickets: the booking page's confirmation shows the code (large, grouped), a QR code that decodes
// to it, the calendar file and "email me my ticket"; My bookings from any device through the
// emailed sign-in link (#access=, read from the test stack's Maildir $VAR/mail/new/), a ticket
// email's link (#id=&token=), "forget this device", and no visitor's name kept for the next person.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  launch, newPage, closePage, createExhibition, book, unique, futureDate, waitForText, eventually, slotsOn, api, visitor,
  openBooking, chooseSlot, rememberBookings,
} from './helpers.mjs';

const VAR = process.env.VAR || new URL('../../var', import.meta.url).pathname;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/;
const email = () => `${unique('v').replace(/\s+/g, '.').toLowerCase()}@example.com`;
const grouped = (code) => code.replace(/(.{4})(?=.)/g, '$1 ');

async function exhibition(capacity = 6) {
  const day = futureDate();
  const museum = await createExhibition({ name: unique('Ticket hall'), startDate: day, opens: '10:00', closes: '12:00', slotMinutes: 60, capacity });
  const [slot] = await slotsOn(museum.id, day);
  return { museum, day, slot };
}

/** An encoded-word header value (RFC 2047, =?UTF-8?B?…?= or ?Q?) as text. */
const decodeWords = (value) =>
  value
    .replace(/\?=\s+=\?/g, '?==?') // the space between two encoded words is not text
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, text) =>
      /b/i.test(enc)
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));

/**
 * One RFC 5322 message (or MIME part) as readable text: its headers unfolded and decoded, then each
 * part's body decoded from its Content-Transfer-Encoding (base64, quoted-printable), parts of a
 * multipart one after the other.
 */
function readMessage(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = (split < 0 ? text : text.slice(0, split)).replace(/\n[ \t]+/g, ' ');
  const body = split < 0 ? '' : text.slice(split + 2);
  const headers = decodeWords(head);
  const header = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] || '';
  const boundary = /boundary="?([^";]+)"?/i.exec(header('Content-Type'))?.[1];
  if (boundary) {
    const parts = body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--'));
    return [headers, ...parts.map((p) => readMessage(p.replace(/^\n/, '')))].join('\n\n');
  }
  const encoding = header('Content-Transfer-Encoding').trim().toLowerCase();
  let decoded = body;
  if (encoding === 'base64') decoded = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable') {
    decoded = Buffer.from(body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return `${headers}\n\n${decoded.replace(/\r\n/g, '\n')}`;
}

/** The messages in the stack's Maildir (RFC 5322 files) sent to address, each as readable text (readMessage). */
function mailTo(address) {
  const dir = `${VAR}/mail/new`;
  let files = [];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .map((f) => readMessage(readFileSync(`${dir}/${f}`, 'utf8')))
    .filter((m) => new RegExp(`^To:.*${address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'im').test(m));
}

/** Decodes the QR image in the page (jsQR, as the door page loads it): its text, or null. */
async function decodeQr(page, selector) {
  return page.evaluate(async (sel) => {
    if (!window.jsQR) {
      await new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = '/vendor/jsQR.js';
        s.onload = resolve;
        s.onerror = reject;
        document.head.append(s);
      });
    }
    const img = document.querySelector(sel);
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 400;
    canvas.height = 400;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 400, 400);
    ctx.drawImage(img, 20, 20, 360, 360);
    const data = ctx.getImageData(0, 0, 400, 400);
    return window.jsQR(data.data, 400, 400)?.data ?? null;
  }, selector);
}

test('the confirmation is a ticket: code, QR code, calendar file, email me my ticket; no name kept', async () => {
  const { museum, day } = await exhibition();
  const page = await newPage(browser);
  await openBooking(page, museum);
  await chooseSlot(page, day, '10:00');
  await page.locator('#custNm').fill('Ticket Visitor');
  const address = email();
  await page.locator('#email').fill(address);
  await page.getByRole('button', { name: 'Book' }).click();
  const ticket = page.locator('#booking .ticket');
  await ticket.waitFor();
  const code = await ticket.getAttribute('data-code');
  assert.match(code, CODE);
  await waitForText(ticket.locator('.ticket-code'), new RegExp(`^${grouped(code).replace(/ /g, '')}$`));
  assert.equal(await ticket.locator('.ticket-raw').inputValue(), code, 'the raw code, to copy');
  await waitForText(ticket.locator('.ticket-exhibition'), new RegExp(museum.name));
  await eventually(async () => (await ticket.locator('img.ticket-qr').getAttribute('src'))?.startsWith('data:image/svg+xml'), { message: 'the QR image' });
  assert.equal(await decodeQr(page, '#booking img.ticket-qr'), code, 'the QR code carries the code');

  const [download] = await Promise.all([page.waitForEvent('download'), ticket.getByRole('button', { name: 'Add to calendar' }).click()]);
  assert.match(download.suggestedFilename(), /\.ics$/);
  const ics = readFileSync(await download.path(), 'utf8');
  assert.match(ics, /BEGIN:VCALENDAR/);
  assert.ok(ics.replace(/\r?\n[ \t]/g, '').includes(code), 'the calendar names the code');

  // The email and language went with the booking.
  const id = await page.locator('#booking-id').textContent();
  const token = await page.evaluate((bookId) => JSON.parse(localStorage.getItem('skmuseum.bookings'))[bookId].token, id);
  const stored = await api('GET', `/books/${id}`, undefined, visitor({ token }));
  assert.deepEqual([stored.body.email, stored.body.lang, stored.body.code], [address, 'en', code]);

  // Email me my ticket: another address.
  const other = email();
  await ticket.getByLabel('Email me my ticket').fill(other);
  await ticket.getByRole('button', { name: 'Send ticket' }).click();
  await waitForText(ticket.locator('.message'), /on its way/);
  await eventually(() => mailTo(other).some((m) => m.includes(code)), { timeout: 20000, message: 'the ticket email in the Maildir' });

  // No name (nor email) left for the next person on this computer.
  await page.goto(`/book.html?museumId=${museum.id}`);
  await page.locator('#cal-body td[data-date]').first().waitFor();
  assert.equal(await page.locator('#custNm').inputValue(), '');
  assert.equal(await page.locator('#email').inputValue(), '');
  assert.equal(await page.evaluate(() => localStorage.getItem('skmuseum.custNm')), null);
  await closePage(page);
});

test('My bookings on another device through the emailed sign-in link; cancel with it', async () => {
  const { museum, slot } = await exhibition();
  const address = email();
  const res = await api('POST', '/books', { museumId: museum.id, custNm: unique('visitor'), slot: slot.start, email: address });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const booking = res.body;

  const page = await newPage(browser);
  await page.goto('/my.html');
  await waitForText(page.locator('#my-empty'), /No bookings on this device/);
  await page.getByLabel('Your email').fill(address);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await waitForText(page.locator('#access-message'), /Check your inbox/);
  await closePage(page);

  const link = await eventually(() => {
    for (const m of mailTo(address)) {
      const found = /https?:\/\/\S*\/my\.html#access=[A-Za-z0-9_\-.~%]+/.exec(m);
      if (found) return found[0];
    }
    return null;
  }, { timeout: 20000, message: 'the sign-in email in the Maildir' });
  const fragment = link.slice(link.indexOf('#'));

  const other = await newPage(browser); // another device
  await other.goto(`/my.html${fragment}`);
  const row = other.locator(`#my-rows tr[data-book-id="${booking.id}"]`);
  await row.waitFor();
  assert.equal(new URL(other.url()).hash, '', 'the access token left the address bar');
  await waitForText(row.locator('td').nth(6), new RegExp(grouped(booking.code)));
  await waitForText(other.locator('#my-signed-in'), /Signed in with your email link until/);

  await row.getByRole('button', { name: `Show the ticket of booking ${booking.id}` }).click();
  await waitForText(other.locator('#my-ticket .ticket-code'), new RegExp(booking.code.slice(0, 4)));
  await eventually(async () => (await other.locator('#my-ticket img.ticket-qr').getAttribute('src'))?.startsWith('data:'), { message: 'QR through the access token' });

  await row.getByRole('button', { name: `Cancel booking ${booking.id}` }).click();
  await other.getByRole('dialog').getByRole('button', { name: 'Yes, cancel booking' }).click();
  await row.locator('.badge[data-status="CANCELED"]').waitFor();
  const after = await api('GET', `/books/${booking.id}`, undefined, visitor(booking));
  assert.equal(after.body.status, 'CANCELED');
  await closePage(other);
});

test('a ticket email’s link keeps the booking on this device; forget this device clears it all', async () => {
  const { museum, slot } = await exhibition();
  const booking = await book(museum.id, unique('visitor'), { slot: slot.start, tickets: { adult: 2 } });
  const page = await newPage(browser);
  await page.goto(`/my.html#id=${booking.id}&token=${booking.token}`);
  await page.locator('#my-ticket .ticket').waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
  await waitForText(page.locator('#my-ticket .ticket-code'), new RegExp(booking.code.slice(0, 4)));
  const held = await page.evaluate(() => JSON.parse(localStorage.getItem('skmuseum.bookings') || '{}'));
  assert.equal(held[booking.id]?.token, booking.token);
  await page.reload();
  await page.locator(`#my-rows tr[data-book-id="${booking.id}"]`).waitFor();

  await page.getByRole('button', { name: 'Forget this device' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Forget this device' }).click();
  await waitForText(page.locator('#my-message'), /forgotten/);
  assert.equal(await page.locator('#my-rows tr').count(), 0);
  const left = await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith('skmuseum.')));
  assert.deepEqual(left, []);
  await page.reload();
  await waitForText(page.locator('#my-empty'), /No bookings on this device/);
  await closePage(page);
});

test('My bookings lists the bookings this device holds, by token only (no name)', async () => {
  const { museum, slot } = await exhibition();
  const custNm = unique('visitor');
  const mine = await book(museum.id, custNm, { slot: slot.start });
  const theirs = await book(museum.id, custNm, { slot: slot.start }); // same name, another device
  const page = await newPage(browser);
  await rememberBookings(page, [mine]);
  await page.goto('/my.html');
  await page.locator(`#my-rows tr[data-book-id="${mine.id}"]`).waitFor();
  await page.waitForTimeout(500);
  assert.equal(await page.locator(`#my-rows tr[data-book-id="${theirs.id}"]`).count(), 0, 'a namesake’s booking is not listed');
  await closePage(page);
});
