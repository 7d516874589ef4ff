// A month calendar as a WAI-ARIA grid (https://www.w3.org/WAI/ARIA/apg/patterns/grid/): one
// day is in the tab order (roving tabindex); arrow keys move by day and week, Home/End to the
// start/end of the week, PageUp/PageDown by month (with Shift by year), Enter or Space chooses.
// Changes of month and the chosen day are announced through an aria-live region.
import { el } from './ui.js';
import { t, formatDay, formatMonth, weekdayName, getLang } from './i18n.js';
import { addDays, addMonths, addMonthsToDay, isoWeekday, monthOf, monthStart, monthEnd, minDay, maxDay } from './time.js';

const STATE_KEYS = { open: 'cal.open', few: 'cal.few', soldout: 'cal.soldOut', closed: 'cal.closed', past: 'cal.past', loading: 'cal.loading' };
const SELECTABLE = new Set(['open', 'few', 'soldout']); // a fully booked day: its slots' waiting lists

/**
 * parts: { grid, body, weekdays, title, prev, next, live }. options: { first, last (days that may
 * be shown), today, stateOf(day) → 'open'|'few'|'soldout'|'closed'|'past'|'loading',
 * onMonth(ym), onSelect(day) }.
 */
export class Calendar {
  constructor(parts, options) {
    Object.assign(this, parts);
    this.options = options;
    this.month = monthOf(options.first);
    this.focusDay = options.first;
    this.selected = null;
    this.body.addEventListener('keydown', (e) => this.onKey(e));
    // Focus reaching a day another way (a click, a script) moves the roving tabindex there too.
    this.body.addEventListener('focusin', (e) => {
      const cell = e.target.closest('td[data-date]');
      if (cell && cell.dataset.date !== this.focusDay) {
        this.focusDay = cell.dataset.date;
        this.updateCells();
      }
    });
    this.body.addEventListener('click', (e) => {
      const cell = e.target.closest('td[data-date]');
      if (cell) this.choose(cell.dataset.date, { focus: true });
    });
    this.prev.addEventListener('click', () => this.showMonth(addMonths(this.month, -1), { announce: true }));
    this.next.addEventListener('click', () => this.showMonth(addMonths(this.month, 1), { announce: true }));
    this.render();
  }

  get firstMonth() { return monthOf(this.options.first); }
  get lastMonth() { return monthOf(this.options.last); }

  /** Days that can be focused: the months from first to last, whole. */
  clamp(day) {
    return minDay(maxDay(day, monthStart(this.firstMonth)), monthEnd(this.lastMonth));
  }

  announce(text) {
    // A fresh text node each time, so that the same words are announced again.
    this.live.textContent = '';
    setTimeout(() => { this.live.textContent = text; }, 50);
  }

  showMonth(ym, { announce = false, focus = false } = {}) {
    if (ym < this.firstMonth || ym > this.lastMonth) return;
    const changed = ym !== this.month;
    this.month = ym;
    if (monthOf(this.focusDay) !== ym) {
      const same = `${ym}-${this.focusDay.slice(8)}`; // the same day of the month, or the month's last
      this.focusDay = this.clamp(minDay(same, monthEnd(ym)));
    }
    this.render();
    if (focus) this.focusCell();
    if (changed) {
      if (announce) this.announce(formatMonth(ym));
      this.options.onMonth?.(ym);
    }
  }

  moveFocus(day) {
    const next = this.clamp(day);
    this.focusDay = next;
    if (monthOf(next) !== this.month) {
      this.month = monthOf(next);
      this.render();
      this.announce(formatMonth(this.month));
      this.options.onMonth?.(this.month);
    } else {
      this.updateCells();
    }
    this.focusCell();
  }

  focusCell() {
    this.body.querySelector(`td[data-date="${this.focusDay}"]`)?.focus();
  }

  onKey(event) {
    const day = this.focusDay;
    const moves = {
      ArrowLeft: () => addDays(day, -1),
      ArrowRight: () => addDays(day, 1),
      ArrowUp: () => addDays(day, -7),
      ArrowDown: () => addDays(day, 7),
      Home: () => addDays(day, 1 - isoWeekday(day)),
      End: () => addDays(day, 7 - isoWeekday(day)),
      PageUp: () => addMonthsToDay(day, event.shiftKey ? -12 : -1),
      PageDown: () => addMonthsToDay(day, event.shiftKey ? 12 : 1),
    };
    if (moves[event.key]) {
      event.preventDefault();
      this.moveFocus(moves[event.key]());
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.choose(day, { focus: true });
    }
  }

  choose(day, { focus = false } = {}) {
    this.focusDay = day;
    const state = this.options.stateOf(day);
    if (!SELECTABLE.has(state)) {
      this.updateCells();
      if (focus) this.focusCell();
      this.announce(`${formatDay(day, { weekday: 'long' })}: ${t(STATE_KEYS[state])}`);
      return;
    }
    this.selected = day;
    this.updateCells();
    if (focus) this.focusCell();
    this.options.onSelect?.(day);
  }

  /** Select day without the user's doing (e.g. a booking being changed). */
  select(day) {
    this.selected = day;
    this.focusDay = this.clamp(day);
    this.showMonth(monthOf(this.focusDay));
    this.updateCells();
  }

  /** Rebuild the month shown (on a new month or language); else only update the cells. */
  render() {
    this.title.textContent = formatMonth(this.month);
    this.grid.setAttribute('aria-label', t('cal.label', { month: formatMonth(this.month) }));
    this.prev.disabled = this.month <= this.firstMonth;
    this.next.disabled = this.month >= this.lastMonth;
    const key = `${this.month}|${getLang()}`;
    if (this.body.dataset.key !== key) {
      this.body.dataset.key = key;
      this.weekdays.replaceChildren(
        ...[1, 2, 3, 4, 5, 6, 7].map((d) => el('th', { scope: 'col', abbr: weekdayName(d, 'long') }, weekdayName(d, 'short'))),
      );
      const first = monthStart(this.month);
      const last = monthEnd(this.month);
      const rows = [];
      for (let week = addDays(first, 1 - isoWeekday(first)); week <= last; week = addDays(week, 7)) {
        const cells = [];
        for (let i = 0; i < 7; i++) {
          const day = addDays(week, i);
          cells.push(
            monthOf(day) === this.month
              ? el('td', { role: 'gridcell', 'data-date': day, tabindex: -1 },
                  el('span', { class: 'day-num', 'aria-hidden': 'true' }, String(Number(day.slice(8)))),
                  el('span', { class: 'day-mark', 'aria-hidden': 'true' }))
              : el('td', { class: 'blank', 'aria-hidden': 'true' }),
          );
        }
        rows.push(el('tr', {}, ...cells));
      }
      this.body.replaceChildren(...rows);
    }
    this.updateCells();
  }

  /** States, selection, today and the roving tabindex, in place (focus stays where it is). */
  updateCells() {
    if (monthOf(this.focusDay) !== this.month) this.focusDay = this.clamp(maxDay(monthStart(this.month), minDay(this.options.first, monthEnd(this.month))));
    for (const cell of this.body.querySelectorAll('td[data-date]')) {
      const day = cell.dataset.date;
      const state = this.options.stateOf(day);
      cell.dataset.state = state;
      cell.tabIndex = day === this.focusDay ? 0 : -1;
      cell.setAttribute('aria-selected', String(day === this.selected));
      if (SELECTABLE.has(state)) cell.removeAttribute('aria-disabled');
      else cell.setAttribute('aria-disabled', 'true');
      const today = day === this.options.today;
      cell.classList.toggle('today', today);
      if (today) cell.setAttribute('aria-current', 'date');
      else cell.removeAttribute('aria-current');
      cell.setAttribute('aria-label', `${formatDay(day, { weekday: 'long' })}${today ? ` (${t('cal.today')})` : ''}, ${t(STATE_KEYS[state])}`);
    }
  }
}
