// My bookings: the bookings whose tokens this device holds (each read with GET /books/{id}), and,
// signed in through an emailed link (#access=…), every booking made with that email (GET
// /myBookings); with their time slot, party, status and ticket code, the ticket itself (ticket.js:
// code, QR code, calendar file, email, print), cancel until the slot ends and change (the booking
// page with ?change=). A ticket email's link (#id=…&token=…) keeps that booking's token here.
// Both fragments leave the address bar at once. "Forget this device" clears everything kept.
// Polled with conditional requests (304 while nothing changed).
import {
  bookingWatch, myBookings, cancelBooking, canManage, heldBookingIds, rememberBooking, rememberAccess, accessToken, accessUntil,
  forgetAccess, forgetDevice, requestAccess, heldWaitlistIds, waitlistWatch, getMuseum,
} from './api.js';
import { t, tn, formatDay, locale, ordinal, waitlistStatusText } from './i18n.js';
import { el, errorText, showMessage, statusBadge, updateBadge, syncList, poll, confirmDialog, setFieldError } from './ui.js';
import { LIVE_STATUSES } from './rules.js';
import { initSite, getSiteInfo } from './site.js';
import { partyText, partySize } from './format.js';
import { slotRange, slotEnded, slotDay, slotClock } from './time.js';
import { createTicket, groupCode, isEmail } from './ticket.js';

const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);
const message = $('my-message');
const rows = $('my-rows');
const empty = $('my-empty');
const table = $('my-table');
const ticketSection = $('my-ticket');
const accessForm = $('access-form');
const accessEmail = $('access-email');
const accessMessage = $('access-message');

const watchers = new Map(); // bookId -> bookingWatch, for the tokens held here
const listMine = myBookings();
let items = null; // the bookings shown (last answers), by id
let ticket = null; // the ticket shown (ticket.js), with dataset.bookId
let wantTicket = null; // the booking whose ticket to open once it is read (#id= link)
let note = null; // { key, params, kind } of the message shown, to re-translate it
let accessNote = null;
let refreshFailed = false;

const bookId = (item) => item.id ?? item.bookId;
const timeOf = (item) => (item.slot ? slotRange(item.slot, item.slotEnd) : '');
const partyOf = (item) => {
  const size = item.party ?? partySize(item.tickets);
  const text = partyText(item.tickets, getSiteInfo().categories);
  return text ? `${text} (${tn('party.total', size)})` : size ? tn('party.total', size) : '';
};
/** Whether the booking's slot has ended (then it can no longer be canceled or changed). */
const over = (item) => !!item.slotEnd && slotEnded({ end: item.slotEnd });

function say(key, params = {}, kind = 'ok') {
  note = { key, params, kind };
  showMessage(message, t(key, params), kind);
}

function sayError(text) {
  note = null;
  showMessage(message, text, 'error');
}

function sayAccess(key, kind) {
  accessNote = key ? { key, kind } : null;
  showMessage(accessMessage, key ? t(key) : '', kind);
}

// ---- The fragments of emailed links -------------------------------------------------------------

/** Take #access=… (a sign-in link) or #id=…&token=… (a ticket email) into this device's storage, then drop it from the address bar. */
function takeFragment() {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (!hash.has('access') && !hash.has('token')) return;
  const access = hash.get('access');
  if (access) {
    rememberAccess(access);
    say('my.signedInNow', {}, 'ok');
  }
  const id = hash.get('id');
  const token = hash.get('token');
  if (token && /^[1-9]\d{0,15}$/.test(id || '')) {
    rememberBooking({ id, token });
    wantTicket = id;
  }
  history.replaceState(null, '', location.pathname + location.search);
}

// ---- The list --------------------------------------------------------------------------------------

const cell = (...children) => el('td', { 'data-label': '' }, ...children);
const LABELS = ['col.booking', 'col.exhibition', 'col.date', 'col.time', 'col.party', 'col.status', 'col.ticket', 'col.actions'];

function createRow() {
  return el('tr', {}, cell(), cell(), cell(el('time', {})), cell(), cell(), cell(statusBadge(null), el('p', { class: 'reason hint' })), cell(el('span', { class: 'code', translate: 'no' })), cell(el('div', { class: 'actions' })));
}

function updateRow(row, item) {
  const [idCell, nameCell, dateCell, timeCell, partyCell, statusCell, codeCell, actionCell] = row.cells;
  [...row.cells].forEach((c, i) => (c.dataset.label = t(LABELS[i])));
  const id = bookId(item);
  row.dataset.bookId = id;
  row.item = item;
  idCell.textContent = id;
  nameCell.textContent = item.name;
  const time = dateCell.querySelector('time');
  time.dateTime = item.chkDate;
  time.textContent = formatDay(item.chkDate);
  timeCell.textContent = timeOf(item);
  partyCell.textContent = partyOf(item);
  updateBadge(statusCell.querySelector('.badge'), item.status);
  const reason = statusCell.querySelector('.reason');
  reason.textContent = item.cancelReason ? t(`my.reason.${item.cancelReason}`) : '';
  reason.hidden = !item.cancelReason;
  codeCell.querySelector('.code').textContent = groupCode(item.code);

  // Cancel and change need the booking's token (or the access token), a live booking, and a slot that has not ended.
  const actions = actionCell.querySelector('.actions');
  const live = LIVE_STATUSES.has(item.status) && canManage(id);
  const state = `${live}|${over(item)}|${!!item.code}|${t('my.cancel')}`;
  if (actions.dataset.state !== state) {
    actions.dataset.state = state;
    const buttons = [];
    if (item.code) {
      const show = el('button', { type: 'button', class: 'secondary small', 'aria-label': t('my.ticketLabel', { id }) }, t('my.ticket'));
      show.addEventListener('click', () => showTicket(row.item, { focus: true }));
      buttons.push(show);
    }
    if (live && over(item)) buttons.push(el('span', { class: 'hint' }, t('my.over')));
    else if (live) {
      const change = el('a', { class: 'button secondary small', href: `/book.html?change=${encodeURIComponent(id)}`, 'aria-label': t('my.changeLabel', { id }) }, t('my.change'));
      const cancel = el('button', { type: 'button', class: 'danger small', 'aria-label': t('my.cancelLabel', { id }) }, t('my.cancel'));
      cancel.addEventListener('click', () => onCancel(row.item, cancel));
      buttons.push(change, cancel);
    }
    actions.replaceChildren(...buttons);
  }
}

/** Newest visit first (then newest booking). */
function byVisit(a, b) {
  const sa = a.slot || a.chkDate || '';
  const sb = b.slot || b.chkDate || '';
  if (sa !== sb) return Date.parse(sb) - Date.parse(sa) || (sb > sa ? 1 : -1);
  return bookId(b) - bookId(a);
}

function render() {
  renderSignedIn();
  if (!items) return;
  const sorted = [...items.values()].sort(byVisit);
  syncList(rows, sorted, bookId, createRow, updateRow);
  table.hidden = !sorted.length;
  empty.hidden = !!sorted.length;
  empty.textContent = t('my.none');
  if (ticket) {
    const shown = items.get(ticket.dataset.bookId);
    if (shown) ticket.update(shown);
  }
  if (wantTicket && items.has(wantTicket)) {
    showTicket(items.get(wantTicket), { focus: false });
    wantTicket = null;
  }
}

function renderSignedIn() {
  const until = accessUntil();
  const box = $('my-signed-in');
  box.hidden = !until;
  if (until) {
    const clock = new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(new Date(until));
    box.textContent = t('my.signedIn', { until: clock });
  }
}

async function refresh() {
  const ids = heldBookingIds();
  for (const id of ids) if (!watchers.has(id)) watchers.set(id, bookingWatch(id));
  for (const id of [...watchers.keys()]) if (!ids.includes(id)) watchers.delete(id);
  const hadAccess = !!accessToken();
  const reads = [...watchers.entries()].map(([id, read]) => read().then((r) => ({ id, data: r.data })));
  const [mine, ...own] = await Promise.allSettled([listMine(), ...reads]);
  const next = new Map();
  let failure = null;
  for (const r of own) {
    if (r.status === 'fulfilled') {
      if (r.value.data && typeof r.value.data === 'object') next.set(String(bookId(r.value.data)), r.value.data);
    } else if (r.reason?.status !== 404) failure = r.reason; // 404: this token opens nothing (any more)
  }
  if (mine.status === 'fulfilled' && mine.value) {
    for (const b of mine.value.items) next.set(String(bookId(b)), b);
  } else if (mine.status === 'rejected') {
    if (mine.reason?.status === 401) {
      forgetAccess(); // the link's 30 minutes are over
      if (hadAccess) say('my.accessExpired', {}, 'error');
    } else failure = mine.reason;
  }
  if (failure) {
    if (failure.status === 0 || failure.status >= 500 || !items) {
      sayError(items ? t('error.refresh', { message: errorText(failure) }) : errorText(failure));
      refreshFailed = true;
    }
    if (items) {
      // keep what was shown for the bookings that could not be read now
      for (const [id, old] of items) if (!next.has(id)) next.set(id, old);
    }
  } else if (refreshFailed || note?.key === 'loading') {
    refreshFailed = false;
    note = null;
    showMessage(message, '');
  }
  items = next;
  render();
}

// ---- Waiting-list entries held on this device ------------------------------------------------------

const entryWatchers = new Map(); // entryId -> waitlistWatch
const entries = new Map(); // entryId -> the entry as last read
const museumNames = new Map(); // museumId -> name (or '' while unknown)
const WL_LABELS = ['col.entry', 'col.exhibition', 'col.date', 'col.time', 'col.party', 'col.wlStatus', 'col.position', 'col.actions'];

async function refreshWaitlist() {
  const ids = heldWaitlistIds();
  for (const id of ids) if (!entryWatchers.has(id)) entryWatchers.set(id, waitlistWatch(id));
  for (const id of [...entryWatchers.keys()]) if (!ids.includes(id)) { entryWatchers.delete(id); entries.delete(id); }
  const reads = await Promise.allSettled([...entryWatchers.entries()].map(([id, read]) => read().then((r) => ({ id, data: r.data }))));
  for (const r of reads) if (r.status === 'fulfilled' && r.value.data) entries.set(r.value.id, r.value.data);
  for (const e of entries.values()) {
    if (e.museumId && !museumNames.has(e.museumId)) {
      museumNames.set(e.museumId, '');
      getMuseum(e.museumId).then((m) => { museumNames.set(e.museumId, m.name); renderWaitlist(); }).catch(() => {});
    }
  }
  renderWaitlist();
}

function renderWaitlist() {
  const list = [...entries.values()].sort((a, b) => Number(b.id) - Number(a.id));
  $('my-waitlist').hidden = !list.length;
  syncList(
    $('my-waitlist-rows'),
    list,
    (e) => e.id,
    () => el('tr', {}, ...WL_LABELS.slice(0, 5).map(() => cell()), cell(el('span', { class: 'badge' })), cell(), cell(el('a', { class: 'button secondary small' }))),
    (tr, e) => {
      [...tr.cells].forEach((c, i) => (c.dataset.label = t(WL_LABELS[i])));
      tr.dataset.entryId = e.id;
      tr.cells[0].textContent = e.id;
      tr.cells[1].textContent = museumNames.get(e.museumId) || '';
      tr.cells[2].textContent = e.slot ? formatDay(slotDay(e.slot)) : '';
      tr.cells[3].textContent = e.slot ? slotClock(e.slot) : '';
      tr.cells[4].textContent = tn('party.total', Number(e.party) || 0);
      const badge = tr.cells[5].querySelector('.badge');
      badge.dataset.status = `WL_${e.status}`;
      badge.textContent = waitlistStatusText(e.status);
      tr.cells[6].textContent = e.status === 'WAITING' && Number(e.position) > 0 ? ordinal(Number(e.position)) : '';
      const link = tr.cells[7].querySelector('a');
      link.href = `/waitlist.html?id=${encodeURIComponent(e.id)}`;
      link.textContent = t('my.waitlistOpen');
      link.setAttribute('aria-label', t('my.waitlistOpenLabel', { id: e.id }));
    },
  );
}

// ---- The ticket ------------------------------------------------------------------------------------

function showTicket(item, { focus }) {
  const id = String(bookId(item));
  if (!ticket || ticket.dataset.bookId !== id) {
    ticket?.dispose();
    ticket = createTicket(item);
    ticket.dataset.bookId = id;
    $('my-ticket-body').replaceChildren(ticket);
  } else ticket.update(item);
  ticketSection.hidden = false;
  if (focus) $('my-ticket-heading').focus();
}

function closeTicket() {
  const id = ticket?.dataset.bookId;
  ticket?.dispose();
  ticket = null;
  $('my-ticket-body').replaceChildren();
  ticketSection.hidden = true;
  const button = id && rows.querySelector(`tr[data-book-id="${CSS.escape(id)}"] .actions button`);
  (button || $('my-caption')).focus?.();
}

// ---- Cancel -------------------------------------------------------------------------------------

async function onCancel(item, button) {
  const ok = await confirmDialog({
    title: t('my.cancelTitle'),
    text: t('my.cancelText', { id: bookId(item), name: item.name, date: formatDay(item.chkDate), time: timeOf(item), party: partyOf(item) }),
    confirm: t('my.cancelConfirm'),
  });
  if (!ok) return;
  button.disabled = true;
  try {
    await cancelBooking(bookId(item));
    say('my.canceled', { id: bookId(item) });
  } catch (err) {
    sayError(errorText(err, { 409: 'my.cannotCancel' }));
  } finally {
    button.disabled = false;
    message.focus(); // the Cancel button goes away once the booking is canceled
    refresh();
  }
}

// ---- Sign-in link and forgetting ---------------------------------------------------------------

async function onAccess(event) {
  event.preventDefault();
  const email = accessEmail.value.trim();
  const problem = !email ? t('valid.required') : !isEmail(email) ? t('valid.email') : '';
  setFieldError(accessEmail, problem);
  if (problem) {
    accessEmail.focus();
    return;
  }
  const button = accessForm.querySelector('button[type="submit"]');
  button.disabled = true;
  sayAccess('my.accessSending', 'info');
  try {
    await requestAccess(email);
    accessForm.reset();
    sayAccess('my.accessSent', 'ok');
  } catch (err) {
    if (err.status === 429) sayAccess('my.accessTooOften', 'error');
    else if (err.status === 422) {
      setFieldError(accessEmail, t('valid.email'));
      sayAccess('', 'info');
    } else {
      accessNote = null;
      showMessage(accessMessage, errorText(err), 'error');
    }
  } finally {
    button.disabled = false;
  }
}

async function onForget() {
  const ok = await confirmDialog({ title: t('my.forgetTitle'), text: t('my.forgetText'), confirm: t('my.forgetConfirm') });
  if (!ok) return;
  forgetDevice();
  watchers.clear();
  entryWatchers.clear();
  entries.clear();
  renderWaitlist();
  items = new Map();
  if (ticket) closeTicket();
  accessForm.reset();
  sayAccess('', 'info');
  render();
  say('my.forgotten', {}, 'ok');
  message.focus();
}

// ---- Start --------------------------------------------------------------------------------------

accessForm.addEventListener('submit', onAccess);
$('forget').addEventListener('click', onForget);
$('my-ticket-close').addEventListener('click', closeTicket);
document.addEventListener('langchange', () => {
  for (const row of rows.rows) row.querySelector('.actions').dataset.state = '';
  render();
  renderWaitlist();
  if (note) showMessage(message, t(note.key, note.params), note.kind);
  if (accessNote) showMessage(accessMessage, t(accessNote.key), accessNote.kind);
});
try { localStorage.removeItem('skmuseum.custNm'); } catch { /* storage disabled */ } // earlier versions remembered a name
takeFragment();
initSite().then(render);
if (!note) say('loading', {}, 'info');
poll(refresh, REFRESH_MS);
poll(refreshWaitlist, REFRESH_MS);
