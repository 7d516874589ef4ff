// Saves desktop (1280 wide) and phone (375 wide) screenshots, in English and Korean, of home,
// booking (a day, a time and a family party chosen), my bookings and staff, to
// docs/screenshots/*.png. Creates a little demo data through the API first.
// Run: cd tests/browser && BASE_URL=http://127.0.0.1:8080 node screenshots.mjs
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  launch, newPage, closePage, createExhibition, book, api, DESKTOP, PHONE, rememberBookings, staffSignIn, visitor as token,
  museumToday, addDays, slotsOn, openBooking, chooseSlot,
} from './helpers.mjs';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const suffix = Date.now().toString(36).slice(-4);
const visitor = `Kim Minji ${suffix}`;

async function demoData() {
  const today = await museumToday();
  const start = addDays(today, 1);
  const a = await createExhibition({
    name: `Moon Jars: White Porcelain of the Joseon Dynasty ${suffix}`, startDate: start, endDate: addDays(start, 60), opens: '10:00', closes: '17:00',
    slotMinutes: 60, capacity: 20, closedWeekdays: [1], description: 'Forty moon jars from collections in Korea and abroad, shown together for the first time.',
  });
  const b = await createExhibition({
    name: `Light on Paper ${suffix}`, startDate: start, endDate: addDays(start, 12), opens: '10:00', closes: '12:00', slotMinutes: 60, capacity: 4,
    description: 'Photographs of Seoul, 1950–1980.',
  });
  const c = await createExhibition({ name: `Sculpture Garden ${suffix}`, startDate: addDays(start, 3), endDate: addDays(start, 90), capacity: 120 });
  let day = start;
  while ((new Date(`${day}T00:00:00Z`).getUTCDay() || 7) === 1) day = addDays(day, 1);
  for (const s of await slotsOn(b.id, day)) await book(b.id, `Park Jisoo ${suffix}`, { slot: s.start, tickets: { adult: 3 } });
  const [slotA] = await slotsOn(a.id, day);
  const mine = [await book(a.id, visitor, { slot: slotA.start, tickets: { adult: 2, child: 2 } })];
  const [slotC] = await slotsOn(c.id, addDays(start, 3));
  const canceled = await book(c.id, visitor, { slot: slotC.start, tickets: { adult: 1, senior: 1 } });
  await api('PATCH', `/books/${canceled.id}`, { status: 'CANCELED' }, token(canceled));
  await new Promise((r) => setTimeout(r, 2500)); // let the asynchronous steps complete
  return { bookings: [...mine, canceled], museum: a, day };
}

await mkdir(OUT, { recursive: true });
const { bookings, museum, day } = await demoData();
const pages = [
  { name: 'home', path: '/', ready: '#exhibitions > li' },
  {
    name: 'book', ready: '#cal-body td',
    async open(page) {
      await openBooking(page, museum);
      await chooseSlot(page, day, '11:00');
      await page.locator('.stepper[data-category="adult"] button[data-step="1"]').click();
      await page.locator('.stepper[data-category="child"] button[data-step="1"]').click();
    },
  },
  { name: 'my-bookings', path: `/my.html?custNm=${encodeURIComponent(visitor)}`, ready: '#my-rows tr' },
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
        await page.evaluate(() => document.fonts.ready);
        await page.waitForTimeout(400);
        const file = `${OUT}${name}-${size}${lang === 'en' ? '' : '-ko'}.png`;
        await page.screenshot({ path: file, fullPage: name === 'book' });
        console.log('saved', file);
        await closePage(page);
      }
    }
  }
} finally {
  await browser.close();
}
