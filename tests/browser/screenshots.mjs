// Saves desktop (1280 wide) and phone (375 wide) screenshots of home, my bookings and admin
// to docs/screenshots/*.png. Creates a little demo data through the API first.
// Run: cd tests/browser && BASE_URL=http://127.0.0.1:8080 node screenshots.mjs
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launch, newPage, closePage, createMuseum, book, api, DESKTOP, PHONE, rememberBookings, staffSignIn, visitor as token } from './helpers.mjs';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
const suffix = Date.now().toString(36).slice(-4);
const visitor = `Kim Minji ${suffix}`;

async function demoData() {
  const a = await createMuseum({ name: `Modern Art Hall ${suffix}`, chkDate: day(3), capacity: 40 });
  const b = await createMuseum({ name: `Photography Hall ${suffix}`, chkDate: day(5), capacity: 2 });
  const c = await createMuseum({ name: `Sculpture Garden ${suffix}`, chkDate: day(8), capacity: 120 });
  await book(b.id, `Park Jisoo ${suffix}`);
  const mine = [await book(b.id, visitor), await book(a.id, visitor)]; // Photography Hall is now sold out
  const canceled = await book(c.id, visitor);
  await api('PATCH', `/books/${canceled.id}`, { status: 'CANCELED' }, token(canceled));
  await new Promise((r) => setTimeout(r, 2500)); // let the asynchronous steps complete
  return [...mine, canceled];
}

const pages = [
  { name: 'home', path: '/', ready: '#exhibitions > li' },
  { name: 'my-bookings', path: `/my.html?custNm=${encodeURIComponent(visitor)}`, ready: '#my-rows tr' },
  { name: 'admin', path: '/admin/', ready: '#occupancy-rows tr' },
];

await mkdir(OUT, { recursive: true });
const bookings = await demoData();
const browser = await launch();
try {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const { name, path, ready } of pages) {
      const page = await newPage(browser, { viewport });
      await rememberBookings(page, bookings);
      if (name === 'admin') await staffSignIn(page);
      else await page.goto(path);
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(300);
      const file = `${OUT}${name}-${size}.png`;
      await page.screenshot({ path: file });
      console.log('saved', file);
      await closePage(page);
    }
  }
} finally {
  await browser.close();
}
