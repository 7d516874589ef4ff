// Calendar arithmetic on museum-local dates ("YYYY-MM-DD") and slot times. A slot's start and end
// are ISO 8601 with the museum's offset ("2031-05-03T10:00:00+09:00"): their day and clock time
// are read from the text (the museum's own), and compared with now as instants.

const pad = (n) => String(n).padStart(2, '0');
const utc = (iso) => {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
};
const iso = (date) => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;

export const isDate = (s) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  if (!m) return false;
  const d = utc(s);
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
};
export const isTime = (s) => /^([01]\d|2[0-3]):[0-5]\d$/.test(s || '');
export const addDays = (day, n) => {
  const d = utc(day);
  d.setUTCDate(d.getUTCDate() + n);
  return iso(d);
};
/** ISO weekday: 1 = Monday … 7 = Sunday. */
export const isoWeekday = (day) => utc(day).getUTCDay() || 7;
export const monthOf = (day) => day.slice(0, 7);
export const monthStart = (ym) => `${ym}-01`;
export const monthEnd = (ym) => addDays(monthStart(addMonths(ym, 1)), -1);
export function addMonths(ym, n) {
  const [y, m] = ym.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}
/** The same day of the month n months on, clamped to that month's last day (PageDown in a calendar). */
export function addMonthsToDay(day, n) {
  const ym = addMonths(monthOf(day), n);
  const last = monthEnd(ym);
  const wanted = `${ym}-${day.slice(8, 10)}`;
  return wanted > last ? last : wanted;
}
export const minDay = (a, b) => (a < b ? a : b);
export const maxDay = (a, b) => (a > b ? a : b);
export const daysBetween = (a, b) => Math.round((utc(b) - utc(a)) / 86400000);

/** The museum-local day of a slot time ("2031-05-03T10:00:00+09:00" → "2031-05-03"). */
export const slotDay = (time) => String(time).slice(0, 10);
/** The museum-local clock time of a slot time ("…T10:00:00+09:00" → "10:00"). */
export const slotClock = (time) => String(time).slice(11, 16);
/** Whether slot { end } has ended at now (ms). */
export const slotEnded = (slot, now = Date.now()) => !(Date.parse(slot.end) > now);
/** "10:00–10:30". */
export const slotRange = (start, end) => (end ? `${slotClock(start)}–${slotClock(end)}` : slotClock(start));

/** Minutes since midnight of "HH:MM". */
export const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Slots a day of exhibition m has: (closes − opens) / slotMinutes, or 1 when slotMinutes is null. */
export function slotsPerDay(m) {
  if (!isTime(m.opens) || !isTime(m.closes)) return 1;
  const open = minutes(m.closes) - minutes(m.opens);
  return m.slotMinutes > 0 && open > 0 ? Math.max(1, Math.floor(open / m.slotMinutes)) : 1;
}

/** Whether exhibition m is closed on day (a closed weekday or a closed date). */
export const closedOn = (m, day) =>
  (m.closedWeekdays || []).includes(isoWeekday(day)) || (m.closedDates || []).includes(day);

/** The open days of exhibition m from day `from` on (at most 400 counted). */
export function openDaysFrom(m, from) {
  const start = maxDay(from, m.startDate || m.chkDate);
  const end = m.endDate || m.chkDate;
  let n = 0;
  for (let d = start, i = 0; d <= end && i < 400; d = addDays(d, 1), i++) if (!closedOn(m, d)) n++;
  return n;
}
