// A worker dies under a booking: the book page retries with the same Idempotency-Key, and the
// visitor ends with exactly one booking — whether the booking committed before the worker died
// (the answer was lost) or not (nothing was done).
//
// How the tests make the worker die at a chosen point: a psql session locks the exhibition's row,
// so the booking's statement (book.create) waits in PostgreSQL, visible in pg_stat_activity.
// - Committed, then the worker dies: every worker is stopped (SIGSTOP) — the one serving the
//   booking among them — and the row lock released. The backend, which sees a live connection,
//   finishes and commits; the test waits for the row in book.booking, then kills the stopped
//   workers (SIGKILL). nginx loses the answer and says 503; the booking exists.
// - The worker dies before the commit: every worker is killed while the statement waits. The
//   backend notices its client is gone (client_connection_check_interval, 1 s) and rolls back;
//   only then is the row lock released. nginx says 503; nothing was booked.
// museum-app runs with a 10 s lock timeout for these tests, so the waiting statement outlasts the
// test's steps on a slow machine (the default 1 s would turn it into a plain 503, nothing done).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, closePage, createMuseum, api, unique, waitForText, openBooking, chooseSlot } from './helpers.mjs';
import { sql, until, holdExhibitionRow, waitingBookings, backendAlive, signalWorkers, restartApp } from './stack.mjs';

let browser;
before(async () => {
  await restartApp({ DB_LOCK_TIMEOUT_MS: '10000' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await restartApp({});
});

// Chromium logs every failed answer; these tests provoke 503s (and 409 "still in progress").
const PROVOKED = [/status of 503/, /status of 409/];

async function startBooking(museum, custNm) {
  const page = await newPage(browser);
  await openBooking(page, museum);
  await chooseSlot(page, museum.chkDate, '');
  await page.getByLabel('Your name').fill(custNm);
  const answers = [];
  page.on('response', (res) => {
    if (new URL(res.url()).pathname === '/books' && res.request().method() === 'POST') {
      answers.push({ status: res.status(), key: res.request().headers()['idempotency-key'] });
    }
  });
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  return { page, answers };
}

/** What the visitor ends with: the page shows one booking, the only one in the database. */
async function assertExactlyOneBooking(page, museum, custNm, answers) {
  await page.locator('#booking').waitFor();
  await waitForText(page.locator('#book-message'), /Booked|complete/);
  const rows = sql(`SELECT id FROM book.booking WHERE museum_id = ${museum.id}`).split('\n').filter(Boolean);
  assert.equal(rows.length, 1, `exactly one booking (${rows.length})`);
  assert.equal(await page.locator('#booking-id').textContent(), rows[0], 'the page shows that booking');
  assert.equal(await page.locator('#booking-visitor').textContent(), custNm);
  const held = await page.evaluate(() => JSON.parse(localStorage.getItem('skmuseum.bookings')));
  const opened = await api('GET', `/books/${rows[0]}`, undefined, { 'X-Booking-Token': held[rows[0]].token });
  assert.equal(opened.status, 200, 'the token kept in the browser opens it');
  assert.equal((await api('GET', `/museums/${museum.id}`)).body.pcnt, museum.capacity - 1, 'one seat taken');
  assert.ok(answers.length >= 2, `the page retried (${JSON.stringify(answers)})`);
  assert.equal(new Set(answers.map((a) => a.key)).size, 1, 'every try carried the same Idempotency-Key');
  assert.equal(answers.at(-1).status, 201);
}

test('the worker dies after the booking committed: the retry answers that booking, none is added', async () => {
  const museum = await createMuseum({ name: unique('Retry hall'), capacity: 3 });
  const custNm = unique('visitor');
  const lock = await holdExhibitionRow(museum.id);
  let stopped = [];
  try {
    const { page, answers } = await startBooking(museum, custNm);
    await until(() => waitingBookings().length === 1, 10000, 'the booking to wait on the row lock');
    stopped = signalWorkers('SIGSTOP');
    await lock.release();
    await until(() => sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${museum.id}`) === '1', 10000, 'the commit');
    assert.equal(answers.length, 0, 'no answer yet: the worker is stopped');
    for (const pid of stopped) process.kill(pid, 'SIGKILL');
    stopped = [];
    await assertExactlyOneBooking(page, museum, custNm, answers);
    assert.equal(answers[0].status, 503, 'the answer of the killed worker was lost');
    await closePage(page, PROVOKED);
  } finally {
    for (const pid of stopped) process.kill(pid, 'SIGKILL');
    await lock.release();
  }
});

test('the worker dies before the booking committed: the retry books it once', async () => {
  const museum = await createMuseum({ name: unique('Retry hall'), capacity: 3 });
  const custNm = unique('visitor');
  const lock = await holdExhibitionRow(museum.id);
  try {
    const { page, answers } = await startBooking(museum, custNm);
    // (An empty list is truthy: wait for one.)
    const [backend] = await until(() => { const w = waitingBookings(); return w.length > 0 && w; }, 10000,
      'the booking to wait on the row lock');
    signalWorkers('SIGKILL');
    await until(() => !backendAlive(backend), 10000, 'the killed worker’s backend to give up');
    assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${museum.id}`), '0', 'nothing committed');
    await lock.release();
    await assertExactlyOneBooking(page, museum, custNm, answers);
    assert.equal(answers[0].status, 503);
    await closePage(page, PROVOKED);
  } finally {
    await lock.release();
  }
});

test('after the retries run out, booking again re-uses the same key: still one booking', async () => {
  const museum = await createMuseum({ name: unique('Retry hall'), capacity: 3 });
  const custNm = unique('visitor');
  const page = await newPage(browser);
  // Every try reaches the server (which books), but its answer is lost on the way back, as
  // when a worker dies after the commit.
  let lose = true;
  const keys = [];
  await page.route(
    (url) => url.pathname === '/books',
    async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key']);
      const res = await route.fetch();
      if (!lose) return route.fulfill({ response: res });
      return route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        headers: { 'Retry-After': '1' },
        body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the service is unavailable; try again shortly' }),
      });
    },
  );
  await openBooking(page, museum);
  await chooseSlot(page, museum.chkDate, '');
  await page.getByLabel('Your name').fill(custNm);
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await waitForText(page.locator('#book-message'), /not sure|again/i, 30000);
  assert.equal(await page.locator('#book-message').getAttribute('data-kind'), 'error');
  assert.ok(keys.length >= 3, `the page retried (${keys.length} tries)`);
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${museum.id}`), '1', 'the first try booked');

  lose = false; // the visitor presses Book again
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await page.locator('#booking').waitFor();
  assert.equal(new Set(keys).size, 1, 'one Idempotency-Key for every try, also the visitor’s second press');
  assert.equal(sql(`SELECT count(*) FROM book.booking WHERE museum_id = ${museum.id}`), '1', 'still one booking');
  assert.equal(await page.locator('#booking-id').textContent(), sql(`SELECT id FROM book.booking WHERE museum_id = ${museum.id}`));
  await closePage(page, PROVOKED);
});
