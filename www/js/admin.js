// Staff: sign in, register and delete exhibitions, occupancy per exhibition, and one exhibition's
// bookings and entry confirmations. All requests go through api.js (staff credentials live there).
// Occupancy is one page of exhibitions (by date, from a chosen date) with their booked and
// canceled counts, in one request; refreshes are conditional (304 Not Modified while unchanged).
import {
  occupancyPages, bookingPages, confirmPages, createMuseum, deleteMuseum, signIn, signOut, isSignedIn, checkStaff, today,
} from './api.js';
import { initI18n, t, formatDate, formatNumber } from './i18n.js';
import { el, errorText, showMessage, statusBadge, updateBadge, syncList, poll, confirmDialog, setFieldError } from './ui.js';
import { NAME_MAX, CAPACITY_MAX } from './rules.js';

const OCCUPANCY_MS = 5000;
const DETAILS_MS = 2000;
const ROWS = 50; // exhibitions per page of occupancy
const DETAIL_ROWS = 100; // bookings / confirmations shown at first, and added by "Show more"
const MAX = 1000; // the most one request may ask for

const $ = (id) => document.getElementById(id);
const form = $('museum-form');
const fields = { name: $('name'), chkDate: $('chkDate'), capacity: $('capacity') };
const registerMessage = $('register-message');
const occupancyMessage = $('occupancy-message');
const details = $('details');
const detailsMessage = $('details-message');

let rowsData = null; // [{ museum, booked, canceled }] from the last good refresh
let from = today(); // occupancy lists exhibitions from this date on
let cursors = [null]; // the after= of each page up to the one shown (null: the first)
let nextCursor = null; // the after= of the page after the one shown, if any
const occupancy = occupancyPages();
const bookings = bookingPages();
const confirms = confirmPages();
let detailsOf = null; // { museum, removed } shown in the details section
let detailsData = null; // { books, confirms }
let stopDetails = () => {};
let registered = null; // last registered exhibition, to re-translate the message

// ---- Register ----------------------------------------------------------------------------

function validDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

function validate() {
  const name = fields.name.value.trim();
  const chkDate = fields.chkDate.value;
  const capacity = fields.capacity.value.trim();
  const errors = {
    name: !name ? t('valid.required') : [...name].length > NAME_MAX ? t('valid.tooLong', { max: NAME_MAX }) : '',
    chkDate: !chkDate && !fields.chkDate.validity.badInput ? t('valid.required') : !validDate(chkDate) ? t('valid.date') : '',
    capacity:
      !capacity && !fields.capacity.validity.badInput
        ? t('valid.required')
        : !/^\d+$/.test(capacity) || +capacity < 1 || +capacity > CAPACITY_MAX
          ? t('valid.capacity', { max: formatNumber(CAPACITY_MAX) })
          : '',
  };
  for (const [field, text] of Object.entries(errors)) setFieldError(fields[field], text);
  const firstBad = Object.keys(errors).find((f) => errors[f]);
  if (firstBad) fields[firstBad].focus();
  return firstBad ? null : { name, chkDate, capacity: Number(capacity) };
}

/** Show the server's field errors next to the fields; returns those that have no field here. */
function showServerErrors(errors) {
  const fieldFor = { name: 'name', chkDate: 'chkDate', pcnt: 'capacity', capacity: 'capacity' };
  const rest = [];
  for (const [field, text] of Object.entries(errors)) {
    if (fieldFor[field]) setFieldError(fields[fieldFor[field]], String(text));
    else rest.push(`${field}: ${text}`);
  }
  const first = Object.keys(errors).map((f) => fieldFor[f]).find(Boolean);
  if (first) fields[first].focus();
  return rest;
}

async function onRegister(event) {
  event.preventDefault();
  registered = null;
  const museum = validate();
  if (!museum) {
    showMessage(registerMessage, t('admin.fixErrors'), 'error');
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    registered = await createMuseum(museum);
    sayRegistered();
    form.reset();
    refreshOccupancy();
  } catch (err) {
    if (onUnauthorized(err)) return;
    const rest = showServerErrors(err.errors || {});
    showMessage(registerMessage, [errorText(err), ...rest].join(' '), 'error');
  } finally {
    button.disabled = false;
  }
}

function sayRegistered() {
  if (registered) {
    const params = { name: registered.name, date: formatDate(registered.chkDate) };
    showMessage(registerMessage, t('admin.registered', params), 'ok');
  }
}

// ---- Occupancy ---------------------------------------------------------------------------

let occupancyAsked = 0; // refreshes started: only the newest one's answer is shown
// Exhibitions deleted on this page: a refresh that started before the
// delete must not bring them back.
const removedIds = new Set();
async function refreshOccupancy() {
  const mine = ++occupancyAsked;
  try {
    const page = await occupancy({ from, limit: ROWS, after: cursors.at(-1) });
    if (mine !== occupancyAsked) return;
    // Clear a loading or error message, never the outcome of an action.
    if (occupancyMessage.dataset.kind !== 'ok') showMessage(occupancyMessage, '');
    if (!page.changed && rowsData) return; // 304: as shown
    if (!page.items.length && cursors.length > 1) {
      cursors.pop(); // the page emptied (deleted exhibitions): show the one before
      refreshOccupancy();
      return;
    }
    nextCursor = page.next;
    rowsData = page.items
      .filter((m) => !removedIds.has(m.id))
      .map((m) => ({ museum: m, booked: Number(m.booked) || 0, canceled: Number(m.canceled) || 0 }));
    renderOccupancy();
  } catch (err) {
    if (mine !== occupancyAsked || onUnauthorized(err)) return;
    const text = errorText(err);
    showMessage(occupancyMessage, rowsData ? t('error.refresh', { message: text }) : text, 'error');
  }
}

function showOccupancyPage(nextCursors) {
  cursors = nextCursors;
  rowsData = null;
  showMessage(occupancyMessage, t('loading'));
  return refreshOccupancy();
}

function onOccupancyFrom(event) {
  event.preventDefault();
  const input = $('occupancy-from');
  const ok = validDate(input.value);
  setFieldError(input, ok ? '' : t('valid.date'));
  if (!ok) {
    input.focus();
    return;
  }
  from = input.value;
  showOccupancyPage([null]);
}

const NUMERIC = ['capacity', 'booked', 'canceled', 'left'];

function createOccupancyRow(row) {
  const detailsButton = el('button', { type: 'button', class: 'secondary small', 'data-action': 'details' });
  const deleteButton = el('button', { type: 'button', class: 'danger small', 'data-action': 'delete' });
  detailsButton.addEventListener('click', () => showDetails(tr.row.museum, false));
  deleteButton.addEventListener('click', () => onDelete(tr.row, deleteButton));
  const tr = el(
    'tr',
    { 'data-museum-id': row.museum.id },
    el('th', { scope: 'row', 'data-label': '' }),
    el('td', { 'data-label': '' }, el('time', {})),
    ...NUMERIC.map((name) => el('td', { class: 'num', 'data-col': name, 'data-label': '' })),
    el('td', { 'data-label': '' }, el('div', { class: 'actions' }, detailsButton, deleteButton)),
  );
  return tr;
}

function updateOccupancyRow(tr, row) {
  const { museum } = row;
  tr.row = row;
  const labels = ['col.exhibition', 'col.date', 'col.capacity', 'col.booked', 'col.canceled', 'col.left', 'col.actions'];
  [...tr.cells].forEach((c, i) => (c.dataset.label = t(labels[i])));
  tr.cells[0].textContent = museum.name;
  const time = tr.cells[1].querySelector('time');
  time.dateTime = museum.chkDate;
  time.textContent = formatDate(museum.chkDate);
  const values = { capacity: museum.capacity, booked: row.booked, canceled: row.canceled, left: museum.pcnt };
  for (const name of NUMERIC) tr.querySelector(`[data-col="${name}"]`).textContent = formatNumber(values[name]);
  const [detailsButton, deleteButton] = tr.querySelectorAll('button');
  detailsButton.textContent = t('admin.details');
  detailsButton.setAttribute('aria-label', t('admin.detailsLabel', { name: museum.name }));
  deleteButton.textContent = t('admin.delete');
  deleteButton.setAttribute('aria-label', t('admin.deleteLabel', { name: museum.name }));
}

function renderOccupancy() {
  if (!rowsData) return;
  syncList($('occupancy-rows'), rowsData, (r) => r.museum.id, createOccupancyRow, updateOccupancyRow);
  $('occupancy').hidden = !rowsData.length;
  $('occupancy-empty').hidden = !!rowsData.length;
  $('occupancy-empty').textContent = t('admin.empty', { date: formatDate(from) });
  $('previous-page').disabled = cursors.length <= 1;
  $('next-page').disabled = !nextCursor;
  $('occupancy-pager').hidden = cursors.length <= 1 && !nextCursor;
  $('page-number').textContent = t('admin.page', { page: formatNumber(cursors.length) });
}

async function onDelete(row, button) {
  const { museum } = row;
  const ok = await confirmDialog({
    title: t('admin.deleteTitle'),
    text: t('admin.deleteText', { name: museum.name, date: formatDate(museum.chkDate), count: formatNumber(row.booked) }),
    confirm: t('admin.deleteConfirm'),
  });
  if (!ok) return;
  button.disabled = true;
  try {
    await deleteMuseum(museum.id);
    removedIds.add(museum.id);
    showMessage(occupancyMessage, t('admin.deleted', { name: museum.name }), 'ok');
    showDetails(museum, true); // follow the force-cancellation of its bookings
    if (rowsData) {
      rowsData = rowsData.filter((r) => r.museum.id !== museum.id);
      renderOccupancy();
    }
  } catch (err) {
    if (onUnauthorized(err)) return;
    showMessage(occupancyMessage, errorText(err), 'error');
    refreshOccupancy();
  } finally {
    button.disabled = false;
  }
}

// ---- One exhibition's bookings and confirmations --------------------------------------------

function detailsRow(cells) {
  return () => el('tr', {}, ...cells.map((c, i) => el(i ? 'td' : 'th', i ? { 'data-label': '' } : { scope: 'row', 'data-label': '' }, c === 'badge' ? statusBadge(null) : '')));
}

function fillRow(tr, labels, values) {
  [...tr.cells].forEach((c, i) => {
    c.dataset.label = t(labels[i]);
    const badge = c.querySelector('.badge');
    if (badge) updateBadge(badge, values[i]);
    else c.textContent = values[i];
  });
}

function renderDetails() {
  if (!detailsOf) return;
  const { museum, removed } = detailsOf;
  $('details-heading').textContent = t('admin.detailsHeading', { name: museum.name, date: formatDate(museum.chkDate) });
  $('details-removed').hidden = !removed;
  if (!detailsData) return;
  const { books, confirms } = detailsData;
  syncList($('details-books-rows'), books, (b) => b.id, detailsRow(['', '', 'badge']), (tr, b) => {
    tr.dataset.bookId = b.id;
    fillRow(tr, ['col.booking', 'col.visitor', 'col.status'], [b.id, b.custNm, b.status]);
  });
  syncList($('details-confirms-rows'), confirms, (c) => c.id, detailsRow(['', '', '', 'badge']), (tr, c) => {
    tr.dataset.bookId = c.bookId;
    fillRow(tr, ['col.confirmation', 'col.booking', 'col.visitor', 'col.status'], [c.id, c.bookId, c.custNm, c.status]);
  });
  $('details-books').hidden = !books.length;
  $('details-books-empty').hidden = !!books.length;
  $('details-confirms').hidden = !confirms.length;
  $('details-confirms-empty').hidden = !!confirms.length;
  for (const which of ['books', 'confirms']) {
    $(`details-${which}-more`).hidden = !detailsMore[which] || detailsLimit[which] >= MAX;
    $(`details-${which}-cap`).hidden = !detailsMore[which] || detailsLimit[which] < MAX;
  }
}

let detailsLimit = { books: DETAIL_ROWS, confirms: DETAIL_ROWS };
let detailsMore = { books: false, confirms: false };

async function refreshDetails() {
  const shown = detailsOf;
  const museumId = shown.museum.id;
  try {
    const [b, c] = await Promise.all([
      bookings({ museumId, limit: detailsLimit.books }),
      confirms({ museumId, limit: detailsLimit.confirms }),
    ]);
    if (shown !== detailsOf) return;
    if (detailsMessage.dataset.kind !== 'ok') showMessage(detailsMessage, '');
    if (!b.changed && !c.changed && detailsData) return; // 304s: as shown
    detailsData = { books: b.items, confirms: c.items }; // in id order
    detailsMore = { books: b.next !== null, confirms: c.next !== null };
    renderDetails();
  } catch (err) {
    if (onUnauthorized(err)) return;
    if (shown === detailsOf) showMessage(detailsMessage, errorText(err), 'error');
  }
}

function showMoreDetails(which) {
  detailsLimit = { ...detailsLimit, [which]: Math.min(MAX, detailsLimit[which] + DETAIL_ROWS) };
  refreshDetails();
}

function showDetails(museum, removed) {
  stopDetails();
  detailsOf = { museum, removed };
  detailsData = null;
  detailsLimit = { books: DETAIL_ROWS, confirms: DETAIL_ROWS };
  detailsMore = { books: false, confirms: false };
  $('details-books-rows').replaceChildren();
  $('details-confirms-rows').replaceChildren();
  $('details-books').hidden = $('details-confirms').hidden = true;
  showMessage(detailsMessage, t('loading'));
  details.hidden = false;
  renderDetails();
  $('details-heading').focus();
  stopDetails = poll(refreshDetails, DETAILS_MS);
}

function closeDetails() {
  stopDetails();
  const id = detailsOf?.museum.id;
  detailsOf = null;
  details.hidden = true;
  const button = document.querySelector(`#occupancy-rows tr[data-museum-id="${id}"] [data-action="details"]`);
  (button || $('occupancy-heading')).focus();
}

// ---- Sign-in -----------------------------------------------------------------------------

const loginForm = $('login-form');
const passwordInput = $('password');
const loginMessage = $('login-message');
let stopOccupancy = () => {};

function showStaffArea(signedIn) {
  $('login').hidden = signedIn;
  $('register').hidden = !signedIn;
  $('occupancy-section').hidden = !signedIn;
  if (!signedIn) {
    stopOccupancy();
    stopDetails();
    details.hidden = true;
  }
}

function startStaff() {
  showStaffArea(true);
  showMessage(occupancyMessage, t('loading'));
  stopOccupancy = poll(refreshOccupancy, OCCUPANCY_MS);
}

/** A 401 on any staff call: the stored password is wrong or was changed. */
function onUnauthorized(err) {
  if (err?.status !== 401) return false;
  signOut();
  showStaffArea(false);
  showMessage(loginMessage, t('admin.signInAgain'), 'error');
  passwordInput.focus();
  return true;
}

async function onSignIn(event) {
  event.preventDefault();
  const password = passwordInput.value;
  setFieldError(passwordInput, password ? '' : t('valid.required'));
  if (!password) {
    passwordInput.focus();
    return;
  }
  const button = loginForm.querySelector('button[type="submit"]');
  button.disabled = true;
  showMessage(loginMessage, t('admin.signingIn'));
  signIn(password);
  try {
    await checkStaff();
    loginForm.reset();
    showMessage(loginMessage, '');
    startStaff();
  } catch (err) {
    signOut();
    if (err.status === 401) {
      setFieldError(passwordInput, t('admin.wrongPassword'));
      showMessage(loginMessage, t('admin.wrongPassword'), 'error');
      passwordInput.focus();
    } else {
      showMessage(loginMessage, errorText(err), 'error');
    }
  } finally {
    button.disabled = false;
  }
}

// ---- Start -------------------------------------------------------------------------------

initI18n();
loginForm.addEventListener('submit', onSignIn);
$('sign-out').addEventListener('click', () => {
  signOut();
  showStaffArea(false);
  passwordInput.focus();
});
form.addEventListener('submit', onRegister);
$('refresh').addEventListener('click', () => refreshOccupancy());
$('occupancy-from').value = from;
$('occupancy-form').addEventListener('submit', onOccupancyFrom);
$('previous-page').addEventListener('click', () => showOccupancyPage(cursors.slice(0, -1)));
$('next-page').addEventListener('click', () => nextCursor && showOccupancyPage([...cursors, nextCursor]));
$('details-books-more').addEventListener('click', () => showMoreDetails('books'));
$('details-confirms-more').addEventListener('click', () => showMoreDetails('confirms'));
$('details-close').addEventListener('click', closeDetails);
document.addEventListener('langchange', () => {
  sayRegistered();
  renderOccupancy();
  renderDetails();
});
if (isSignedIn()) startStaff();
else showStaffArea(false);
