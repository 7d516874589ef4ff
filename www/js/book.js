// Book a visit: an exhibition (the one the link names, or chosen from those not ended), a day in
// its month calendar (open / few left / fully booked / closed), a time slot with the places it
// has left, a party per ticket category (bounded by the slot's places left and the museum's
// largest party), the visitor's name, an optional email for the ticket, and a summary; then the
// booking's ticket (code, QR code, calendar file, email, print: ticket.js) and its status until it
// settles. No visitor's name is remembered for the next person on this computer.
// With ?change=<booking id> the same steps move that booking or change its party (PATCH).
// A booking whose answer was lost is sent again with the same Idempotency-Key (api.js).
// A fully booked slot (or one with fewer places than the party, or a booking refused as sold out)
// offers its waiting list instead: the same form joins it (POST /museums/{id}/waitlist) and the
// visitor goes on to the entry's page (waitlist.html), the entry's token kept on this device.
import { museumPages, getMuseum, slotPages, today, createBooking, changeBooking, getBooking, canManage, joinWaitlist } from './api.js';
import { t, tn, formatDay, formatNumber, statusText, getLang } from './i18n.js';
import { createTicket, isEmail } from './ticket.js';
import { el, errorText, showMessage, updateBadge, poll, setFieldError, syncList } from './ui.js';
import { initSite, getSiteInfo } from './site.js';
import { Calendar } from './calendar.js';
import { exhibitionDates, exhibitionHours, categoryName, partyText, partySize } from './format.js';
import { closedOn, monthOf, monthStart, monthEnd, maxDay, minDay, slotDay, slotEnded, slotRange } from './time.js';

const REFRESH_MS = 1000; // the booking's status
const SLOTS_MS = 5000; // the month's places left
const CHOICES = 100; // exhibitions offered in the chooser, closing soonest first
const FEW = 0.2; // "few left": at most this share of a day's places
const OLD_NAME_KEY = 'skmuseum.custNm'; // what earlier versions remembered: removed on sight
const $ = (id) => document.getElementById(id);
const form = $('book-form');
const select = $('museum');
const nameInput = $('custNm');
const emailInput = $('email');
const submit = $('book-submit');
const message = $('book-message');
const result = $('booking');
const statusHistory = $('status-history');

const params = new URLSearchParams(location.search);
const changeId = /^[1-9]\d{0,15}$/.test(params.get('change') || '') ? params.get('change') : null;
let site = getSiteInfo();
let museums = []; // the chooser's exhibitions
const upcoming = museumPages();
let museum = null; // the exhibition being booked
let loadSlots = null; // conditional GETs of its slots
let slotsByMonth = new Map(); // 'YYYY-MM' -> slots of that month (as answered)
let calendar = null;
let day = null; // the chosen day
let slot = null; // the chosen slot's start
let tickets = {};
let changing = null; // the booking being changed (?change=)
let booking = null; // the booking shown, as last read from the server
let statuses = [];
let stopPolling = () => {};
let messageNote = null; // { key, params } of the message shown, to re-translate it
let ticket = null; // the booking's ticket (ticket.js), once it has a code
let joinWanted = false; // the visitor chose the waiting list of a slot that still has some places
let refused = null; // { slot, tickets } of a booking refused as sold out: offered the waiting list

function say(key, kind, values = {}) {
  messageNote = { key, values };
  showMessage(message, t(key, values), kind);
}

function sayText(text, kind) {
  messageNote = null;
  showMessage(message, text, kind);
}

const todayHere = () => today(site.timeZone);
const firstDay = () => maxDay(todayHere(), museum.startDate || museum.chkDate);
const lastDay = () => museum.endDate || museum.chkDate;

// ---- Slots ----------------------------------------------------------------------------------

/** The chosen exhibition's slots of a day that have not ended, in time order. */
function slotsOf(d) {
  const all = slotsByMonth.get(monthOf(d));
  if (!all) return null;
  const now = Date.now();
  return all.filter((s) => slotDay(s.start) === d && !slotEnded(s, now));
}

/** Places a slot has for this visitor: its left, plus the party of the booking being changed when it is that one's slot. */
function placesIn(s) {
  const own = changing && changing.slot === s.start && changing.status !== 'CANCELED' ? partySize(changing.tickets) : 0;
  return Math.max(0, Number(s.left) || 0) + own;
}

function dayState(d) {
  if (!museum || d < firstDay() || d > lastDay()) return 'past';
  if (closedOn(museum, d)) return 'closed';
  const all = slotsByMonth.get(monthOf(d));
  if (!all) return 'loading';
  const had = all.some((s) => slotDay(s.start) === d);
  const open = slotsOf(d);
  if (!open.length) return had ? 'past' : 'closed';
  const left = open.reduce((sum, s) => sum + placesIn(s), 0);
  const capacity = open.reduce((sum, s) => sum + (Number(s.capacity) || 0), 0);
  if (left <= 0) return 'soldout';
  return left <= Math.max(1, Math.floor(capacity * FEW)) ? 'few' : 'open';
}

async function fetchMonth(ym) {
  if (!museum) return;
  const shown = museum;
  const from = maxDay(monthStart(ym), firstDay());
  const to = minDay(monthEnd(ym), lastDay());
  if (from > to) {
    slotsByMonth.set(ym, []);
  } else {
    const page = await loadSlots({ from, to });
    if (shown !== museum) return;
    if (!page.changed && slotsByMonth.has(ym)) return;
    slotsByMonth.set(ym, page.items);
  }
  renderAvailability();
}

async function refreshSlots() {
  if (!calendar) return;
  try {
    await fetchMonth(calendar.month);
    if (messageNote?.key === 'error.refresh') sayText('', 'info');
  } catch (err) {
    if (!message.textContent) sayText(t('error.refresh', { message: errorText(err) }), 'error');
  }
}

function renderAvailability() {
  calendar?.updateCells();
  renderSlots(); // a chosen day that filled up or ended meanwhile: its times say so
  renderParty();
  renderSummary();
}

function renderSlots() {
  const list = $('slot-list');
  const legend = $('slots-legend');
  if (!day) {
    legend.textContent = t('book.pickDay');
    list.replaceChildren();
    return;
  }
  const loaded = slotsOf(day);
  if (!loaded) {
    legend.textContent = t('loading');
    return; // not read yet: keep the choice
  }
  const open = loaded;
  legend.textContent = open.length ? t('book.timesOn', { date: formatDay(day) }) : t('book.noTimes');
  if (slot && !open.some((s) => s.start === slot)) slot = null; // ended meanwhile: never offered
  syncList(
    list,
    open,
    (s) => s.start,
    (s) => {
      const input = el('input', { type: 'radio', name: 'slot', value: s.start });
      input.addEventListener('change', () => chooseSlot(input.value));
      return el('label', { class: 'slot' }, input, el('span', { class: 'slot-time' }), el('span', { class: 'slot-left' }));
    },
    (label, s) => {
      const places = placesIn(s);
      const input = label.querySelector('input');
      const full = places <= 0; // still chosen: for its waiting list (not when changing a booking)
      if (full && changing && slot === s.start) slot = null;
      input.disabled = full && !!changing;
      input.checked = slot === s.start;
      label.dataset.state = full ? 'full' : places <= Math.max(1, Math.floor(s.capacity * FEW)) ? 'few' : 'open';
      label.querySelector('.slot-time').textContent = slotRange(s.start, s.end);
      label.querySelector('.slot-left').textContent = full ? t(changing ? 'book.full' : 'book.fullWaitlist') : t('book.left', { left: formatNumber(places) });
    },
  );
}

function chooseDay(d) {
  day = d;
  if (!(changing && slotDay(changing.slot) === d && slot === changing.slot)) slot = null;
  $('day-error').textContent = '';
  renderSlots();
  renderParty();
  renderSummary();
  const open = (slotsOf(d) || []).filter((s) => placesIn(s) > 0);
  calendar.announce(t('cal.selected', { date: formatDay(d, { weekday: 'long' }), count: formatNumber(open.length) }));
}

function chooseSlot(start) {
  slot = start;
  joinWanted = false;
  $('slot-error').textContent = '';
  renderParty();
  renderSummary();
}

// ---- Party ------------------------------------------------------------------------------------

const chosenSlot = () => (day && slot ? (slotsOf(day) || []).find((s) => s.start === slot) : null);

/** Whether the form joins the chosen slot's waiting list: it is full, or the visitor asked for it. */
function joining() {
  const s = chosenSlot();
  return !changing && !!s && (placesIn(s) <= 0 || joinWanted);
}

/** The largest party allowed now: the museum's, and the chosen slot's places (unless joining its waiting list). */
function partyLimit() {
  const s = chosenSlot();
  return s && !joining() ? Math.min(site.maxParty, placesIn(s)) : site.maxParty;
}

function renderParty() {
  const box = $('steppers');
  const limit = partyLimit();
  // Keep within the limit: take from the last categories first.
  let over = partySize(tickets) - limit;
  for (const c of [...site.categories].reverse()) {
    if (over <= 0) break;
    const take = Math.min(over, tickets[c] || 0);
    tickets[c] = (tickets[c] || 0) - take;
    over -= take;
  }
  const total = partySize(tickets);
  syncList(
    box,
    site.categories,
    (c) => c,
    (c) => {
      const id = `qty-${c}`;
      const minus = el('button', { type: 'button', class: 'secondary icon', 'data-step': '-1', 'aria-controls': id }, el('span', { 'aria-hidden': 'true' }, '−'));
      const plus = el('button', { type: 'button', class: 'secondary icon', 'data-step': '1', 'aria-controls': id }, el('span', { 'aria-hidden': 'true' }, '+'));
      const input = el('input', { id, type: 'number', inputmode: 'numeric', min: 0, step: 1, 'data-category': c });
      minus.addEventListener('click', () => step(c, -1));
      plus.addEventListener('click', () => step(c, 1));
      input.addEventListener('change', () => setCount(c, input.value));
      return el('div', { class: 'stepper', 'data-category': c }, el('label', { for: id }), el('div', { class: 'stepper-controls' }, minus, input, plus));
    },
    (node, c) => {
      const n = tickets[c] || 0;
      const name = categoryName(c);
      node.querySelector('label').textContent = name;
      const input = node.querySelector('input');
      if (Number(input.value) !== n || input.value === '') input.value = String(n);
      input.max = String(n + Math.max(0, limit - total));
      const [minus, plus] = node.querySelectorAll('button');
      minus.disabled = n <= 0;
      plus.disabled = total >= limit;
      minus.setAttribute('aria-label', t('book.fewer', { category: name }));
      plus.setAttribute('aria-label', t('book.more', { category: name }));
    },
  );
  const s = chosenSlot();
  const places = s ? placesIn(s) : 0;
  $('party-hint').textContent = !s
    ? t('book.partyHint', { max: formatNumber(site.maxParty) })
    : joining()
      ? t('book.waitlistHint', { max: formatNumber(site.maxParty) })
      : t('book.partyLimit', { max: formatNumber(limit), left: formatNumber(places), time: slotRange(s.start, s.end) });
  // A slot with fewer places than the largest party: its waiting list, for a larger party.
  const toggle = $('waitlist-toggle');
  toggle.hidden = !(s && !changing && places > 0 && places < site.maxParty);
  toggle.textContent = joinWanted ? t('book.bookInstead') : t('book.waitlistInstead');
  toggle.setAttribute('aria-pressed', String(joinWanted));
}

function setCount(category, value) {
  const wanted = Math.max(0, Math.floor(Number(value)) || 0);
  const others = partySize(tickets) - (tickets[category] || 0);
  tickets[category] = Math.min(wanted, Math.max(0, partyLimit() - others));
  $('party-error').textContent = '';
  renderParty();
  renderSummary();
}

function step(category, delta) {
  setCount(category, (tickets[category] || 0) + delta);
}

// ---- Summary ----------------------------------------------------------------------------------

function renderSummary() {
  const none = t('book.notChosen');
  $('summary-name').textContent = museum?.name || none;
  $('summary-date').textContent = day ? formatDay(day) : none;
  const s = chosenSlot();
  $('summary-time').textContent = s ? slotRange(s.start, s.end) : none;
  const size = partySize(tickets);
  $('summary-party').textContent = size ? `${partyText(tickets, site.categories)} (${tn('party.total', size)})` : none;
  const join = joining();
  submit.textContent = changing ? t('book.save') : join ? t('wl.join') : t('book.submit');
  const emailLabel = form.querySelector('label[for="email"]');
  emailLabel.dataset.i18n = join ? 'wl.emailLabel' : 'book.email';
  emailLabel.textContent = t(emailLabel.dataset.i18n);
  $('email-hint').dataset.i18n = join ? 'wl.emailHint' : 'book.emailHint';
  $('email-hint').textContent = t($('email-hint').dataset.i18n);
  const offer = $('waitlist-offer');
  offer.hidden = !(refused && refused.slot === slot && !join);
  if (refused) $('waitlist-join').textContent = t('wl.joinFor', { party: tn('party.total', partySize(refused.tickets)) });
}

// ---- The exhibition ---------------------------------------------------------------------------

function optionLabel(m) {
  return t(Number(m.pcnt) > 0 ? 'book.option' : 'book.optionSoldOut', { name: m.name, dates: exhibitionDates(m) });
}

function renderOptions() {
  const chosen = String(museum?.id ?? select.value ?? '');
  select.replaceChildren(
    el('option', { value: '' }, t('book.choose')),
    ...museums.map((m) => el('option', { value: m.id, disabled: !(Number(m.pcnt) > 0) && String(m.id) !== chosen }, optionLabel(m))),
  );
  if (museums.some((m) => String(m.id) === chosen)) select.value = chosen;
}

function renderExhibition() {
  $('exhibition').hidden = !museum;
  $('booking-steps').hidden = !museum;
  if (!museum) return;
  $('exhibition-name').textContent = museum.name;
  $('exhibition-dates').textContent = exhibitionDates(museum);
  $('exhibition-hours').textContent = exhibitionHours(museum);
  $('exhibition-description').textContent = museum.description || '';
  $('exhibition-description').hidden = !museum.description;
}

async function loadChoices() {
  try {
    const page = await upcoming({ from: todayHere(), limit: CHOICES });
    museums = [...page.items];
    if (museum && !museums.some((m) => m.id === museum.id)) museums.push(museum);
    renderOptions();
  } catch (err) {
    sayText(errorText(err), 'error');
  }
}

/** Show exhibition id's calendar (and the day/slot/party of the booking being changed). */
async function openExhibition(id, { first = false } = {}) {
  let next;
  try {
    next = await getMuseum(id);
  } catch (err) {
    if (err.status === 404) say('book.removed', 'error');
    else sayText(errorText(err), 'error');
    museum = null;
    renderExhibition();
    return;
  }
  museum = next;
  loadSlots = slotPages(museum.id);
  slotsByMonth = new Map();
  day = null;
  slot = null;
  if (!museums.some((m) => m.id === museum.id)) museums.push(museum);
  renderOptions();
  renderExhibition();
  if (firstDay() > lastDay()) {
    say('book.removed', 'error');
    $('booking-steps').hidden = true;
    return;
  }
  if (!first) sayText('', 'info');
  const parts = {
    grid: $('cal-grid'), body: $('cal-body'), weekdays: $('cal-weekdays'), title: $('cal-month'),
    prev: $('cal-prev'), next: $('cal-next'), live: $('cal-live'),
  };
  const options = { first: firstDay(), last: lastDay(), today: todayHere(), stateOf: dayState, onMonth: (ym) => fetchMonth(ym).catch(() => {}), onSelect: chooseDay };
  if (calendar) {
    Object.assign(calendar.options, options);
    calendar.month = monthOf(options.first);
    calendar.focusDay = options.first;
    calendar.selected = null;
    calendar.render();
  } else {
    calendar = new Calendar(parts, options);
  }
  if (changing && changing.museumId === museum.id) {
    day = slotDay(changing.slot);
    slot = changing.slot;
    calendar.select(day);
  }
  renderSlots();
  renderParty();
  renderSummary();
  await fetchMonth(calendar.month).catch((err) => sayText(errorText(err), 'error'));
}

// ---- The result -------------------------------------------------------------------------------

function renderBooking() {
  if (!booking) return;
  result.hidden = false;
  $('booking-id').textContent = booking.id;
  $('booking-name').textContent = booking.name;
  $('booking-date').textContent = formatDay(booking.chkDate);
  $('booking-time').textContent = booking.slot ? slotRange(booking.slot, booking.slotEnd) : '';
  $('booking-party').textContent = `${partyText(booking.tickets, site.categories)} (${tn('party.total', booking.party ?? partySize(booking.tickets))})`;
  $('booking-visitor').textContent = booking.custNm;
  updateBadge($('booking-status'), booking.status);
  statusHistory.replaceChildren(...statuses.map((s) => el('li', { 'data-status': s }, statusText(s))));
  if (booking.code) {
    if (ticket && ticket.dataset.bookId !== String(booking.id)) {
      ticket.dispose();
      ticket.remove();
      ticket = null;
    }
    if (!ticket) {
      ticket = createTicket(booking);
      ticket.dataset.bookId = booking.id;
      $('booking-ticket').replaceChildren(ticket);
    } else ticket.update(booking);
  }
}

function setBooking(next) {
  booking = next;
  if (statuses[statuses.length - 1] !== next.status) statuses.push(next.status);
  renderBooking();
  if (next.status !== 'REQUESTED') {
    stopPolling();
    if (next.status === 'REQUEST_COMPLETED' && !changing) say('book.completed', 'ok');
  }
}

function follow(id) {
  stopPolling = poll(async () => {
    try {
      setBooking(await getBooking(id));
    } catch (err) {
      sayText(t('error.refresh', { message: errorText(err) }), 'error');
    }
  }, REFRESH_MS);
}

// ---- Submit -----------------------------------------------------------------------------------

const emailText = () => emailInput.value.trim();

function validate() {
  const custNm = nameInput.value.trim();
  const problems = [
    [select, !museum && t('book.needExhibition'), () => setFieldError(select, !museum ? t('book.needExhibition') : '')],
    [calendar && $('cal-grid'), !day && t('book.needDay'), () => ($('day-error').textContent = day ? '' : t('book.needDay'))],
    [$('slot-list'), day && !slot && t('book.needSlot'), () => ($('slot-error').textContent = day && !slot ? t('book.needSlot') : '')],
    [$('steppers'), partySize(tickets) < 1 && t('book.needParty'), () => ($('party-error').textContent = partySize(tickets) < 1 ? t('book.needParty') : '')],
    [nameInput, !changing && !custNm && t('valid.required'), () => setFieldError(nameInput, !changing && !custNm ? t('valid.required') : '')],
    [emailInput, !changing && !!emailText() && !isEmail(emailText()) && t('valid.email'), () => setFieldError(emailInput, !changing && emailText() && !isEmail(emailText()) ? t('valid.email') : '')],
  ];
  for (const [, , show] of problems) show();
  const bad = problems.find(([node, problem]) => node && problem);
  if (bad) {
    const [node] = bad;
    const target = node === $('cal-grid') ? node.querySelector('td[tabindex="0"]') : node.matches('input, select') ? node : node.querySelector('input:not([disabled])');
    (target || node).focus();
  }
  return !bad;
}

function showBookingErrors(err) {
  const errors = err.errors || {};
  if (errors.slot) $('slot-error').textContent = t('book.badSlot');
  if (errors.tickets) $('party-error').textContent = t('book.badTickets');
  if (errors.custNm) setFieldError(nameInput, t('error.invalid'));
  if (errors.email) setFieldError(emailInput, t('valid.email'));
  if (errors.museumId) setFieldError(select, t('book.removed'));
}

async function onSubmit(event) {
  event.preventDefault();
  if (!validate()) return;
  const custNm = nameInput.value.trim();
  const wanted = Object.fromEntries(Object.entries(tickets).filter(([, n]) => n > 0));
  stopPolling();
  if (joining()) return onJoin(custNm, wanted);
  refused = null;
  submit.disabled = true;
  say('book.sending', 'info');
  try {
    let answer;
    if (changing) {
      const change = {};
      if (slot !== changing.slot) change.slot = slot;
      if (JSON.stringify(wanted) !== JSON.stringify(Object.fromEntries(Object.entries(changing.tickets || {}).filter(([, n]) => n > 0)))) change.tickets = wanted;
      answer = Object.keys(change).length ? await changeBooking(changing.id, change) : changing;
      changing = { ...changing, ...answer };
      statuses = [];
      say('book.changed', 'ok');
    } else {
      answer = await createBooking(museum.id, custNm, slot, wanted, { email: emailText() || undefined, lang: getLang() });
      statuses = [];
      nameInput.value = ''; // nothing of this visitor left in the form for the next one
      emailInput.value = '';
      say('book.done', 'ok');
    }
    setBooking(answer);
    $('booking-heading').focus();
    if (answer.status === 'REQUESTED') follow(answer.id);
    refreshSlots(); // places left changed
  } catch (err) {
    if (err.outcomeUnknown) say('book.unknown', 'error');
    else if (err.status === 409) {
      await refreshSlots();
      const s = (slotsByMonth.get(monthOf(day)) || []).find((x) => x.start === slot);
      say(s && slotEnded(s) ? 'book.ended' : 'book.soldOut', 'error');
      if (s && !slotEnded(s)) refused = { slot, tickets: wanted }; // offered: its waiting list
    } else if (err.status === 404) say('book.removed', 'error');
    else sayText(errorText(err, { 422: 'error.invalid' }), 'error');
    showBookingErrors(err);
  } finally {
    submit.disabled = false;
    renderSummary();
  }
}

/** Joins the chosen slot's waiting list with the party, then goes on to the entry's page. */
async function onJoin(custNm, wanted) {
  submit.disabled = true;
  say('wl.joining', 'info');
  try {
    const entry = await joinWaitlist(museum.id, custNm, slot, wanted, { email: emailText() || undefined, lang: getLang() });
    nameInput.value = ''; // nothing of this visitor left in the form for the next one
    emailInput.value = '';
    location.assign(`/waitlist.html?id=${encodeURIComponent(entry.id)}`);
  } catch (err) {
    if (err.outcomeUnknown) say('book.unknown', 'error');
    else if (err.status === 409) {
      joinWanted = false; // places are there after all: book them
      refused = null;
      await refreshSlots();
      say('wl.available', 'error');
    } else if (err.status === 404) say('book.removed', 'error');
    else sayText(errorText(err, { 422: 'error.invalid' }), 'error');
    showBookingErrors(err);
    renderParty();
    renderSummary();
  } finally {
    submit.disabled = false;
  }
}

/** After a booking refused as sold out: join the slot's waiting list with the party refused. */
function onJoinRefused() {
  if (!refused || refused.slot !== slot) return;
  joinWanted = true;
  tickets = { ...refused.tickets };
  refused = null;
  renderParty();
  renderSummary();
  form.requestSubmit();
}

// ---- Start ------------------------------------------------------------------------------------

async function start() {
  site = await initSite();
  tickets = site.categories.includes('adult') ? { adult: 1 } : { [site.categories[0]]: 1 };
  try { localStorage.removeItem(OLD_NAME_KEY); } catch { /* storage disabled */ }
  renderParty();
  renderSummary();
  if (changeId) {
    if (!canManage(changeId)) {
      say('my.noToken', 'error');
      return;
    }
    try {
      changing = await getBooking(changeId);
    } catch (err) {
      sayText(errorText(err, { 404: 'error.notFound' }), 'error');
      return;
    }
    tickets = { ...changing.tickets };
    $('choose-exhibition').hidden = true;
    $('name-field').hidden = true;
    $('email-field').hidden = true;
    $('change-note').hidden = false;
    $('change-note').textContent = t('book.changing', { id: changing.id });
    await openExhibition(changing.museumId, { first: true });
  } else {
    const wanted = params.get('museumId');
    const choices = loadChoices();
    if (/^[1-9]\d{0,15}$/.test(wanted || '')) await openExhibition(wanted, { first: true });
    await choices;
  }
  poll(refreshSlots, SLOTS_MS);
}

form.addEventListener('submit', onSubmit);
$('waitlist-join').addEventListener('click', onJoinRefused);
$('waitlist-toggle').addEventListener('click', () => {
  joinWanted = !joinWanted;
  renderParty();
  renderSummary();
});
select.addEventListener('change', () => {
  setFieldError(select, '');
  if (!select.value) return;
  history.replaceState(null, '', `?museumId=${encodeURIComponent(select.value)}`);
  openExhibition(select.value);
});
document.addEventListener('langchange', () => {
  renderOptions();
  renderExhibition();
  calendar?.render();
  renderSlots();
  renderParty();
  renderSummary();
  renderBooking();
  if (changing) $('change-note').textContent = t('book.changing', { id: changing.id });
  if (messageNote) showMessage(message, t(messageNote.key, messageNote.values), message.dataset.kind);
});
start();
