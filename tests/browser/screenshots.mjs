// Saves desktop (1280 wide) and phone (375 wide) screenshots, whole pages, in English and Korean,
// of home, booking (a day, a time and a family party chosen), the ticket after booking, my
// bookings (the list, and a ticket), a waiting-list entry (waiting, and offered with its countdown),
// staff, and the door (admitted, refused), to
// docs/screenshots/*.png, after creating a museum's worth of demo data through the API: four
// exhibitions (one nearly fully booked, one opening in a few weeks) and one visitor's bookings.
//
// It wants a fresh stack (it refuses one that already has exhibitions: their names would show):
// `make screenshots` starts a throwaway one with a made-up museum's visit information and runs
// this against it. By hand: cd tests/browser && BASE_URL=http://127.0.0.1:PORT VAR=... node screenshots.mjs
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  launch, newPage, closePage, createExhibition, book, api, DESKTOP, PHONE, rememberBookings, staffSignIn, visitor as token,
  museumToday, addDays, slotsOn, openBooking, chooseSlot, ADMIN_PASSWORD, site,
} from './helpers.mjs';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const visitor = 'Kim Minji';
// Other visitors, for the nearly full exhibition.
const VISITORS = [
  'Park Jisoo', 'Lee Seojun', 'Choi Yuna', 'Jung Hayoon', 'Kang Minho', 'Yoon Seoyeon', 'Han Jiwoo', 'Oh Eunji', 'Lim Dohyun',
  'Shin Yerin', 'Song Jihoon', 'Emma Clarke', 'Lucas Martin', 'Sato Yuki', 'Hwang Sumin', 'Seo Jiho', 'Ahn Chaewon', 'Jang Woojin',
];

const isoWeekday = (day) => new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
/** The first day from day on that is not a Monday (the museum's closed day). */
function openDay(day) {
  while (isoWeekday(day) === 1) day = addDays(day, 1);
  return day;
}

/**
 * The Sculpture Garden's hours: the museum's (10:00–18:00), stretched to a whole hour or more either
 * side of the museum's time now, so that its one slot of today takes bookings and admits them at the
 * door whenever the screenshots are retaken (a slot that has ended takes no booking). {} when
 * the museum's hours already do.
 */
async function gardenHours() {
  const { timeZone } = await site();
  const [h, m] = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date()).split(':').map(Number);
  const now = h * 60 + m;
  const opens = Math.max(0, Math.min(10 * 60, Math.floor((now - 60) / 60) * 60));
  const closes = Math.min(23 * 60 + 30, Math.max(18 * 60, Math.ceil((now + 60) / 60) * 60));
  if (opens === 10 * 60 && closes === 18 * 60) return {};
  const hhmm = (min) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
  return { opens: hhmm(opens), closes: hhmm(closes) };
}

async function demoData() {
  const existing = await api('GET', `/museums?from=${await museumToday()}&limit=1`);
  assert.equal(existing.status, 200, JSON.stringify(existing.body));
  assert.deepEqual(
    existing.body, [],
    'this stack already has exhibitions, which would show in the screenshots: run `make screenshots` (a fresh stack of its own)',
  );
  const today = await museumToday();
  const photos = await createExhibition({
    name: 'Light on Paper: Seoul, 1950–1980', startDate: today, endDate: addDays(today, 11),
    opens: '10:00', closes: '18:00', slotMinutes: 120, capacity: 6, closedWeekdays: [1],
    description: 'Street photographs of a city rebuilding itself, printed from the original negatives.',
  });
  const jars = await createExhibition({
    name: 'Moon Jars of the Joseon Dynasty', startDate: today, endDate: addDays(today, 75),
    opens: '10:00', closes: '17:00', slotMinutes: 60, capacity: 20, closedWeekdays: [1],
    description: 'Forty white porcelain moon jars from collections in Korea and abroad, shown together for the first time.',
  });
  const garden = await createExhibition({
    name: 'The Sculpture Garden', startDate: today, endDate: addDays(today, 180), capacity: 300, closedWeekdays: [1],
    ...(await gardenHours()),
    description: 'Twenty-two sculptures from the collection among the pine trees behind the museum.',
  });
  const threadsStart = openDay(addDays(today, 18));
  const threads = await createExhibition({
    name: 'Threads of Colour: Korean Textiles', startDate: threadsStart, endDate: addDays(threadsStart, 90),
    opens: '10:00', closes: '17:00', slotMinutes: 30, capacity: 15, closedWeekdays: [1],
    description: 'Bojagi wrapping cloths, court embroidery and everyday textiles from the 18th to the 20th century.',
  });

  // Light on Paper is nearly full: every slot booked to its last place or two.
  let who = 0;
  for (let day = today; day <= photos.endDate; day = addDays(day, 1)) {
    if (isoWeekday(day) === 1) continue;
    for (const [i, s] of (await slotsOn(photos.id, day)).entries()) {
      if (Date.parse(s.start) <= Date.now()) continue; // a slot already begun today takes no bookings
      const parties = [[2, 2], [3, 2], [2, 1, 2], [4, 1], [2, 2, 1], [3, 2, 1]][(i + who) % 6];
      for (const adults of parties) await book(photos.id, VISITORS[who++ % VISITORS.length], { slot: s.start, tickets: { adult: adults } });
    }
  }

  // One visitor's bookings: two coming visits, and one she canceled.
  const jarsDay = openDay(addDays(today, 3));
  const jarsSlot = (await slotsOn(jars.id, jarsDay)).find((s) => s.start.includes('T11:00'));
  const threadsSlot = (await slotsOn(threads.id, threadsStart)).find((s) => s.start.includes('T14:30'));
  const gardenDay = openDay(addDays(today, 8));
  const [gardenSlot] = await slotsOn(garden.id, gardenDay);
  const mine = [
    await book(jars.id, visitor, { slot: jarsSlot.start, tickets: { adult: 2, child: 2 } }),
    await book(threads.id, visitor, { slot: threadsSlot.start, tickets: { adult: 1, senior: 1 } }),
  ];
  const canceled = await book(garden.id, visitor, { slot: gardenSlot.start, tickets: { adult: 2, youth: 1 } });
  const res = await api('PATCH', `/books/${canceled.id}`, { status: 'CANCELED' }, token(canceled));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await new Promise((r) => setTimeout(r, 3000)); // let the asynchronous steps (confirmations) complete
  // The booking page: the same exhibition, on another day.
  // At the door today: The Sculpture Garden, one slot all day (closed on Mondays, and after 23:30:
  // then no door shots).
  const [doorSlot] = (await slotsOn(garden.id, today)).filter((s) => Date.parse(s.end) > Date.now());
  return { bookings: [...mine, canceled], museum: jars, day: openDay(addDays(today, 5)), garden, doorSlot, waitlist: await waitlistData(photos, today) };
}

/**
 * The visitor's waiting-list entries for two sold-out slots of the nearly full Light on Paper:
 * one waiting second in line, one offered the places a cancel freed.
 */
async function waitlistData(photos, today) {
  const join = async (custNm, slot, adults) => {
    const res = await api('POST', `/museums/${photos.id}/waitlist`, { custNm, slot, tickets: { adult: adults }, lang: 'en' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const day = openDay(addDays(today, 2));
  const [a, b] = (await slotsOn(photos.id, day)).filter((s) => s.left >= 1);
  // Waiting: someone else joined first.
  await book(photos.id, 'Jang Woojin', { slot: a.start, tickets: { adult: a.left } });
  await join('Seo Jiho', a.start, 2);
  const waiting = await join(visitor, a.start, 2);
  // Offered: the last places of the slot are canceled after the visitor joined.
  const last = await book(photos.id, 'Ahn Chaewon', { slot: b.start, tickets: { adult: b.left } });
  const offered = await join(visitor, b.start, b.left);
  const res = await api('PATCH', `/books/${last.id}`, { status: 'CANCELED' }, token(last));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  for (let i = 0; ; i++) {
    const entry = await api('GET', `/waitlist/${offered.id}`, undefined, token(offered));
    if (entry.body?.status === 'OFFERED') break;
    assert.ok(i < 100, `the offer was not made: ${JSON.stringify(entry.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { waiting, offered };
}

await mkdir(OUT, { recursive: true });
const { bookings, museum, day, garden, doorSlot, waitlist } = await demoData();
const pages = [
  { name: 'home', path: '/', ready: '#exhibitions > li' },
  {
    name: 'book', ready: '#cal-body td',
    async open(page) {
      await openBooking(page, museum);
      await chooseSlot(page, day, '14:00');
      await page.locator('.stepper[data-category="adult"] button[data-step="1"]').click();
      await page.locator('.stepper[data-category="child"] button[data-step="1"]').click();
      await page.locator('#custNm').fill('Lee Jiwon');
      await page.evaluate(() => window.scrollTo(0, 0));
    },
  },
  { name: 'my-bookings', path: '/my.html', ready: '#my-rows tr .badge[data-status="CANCELED"]' },
  {
    name: 'ticket', ready: '#booking .ticket img.ticket-qr[src^="data:"]',
    async open(page) {
      // The confirmation right after booking (a fresh booking of the demo visitor).
      await openBooking(page, museum);
      await chooseSlot(page, day, '15:00');
      await page.locator('.stepper[data-category="adult"] button[data-step="1"]').click();
      await page.locator('#custNm').fill(visitor);
      await page.locator('#email').fill('minji.kim@mail.example');
      await page.locator('#book-submit').click();
      await page.locator('#status-history li[data-status="REQUEST_COMPLETED"]').waitFor();
    },
  },
  {
    name: 'my-ticket', ready: '#my-ticket img.ticket-qr[src^="data:"]',
    async open(page) {
      await page.goto('/my.html');
      await page.locator(`#my-rows tr[data-book-id="${bookings[0].id}"] .actions button`).first().click();
    },
  },
  { name: 'waitlist-waiting', ready: '#wl-name:not([hidden])', open: (page) => waitlistPage(page, waitlist.waiting, 'WL_WAITING') },
  { name: 'waitlist-offered', ready: '#wl-name:not([hidden])', open: (page) => waitlistPage(page, waitlist.offered, 'WL_OFFERED') },
  { name: 'admin', ready: '#occupancy-rows tr', open: staffSignIn },
  { name: 'door-admitted', ready: '#door-answer[data-result="admitted"]', open: (page) => door(page, 'Park family', { adult: 2, child: 2 }) },
  { name: 'door-refused', ready: '#door-answer[data-result="refused"]', open: (page) => door(page, 'Lee Seojun', { adult: 1, senior: 1 }, { twice: true }) },
];

/** A waiting-list entry's page, its token held on this device, once it shows status. */
async function waitlistPage(page, entry, status) {
  await page.addInitScript((e) => localStorage.setItem('skmuseum.waitlist', JSON.stringify({ [e.id]: { token: e.token } })), entry);
  await page.goto(`/waitlist.html?id=${entry.id}`);
  await page.locator(`#wl-status[data-status="${status}"]`).waitFor();
}

/** The door page, signed in as staff at the demo garden, after checking a fresh booking of name in (twice: the second answer, refused). */
async function door(page, name, tickets, { twice = false } = {}) {
  const { code } = await book(garden.id, name, { slot: doorSlot.start, tickets });
  await page.goto('/door/');
  await page.locator('#door-user').fill('admin');
  await page.locator('#door-password').fill(ADMIN_PASSWORD);
  await page.locator('#door-login-form button[type="submit"]').click();
  await page.locator(`#door-museum option[value="${garden.id}"]`).waitFor({ state: 'attached' });
  await page.locator('#door-museum').selectOption(String(garden.id));
  await page.locator('#door-gate').fill('Main entrance');
  for (let i = 0; i < (twice ? 2 : 1); i++) {
    await page.locator('#door-code').fill(code);
    await page.locator('#code-form button[type="submit"]').click();
    await page.locator(`#door-answer[data-result="${i ? 'refused' : 'admitted'}"]`).waitFor();
  }
}
const browser = await launch();
try {
  for (const [lang, locale] of [['en', 'en-GB'], ['ko', 'ko-KR']]) {
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      for (const { name, path, ready, open } of pages) {
        if (name.startsWith('door-') && !doorSlot) continue; // the museum is closed today (a Monday), or closed for the night
        const page = await newPage(browser, { viewport, locale });
        await rememberBookings(page, bookings);
        await page.addInitScript((l) => localStorage.setItem('skmuseum.lang', l), lang);
        if (open) await open(page);
        else await page.goto(path);
        await page.locator(ready).first().waitFor();
        // The museum's visit information, in the footer of every page but the door's (a staff device).
        if (await page.locator('#site-footer').count()) await page.locator('#site-footer section').first().waitFor();
        await page.evaluate(() => document.fonts.ready);
        await page.waitForTimeout(500);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${name} (${size}, ${lang}) is ${overflow}px wider than the screen`);
        const file = `${OUT}${name}-${size}${lang === 'en' ? '' : '-ko'}.png`;
        await page.screenshot({ path: file, fullPage: true });
        console.log('saved', file);
        await closePage(page, name === 'door-refused' ? [/status of 409/] : []); // a refusal at the door is a 409
      }
    }
  }
} finally {
  await browser.close();
}
