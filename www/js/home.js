// Home: exhibitions (soonest first) with seats left; refreshes itself every 2 s.
import { listMuseums } from './api.js';
import { initI18n, t, formatDate, formatNumber } from './i18n.js';
import { el, errorText, showMessage, syncList, poll } from './ui.js';

const REFRESH_MS = 2000;
const list = document.getElementById('exhibitions');
const message = document.getElementById('home-message');
let museums = null; // last successful answer

const bySoonest = (a, b) => String(a.chkDate).localeCompare(String(b.chkDate)) || a.id - b.id;

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
  const sorted = [...museums].sort(bySoonest);
  syncList(list, sorted, (m) => m.id, createCard, updateCard);
  if (!sorted.length) showMessage(message, t('home.empty'));
}

async function refresh() {
  try {
    museums = await listMuseums();
    showMessage(message, '');
    render();
  } catch (err) {
    // Keep showing the last list (if any) and say what went wrong.
    showMessage(message, museums ? t('error.refresh', { message: errorText(err) }) : errorText(err), 'error');
  }
}

initI18n();
showMessage(message, t('loading'));
document.addEventListener('langchange', () => {
  if (museums) render();
  else showMessage(message, t('loading'));
});
poll(refresh, REFRESH_MS);
