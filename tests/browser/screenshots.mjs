// Saves desktop (1280 wide) and phone (375 wide) screenshots, whole pages, in English and Korean,
// of home, booking (a day, a time and a family party chosen), my bookings and staff, to
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
  museumToday, addDays, slotsOn, openBooking, chooseSlot,
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
  return { bookings: [...mine, canceled], museum: jars, day: openDay(addDays(today, 5)) };
}

await mkdir(OUT, { recursive: true });
const { bookings, museum, day } = await demoData();
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
  { name: 'my-bookings', path: `/my.html?custNm=${encodeURIComponent(visitor)}`, ready: '#my-rows tr .badge[data-status="CANCELED"]' },
  { name: 'admin', ready: '#occupancy-rows tr', open: staffSignIn },
];
const browser = await launch();
try {
  for (const [lang, locale] of [['en', 'en-GB'], ['ko', 'ko-KR']]) {
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      for (const { name, path, ready, open } of pages) {
        const page = await newPage(browser, { viewport, locale });
        await rememberBookings(page, bookings);
        await page.addInitScript((l) => localStorage.setItem('skmuseum.lang', l), lang);
        if (open) await open(page);
        else await page.goto(path);
        await page.locator(ready).first().waitFor();
        await page.locator('#site-footer section').first().waitFor();
        await page.evaluate(() => document.fonts.ready);
        await page.waitForTimeout(500);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${name} (${size}, ${lang}) is ${overflow}px wider than the screen`);
        const file = `${OUT}${name}-${size}${lang === 'en' ? '' : '-ko'}.png`;
        await page.screenshot({ path: file, fullPage: true });
        console.log('saved', file);
        await closePage(page);
      }
    }
  }
} finally {
  await browser.close();
}
