// Words for what the API answers: an exhibition's dates and hours, a party of ticket categories.
import { t, tn, hasText, formatDate, formatList, weekdayName } from './i18n.js';
import { slotsPerDay } from './time.js';

const startOf = (m) => m.startDate || m.chkDate;
const endOf = (m) => m.endDate || m.startDate || m.chkDate;

/** "3 May 2031 – 30 Jun 2031", or one date for a one-day exhibition. */
export function exhibitionDates(m) {
  const start = formatDate(startOf(m));
  const end = formatDate(endOf(m));
  return startOf(m) === endOf(m) ? t('home.oneDay', { start }) : t('home.dates', { start, end });
}

/** "10:00–18:00 · Closed on Mondays" (the weekdays it is closed on, if any). */
export function exhibitionHours(m) {
  const parts = [];
  if (m.opens && m.closes) parts.push(`${m.opens}–${m.closes}`);
  const closed = (m.closedWeekdays || []).filter((d) => d >= 1 && d <= 7).sort();
  if (closed.length) parts.push(t('hours.closed', { days: formatList(closed.map((d) => weekdayName(d))) }));
  return parts.join(' · ');
}

/** The name of a ticket category for a stepper ("Adults"); unknown ones as the server names them. */
export const categoryName = (category) => (hasText(`cat.${category}`) ? t(`cat.${category}`) : category);

/** { adult: 2, child: 2 } → "2 adults, 2 children" in the order of categories. */
export function partyText(tickets, categories = []) {
  if (!tickets || typeof tickets !== 'object') return '';
  const order = [...categories, ...Object.keys(tickets).filter((c) => !categories.includes(c))];
  const parts = order
    .filter((c) => Number(tickets[c]) > 0)
    .map((c) => (hasText(`cat.${c}.count`) ? tn(`cat.${c}.count`, Number(tickets[c])) : `${categoryName(c)} ${tickets[c]}`));
  return parts.join(', ');
}

export const partySize = (tickets) => Object.values(tickets || {}).reduce((sum, n) => sum + (Number(n) || 0), 0);

/** The seats exhibition m still has over its open days from today, as a share of all of them (0..1). */
export function shareLeft(m, openDays) {
  const total = (Number(m.capacity) || 0) * slotsPerDay(m) * openDays;
  return total > 0 ? Math.max(0, Number(m.pcnt) || 0) / total : 0;
}
