// My bookings: a visitor's bookings with booking and entry-confirmation status (polled with one
// conditional request: 304 Not Modified while nothing changed), and cancel.
import { myPages, cancelBooking, tokenFor } from './api.js';
import { initI18n, t, formatDate } from './i18n.js';
import { el, errorText, showMessage, statusBadge, updateBadge, syncList, poll, confirmDialog, setFieldError } from './ui.js';
import { LIVE_STATUSES } from './rules.js';

const REFRESH_MS = 2000;
const NAME_KEY = 'skmuseum.custNm';
const form = document.getElementById('my-form');
const nameInput = document.getElementById('my-custNm');
const message = document.getElementById('my-message');
const results = document.getElementById('my-results');
const rows = document.getElementById('my-rows');
const empty = document.getElementById('my-empty');
const table = document.getElementById('my-table');

let custNm = '';
const listMyPages = myPages();
let items = null; // last successful answer for custNm
let stopPolling = () => {};
let note = null; // { key, params, kind } of the message shown, to re-translate it
let refreshFailed = false; // the message shows a failed refresh (cleared by the next good one)

const bookId = (item) => item.bookId ?? item.id;

function say(key, params = {}, kind = 'ok') {
  note = { key, params, kind };
  showMessage(message, t(key, params), kind);
}

function sayError(text) {
  note = null;
  refreshFailed = false;
  showMessage(message, text, 'error');
}

function cell(label, ...children) {
  return el('td', { 'data-label': label }, ...children);
}

function createRow() {
  return el('tr', {}, cell(''), cell(''), cell('', el('time', {})), cell('', statusBadge(null)), cell('', statusBadge(null)), cell(''));
}

function updateRow(row, item) {
  const [idCell, nameCell, dateCell, statusCell, confirmCell, actionCell] = row.cells;
  const labels = ['col.booking', 'col.exhibition', 'col.date', 'col.status', 'col.confirm', 'col.actions'];
  [...row.cells].forEach((c, i) => (c.dataset.label = t(labels[i])));
  row.dataset.bookId = bookId(item);
  idCell.textContent = bookId(item);
  nameCell.textContent = item.name;
  const time = dateCell.querySelector('time');
  time.dateTime = item.chkDate;
  time.textContent = formatDate(item.chkDate);
  updateBadge(statusCell.firstChild, item.status);
  updateBadge(confirmCell.firstChild, item.confirmStatus);

  const cancelable = LIVE_STATUSES.has(item.status) && !!tokenFor(bookId(item)); // cancelling needs the booking's token
  let button = actionCell.querySelector('button');
  if (!cancelable) {
    actionCell.replaceChildren();
    return;
  }
  if (!button) {
    button = el('button', { type: 'button', class: 'danger small' });
    button.addEventListener('click', () => onCancel(row.item, button));
    actionCell.replaceChildren(button);
  }
  row.item = item;
  button.textContent = t('my.cancel');
  button.setAttribute('aria-label', t('my.cancelLabel', { id: bookId(item) }));
}

function render() {
  if (!items) return;
  results.hidden = false;
  document.getElementById('my-caption').textContent = t('my.caption', { name: custNm });
  const sorted = [...items].sort((a, b) => bookId(b) - bookId(a)); // newest first
  syncList(rows, sorted, bookId, createRow, updateRow);
  table.hidden = !sorted.length;
  empty.hidden = !!sorted.length;
  empty.textContent = t('my.empty', { name: custNm });
}

async function refresh() {
  const name = custNm;
  try {
    const answer = await listMyPages(name);
    if (name !== custNm) return; // the visitor asked for someone else meanwhile
    if (answer === null) {
      // No booking of this name was made on this device: nothing opens their list.
      stopPolling();
      items = null;
      results.hidden = true;
      say('my.noToken', { name }, 'info');
      return;
    }
    if (answer.changed || !items) items = answer.items; // else 304: as shown
    if (refreshFailed || note?.key === 'loading') {
      refreshFailed = false;
      note = null;
      showMessage(message, '');
    }
    render();
  } catch (err) {
    if (name !== custNm) return;
    sayError(items ? t('error.refresh', { message: errorText(err) }) : errorText(err));
    refreshFailed = true;
  }
}

function show(name) {
  stopPolling();
  custNm = name;
  items = null;
  results.hidden = true;
  rows.replaceChildren();
  say('loading', {}, 'info');
  stopPolling = poll(refresh, REFRESH_MS);
}

async function onCancel(item, button) {
  const ok = await confirmDialog({
    title: t('my.cancelTitle'),
    text: t('my.cancelText', { id: bookId(item), name: item.name, date: formatDate(item.chkDate) }),
    confirm: t('my.cancelConfirm'),
  });
  if (!ok) return;
  button.disabled = true;
  try {
    await cancelBooking(bookId(item));
    say('my.canceled', { id: bookId(item) });
  } catch (err) {
    sayError(errorText(err));
  } finally {
    button.disabled = false;
    message.focus(); // the Cancel button goes away once the booking is canceled
    refresh();
  }
}

function onSubmit(event) {
  event.preventDefault();
  const name = nameInput.value.trim();
  setFieldError(nameInput, name ? '' : t('valid.required'));
  if (!name) {
    nameInput.focus();
    return;
  }
  try { localStorage.setItem(NAME_KEY, name); } catch { /* storage disabled */ }
  history.replaceState(null, '', `?custNm=${encodeURIComponent(name)}`);
  show(name);
}

initI18n();
form.addEventListener('submit', onSubmit);
document.addEventListener('langchange', () => {
  render();
  if (note) showMessage(message, t(note.key, note.params), note.kind);
});

let initial = new URLSearchParams(location.search).get('custNm') || '';
if (!initial) try { initial = localStorage.getItem(NAME_KEY) || ''; } catch { /* storage disabled */ }
nameInput.value = initial.trim();
if (nameInput.value) show(nameInput.value);
