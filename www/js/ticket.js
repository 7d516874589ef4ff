// A booking's ticket, as the booking page's confirmation and My bookings show it: the museum, the
// exhibition, day, time and party, the ticket code in large type (grouped for reading aloud, and
// as one word to copy), its QR code, "Add to calendar" (the visit as an .ics file), "Email me my
// ticket" and "Print". The QR code and the calendar file need the booking's token: api.js fetches
// them with it in a header, and the page gets a data: URL (the pages' CSP allows data: images)
// or a blob to download. The print stylesheet (app.css) prints the ticket alone.
import { bookingFile, emailTicket } from './api.js';
import { t, tn, formatDay } from './i18n.js';
import { el, errorText, showMessage, statusBadge, updateBadge } from './ui.js';
import { getSiteInfo, siteName, siteAddress } from './site.js';
import { partyText, partySize } from './format.js';
import { slotRange } from './time.js';
import { LIVE_STATUSES } from './rules.js';

export const EMAIL_MAX = 254;

/** "7K3M9QW2XD" → "7K3M 9QW2 XD" (groups of four, for reading aloud). */
export const groupCode = (code) => String(code || '').replace(/(.{4})(?=.)/g, '$1 ');

/** A plausible email address (the server checks it properly): one @, no spaces, a dot in the domain, at most 254 characters. */
export const isEmail = (s) => typeof s === 'string' && s.length <= EMAIL_MAX && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);

let tickets = 0;

/** A Blob as a data: URL. */
function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/**
 * The ticket of a booking, as an element with update(booking) (re-render, also on a language
 * change) and dispose(). Built once per booking; the QR code is fetched once per code.
 */
export function createTicket(booking) {
  const n = ++tickets;
  const ids = { heading: `ticket-heading-${n}`, email: `ticket-email-${n}`, message: `ticket-message-${n}` };
  const museumName = el('p', { class: 'ticket-museum' });
  const museumAddress = el('address', { class: 'ticket-address' });
  const heading = el('h3', { id: ids.heading, class: 'ticket-exhibition' });
  const facts = el('dl', { class: 'facts ticket-facts' });
  const codeLabel = el('p', { class: 'ticket-label' });
  const code = el('p', { class: 'ticket-code', translate: 'no' });
  const raw = el('input', { type: 'text', readonly: true, class: 'ticket-raw', translate: 'no', spellcheck: 'false' });
  const copy = el('button', { type: 'button', class: 'secondary small ticket-copy' });
  const codeHint = el('p', { class: 'hint ticket-hint' });
  const qr = el('img', { class: 'ticket-qr', width: 220, height: 220, alt: '' });
  const qrBox = el('div', { class: 'ticket-qr-box' }, qr);
  const status = statusBadge(null);
  const calendar = el('button', { type: 'button', class: 'secondary ticket-calendar' });
  const print = el('button', { type: 'button', class: 'secondary ticket-print' });
  const emailLabel = el('label', { for: ids.email });
  const emailInput = el('input', { id: ids.email, type: 'email', maxlength: EMAIL_MAX, autocomplete: 'email', inputmode: 'email', 'aria-describedby': `${ids.email}-error` });
  const emailButton = el('button', { type: 'submit' });
  const emailError = el('p', { id: `${ids.email}-error`, class: 'field-error' });
  const emailForm = el('form', { class: 'inline-form ticket-email', novalidate: true }, el('div', {}, emailLabel, emailInput), emailButton, emailError);
  const message = el('p', { id: ids.message, class: 'message', role: 'status' });
  const actions = el('div', { class: 'ticket-actions' }, el('div', { class: 'actions' }, calendar, print), emailForm, message);
  const node = el(
    'section',
    { class: 'ticket', 'aria-labelledby': ids.heading },
    el('div', { class: 'ticket-head' }, museumName, museumAddress),
    el('div', { class: 'ticket-body' },
      el('div', { class: 'ticket-main' }, heading, facts, el('div', { class: 'ticket-code-box' }, codeLabel, code, el('div', { class: 'ticket-raw-row' }, raw, copy), codeHint)),
      qrBox),
    el('p', { class: 'ticket-status' }, status),
    actions,
  );

  let current = booking;
  let qrFor = null; // the code whose QR image is shown (or being fetched)
  let note = null; // { key, kind } of the message shown, to re-translate it

  const say = (key, kind) => {
    note = key ? { key, kind } : null;
    showMessage(message, key ? t(key) : '', kind);
  };
  const sayText = (text, kind) => {
    note = null;
    showMessage(message, text, kind);
  };

  async function loadQr() {
    const want = current.code;
    if (!want || qrFor === want) return;
    qrFor = want;
    try {
      const url = await dataUrl(await bookingFile(current.id, 'qr.svg'));
      if (qrFor === want) qr.src = url;
    } catch (err) {
      if (qrFor === want) qrFor = null; // try again on the next update
      console.warn('QR code not loaded', err);
    }
  }

  function render() {
    const b = current;
    const live = LIVE_STATUSES.has(b.status);
    museumName.textContent = siteName();
    museumAddress.textContent = siteAddress();
    museumAddress.hidden = !siteAddress();
    heading.textContent = b.name || '';
    const size = b.party ?? partySize(b.tickets);
    const party = partyText(b.tickets, getSiteInfo().categories);
    const rows = [
      ['col.date', formatDay(b.chkDate)],
      ['col.time', b.slot ? slotRange(b.slot, b.slotEnd) : ''],
      ['col.party', party ? `${party} (${tn('party.total', size)})` : tn('party.total', size)],
      ['book.number', String(b.id)],
    ];
    facts.replaceChildren(...rows.filter(([, v]) => v).flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]));
    codeLabel.textContent = t('ticket.code');
    code.replaceChildren(...groupCode(b.code).split(' ').map((g) => el('span', {}, g)));
    code.setAttribute('aria-label', `${t('ticket.code')}: ${String(b.code || '').split('').join(' ')}`);
    raw.value = b.code || '';
    raw.setAttribute('aria-label', t('ticket.copyLabel'));
    copy.textContent = t('ticket.copy');
    codeHint.textContent = live ? t('ticket.hint') : t('ticket.notValid');
    qr.alt = t('ticket.qrAlt', { code: groupCode(b.code) });
    qrBox.hidden = !live || !b.code;
    updateBadge(status, b.status);
    node.dataset.status = b.status || '';
    node.dataset.code = b.code || '';
    calendar.textContent = t('ticket.calendar');
    print.textContent = t('ticket.print');
    emailLabel.textContent = t('ticket.emailLabel');
    emailButton.textContent = t('ticket.emailSend');
    if (!emailInput.value && b.email && document.activeElement !== emailInput) emailInput.value = b.email;
    actions.hidden = !live;
    if (note) showMessage(message, t(note.key), note.kind);
    if (live) loadQr();
  }

  async function onCalendar() {
    calendar.disabled = true;
    try {
      const blob = await bookingFile(current.id, 'visit.ics');
      const url = URL.createObjectURL(blob);
      const a = el('a', { href: url, download: `visit-${current.code || current.id}.ics`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      say('', 'info');
    } catch (err) {
      sayText(errorText(err), 'error');
    } finally {
      calendar.disabled = false;
    }
  }

  async function onEmail(event) {
    event.preventDefault();
    const email = emailInput.value.trim();
    const problem = !email ? t('valid.required') : !isEmail(email) ? t('valid.email') : '';
    emailError.textContent = problem;
    if (problem) {
      emailInput.setAttribute('aria-invalid', 'true');
      emailInput.focus();
      return;
    }
    emailInput.removeAttribute('aria-invalid');
    emailButton.disabled = true;
    say('ticket.emailSending', 'info');
    try {
      const answer = await emailTicket(current.id, email);
      if (answer && typeof answer === 'object') current = { ...current, ...answer };
      say('ticket.emailSent', 'ok');
    } catch (err) {
      if (err.status === 429) say('ticket.emailTooOften', 'error');
      else if (err.status === 422) {
        emailError.textContent = t('valid.email');
        emailInput.setAttribute('aria-invalid', 'true');
        say('', 'info');
      } else sayText(errorText(err), 'error');
    } finally {
      emailButton.disabled = false;
    }
  }

  async function onCopy() {
    raw.select();
    try {
      await navigator.clipboard.writeText(raw.value);
      say('ticket.copied', 'ok');
    } catch {
      // no clipboard permission: the code is selected for the visitor to copy
    }
  }

  calendar.addEventListener('click', onCalendar);
  print.addEventListener('click', () => window.print());
  copy.addEventListener('click', onCopy);
  raw.addEventListener('focus', () => raw.select());
  emailForm.addEventListener('submit', onEmail);
  document.addEventListener('langchange', render);
  render();

  node.update = (next) => {
    current = { ...current, ...next };
    render();
  };
  node.dispose = () => document.removeEventListener('langchange', render);
  return node;
}
