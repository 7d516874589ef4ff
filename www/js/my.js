// My bookings: a visitor's bookings with their time slot, party, booking and entry-confirmation
// status (polled with one conditional request: 304 Not Modified while nothing changed); cancel
// until the slot ends, and change the slot or party (the booking page with ?change=).
import { myPages, cancelBooking, tokenFor } from './api.js';
import { t, tn, formatDay } from './i18n.js';
import { el, errorText, showMessage, statusBadge, updateBadge, syncList, poll, confirmDialog, setFieldError } from './ui.js';
import { LIVE_STATUSES } from './rules.js';
import { initSite, getSiteInfo } from './site.js';
import { partyText, partySize } from './format.js';
import { slotRange, slotEnded } from './time.js';

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
  refreshFailed = false;
  showMessage(message, text, 'error');
}

const cell = (...children) => el('td', { 'data-label': '' }, ...children);
const LABELS = ['col.booking', 'col.exhibition', 'col.date', 'col.time', 'col.party', 'col.status', 'col.confirm', 'col.actions'];

function createRow() {
  return el('tr', {}, cell(), cell(), cell(el('time', {})), cell(), cell(), cell(statusBadge(null), el('p', { class: 'reason hint' })), cell(statusBadge(null)), cell(el('div', { class: 'actions' })));
}

function updateRow(row, item) {
  const [idCell, nameCell, dateCell, timeCell, partyCell, statusCell, confirmCell, actionCell] = row.cells;
  [...row.cells].forEach((c, i) => (c.dataset.label = t(LABELS[i])));
  row.dataset.bookId = bookId(item);
  row.item = item;
  idCell.textContent = bookId(item);
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
  updateBadge(confirmCell.firstChild, item.confirmStatus);

  // Cancel and change need the booking's token, a live booking, and a slot that has not ended.
  const actions = actionCell.querySelector('.actions');
  const live = LIVE_STATUSES.has(item.status) && !!tokenFor(bookId(item));
  const state = `${live}|${over(item)}|${t('my.cancel')}`;
  if (actions.dataset.state !== state) {
    actions.dataset.state = state;
    if (!live) actions.replaceChildren();
    else if (over(item)) actions.replaceChildren(el('span', { class: 'hint' }, t('my.over')));
    else {
      const change = el('a', { class: 'button secondary small', href: `/book.html?change=${encodeURIComponent(bookId(item))}`, 'aria-label': t('my.changeLabel', { id: bookId(item) }) }, t('my.change'));
      const cancel = el('button', { type: 'button', class: 'danger small', 'aria-label': t('my.cancelLabel', { id: bookId(item) }) }, t('my.cancel'));
      cancel.addEventListener('click', () => onCancel(row.item, cancel));
      actions.replaceChildren(change, cancel);
    }
  }
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
      stopPolling(); // no booking of this name was made on this device: nothing opens their list
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
    text: t('my.cancelText', { id: bookId(item), name: item.name, date: formatDay(item.chkDate), time: timeOf(item), party: partyOf(item) }),
    confirm: t('my.cancelConfirm'),
  });
  if (!ok) return;
  button.disabled = true;
  try {
    await cancelBooking(bookId(item));
    say('my.canceled', { id: bookId(item) });
  } catch (err) {
    sayError(errorText(err, { 409: 'book.ended' }));
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

form.addEventListener('submit', onSubmit);
document.addEventListener('langchange', () => {
  for (const row of rows.rows) row.querySelector('.actions').dataset.state = '';
  render();
  if (note) showMessage(message, t(note.key, note.params), note.kind);
});
initSite().then(render);
let initial = new URLSearchParams(location.search).get('custNm') || '';
if (!initial) try { initial = localStorage.getItem(NAME_KEY) || ''; } catch { /* storage disabled */ }
nameInput.value = initial.trim();
if (nameInput.value) show(nameInput.value);
