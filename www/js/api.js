// Every call to the JSON API goes through request() in this module (same origin, relative URLs).
// Staff-only calls pass { staff: true }: HTTP Basic credentials from the sign-in form (kept in
// sessionStorage) are added in staffHeaders(). A visitor's calls about one booking carry that
// booking's token (answered by POST /books, kept in localStorage on this device).

/** A failed request: status 0 means no answer came; problem is the problem+json body. */
export class ApiError extends Error {
  constructor(status, problem, { outcomeUnknown = false } = {}) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem && typeof problem === 'object' ? problem : {};
    /** A write that may or may not have been done: sending it again (same key) is safe. */
    this.outcomeUnknown = outcomeUnknown;
  }

  /** The server's explanation (problem detail, else its title), or '' when there is none. */
  get detail() {
    return String(this.problem.detail || this.problem.title || '');
  }

  /** Field errors: { field: message }. */
  get errors() {
    const errors = this.problem.errors;
    return errors && typeof errors === 'object' && !Array.isArray(errors) ? errors : {};
  }
}

// ---- Staff credentials ----------------------------------------------------------------------

const STAFF_KEY = 'skmuseum.staff';
const STAFF_USER = 'admin';

function storage(kind) {
  try {
    return kind === 'session' ? window.sessionStorage : window.localStorage;
  } catch {
    return null; // storage disabled
  }
}

function staffHeaders() {
  const credentials = storage('session')?.getItem(STAFF_KEY);
  return credentials ? { Authorization: `Basic ${credentials}` } : {};
}

/** Keep the staff password for this tab (sessionStorage), as HTTP Basic credentials. */
export function signIn(password) {
  const bytes = new TextEncoder().encode(`${STAFF_USER}:${password}`);
  storage('session')?.setItem(STAFF_KEY, btoa(String.fromCharCode(...bytes)));
}

export function signOut() {
  storage('session')?.removeItem(STAFF_KEY);
}

export const isSignedIn = () => !!storage('session')?.getItem(STAFF_KEY);

// ---- Booking tokens ---------------------------------------------------------------------------

const TOKENS_KEY = 'skmuseum.bookings'; // { [bookId]: { token, custNm } }

function tokens() {
  try {
    const stored = JSON.parse(storage('local')?.getItem(TOKENS_KEY) || '{}');
    return stored && typeof stored === 'object' ? stored : {};
  } catch {
    return {};
  }
}

/** Remember a booking's token (from POST /books) on this device. */
export function rememberBooking({ id, token, custNm }) {
  if (!token) return;
  const all = tokens();
  all[id] = { token, custNm };
  storage('local')?.setItem(TOKENS_KEY, JSON.stringify(all));
}

/** The token of booking bookId held on this device, or null. */
export const tokenFor = (bookId) => tokens()[bookId]?.token ?? null;

/** A token of one of custNm's bookings held on this device (it opens their MyPage), or null. */
export const tokenForVisitor = (custNm) =>
  Object.values(tokens()).find((b) => b.custNm === custNm)?.token ?? null;

const tokenHeader = (token) => (token ? { 'X-Booking-Token': token } : {});

// ---- Requests ---------------------------------------------------------------------------------

// A write with an Idempotency-Key is sent again, with the same key, when its outcome is unknown:
// no answer (network error), 502/503/504 (a worker may have died after its commit: the answer
// was lost, not necessarily the booking), or 409 "still in progress" (the first try is still
// running). The server answers a repeat with the first success and never books twice. Five
// tries over about 5 s, with jitter.
const RETRY_DELAYS_MS = [250, 750, 1500, 2500];
const OUTCOME_UNKNOWN = new Set([502, 503, 504]);
const stillInProgress = (status, data) => status === 409 && /in progress/i.test(String(data?.detail ?? ''));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** 128 random bits as hex (crypto.randomUUID needs a secure context; this does not). */
function randomKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

// The keys of writes whose outcome is still unknown after the retries, by request, for this
// tab (sessionStorage): the visitor who presses Book again sends the same key, so the booking
// that went through is answered again instead of made twice. Kept 12 h (the server keeps 24 h).
const PENDING_KEY = 'skmuseum.pending';
const PENDING_MS = 12 * 3600 * 1000;

function pending() {
  try {
    const stored = JSON.parse(storage('session')?.getItem(PENDING_KEY) || '{}');
    return stored && typeof stored === 'object' ? stored : {};
  } catch {
    return {};
  }
}

function keepPending(all) {
  try {
    storage('session')?.setItem(PENDING_KEY, JSON.stringify(all));
  } catch {
    // storage full or disabled: the key lives as long as this request
  }
}

/** The Idempotency-Key for this request: the pending one of an earlier, unsettled try, else a new one. */
function idempotencyKey(fingerprint) {
  const all = pending();
  const now = Date.now();
  for (const [k, v] of Object.entries(all)) if (!(now - v.at < PENDING_MS)) delete all[k];
  all[fingerprint] ??= { key: randomKey(), at: now };
  keepPending(all);
  return all[fingerprint].key;
}

function settled(fingerprint) {
  const all = pending();
  delete all[fingerprint];
  keepPending(all);
}

/**
 * One API call. etag: the ETag of the answer held for this URL (sent as If-None-Match): an
 * unchanged answer comes back as { notModified: true } without a body. Throws ApiError; its
 * outcomeUnknown is true for a write that may or may not have been done (send it again).
 */
async function request(method, url, { body, staff = false, token = null, idempotent = false, etag = null } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (staff) Object.assign(headers, staffHeaders());
  Object.assign(headers, tokenHeader(token));
  if (etag) headers['If-None-Match'] = etag;
  const fingerprint = idempotent ? `${method} ${url} ${JSON.stringify(body ?? null)}` : null;
  if (idempotent) headers['Idempotency-Key'] = idempotencyKey(fingerprint);

  for (let attempt = 0; ; attempt++) {
    let res = null;
    let data = null;
    try {
      // credentials: 'omit' — no cookies needed, and no browser login prompt on a 401.
      res = await fetch(url, {
        method,
        headers,
        credentials: 'omit',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = res.status === 204 || res.status === 304 ? '' : await res.text();
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        data = null; // not JSON, e.g. a proxy's HTML error page
      }
    } catch {
      res = null; // no answer, or it broke off
    }
    const unknown = !res || OUTCOME_UNKNOWN.has(res.status) || stillInProgress(res.status, data);
    if (idempotent && unknown && attempt < RETRY_DELAYS_MS.length) {
      await sleep(RETRY_DELAYS_MS[attempt] * (0.75 + Math.random() / 2));
      continue;
    }
    if (idempotent && !unknown && !(res.status >= 500)) settled(fingerprint);
    if (!res) throw new ApiError(0, null, { outcomeUnknown: idempotent });
    if (res.status === 304) return { data: null, res, notModified: true };
    if (!res.ok) throw new ApiError(res.status, data, { outcomeUnknown: idempotent && res.status >= 500 });
    return { data, res, notModified: false };
  }
}

/** The `after` of the Link rel="next" URL (the next page's cursor), or null. */
function nextAfter(res) {
  const header = res.headers.get('Link') || '';
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (m && /rel\s*=\s*"?([^"]*\s)?next(\s[^"]*)?"?/i.test(m[2])) {
      return new URL(m[1], window.location.href).searchParams.get('after');
    }
  }
  return null;
}

function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, value);
  }
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * A list read page by page, each page asked for with the ETag of its last answer: the function
 * returned takes the query ({ limit, after, ... }) and resolves to { items, next, changed },
 * next being the cursor of the following page (null on the last), changed false when the
 * server answered 304 Not Modified (then items are the ones it answered before). One request
 * per call.
 */
function pages(path, options = {}) {
  const held = new Map(); // url -> { etag, items, next }, of the last few pages asked for
  return async (params = {}, callOptions = {}) => {
    const url = withQuery(path, params);
    const last = held.get(url);
    const { data, res, notModified } = await request('GET', url, { ...options, ...callOptions, etag: last?.etag });
    if (notModified && last) return { ...last, changed: false };
    if (!Array.isArray(data)) throw new ApiError(res.status, { detail: 'Unexpected response from the server.' });
    const page = { etag: res.headers.get('ETag'), items: data, next: nextAfter(res) };
    held.delete(url);
    held.set(url, page);
    if (held.size > 8) held.delete(held.keys().next().value);
    return { ...page, changed: true };
  };
}

const id = (value) => encodeURIComponent(String(value));

/**
 * Today as YYYY-MM-DD in timeZone (the museum's, from GET /site: the server's days are the
 * museum's days), or in the visitor's own zone when none is given or it is unknown.
 */
export function today(timeZone) {
  const d = new Date();
  if (timeZone) {
    try {
      return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
    } catch {
      // an unknown zone: the visitor's own
    }
  }
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// The museum: name, logo, address, hours, ticket categories, the largest party.
export const getSite = () => request('GET', '/site').then((r) => r.data);

// Visitors
/** Exhibitions not ended by a date, closing soonest first: call with { from: 'YYYY-MM-DD', limit, after }. */
export const museumPages = () => pages('/museums');
export const getMuseum = (museumId) => request('GET', `/museums/${id(museumId)}`).then((r) => r.data);
/** One exhibition's time slots: call with { from, to } (both YYYY-MM-DD, inclusive; at most 92 days). */
export const slotPages = (museumId) => pages(`/museums/${id(museumId)}/slots`);
/** Books a party ({ adult: 2, child: 2 }) for a slot (its start, as answered). */
export const createBooking = (museumId, custNm, slot, tickets) =>
  request('POST', '/books', { body: { museumId: Number(museumId), custNm, slot, tickets }, idempotent: true }).then((r) => {
    rememberBooking(r.data);
    return r.data;
  });
export const getBooking = (bookId) =>
  request('GET', `/books/${id(bookId)}`, { token: tokenFor(bookId) }).then((r) => r.data);
export const cancelBooking = (bookId) =>
  request('PATCH', `/books/${id(bookId)}`, { body: { status: 'CANCELED' }, token: tokenFor(bookId), idempotent: true }).then(
    (r) => r.data,
  );
/** Moves a booking to another slot and/or changes its party: { slot?, tickets? }. */
export const changeBooking = (bookId, change) =>
  request('PATCH', `/books/${id(bookId)}`, { body: change, token: tokenFor(bookId), idempotent: true }).then((r) => r.data);
/**
 * custNm's MyPage rows (at most 1000), opened with the token of one of their bookings on this
 * device: a function resolving to { items, changed }, or to null when this device holds none.
 */
export function myPages() {
  const read = pages('/myPages');
  return async (custNm) => {
    const token = tokenForVisitor(custNm);
    return token ? read({ custNm, limit: 1000 }, { token }) : null;
  };
}

// Staff
/** { name, startDate, endDate, opens, closes, slotMinutes, capacity, closedWeekdays, closedDates, description }. */
export const createMuseum = (museum) => request('POST', '/museums', { body: museum, staff: true }).then((r) => r.data);
/** Any of { name, description, capacity, endDate, closedDates, forceCancel }. */
export const updateMuseum = (museumId, change) =>
  request('PATCH', `/museums/${id(museumId)}`, { body: change, staff: true }).then((r) => r.data);
export const deleteMuseum = (museumId) => request('DELETE', `/museums/${id(museumId)}`, { staff: true });
/** Checks the staff credentials kept by signIn(): resolves, or rejects with ApiError 401. */
export const checkStaff = () => request('GET', '/books?limit=1', { staff: true });
/** Staff's exhibitions, each with its booked and canceled counts: { from, limit, after }. */
export const occupancyPages = () => pages('/museums', { staff: true });
/** One exhibition's slots for staff (the same answer as visitors get): { from, to }. */
export const staffSlotPages = (museumId) => pages(`/museums/${id(museumId)}/slots`, { staff: true });
/** One exhibition's bookings / entry confirmations: { museumId, limit, after }. */
export const bookingPages = () => pages('/books', { staff: true });
export const confirmPages = () => pages('/confirms', { staff: true });
