// Book: choose an exhibition (the next ones from today, and the one the link names), enter a name,
// book; then follow the booking's status until it settles. A booking whose answer was lost is
// sent again with the same Idempotency-Key (api.js), so it is never made twice.
import { museumPages, getMuseum, today, createBooking, getBooking } from './api.js';
import { initI18n, t, formatDate, formatNumber, statusText } from './i18n.js';
import { el, errorText, showMessage, updateBadge, poll, setFieldError } from './ui.js';

const REFRESH_MS = 1000;
const CHOICES = 100; // exhibitions offered, soonest first
const NAME_KEY = 'skmuseum.custNm';
const form = document.getElementById('book-form');
const select = document.getElementById('museum');
const nameInput = document.getElementById('custNm');
const submit = document.getElementById('book-submit');
const message = document.getElementById('book-message');
const result = document.getElementById('booking');
const history = document.getElementById('status-history');

let museums = [];
const upcoming = museumPages();
let booking = null; // the booking shown, as last read from the server
let statuses = []; // statuses seen for it, in order
let stopPolling = () => {};
let messageKey = null; // i18n key of the message shown, to re-translate it

function optionLabel(m) {
  const params = { name: m.name, date: formatDate(m.chkDate), left: formatNumber(m.pcnt), capacity: formatNumber(m.capacity) };
  return t(m.pcnt > 0 ? 'book.option' : 'book.optionSoldOut', params);
}

function renderOptions() {
  const chosen = select.value || new URLSearchParams(location.search).get('museumId') || '';
  const sorted = [...museums].sort((a, b) => String(a.chkDate).localeCompare(String(b.chkDate)) || a.id - b.id);
  select.replaceChildren(
    el('option', { value: '' }, t('book.choose')),
    ...sorted.map((m) => el('option', { value: m.id, disabled: m.pcnt <= 0 && String(m.id) !== chosen }, optionLabel(m))),
  );
  if (sorted.some((m) => String(m.id) === chosen)) select.value = chosen;
}

/** The next exhibitions from today, and the chosen (or linked) one wherever it is in the list. */
async function loadMuseums({ first = false } = {}) {
  try {
    const page = await upcoming({ from: today(), limit: CHOICES });
    const list = [...page.items];
    const chosen = select.value || new URLSearchParams(location.search).get('museumId');
    if (/^[1-9]\d{0,15}$/.test(chosen || '') && !list.some((m) => String(m.id) === chosen)) {
      const museum = await getMuseum(chosen).catch((err) => {
        if (err.status === 404) return null; // deleted, or a stale link
        throw err;
      });
      if (museum) list.push(museum);
    }
    museums = list;
    renderOptions();
    const wanted = new URLSearchParams(location.search).get('museumId');
    if (first && wanted && select.value !== wanted) say('book.removed', 'error'); // stale link
  } catch (err) {
    messageKey = null;
    showMessage(message, errorText(err), 'error');
  }
}

function renderBooking() {
  if (!booking) return;
  result.hidden = false;
  document.getElementById('booking-id').textContent = booking.id;
  document.getElementById('booking-name').textContent = booking.name;
  document.getElementById('booking-date').textContent = formatDate(booking.chkDate);
  document.getElementById('booking-visitor').textContent = booking.custNm;
  updateBadge(document.getElementById('booking-status'), booking.status);
  history.replaceChildren(...statuses.map((s) => el('li', { 'data-status': s }, statusText(s))));
  document.getElementById('to-my').href = `/my.html?custNm=${encodeURIComponent(booking.custNm)}`;
}

function setBooking(next) {
  booking = next;
  if (statuses[statuses.length - 1] !== next.status) statuses.push(next.status);
  renderBooking();
  if (next.status !== 'REQUESTED') {
    stopPolling();
    if (next.status === 'REQUEST_COMPLETED') say('book.completed', 'ok');
  }
}

function say(key, kind) {
  messageKey = key;
  showMessage(message, t(key), kind);
}

function validate() {
  const custNm = nameInput.value.trim();
  setFieldError(select, select.value ? '' : t('book.needExhibition'));
  setFieldError(nameInput, custNm ? '' : t('valid.required'));
  const firstBad = !select.value ? select : !custNm ? nameInput : null;
  if (firstBad) firstBad.focus();
  return !firstBad;
}

async function onSubmit(event) {
  event.preventDefault();
  if (!validate()) return;
  const custNm = nameInput.value.trim();
  stopPolling();
  submit.disabled = true;
  messageKey = null;
  showMessage(message, t('book.sending'));
  try {
    const created = await createBooking(select.value, custNm);
    try { localStorage.setItem(NAME_KEY, custNm); } catch { /* storage disabled */ }
    statuses = [];
    say('book.done', 'ok');
    setBooking(created);
    if (created.status === 'REQUESTED') {
      stopPolling = poll(async () => {
        try {
          setBooking(await getBooking(created.id));
        } catch (err) {
          messageKey = null;
          showMessage(message, t('error.refresh', { message: errorText(err) }), 'error');
        }
      }, REFRESH_MS);
    }
    loadMuseums(); // seats left changed
  } catch (err) {
    messageKey = null;
    if (err.outcomeUnknown) say('book.unknown', 'error');
    else showMessage(message, errorText(err, { 409: 'book.soldOut', 404: 'book.removed' }), 'error');
    if (err.status === 409 || err.status === 404) loadMuseums();
    for (const [field, text] of Object.entries(err.errors || {})) {
      if (field === 'custNm') setFieldError(nameInput, String(text));
      if (field === 'museumId') setFieldError(select, String(text));
    }
  } finally {
    submit.disabled = false;
  }
}

initI18n();
try { nameInput.value = localStorage.getItem(NAME_KEY) || ''; } catch { /* storage disabled */ }
form.addEventListener('submit', onSubmit);
document.addEventListener('langchange', () => {
  renderOptions();
  renderBooking();
  if (messageKey) showMessage(message, t(messageKey), message.dataset.kind);
});
loadMuseums({ first: true });
