// Staff: sign in; create exhibitions (dates, hours, slot length, places per slot, closed weekdays
// and dates); edit one (PATCH: name, description, places, last day, closed dates, force-cancel);
// delete; the exhibitions with their booking counts; one exhibition's per-slot occupancy for a
// day, with each slot's waiting list; one exhibition's bookings and entry confirmations. All requests go through api.js (staff
// credentials live there). Lists refresh with conditional requests (304 while unchanged).
import {
  occupancyPages, bookingPages, confirmPages, staffSlotPages, createMuseum, updateMuseum, deleteMuseum, signIn, signOut,
  isSignedIn, checkStaff, today, waitlistOf,
} from './api.js';
import { t, formatDate, formatNumber, weekdayName, waitlistStatusText, locale } from './i18n.js';
import { el, errorText, showMessage, statusBadge, updateBadge, syncList, poll, confirmDialog, setFieldError } from './ui.js';
import { NAME_MAX, CAPACITY_MAX } from './rules.js';
import { initSite, getSiteInfo } from './site.js';
import { exhibitionDates, partyText } from './format.js';
import { isDate, isTime, minutes, slotRange, slotDay, slotClock } from './time.js';

const OCCUPANCY_MS = 5000;
const DETAILS_MS = 2000;
const SLOTS_MS = 5000;
const ROWS = 50; // exhibitions per page
const DETAIL_ROWS = 100; // bookings / confirmations shown at first, and added by "Show more"
const MAX = 1000; // the most one request may ask for
const DESCRIPTION_MAX = 2000;

const $ = (id) => document.getElementById(id);
const form = $('museum-form');
const fields = {
  name: $('name'), capacity: $('capacity'), startDate: $('startDate'), endDate: $('endDate'), opens: $('opens'),
  closes: $('closes'), slotMinutes: $('slotMinutes'), description: $('description'),
};
const registerMessage = $('register-message');
const occupancyMessage = $('occupancy-message');
const details = $('details');
const detailsMessage = $('details-message');
const todayHere = () => today(getSiteInfo().timeZone);
const details_ = { details: true }; // staff see the server's own explanation too

let rowsData = null; // [{ museum, booked, canceled }] from the last good refresh
let from = null; // the list shows exhibitions not ended by this date
let cursors = [null]; // the after= of each page up to the one shown (null: the first)
let nextCursor = null; // the after= of the page after the one shown, if any
const occupancy = occupancyPages();
const bookings = bookingPages();
const confirms = confirmPages();
let detailsOf = null; // { museum, removed } shown in the details section
let detailsData = null; // { books, confirms }
let stopDetails = () => {};
let registered = null; // last created exhibition, to re-translate the message

// ---- Closed dates: a date field, "Add", and the list with a remove button each ---------------

function datesEditor(box) {
  const prefix = box.dataset.prefix;
  let dates = [];
  const input = el('input', { id: `${prefix}-closed-date`, type: 'date' });
  const label = el('label', { for: input.id });
  const add = el('button', { type: 'button', class: 'secondary small' });
  const list = el('ul', { 'aria-live': 'polite' });
  const heading = el('p', { class: 'label-like', id: `${prefix}-closed-heading` });
  const none = el('p', { class: 'hint' });
  const error = el('p', { class: 'field-error', id: `${prefix}-closed-date-error` });
  input.setAttribute('aria-describedby', error.id);
  box.replaceChildren(heading, el('div', { class: 'add' }, el('div', {}, label, input), add), error, none, list);
  list.setAttribute('aria-labelledby', heading.id);
  const render = () => {
    heading.textContent = t('admin.closedDates');
    label.textContent = t('admin.closedDate');
    add.textContent = t('admin.addDate');
    none.textContent = t('admin.noClosedDates');
    none.hidden = dates.length > 0;
    list.replaceChildren(
      ...dates.map((d) => {
        const remove = el('button', { type: 'button', class: 'secondary small', 'aria-label': t('admin.removeDate', { date: formatDate(d) }) }, '×');
        remove.addEventListener('click', () => {
          dates = dates.filter((x) => x !== d);
          render();
          input.focus();
        });
        return el('li', { 'data-date': d }, el('time', { datetime: d }, formatDate(d)), remove);
      }),
    );
  };
  const onAdd = () => {
    const d = input.value;
    setFieldError(input, isDate(d) ? '' : t('valid.date'));
    if (!isDate(d)) return input.focus();
    if (!dates.includes(d)) dates = [...dates, d].sort();
    input.value = '';
    render();
    input.focus();
  };
  add.addEventListener('click', onAdd);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      onAdd();
    }
  });
  document.addEventListener('langchange', render);
  render();
  return {
    get: () => [...dates],
    set: (list) => {
      dates = [...new Set(list)].sort();
      render();
    },
    input,
  };
}

const createClosed = datesEditor($('create-closed'));
const editClosed = datesEditor($('edit-closed'));

function renderWeekdays() {
  const box = $('closedWeekdays');
  const checked = new Set([...box.querySelectorAll('input:checked')].map((i) => Number(i.value)));
  const legend = box.querySelector('legend');
  box.replaceChildren(
    legend,
    ...[1, 2, 3, 4, 5, 6, 7].map((d) =>
      el('label', {}, el('input', { type: 'checkbox', name: 'closedWeekdays', value: d, checked: checked.has(d) }), weekdayName(d, 'long')),
    ),
  );
}

// ---- Create -----------------------------------------------------------------------------------

/**
 * The create form's starting values from the museum's configuration (GET /site): its usual hours
 * in "Opens at" and "Closes at", and its usual closed weekdays ticked. Staff change them for an
 * exhibition with other hours; when the form is shown, and again after a create clears it.
 */
function prefillCreate() {
  const site = getSiteInfo();
  fields.opens.value = isTime(site.opens) ? site.opens : '';
  fields.closes.value = isTime(site.closes) ? site.closes : '';
  const closed = new Set((Array.isArray(site.closedWeekdays) ? site.closedWeekdays : []).map(Number));
  for (const box of $('closedWeekdays').querySelectorAll('input[type="checkbox"]')) box.checked = closed.has(Number(box.value));
}

const capacityError = (value) =>
  !/^\d+$/.test(value) || +value < 1 || +value > CAPACITY_MAX ? t('valid.capacity', { max: formatNumber(CAPACITY_MAX) }) : '';
const nameError = (value) => (!value ? t('valid.required') : [...value].length > NAME_MAX ? t('valid.tooLong', { max: NAME_MAX }) : '');

function validate() {
  const v = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.value.trim()]));
  const site = getSiteInfo();
  const opens = v.opens || site.opens;
  const closes = v.closes || site.closes;
  const errors = {
    name: nameError(v.name),
    capacity: !v.capacity && !fields.capacity.validity.badInput ? t('valid.required') : capacityError(v.capacity),
    startDate: !v.startDate ? t('valid.required') : !isDate(v.startDate) ? t('valid.date') : v.startDate < todayHere() ? t('valid.past') : '',
    endDate: v.endDate && !isDate(v.endDate) ? t('valid.date') : v.endDate && isDate(v.startDate) && v.endDate < v.startDate ? t('valid.endBeforeStart') : '',
    opens: v.opens && !isTime(v.opens) ? t('valid.time') : '',
    closes: v.closes && !isTime(v.closes) ? t('valid.time') : isTime(opens) && isTime(closes) && minutes(closes) <= minutes(opens) ? t('valid.closesBeforeOpens') : '',
    slotMinutes:
      v.slotMinutes && (!/^\d+$/.test(v.slotMinutes) || +v.slotMinutes < 1 || (isTime(opens) && isTime(closes) && (minutes(closes) - minutes(opens)) % +v.slotMinutes !== 0))
        ? t('valid.slotMinutes')
        : '',
    description: [...v.description].length > DESCRIPTION_MAX ? t('valid.tooLong', { max: DESCRIPTION_MAX }) : '',
  };
  for (const [field, text] of Object.entries(errors)) setFieldError(fields[field], text);
  const firstBad = Object.keys(errors).find((f) => errors[f]);
  if (firstBad) {
    fields[firstBad].focus();
    return null;
  }
  const museum = { name: v.name, startDate: v.startDate, capacity: Number(v.capacity) };
  if (v.endDate) museum.endDate = v.endDate;
  if (v.opens) museum.opens = v.opens;
  if (v.closes) museum.closes = v.closes;
  if (v.slotMinutes) museum.slotMinutes = Number(v.slotMinutes);
  museum.closedWeekdays = [...$('closedWeekdays').querySelectorAll('input:checked')].map((i) => Number(i.value));
  museum.closedDates = createClosed.get();
  if (v.description) museum.description = v.description;
  return museum;
}

/** Show the server's field errors next to the fields; returns those that have no field here. */
function showServerErrors(errors, map) {
  const rest = [];
  let first = null;
  for (const [field, text] of Object.entries(errors)) {
    const input = map[field];
    if (input) {
      setFieldError(input, String(text));
      first ??= input;
    } else rest.push(`${field}: ${text}`);
  }
  first?.focus();
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
    createClosed.set([]);
    prefillCreate();
    refreshOccupancy();
  } catch (err) {
    if (onUnauthorized(err)) return;
    const map = { ...fields, chkDate: fields.startDate, pcnt: fields.capacity, closedWeekdays: $('closedWeekdays'), closedDates: createClosed.input };
    const rest = showServerErrors(err.errors || {}, map);
    showMessage(registerMessage, [errorText(err, {}, details_), ...rest].join(' '), 'error');
  } finally {
    button.disabled = false;
  }
}

function sayRegistered() {
  if (registered) showMessage(registerMessage, t('admin.registered', { name: registered.name, dates: exhibitionDates(registered) }), 'ok');
}

// ---- The exhibitions --------------------------------------------------------------------------

let occupancyAsked = 0; // refreshes started: only the newest one's answer is shown
const removedIds = new Set(); // deleted here: a refresh that started before must not bring them back
async function refreshOccupancy() {
  const mine = ++occupancyAsked;
  try {
    const page = await occupancy({ from, limit: ROWS, after: cursors.at(-1) });
    if (mine !== occupancyAsked) return;
    if (occupancyMessage.dataset.kind !== 'ok') showMessage(occupancyMessage, ''); // never the outcome of an action
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
    const text = errorText(err, {}, details_);
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
  const ok = isDate(input.value);
  setFieldError(input, ok ? '' : t('valid.date'));
  if (!ok) {
    input.focus();
    return;
  }
  from = input.value;
  showOccupancyPage([null]);
}

const NUMERIC = ['capacity', 'booked', 'canceled', 'left'];
const ACTIONS = [
  ['slots', 'admin.slots', 'admin.slotsLabel', 'secondary'],
  ['edit', 'admin.edit', 'admin.editLabel', 'secondary'],
  ['details', 'admin.details', 'admin.detailsLabel', 'secondary'],
  ['delete', 'admin.delete', 'admin.deleteLabel', 'danger'],
];

function createOccupancyRow(row) {
  const buttons = ACTIONS.map(([action, , , kind]) => el('button', { type: 'button', class: `${kind} small`, 'data-action': action }));
  const tr = el(
    'tr',
    { 'data-museum-id': row.museum.id },
    el('th', { scope: 'row', 'data-label': '' }),
    el('td', { 'data-label': '' }),
    ...NUMERIC.map((name) => el('td', { class: 'num', 'data-col': name, 'data-label': '' })),
    el('td', { 'data-label': '' }, el('div', { class: 'actions' }, ...buttons)),
  );
  const handlers = {
    slots: () => showSlots(tr.row.museum),
    edit: () => showEdit(tr.row.museum),
    details: () => showDetails(tr.row.museum, false),
    delete: (button) => onDelete(tr.row, button),
  };
  for (const button of buttons) button.addEventListener('click', () => handlers[button.dataset.action](button));
  return tr;
}

function updateOccupancyRow(tr, row) {
  const { museum } = row;
  tr.row = row;
  const labels = ['col.exhibition', 'col.dates', 'col.capacity', 'col.booked', 'col.canceled', 'col.left', 'col.actions'];
  [...tr.cells].forEach((c, i) => (c.dataset.label = t(labels[i])));
  tr.cells[0].textContent = museum.name;
  tr.cells[1].textContent = exhibitionDates(museum);
  const values = { capacity: museum.capacity, booked: row.booked, canceled: row.canceled, left: museum.pcnt };
  for (const name of NUMERIC) tr.querySelector(`[data-col="${name}"]`).textContent = formatNumber(values[name]);
  for (const button of tr.querySelectorAll('button[data-action]')) {
    const [, text, label] = ACTIONS.find(([a]) => a === button.dataset.action);
    button.textContent = t(text);
    button.setAttribute('aria-label', t(label, { name: museum.name }));
  }
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
    text: t('admin.deleteText', { name: museum.name, dates: exhibitionDates(museum), count: formatNumber(row.booked) }),
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
    showMessage(occupancyMessage, errorText(err, {}, details_), 'error');
    refreshOccupancy();
  } finally {
    button.disabled = false;
  }
}

// ---- Edit (PATCH) -----------------------------------------------------------------------------

let editing = null; // the exhibition being edited, as last read
const editFields = { name: $('edit-name'), capacity: $('edit-capacity'), endDate: $('edit-endDate'), description: $('edit-description') };

function showEdit(museum) {
  editing = museum;
  $('edit').hidden = false;
  $('edit-heading').textContent = t('admin.editHeading', { name: museum.name });
  editFields.name.value = museum.name;
  editFields.capacity.value = museum.capacity;
  editFields.endDate.value = museum.endDate || museum.chkDate;
  editFields.description.value = museum.description || '';
  editClosed.set(museum.closedDates || []);
  for (const f of Object.values(editFields)) setFieldError(f, '');
  showMessage($('edit-message'), '');
  $('edit-heading').focus();
}

function closeEdit() {
  const id = editing?.id;
  editing = null;
  $('edit').hidden = true;
  document.querySelector(`#occupancy-rows tr[data-museum-id="${id}"] [data-action="edit"]`)?.focus();
}

/** The fields changed from what was read: the PATCH body. */
function editChanges() {
  const change = {};
  const name = editFields.name.value.trim();
  if (name !== editing.name) change.name = name;
  const description = editFields.description.value.trim();
  if (description !== (editing.description || '')) change.description = description || null;
  if (editFields.capacity.value.trim() !== String(editing.capacity)) change.capacity = Number(editFields.capacity.value.trim());
  if (editFields.endDate.value !== (editing.endDate || editing.chkDate)) change.endDate = editFields.endDate.value;
  const closed = editClosed.get();
  if (JSON.stringify(closed) !== JSON.stringify([...(editing.closedDates || [])].sort())) change.closedDates = closed;
  return change;
}

async function onEdit(event) {
  event.preventDefault();
  const box = $('edit-message');
  const errors = {
    name: nameError(editFields.name.value.trim()),
    capacity: capacityError(editFields.capacity.value.trim()),
    endDate: !isDate(editFields.endDate.value) ? t('valid.date') : editFields.endDate.value < (editing.startDate || editing.chkDate) ? t('valid.endBeforeStart') : '',
    description: [...editFields.description.value.trim()].length > DESCRIPTION_MAX ? t('valid.tooLong', { max: DESCRIPTION_MAX }) : '',
  };
  for (const [f, text] of Object.entries(errors)) setFieldError(editFields[f], text);
  const bad = Object.keys(errors).find((f) => errors[f]);
  if (bad) {
    editFields[bad].focus();
    showMessage(box, t('admin.fixErrors'), 'error');
    return;
  }
  const change = editChanges();
  if (!Object.keys(change).length) {
    showMessage(box, t('admin.nothingChanged'), 'info');
    return;
  }
  const button = $('edit-form').querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    let saved;
    try {
      saved = await updateMuseum(editing.id, change);
    } catch (err) {
      // Newly closed dates with bookings: only with the staff's consent are those force-canceled.
      if (err.status !== 409 || !change.closedDates) throw err;
      const ok = await confirmDialog({ title: t('admin.forceTitle'), text: `${t('admin.forceText')} (${err.detail})`, confirm: t('admin.forceConfirm') });
      if (!ok) {
        showMessage(box, errorText(err, {}, details_), 'error');
        return;
      }
      saved = await updateMuseum(editing.id, { ...change, forceCancel: true });
    }
    editing = saved;
    showMessage(occupancyMessage, t('admin.saved', { name: saved.name }), 'ok');
    closeEdit();
    refreshOccupancy();
  } catch (err) {
    if (onUnauthorized(err)) return;
    const rest = showServerErrors(err.errors || {}, { ...editFields, closedDates: editClosed.input });
    showMessage(box, [errorText(err, {}, details_), ...rest].join(' '), 'error');
  } finally {
    button.disabled = false;
  }
}

// ---- Per-slot occupancy of one day ------------------------------------------------------------

let slotsOf = null; // { museum, load, day }
let slotsData = null;
let waitlistData = null; // the day's waiting-list entries (GET /museums/{id}/waitlist?day=)
let stopSlots = () => {};

function showSlots(museum) {
  stopSlots();
  const first = museum.startDate || museum.chkDate;
  const last = museum.endDate || first;
  const day = todayHere() < first ? first : todayHere() > last ? last : todayHere();
  slotsOf = { museum, load: staffSlotPages(museum.id), day };
  slotsData = null;
  waitlistData = null;
  $('slots-day').value = day;
  $('slots-day').min = first;
  $('slots-day').max = last;
  $('slots-section').hidden = false;
  $('slots-rows').replaceChildren();
  renderSlots();
  showMessage($('slots-message'), t('loading'));
  $('slots-heading').focus();
  stopSlots = poll(refreshSlots, SLOTS_MS);
}

async function refreshSlots() {
  const shown = slotsOf;
  if (!shown) return;
  try {
    const [page, queue] = await Promise.all([shown.load({ from: shown.day, to: shown.day }), waitlistOf(shown.museum.id, shown.day)]);
    if (shown !== slotsOf) return;
    showMessage($('slots-message'), '');
    const queueChanged = JSON.stringify(queue) !== JSON.stringify(waitlistData);
    waitlistData = queue;
    if (queueChanged) renderWaitlist();
    if (!page.changed && slotsData) {
      if (queueChanged) renderSlots(); // the seats held for offers
      return;
    }
    slotsData = page.items.filter((s) => slotDay(s.start) === shown.day);
    renderSlots();
  } catch (err) {
    if (onUnauthorized(err) || shown !== slotsOf) return;
    showMessage($('slots-message'), errorText(err, {}, details_), 'error');
  }
}

function renderSlots() {
  if (!slotsOf) return;
  $('slots-heading').textContent = t('admin.slotsHeading', { name: slotsOf.museum.name });
  if (!slotsData) return;
  // Seats held for waiting-list offers are neither booked nor left.
  const held = new Map();
  for (const e of waitlistData || []) if (e.status === 'OFFERED') held.set(e.slot, (held.get(e.slot) || 0) + e.party);
  const total = { capacity: 0, booked: 0, held: 0, left: 0 };
  const rows = slotsData.map((s) => {
    const h = held.get(s.start) || 0;
    const booked = Math.max(0, s.capacity - s.left - h);
    total.capacity += s.capacity;
    total.booked += booked;
    total.held += h;
    total.left += s.left;
    return { key: s.start, time: slotRange(s.start, s.end), capacity: s.capacity, booked, held: h, left: s.left };
  });
  if (rows.length) rows.push({ key: 'total', time: t('admin.slotsTotal'), ...total });
  const cols = ['capacity', 'booked', 'held', 'left'];
  syncList(
    $('slots-rows'),
    rows,
    (r) => r.key,
    () => el('tr', {}, el('th', { scope: 'row', 'data-label': '' }), ...cols.map((c) => el('td', { class: 'num', 'data-col': c, 'data-label': '' })), el('td', { class: 'bar-cell', 'data-label': '' }, el('meter', { min: 0 }))),
    (tr, r) => {
      const labels = ['col.time', 'col.slotCapacity', 'col.booked', 'col.held', 'col.left', 'col.occupancy'];
      [...tr.cells].forEach((c, i) => (c.dataset.label = t(labels[i])));
      tr.dataset.slot = r.key;
      tr.cells[0].textContent = r.time;
      for (const c of cols) tr.querySelector(`[data-col="${c}"]`).textContent = formatNumber(r[c]);
      const meter = tr.querySelector('meter');
      meter.max = Math.max(1, r.capacity);
      meter.value = r.booked;
      meter.high = r.capacity * 0.8;
      meter.optimum = 0;
      meter.textContent = `${r.booked}/${r.capacity}`;
      meter.setAttribute('aria-label', `${r.time}: ${formatNumber(r.booked)} / ${formatNumber(r.capacity)}`);
    },
  );
  $('slots-table').hidden = !rows.length;
  $('slots-empty').hidden = !!rows.length;
  $('slots-empty').textContent = t('admin.slotsEmpty', { date: formatDate(slotsOf.day) });
}

/** "14:05, 3 May" in the museum's time zone. */
function expiryText(iso) {
  if (!iso) return '';
  const options = { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' };
  try {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: getSiteInfo().timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(locale(), options).format(new Date(iso));
  }
}

/** Each slot's queue of the day: position, name, party, status, offer expiry (slot by slot, in queue order). */
function renderWaitlist() {
  if (!slotsOf) return;
  const list = [...(waitlistData || [])].sort((a, b) =>
    a.slot !== b.slot ? Date.parse(a.slot) - Date.parse(b.slot) : (Number(a.position) || 1e9) - (Number(b.position) || 1e9) || Number(a.id) - Number(b.id));
  const labels = ['col.time', 'col.position', 'col.name', 'col.party', 'col.wlStatus', 'col.offerExpires'];
  syncList(
    $('waitlist-rows'),
    list,
    (e) => e.id,
    () => el('tr', {}, el('th', { scope: 'row', 'data-label': '' }), el('td', { class: 'num', 'data-label': '' }), el('td', { 'data-label': '' }), el('td', { class: 'num', 'data-label': '' }), el('td', { 'data-label': '' }, el('span', { class: 'badge' })), el('td', { 'data-label': '' })),
    (tr, e) => {
      [...tr.cells].forEach((c, i) => (c.dataset.label = t(labels[i])));
      tr.dataset.entryId = e.id;
      tr.dataset.slot = e.slot;
      tr.cells[0].textContent = slotClock(e.slot || '');
      tr.cells[1].textContent = Number(e.position) > 0 ? formatNumber(Number(e.position)) : '';
      tr.cells[2].textContent = e.custNm || '';
      tr.cells[3].textContent = formatNumber(Number(e.party) || 0);
      const badge = tr.cells[4].querySelector('.badge');
      badge.dataset.status = `WL_${e.status}`;
      badge.textContent = waitlistStatusText(e.status);
      tr.cells[5].textContent = e.status === 'OFFERED' ? expiryText(e.offerExpiresAt) : '';
    },
  );
  $('waitlist-table').hidden = !list.length;
  $('waitlist-empty').hidden = !!list.length;
  $('waitlist-empty').textContent = t('admin.waitlistEmpty', { date: formatDate(slotsOf.day) });
}

function onSlotsDay(event) {
  event.preventDefault();
  const input = $('slots-day');
  const ok = isDate(input.value);
  setFieldError(input, ok ? '' : t('valid.date'));
  if (!ok || !slotsOf) return input.focus();
  slotsOf = { ...slotsOf, day: input.value };
  slotsData = null;
  waitlistData = null;
  showMessage($('slots-message'), t('loading'));
  refreshSlots();
}

function closeSlots() {
  stopSlots();
  const id = slotsOf?.museum.id;
  slotsOf = null;
  $('slots-section').hidden = true;
  document.querySelector(`#occupancy-rows tr[data-museum-id="${id}"] [data-action="slots"]`)?.focus();
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
  $('details-heading').textContent = t('admin.detailsHeading', { name: museum.name });
  $('details-removed').hidden = !removed;
  if (!detailsData) return;
  const { books, confirms } = detailsData;
  syncList($('details-books-rows'), books, (b) => b.id, detailsRow(['', '', '', '', '', 'badge']), (tr, b) => {
    tr.dataset.bookId = b.id;
    fillRow(tr, ['col.booking', 'col.visitor', 'col.date', 'col.time', 'col.party', 'col.status'],
      [b.id, b.custNm, formatDate(b.chkDate), b.slot ? slotRange(b.slot, b.slotEnd) : '', partyText(b.tickets, getSiteInfo().categories), b.status]);
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
    stopSlots();
    details.hidden = true;
    $('slots-section').hidden = true;
    $('edit').hidden = true;
  }
}

function startStaff() {
  showStaffArea(true);
  prefillCreate();
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

// ---- Start ------------------------------------------------------------------------------------

loginForm.addEventListener('submit', onSignIn);
$('sign-out').addEventListener('click', () => {
  signOut();
  showStaffArea(false);
  passwordInput.focus();
});
form.addEventListener('submit', onRegister);
$('edit-form').addEventListener('submit', onEdit);
$('edit-cancel').addEventListener('click', closeEdit);
$('slots-form').addEventListener('submit', onSlotsDay);
$('slots-close').addEventListener('click', closeSlots);
$('refresh').addEventListener('click', () => refreshOccupancy());
$('occupancy-form').addEventListener('submit', onOccupancyFrom);
$('previous-page').addEventListener('click', () => showOccupancyPage(cursors.slice(0, -1)));
$('next-page').addEventListener('click', () => nextCursor && showOccupancyPage([...cursors, nextCursor]));
$('details-books-more').addEventListener('click', () => showMoreDetails('books'));
$('details-confirms-more').addEventListener('click', () => showMoreDetails('confirms'));
$('details-close').addEventListener('click', closeDetails);
document.addEventListener('langchange', () => {
  renderWeekdays();
  sayRegistered();
  renderOccupancy();
  renderDetails();
  renderSlots();
  renderWaitlist();
  if (editing) $('edit-heading').textContent = t('admin.editHeading', { name: editing.name });
});
renderWeekdays();
initSite().then(() => {
  from = todayHere();
  $('occupancy-from').value = from;
  if (isSignedIn()) startStaff();
  else showStaffArea(false);
});
