// The museum's identity on every page, from GET /site (the server's configuration): its name and
// logo in the header, and a footer with the visit information (address, hours, accessibility),
// contact, the admission and cancellation policy, and the staff sign-in. The answer is kept for
// the tab (sessionStorage), so a page shows the museum's name at once on the next page.
import { getSite } from './api.js';
import { initI18n, t, getLang, weekdayName, formatList } from './i18n.js';
import { el } from './ui.js';

const CACHE_KEY = 'skmuseum.site';
export const DEFAULTS = {
  name: '', nameKo: '', logo: '/logo.svg', address: '', addressKo: '', phone: '', email: '',
  accessibility: '', accessibilityKo: '', opens: '09:00', closes: '18:00', closedWeekdays: [1],
  timeZone: 'Asia/Seoul', categories: ['adult', 'youth', 'child', 'senior'], maxParty: 10,
};

let site = cached() || { ...DEFAULTS };

function cached() {
  try {
    const s = JSON.parse(sessionStorage.getItem(CACHE_KEY) || 'null');
    return s && typeof s === 'object' ? { ...DEFAULTS, ...s } : null;
  } catch {
    return null;
  }
}

/** The site settings as last read (defaults until GET /site answered). */
export const getSiteInfo = () => site;

/** A configured text in the page's language: the Korean one on a Korean page when set, else the other. */
function localized(en, ko) {
  return getLang() === 'ko' ? ko || en || '' : en || ko || '';
}

export const siteName = () => localized(site.name, site.nameKo) || t('site.name');
export const siteAddress = () => localized(site.address, site.addressKo);
export const siteAccessibility = () => localized(site.accessibility, site.accessibilityKo);

/** "Daily 09:00–18:00" and "Closed on Mondays" as two lines. */
export function hoursLines(info = site) {
  const lines = [t('hours.daily', { opens: info.opens || DEFAULTS.opens, closes: info.closes || DEFAULTS.closes })];
  const closed = (info.closedWeekdays || []).filter((d) => d >= 1 && d <= 7).sort();
  lines.push(closed.length ? t('hours.closed', { days: formatList(closed.map((d) => weekdayName(d))) }) : t('hours.open7'));
  return lines;
}

function renderHeader() {
  for (const node of document.querySelectorAll('[data-site="name"]')) node.textContent = siteName();
  for (const img of document.querySelectorAll('img[data-site="logo"]')) {
    const logo = typeof site.logo === 'string' && site.logo.startsWith('/') ? site.logo : DEFAULTS.logo;
    if (img.getAttribute('src') !== logo) img.setAttribute('src', logo);
  }
  const key = document.documentElement.dataset.title;
  document.title = key ? `${t(key)} – ${siteName()}` : siteName();
}

function block(headingKey, ...children) {
  return el('section', {}, el('h2', {}, t(headingKey)), ...children.filter(Boolean));
}

function renderFooter() {
  const footer = document.getElementById('site-footer');
  if (!footer) return;
  const address = siteAddress();
  const contact = [];
  if (site.phone) contact.push(el('li', {}, `${t('footer.phone')}: `, el('a', { href: `tel:${site.phone.replace(/[^\d+]/g, '')}` }, site.phone)));
  if (site.email) contact.push(el('li', {}, `${t('footer.email')}: `, el('a', { href: `mailto:${site.email}` }, site.email)));
  footer.replaceChildren(
    el(
      'div',
      { class: 'footer-grid' },
      block(
        'footer.visit',
        el('p', { class: 'footer-name' }, siteName()),
        address && el('address', {}, address),
        el('p', {}, ...hoursLines().flatMap((line, i) => (i ? [el('br'), line] : [line]))),
      ),
      block('footer.contact', contact.length ? el('ul', { class: 'plain' }, ...contact) : null, siteAccessibility() && el('p', {}, siteAccessibility())),
      block('footer.policy', el('p', {}, t('footer.policyText'))),
    ),
    el('p', { class: 'footer-staff' }, el('a', { href: '/admin/', id: 'staff-link' }, t('footer.staff'))),
  );
}

function render() {
  renderHeader();
  renderFooter();
}

/**
 * Translate the page, show the museum's identity, and read GET /site; resolves to the settings
 * (the defaults if the server could not answer: the page still works).
 */
export async function initSite() {
  initI18n();
  render();
  document.addEventListener('langchange', render);
  try {
    const answer = await getSite();
    if (answer && typeof answer === 'object') {
      site = { ...DEFAULTS, ...Object.fromEntries(Object.entries(answer).filter(([, v]) => v !== null && v !== undefined)) };
      if (!Array.isArray(site.categories) || !site.categories.length) site.categories = DEFAULTS.categories;
      if (!(site.maxParty >= 1)) site.maxParty = DEFAULTS.maxParty;
      try { sessionStorage.setItem(CACHE_KEY, JSON.stringify(site)); } catch { /* storage disabled */ }
      render();
    }
  } catch (err) {
    console.warn('GET /site failed; using the defaults', err);
  }
  return site;
}
