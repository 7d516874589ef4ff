// Small DOM helpers shared by the pages: element building, messages, status badges,
// keyed list updates (keep focus while polling), polling and the confirmation dialog.
import { t, statusText } from './i18n.js';

/** el('p', { class: 'x', 'data-id': 1 }, 'text', child) — text is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/**
 * Plain words, in the page's language, for an error thrown by api.js. `friendly` maps an HTTP
 * status to an i18n key for what it means on that page; other statuses get a general text. The
 * server's own explanation (English, and it may name internal ids) is added only when details
 * is set (the staff page).
 */
export function errorText(err, friendly = {}, { details = false } = {}) {
  if (!err || typeof err.status !== 'number') return t('error.http');
  if (err.status === 0) return t('error.network');
  const general = { 400: 'error.invalid', 401: 'error.auth', 404: 'error.notFound', 409: 'error.conflict', 422: 'error.invalid', 429: 'error.tooMany' };
  const key = friendly[err.status] || general[err.status] || (err.status >= 500 ? 'error.unavailable' : 'error.http');
  const detail = err.detail;
  return details && detail ? `${t(key)} ${t('error.details', { detail })}` : t(key);
}

/** Show a message in a message box (<p class="message">); kind: 'info' | 'ok' | 'error'. Empty text hides it. */
export function showMessage(box, text, kind = 'info') {
  box.textContent = text || '';
  box.dataset.kind = kind;
}

export function statusBadge(status) {
  return el('span', { class: 'badge', 'data-status': status ?? 'NONE' }, statusText(status));
}

export function updateBadge(badge, status) {
  badge.dataset.status = status ?? 'NONE';
  badge.textContent = statusText(status);
}

/**
 * Make container's children match items, reusing nodes by key so focus and scroll survive
 * refreshes. create(item) builds a node, update(node, item) fills it (also on language change).
 */
export function syncList(container, items, key, create, update) {
  const old = new Map();
  for (const node of container.children) old.set(node.dataset.key, node);
  const wanted = items.map((item) => {
    const k = String(key(item));
    let node = old.get(k);
    old.delete(k);
    if (!node) {
      node = create(item);
      node.dataset.key = k;
    }
    update(node, item);
    return node;
  });
  for (const node of old.values()) node.remove();
  wanted.forEach((node, i) => {
    if (container.children[i] !== node) container.insertBefore(node, container.children[i] || null);
  });
}

/** Run fn now and then every ms after it settles (skipped while the tab is hidden); returns stop(). */
export function poll(fn, ms) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    if (!document.hidden) {
      try {
        await fn();
      } catch (err) {
        console.warn('poll failed', err); // fn shows its own messages; keep polling
      }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

let dialogCount = 0;

/** A modal confirmation step. Resolves true only when the confirm button is chosen (Esc = no). */
export function confirmDialog({ title, text, confirm, danger = true }) {
  return new Promise((resolve) => {
    const headingId = `confirm-title-${++dialogCount}`;
    const textId = `confirm-text-${dialogCount}`;
    const dialog = el(
      'dialog',
      { class: 'confirm', 'aria-labelledby': headingId, 'aria-describedby': textId },
      el('h2', { id: headingId }, title),
      el('p', { id: textId }, text),
      el(
        'form',
        { method: 'dialog', class: 'actions' },
        el('button', { value: 'no', class: 'secondary', autofocus: true }, t('dialog.keep')),
        el('button', { value: 'yes', class: danger ? 'danger' : null }, confirm),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'yes');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Mark a form field invalid (or valid with an empty message); its <p id="{id}-error"> shows the text. */
export function setFieldError(input, message) {
  const box = document.getElementById(`${input.id}-error`);
  if (box) box.textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}
