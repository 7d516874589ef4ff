// 50,000 exhibitions: the pages ask only for what they show. The home page asks for one page of
// upcoming exhibitions per refresh, and once nothing has changed the answer is a bodyless
// 304 Not Modified; the staff page asks for one page of occupancy rows (the counts come with
// them), never one request per exhibition. Requests are counted in the browser
// (page.on('request')).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, closePage, createMuseum, book, api, unique, visitor, waitForText, staffSignIn, eventually, addDays, STAFF } from './helpers.mjs';
import { sql, sleep } from './stack.mjs';

const MANY = 50000;
const tag = `Scale ${Date.now().toString(36)}`;
let browser;
let today; // the server's date: the load's exhibitions come after it, ours is on it
let ours; // a real exhibition, booked through the API

before(async () => {
  // The load, straight into the table (museum.create would take minutes; without slots: fully
  // booked): from the day after tomorrow on, 50 a day, so that ours (tomorrow) closes first.
  sql(`INSERT INTO museum.exhibition (name, start_date, end_date, opens, closes, capacity)
       SELECT '${tag} hall ' || g, current_date + 2 + g % 1000, current_date + 2 + g % 1000, '09:00', '18:00', 100
       FROM generate_series(1, ${MANY}) g`);
  today = sql('SELECT current_date');
  ours = await createMuseum({ name: unique(`${tag} ours`), chkDate: addDays(today, 1), capacity: 10 });
  const kept = await book(ours.id, unique('visitor'));
  const canceled = await book(ours.id, unique('visitor'));
  assert.equal((await api('PATCH', `/books/${canceled.id}`, { status: 'CANCELED' }, visitor(canceled))).status, 200);
  assert.ok(kept.id);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  // Leave the database as the other tests expect it: ours is deleted through the API, the load
  // (never booked, no events) removed outright.
  if (ours) await api('DELETE', `/museums/${ours.id}`, undefined, STAFF);
  sql(`DELETE FROM museum.exhibition WHERE name LIKE '${tag} hall %'`);
});

/** Records the page's API requests and the status and body size of their answers. */
function recordApi(page) {
  const log = [];
  page.on('request', (req) => {
    const path = new URL(req.url()).pathname;
    if (/^\/(museums|books|confirms|myPages)(\/|$)/.test(path)) log.push({ url: req.url(), path, status: null, bytes: null });
  });
  page.on('response', async (res) => {
    const entry = log.find((e) => e.url === res.url() && e.status === null);
    if (!entry) return;
    entry.status = res.status();
    entry.bytes = Number(res.headers()['content-length'] ?? 0);
    if (!res.headers()['content-length'] && res.status() !== 304) entry.bytes = (await res.body().catch(() => Buffer.alloc(0))).length;
  });
  return log;
}

test(`home with ${MANY} exhibitions: one small request per refresh, 304 while nothing changes`, async () => {
  const page = await newPage(browser);
  const log = recordApi(page);
  await page.goto('/');
  const card = page.locator('#exhibitions > li', { hasText: ours.name });
  await waitForText(card.locator('.availability'), /Places available/);
  const cards = await page.locator('#exhibitions > li').count();
  assert.ok(cards >= 10 && cards <= 50, `one page of cards shown (${cards})`);
  assert.ok(log.length <= 2, `the first view: ${log.length} requests`);

  // Three refreshes (every 2 s): one request each, answered 304 without a body.
  const start = log.length;
  await sleep(7000);
  const refreshes = log.slice(start);
  assert.ok(refreshes.length >= 2 && refreshes.length <= 4, `requests in 7 s: ${refreshes.length}`);
  for (const r of refreshes) {
    assert.equal(r.path, '/museums');
    assert.equal(r.status, 304, `nothing changed: ${JSON.stringify(r)}`);
  }
  const first = log[0];
  assert.ok(first.bytes < 16384, `the first page is small: ${first.bytes} bytes`);

  // A change shows at the next refresh, still one request.
  const before = log.length;
  await book(ours.id, unique('visitor'));
  await eventually(() => log.slice(before).some((e) => e.status === 200), { message: 'the change answered 200' });
  assert.ok(log.length - before <= 2, `requests until the change showed: ${log.length - before}`);

  // More on request: one more request, more cards.
  const beforeMore = log.length;
  await page.getByRole('button', { name: 'Show more exhibitions' }).click();
  await eventually(async () => (await page.locator('#exhibitions > li').count()) > cards, { message: 'more cards' });
  assert.ok(log.length - beforeMore <= 2, `requests for more: ${log.length - beforeMore}`);
  await closePage(page);
});

test(`the book page with ${MANY} exhibitions: one page of choices, not all of them`, async () => {
  const page = await newPage(browser);
  const log = recordApi(page);
  await page.goto(`/book.html?museumId=${ours.id}`);
  await page.locator(`#museum option[value="${ours.id}"]`).waitFor({ state: 'attached' });
  await sleep(1000);
  // One page of the list, the exhibition, its month of slots (and /site, not counted here):
  // what the page asks for does not grow with the catalogue.
  const lists = log.filter((e) => e.path === '/museums');
  assert.equal(lists.length, 1, `list requests: ${lists.map((e) => e.url)}`);
  assert.ok(log.length <= 4, `requests: ${log.map((e) => e.path)}`);
  const options = await page.locator('#museum option').count();
  assert.ok(options <= 201, `options: ${options}`);
  await closePage(page);
});

test(`staff with ${MANY} exhibitions: one request per page of occupancy rows`, async () => {
  const page = await newPage(browser);
  const log = recordApi(page);
  await staffSignIn(page);
  const row = page.locator('#occupancy-rows tr', { hasText: ours.name });
  const live = Number(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${ours.id} AND status IN ('REQUESTED', 'REQUEST_COMPLETED')`));
  const wanted = `10 ${live} 1 ${10 - live}`; // places per slot, booked, canceled, left (one slot)
  let shown;
  await eventually(async () => (shown = (await row.locator('th, td').allTextContents()).slice(2, 6).join(' ')) === wanted, {
    message: `occupancy ${wanted}`,
  }).catch((err) => assert.fail(`${err.message}; shown: ${shown}`));
  const rows = await page.locator('#occupancy-rows tr').count();
  assert.ok(rows >= 10 && rows <= 100, `one page of rows (${rows})`);
  await sleep(500);
  const signIn = log.length;
  assert.ok(signIn <= 3, `sign-in and the first page: ${signIn} requests`);

  // A refresh: one request, and 304 when nothing changed.
  await page.getByRole('button', { name: 'Refresh' }).click();
  await eventually(() => log.length > signIn && log.at(-1).status !== null, { message: 'the refresh' });
  await sleep(500);
  assert.equal(log.length - signIn, 1, `one request for the refresh: ${JSON.stringify(log.slice(signIn))}`);
  assert.equal(log.at(-1).path, '/museums');
  assert.equal(log.at(-1).status, 304);

  // The next page: one request.
  const beforeNext = log.length;
  await page.getByRole('button', { name: 'Next page' }).click();
  await row.waitFor({ state: 'detached' });
  await sleep(500);
  assert.equal(log.length - beforeNext, 1, `one request for the next page: ${JSON.stringify(log.slice(beforeNext))}`);
  assert.deepEqual(log.filter((e) => e.path !== '/museums').map((e) => e.url), [`${new URL(log[0].url).origin}/books?limit=1`],
    'no request per exhibition: only the sign-in’s check of the password');
  await closePage(page);
});
