// Home: what is on from a date (today unless the visitor picks one), soonest first, one page at a
// time ("Show more" asks for a longer page), with seats left. Refreshes itself every 2 s with
// one conditional request: the server answers 304 Not Modified while nothing shown changed.
import { museumPages, today } from './api.js';
import { initI18n, t, formatDate, formatNumber } from './i18n.js';
import { el, errorText, showMessage, syncList, poll, setFieldError } from './ui.js';

const REFRESH_MS = 2000;
const PAGE = 24; // cards per "page"
const MAX = 1000; // the most one request may ask for
const list = document.getElementById('exhibitions');
const message = document.getElementById('home-message');
const fromForm = document.getElementById('from-form');
const fromInput = document.getElementById('from');
const more = document.getElementById('more');
const moreHint = document.getElementById('more-hint');
const load = museumPages();

const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || '') && !Number.isNaN(Date.parse(s));
let from = new URLSearchParams(location.search).get('from');
if (!isDate(from)) from = today();
let limit = PAGE;
let museums = null; // last successful answer
let hasMore = false;
let asked = 0; // refreshes started, so that an older answer never replaces a newer one

function createCard(museum) {
  return el(
    'li',
    { 'data-museum-id': museum.id },
    el('h3', {}),
    el('p', { class: 'date' }, el('time', {})),
    el('p', { class: 'seats' }),
    el('div', { class: 'card-actions' }),
  );
}

function updateCard(card, museum) {
  const left = Math.max(0, Number(museum.pcnt) || 0);
  const soldOut = left <= 0;
  const date = formatDate(museum.chkDate);
  card.querySelector('h3').textContent = museum.name;
  const time = card.querySelector('time');
  time.dateTime = museum.chkDate;
  time.textContent = date;
  const seats = card.querySelector('.seats');
  seats.textContent = t('home.seats', { left: formatNumber(left), capacity: formatNumber(museum.capacity) });
  seats.dataset.left = left;
  card.classList.toggle('sold-out', soldOut);

  // Sold out: a marker instead of the Book link (only rebuilt when the state flips or the language changes).
  const actions = card.querySelector('.card-actions');
  const wanted = `${soldOut}|${date}|${museum.name}|${t('home.book')}`;
  if (actions.dataset.state === wanted) return;
  actions.dataset.state = wanted;
  actions.replaceChildren(
    soldOut
      ? el('mark', { class: 'sold-out-mark' }, t('home.soldOut'))
      : el(
          'a',
          {
            class: 'button',
            href: `/book.html?museumId=${encodeURIComponent(museum.id)}`,
            'aria-label': t('home.bookLabel', { name: museum.name, date }),
          },
          t('home.book'),
        ),
  );
}

function render() {
  if (!museums) return;
  // The server's order: by date, then by id.
  syncList(list, museums, (m) => m.id, createCard, updateCard);
  if (!museums.length) showMessage(message, t('home.empty', { date: formatDate(from) }));
  more.hidden = !hasMore || limit >= MAX;
  moreHint.hidden = !hasMore || limit < MAX;
}

async function refresh() {
  const mine = ++asked;
  try {
    const page = await load({ from, limit });
    if (mine !== asked) return; // a newer refresh (another date, more cards) has started
    if (!page.changed && museums) {
      // 304: nothing shown has changed; only a failed refresh's message goes.
      if (message.dataset.kind === 'error') showMessage(message, '');
      return;
    }
    museums = page.items;
    hasMore = page.next !== null;
    showMessage(message, '');
    render();
  } catch (err) {
    if (mine !== asked) return;
    // Keep showing the last list (if any) and say what went wrong.
    showMessage(message, museums ? t('error.refresh', { message: errorText(err) }) : errorText(err), 'error');
  }
}

function onFrom(event) {
  event.preventDefault();
  const value = fromInput.value;
  setFieldError(fromInput, isDate(value) ? '' : t('valid.date'));
  if (!isDate(value)) {
    fromInput.focus();
    return;
  }
  from = value;
  limit = PAGE;
  museums = null;
  list.replaceChildren();
  history.replaceState(null, '', from === today() ? location.pathname : `?from=${from}`);
  showMessage(message, t('loading'));
  refresh();
}

async function onMore() {
  limit = Math.min(MAX, limit + PAGE);
  const shown = list.children.length;
  more.disabled = true;
  await refresh();
  more.disabled = false;
  // Keyboard users continue at the first new card.
  list.children[shown]?.querySelector('a')?.focus();
}

initI18n();
fromInput.value = from;
fromForm.addEventListener('submit', onFrom);
more.addEventListener('click', onMore);
showMessage(message, t('loading'));
document.addEventListener('langchange', () => {
  if (museums) render();
  else showMessage(message, t('loading'));
});
poll(refresh, REFRESH_MS);
