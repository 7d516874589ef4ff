// A waiting-list entry (waitlist.html?id=…, or an offer email's link #id=…&token=…): the
// exhibition, slot, party, status in words and the place in line; when places are offered, a
// live countdown to the offer's expiry and "Accept", which books them and shows the booking's
// ticket (ticket.js; its token is kept like any booking's). "Leave the waiting list" while waiting
// or offered. The entry's token is kept on this device (api.js) and sent in a header only: the
// link's fragment leaves the address bar at once. Refreshed every few seconds while the page is
// visible, with conditional requests (304 while nothing changed). A status change is announced
// once (a polite live region); the countdown is not announced every second, only when little
// time is left.
import { waitlistWatch, waitlistTokenFor, rememberWaitlist, acceptOffer, leaveWaitlist, getMuseum, bookingWatch } from './api.js';
import { t, tn, formatDay, locale, ordinal, waitlistStatusText } from './i18n.js';
import { errorText, showMessage, poll, confirmDialog } from './ui.js';
import { initSite, getSiteInfo } from './site.js';
import { createTicket } from './ticket.js';
import { slotDay, slotClock } from './time.js';

const REFRESH_MS = 3000; // the entry, while the page is visible
const $ = (id) => document.getElementById(id);
const message = $('wl-message');
const FINAL = new Set(['ACCEPTED', 'EXPIRED', 'LEFT', 'CANCELED']);
const SOON_MINUTES = [5, 1]; // the countdown is announced once when less than this is left

let entryId = null;
let watch = null;
let entry = null; // the entry as last read
let museum = null; // its exhibition (GET /museums/{id}), for the name
let note = null; // { key, params, kind } of the message shown, to re-translate it
let stopPolling = () => {};
let ticker = null; // the countdown's interval
let announcedSoon = new Set(); // SOON_MINUTES already announced for this offer
let booking = null; // the booking made by accepting
let ticket = null; // its ticket (ticket.js)
let stopBooking = () => {};
let accepting = false;

function say(key, params = {}, kind = 'info') {
  note = key ? { key, params, kind } : null;
  showMessage(message, key ? t(key, params) : '', kind);
}

function sayText(text, kind) {
  note = null;
  showMessage(message, text, kind);
}

/** Take #id=…&token=… (an offer email's link) into this device's storage, then drop it from the address bar. */
function takeLink() {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const query = new URLSearchParams(location.search);
  const id = hash.get('id') || query.get('id');
  if (!/^[1-9]\d{0,15}$/.test(id || '')) return null;
  const token = hash.get('token');
  if (token) rememberWaitlist({ id, token });
  if (location.hash) history.replaceState(null, '', `${location.pathname}?id=${encodeURIComponent(id)}`);
  return id;
}

// ---- Rendering --------------------------------------------------------------------------------

const partyOf = (e) => tn('party.total', Number(e.party) || 0);

/** "14:05, 3 May" in the museum's time zone. */
function clockOf(iso) {
  const options = { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'long' };
  try {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: getSiteInfo().timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(locale(), options).format(new Date(iso));
  }
}

/** What the live region says about the entry: its place in line, or its status in a sentence. */
function liveText(e) {
  if (e.status === 'WAITING') {
    const n = Number(e.position) || 0;
    return n === 1 ? `${t('wl.position', { nth: ordinal(1) })} ${t('wl.positionNext')}` : n > 0 ? t('wl.position', { nth: ordinal(n) }) : '';
  }
  if (e.status === 'OFFERED') return waitlistStatusText(e.status);
  if (e.status === 'ACCEPTED') return t('wl.acceptedText');
  if (e.status === 'EXPIRED') return t('wl.expiredText');
  if (e.status === 'LEFT') return t('wl.leftText');
  if (e.status === 'CANCELED') return t('wl.canceledText');
  return waitlistStatusText(e.status);
}

function render() {
  if (!entry) return;
  $('wl-entry').hidden = false;
  $('wl-name').textContent = museum?.name || '';
  $('wl-name').hidden = !museum?.name;
  $('wl-id').textContent = entry.id;
  const start = entry.slot || '';
  $('wl-date').textContent = start ? formatDay(slotDay(start)) : '';
  $('wl-time').textContent = start ? slotClock(start) : '';
  $('wl-party').textContent = partyOf(entry);
  const badge = $('wl-status');
  badge.dataset.status = `WL_${entry.status}`;
  badge.textContent = waitlistStatusText(entry.status);
  const live = liveText(entry);
  if ($('wl-live').textContent !== live) $('wl-live').textContent = live; // announced only when it changes
  $('wl-text').textContent = entry.status === 'WAITING'
    ? t('wl.waitingText')
    : entry.status === 'OFFERED' && entry.offerExpiresAt ? t('wl.offeredText', { time: clockOf(entry.offerExpiresAt) }) : '';
  $('wl-text').hidden = !$('wl-text').textContent;
  const offered = entry.status === 'OFFERED';
  $('wl-offer').hidden = !offered;
  $('wl-accept').disabled = accepting;
  $('wl-leave').hidden = !(entry.status === 'WAITING' || entry.status === 'OFFERED');
  if (offered) startCountdown();
  else stopCountdown();
}

// ---- The countdown ----------------------------------------------------------------------------

const pad = (n) => String(n).padStart(2, '0');

function tick() {
  const until = Date.parse(entry?.offerExpiresAt || '');
  const node = $('wl-countdown');
  if (!Number.isFinite(until)) {
    node.textContent = '';
    return;
  }
  const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  node.textContent = h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  node.dateTime = `PT${h}H${m}M${s}S`;
  // Announced only when crossing a threshold (not every second).
  for (const minutes of SOON_MINUTES) {
    if (left > 0 && left <= minutes * 60 && !announcedSoon.has(minutes)) {
      for (const other of SOON_MINUTES) if (other >= minutes) announcedSoon.add(other);
      $('wl-soon').textContent = t('wl.countdownSoon', { n: minutes });
    }
  }
  if (left === 0) {
    $('wl-accept').disabled = true;
    refresh(); // the server says what became of it
  }
}

function startCountdown() {
  tick();
  if (!ticker) ticker = setInterval(tick, 1000);
}

function stopCountdown() {
  clearInterval(ticker);
  ticker = null;
  announcedSoon = new Set();
  $('wl-soon').textContent = '';
}

// ---- Reading the entry ------------------------------------------------------------------------

let refreshing = null;

function refresh() {
  refreshing ??= read().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function read() {
  let answer;
  try {
    answer = await watch();
  } catch (err) {
    if (err.status === 401 || err.status === 403 || err.status === 404) {
      say(waitlistTokenFor(entryId) ? 'error.notFound' : 'wl.noToken', {}, 'error');
      stopPolling();
    } else sayText(t('error.refresh', { message: errorText(err) }), 'error');
    return;
  }
  if (note?.key === 'error.refresh' || note?.key === 'loading') say('');
  if (!answer.changed && entry) return;
  const before = entry?.status;
  entry = answer.data;
  if (!museum && entry.museumId) {
    museum = await getMuseum(entry.museumId).catch(() => null);
  }
  render();
  if (entry.status === 'ACCEPTED' && !booking) showAcceptedBooking();
  if (FINAL.has(entry.status)) stopPolling();
  if (before && before !== entry.status && entry.status === 'OFFERED') $('wl-accept').focus();
}

// ---- Accept -----------------------------------------------------------------------------------

function showBooking(next) {
  booking = next;
  if (!booking?.id) return;
  if (!ticket) {
    ticket = createTicket(booking);
    ticket.dataset.bookId = booking.id;
    $('wl-ticket').replaceChildren(ticket);
  } else ticket.update(booking);
  $('wl-booking').hidden = false;
}

/** Follow the booking's status (REQUESTED → confirmed) on its ticket. */
function followBooking(id) {
  stopBooking();
  const watchBooking = bookingWatch(id);
  stopBooking = poll(async () => {
    const { data, changed } = await watchBooking();
    if (changed && data) showBooking({ ...booking, ...data });
    if (data && data.status !== 'REQUESTED') stopBooking();
  }, REFRESH_MS);
}

/** An entry accepted earlier (another visit of this page): accepting again answers the same booking. */
async function showAcceptedBooking() {
  if (!waitlistTokenFor(entryId)) return;
  try {
    showBooking(await acceptOffer(entryId));
    followBooking(booking.id);
  } catch {
    // the booking is in My bookings anyway
  }
}

async function onAccept() {
  if (accepting) return;
  accepting = true;
  $('wl-accept').disabled = true;
  say('wl.accepting', {}, 'info');
  try {
    const answer = await acceptOffer(entryId);
    showBooking(answer);
    say('wl.accepted', {}, 'ok');
    $('wl-ticket-heading').focus();
    followBooking(answer.id);
  } catch (err) {
    if (err.status === 409 && !err.outcomeUnknown) say('wl.notOpen', {}, 'error');
    else sayText(errorText(err), 'error');
  } finally {
    accepting = false;
    await refresh();
    render();
  }
}

// ---- Leave ------------------------------------------------------------------------------------

async function onLeave() {
  if (!entry) return;
  const ok = await confirmDialog({
    title: t('wl.leaveTitle'),
    text: t('wl.leaveText', { name: museum?.name || '', date: formatDay(slotDay(entry.slot || '')), time: slotClock(entry.slot || ''), party: partyOf(entry) }),
    confirm: t('wl.leaveConfirm'),
  });
  if (!ok) return;
  $('wl-leave').disabled = true;
  try {
    await leaveWaitlist(entryId);
    say('wl.leftText', {}, 'ok');
  } catch (err) {
    sayText(errorText(err, { 409: 'wl.notOpen' }), 'error');
  } finally {
    $('wl-leave').disabled = false;
    message.focus(); // the Leave button goes away
    await refresh();
  }
}

// ---- Start ------------------------------------------------------------------------------------

$('wl-accept').addEventListener('click', onAccept);
$('wl-leave').addEventListener('click', onLeave);
document.addEventListener('langchange', () => {
  render();
  if (note) showMessage(message, t(note.key, note.params), note.kind);
});

entryId = takeLink();
initSite().then(() => render());
if (!entryId) say('wl.noEntry', {}, 'error');
else if (!waitlistTokenFor(entryId)) say('wl.noToken', {}, 'error');
else {
  watch = waitlistWatch(entryId);
  say('loading', {}, 'info');
  stopPolling = poll(refresh, REFRESH_MS);
}
