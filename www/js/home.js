// Home: the museum's welcome, the exhibitions not ended by a date (today unless the visitor picks
// one), closing soonest first, one page at a time ("Show more" asks for a longer page), each with
// its description, dates and whether it is filling up; and the visit information. Refreshes
// itself every 2 s with one conditional request (304 Not Modified while nothing shown changed).
import { museumPages, today } from './api.js';
import { t, formatDate } from './i18n.js';
import { el, errorText, showMessage, syncList, poll, setFieldError } from './ui.js';
import { initSite, getSiteInfo, hoursLines, siteAddress, siteAccessibility } from './site.js';
import { exhibitionDates, exhibitionHours, shareLeft } from './format.js';
import { isDate, openDaysFrom, maxDay } from './time.js';

const REFRESH_MS = 2000;
const PAGE = 24; // cards per "page"
const MAX = 1000; // the most one request may ask for
const FILLING = 0.25; // "filling up" below this share of places left
const list = document.getElementById('exhibitions');
const message = document.getElementById('home-message');
const fromForm = document.getElementById('from-form');
const fromInput = document.getElementById('from');
const more = document.getElementById('more');
const moreHint = document.getElementById('more-hint');
const load = museumPages();

let from = new URLSearchParams(location.search).get('from');
let limit = PAGE;
let museums = null; // last successful answer
let hasMore = false;
let asked = 0; // refreshes started, so that an older answer never replaces a newer one

function createCard() {
  return el(
    'li',
    {},
    el('h3', {}),
    el('p', { class: 'dates' }),
    el('p', { class: 'hours' }),
    el('p', { class: 'description' }),
    el('p', { class: 'availability' }),
    el('div', { class: 'card-actions' }),
  );
}

/** 'soldout' | 'filling' | 'open' for exhibition m seen from day. */
function availability(m, day) {
  if (!(Number(m.pcnt) > 0)) return 'soldout';
  return shareLeft(m, openDaysFrom(m, maxDay(day, today(getSiteInfo().timeZone)))) < FILLING ? 'filling' : 'open';
}

function updateCard(card, museum) {
  const state = availability(museum, from);
  card.dataset.museumId = museum.id;
  card.querySelector('h3').textContent = museum.name;
  card.querySelector('.dates').textContent = exhibitionDates(museum);
  card.querySelector('.hours').textContent = exhibitionHours(museum);
  const description = card.querySelector('.description');
  description.textContent = museum.description || '';
  description.hidden = !museum.description;
  const badge = card.querySelector('.availability');
  badge.dataset.state = state;
  badge.textContent = t({ soldout: 'home.soldOut', filling: 'home.filling', open: 'home.available' }[state]);
  card.classList.toggle('sold-out', state === 'soldout');

  // Fully booked: no link (only rebuilt when the state flips or the language changes).
  const actions = card.querySelector('.card-actions');
  const wanted = `${state === 'soldout'}|${museum.name}|${t('home.book')}`;
  if (actions.dataset.state === wanted) return;
  actions.dataset.state = wanted;
  actions.replaceChildren(
    state === 'soldout'
      ? ''
      : el(
          'a',
          { class: 'button', href: `/book.html?museumId=${encodeURIComponent(museum.id)}`, 'aria-label': t('home.bookLabel', { name: museum.name }) },
          t('home.book'),
        ),
  );
}

function render() {
  if (!museums) return;
  syncList(list, museums, (m) => m.id, createCard, updateCard); // the server's order: closing soonest first
  if (!museums.length) showMessage(message, t('home.empty', { date: formatDate(from) }));
  more.hidden = !hasMore || limit >= MAX;
  moreHint.hidden = !hasMore || limit < MAX;
}

function renderVisit() {
  const hours = document.getElementById('visit-hours');
  hours.replaceChildren(...hoursLines().flatMap((line, i) => (i ? [el('br'), line] : [line])));
  for (const [id, text] of [['visit-address', siteAddress()], ['visit-accessibility', siteAccessibility()]]) {
    document.getElementById(id).textContent = text;
    document.getElementById(id).hidden = !text;
    document.getElementById(`${id}-term`).hidden = !text;
  }
}

async function refresh() {
  const mine = ++asked;
  try {
    const page = await load({ from, limit });
    if (mine !== asked) return; // a newer refresh (another date, more cards) has started
    if (!page.changed && museums) {
      if (message.dataset.kind === 'error') showMessage(message, ''); // 304: only a failed refresh's message goes
      return;
    }
    museums = page.items;
    hasMore = page.next !== null;
    showMessage(message, '');
    render();
  } catch (err) {
    if (mine !== asked) return;
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
  history.replaceState(null, '', from === today(getSiteInfo().timeZone) ? location.pathname : `?from=${from}`);
  showMessage(message, t('loading'));
  refresh();
}

async function onMore() {
  limit = Math.min(MAX, limit + PAGE);
  const shown = list.children.length;
  more.disabled = true;
  await refresh();
  more.disabled = false;
  list.children[shown]?.querySelector('a')?.focus(); // keyboard users continue at the first new card
}

showMessage(message, t('loading'));
fromForm.addEventListener('submit', onFrom);
more.addEventListener('click', onMore);
document.addEventListener('langchange', () => {
  renderVisit();
  if (museums) render();
  else showMessage(message, t('loading'));
});
initSite().then(() => {
  renderVisit();
  if (!isDate(from)) from = today(getSiteInfo().timeZone);
  fromInput.value = from;
  poll(refresh, REFRESH_MS);
});
renderVisit();
