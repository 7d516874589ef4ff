// Every call to the JSON API goes through request() in this module (same origin, relative URLs).
// Staff-only calls pass { staff: true }: HTTP Basic credentials from the sign-in form (kept in
// sessionStorage) are added in staffHeaders(). A visitor's calls about one booking carry that
// booking's token (answered by POST /books, kept in localStorage on this device), or else the
// access token of an emailed sign-in link (GET /myBookings; it opens that email's bookings).
// Tokens go in headers only, never in a URL (logs keep URLs): images and downloads that need one
// are fetched here and handed to the page as blobs.

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
const STAFF_USER_KEY = 'skmuseum.staffUser';
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

/** Keep a staff account's password for this tab (sessionStorage), as HTTP Basic credentials (user: admin by default). */
export function signIn(password, user = STAFF_USER) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  storage('session')?.setItem(STAFF_KEY, btoa(String.fromCharCode(...bytes)));
  storage('session')?.setItem(STAFF_USER_KEY, user);
}

export function signOut() {
  storage('session')?.removeItem(STAFF_KEY);
  storage('session')?.removeItem(STAFF_USER_KEY);
}

/** The user name of the staff account signed in on this tab, or ''. */
export const staffUser = () => (isSignedIn() ? storage('session')?.getItem(STAFF_USER_KEY) || STAFF_USER : '');

export const isSignedIn = () => !!storage('session')?.getItem(STAFF_KEY);

// ---- Booking tokens ---------------------------------------------------------------------------

const TOKENS_KEY = 'skmuseum.bookings'; // { [bookId]: { token } }

function tokens() {
  try {
    const stored = JSON.parse(storage('local')?.getItem(TOKENS_KEY) || '{}');
    return stored && typeof stored === 'object' ? stored : {};
  } catch {
    return {};
  }
}

/** Remember a booking's token (from POST /books, or a ticket email's link) on this device. Nothing else is kept. */
export function rememberBooking({ id, token }) {
  if (!token || !/^[1-9]\d{0,15}$/.test(String(id))) return;
  const all = tokens();
  all[id] = { token };
  try {
    storage('local')?.setItem(TOKENS_KEY, JSON.stringify(all));
  } catch {
    // storage full or disabled: the booking is shown now, not remembered
  }
}

/** Drop a booking's token from this device (it no longer opens anything). */
export function forgetBooking(bookId) {
  const all = tokens();
  delete all[bookId];
  storage('local')?.setItem(TOKENS_KEY, JSON.stringify(all));
}

/** The token of booking bookId held on this device, or null. */
export const tokenFor = (bookId) => tokens()[bookId]?.token ?? null;

/** The ids of the bookings whose tokens this device holds. */
export const heldBookingIds = () => Object.keys(tokens()).filter((k) => /^[1-9]\d{0,15}$/.test(k) && tokens()[k]?.token);

// ---- Waiting-list tokens ------------------------------------------------------------------------

const WAITLIST_KEY = 'skmuseum.waitlist'; // { [entryId]: { token } }: the waiting-list entries joined on this device

function waitlistTokens() {
  try {
    const stored = JSON.parse(storage('local')?.getItem(WAITLIST_KEY) || '{}');
    return stored && typeof stored === 'object' ? stored : {};
  } catch {
    return {};
  }
}

/** Remember a waiting-list entry's token (from joining, or an offer email's link) on this device. */
export function rememberWaitlist({ id, token }) {
  if (!token || !/^[1-9]\d{0,15}$/.test(String(id))) return;
  const all = waitlistTokens();
  all[id] = { token };
  try {
    storage('local')?.setItem(WAITLIST_KEY, JSON.stringify(all));
  } catch {
    // storage full or disabled: the entry is shown now, not remembered
  }
}

/** Drop a waiting-list entry's token from this device. */
export function forgetWaitlist(entryId) {
  const all = waitlistTokens();
  delete all[entryId];
  storage('local')?.setItem(WAITLIST_KEY, JSON.stringify(all));
}

/** The token of waiting-list entry entryId held on this device, or null. */
export const waitlistTokenFor = (entryId) => waitlistTokens()[entryId]?.token ?? null;

/** The ids of the waiting-list entries whose tokens this device holds. */
export const heldWaitlistIds = () => Object.keys(waitlistTokens()).filter((k) => /^[1-9]\d{0,15}$/.test(k) && waitlistTokens()[k]?.token);

// ---- Access token (an emailed sign-in link: "my bookings on this device") ----------------------

const ACCESS_KEY = 'skmuseum.access'; // { token, until } (ms since the epoch)
const ACCESS_MS = 30 * 60 * 1000; // the link's life, as the server keeps it

/** Keep the access token of a sign-in link (#access=…) on this device, for the link's 30 minutes. */
export function rememberAccess(token) {
  if (!token) return;
  try {
    storage('local')?.setItem(ACCESS_KEY, JSON.stringify({ token, until: Date.now() + ACCESS_MS }));
  } catch {
    // storage disabled: nothing kept
  }
}

/** The access token held on this device while it may still be valid, else null. */
export function accessToken() {
  try {
    const held = JSON.parse(storage('local')?.getItem(ACCESS_KEY) || 'null');
    if (held && typeof held.token === 'string' && held.until > Date.now()) return held.token;
  } catch {
    // unreadable: none
  }
  return null;
}

/** When the access token held stops being valid (ms since the epoch), or null. */
export function accessUntil() {
  try {
    const held = JSON.parse(storage('local')?.getItem(ACCESS_KEY) || 'null');
    return held && held.until > Date.now() ? held.until : null;
  } catch {
    return null;
  }
}

export const forgetAccess = () => storage('local')?.removeItem(ACCESS_KEY);

/**
 * "Forget this device": every booking token, the access token, the language and anything else
 * these pages remembered (localStorage and sessionStorage keys starting with skmuseum.).
 */
export function forgetDevice() {
  for (const kind of ['local', 'session']) {
    const store = storage(kind);
    if (!store) continue;
    const keys = [];
    for (let i = 0; i < store.length; i++) if (store.key(i)?.startsWith('skmuseum.')) keys.push(store.key(i));
    for (const key of keys) store.removeItem(key);
  }
}

/** The header that opens booking bookId: its own token when held, else the access token (or none). */
function bookingAuth(bookId) {
  const own = tokenFor(bookId);
  if (own) return { 'X-Booking-Token': own };
  const access = accessToken();
  return access ? { 'X-Access-Token': access } : {};
}

/** Whether this device can act on booking bookId (its token, or a sign-in link's access token). */
export const canManage = (bookId) => !!tokenFor(bookId) || !!accessToken();

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
async function request(method, url, { body, staff = false, token = null, auth = null, idempotent = false, etag = null } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (staff) Object.assign(headers, staffHeaders());
  Object.assign(headers, tokenHeader(token), auth || {});
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
/**
 * Books a party ({ adult: 2, child: 2 }) for a slot (its start, as answered); extra: { email?, lang? }
 * (the ticket is emailed there, in that language).
 */
export const createBooking = (museumId, custNm, slot, tickets, extra = {}) => {
  const body = { museumId: Number(museumId), custNm, slot, tickets };
  if (extra.email) body.email = extra.email;
  if (extra.lang) body.lang = extra.lang;
  return request('POST', '/books', { body, idempotent: true }).then((r) => {
    rememberBooking(r.data);
    return r.data;
  });
};
export const getBooking = (bookId) =>
  request('GET', `/books/${id(bookId)}`, { auth: bookingAuth(bookId) }).then((r) => r.data);

/**
 * Reads one booking with a conditional request: a function resolving to { data, changed }
 * (changed false on 304 Not Modified: data is the answer held).
 */
export function bookingWatch(bookId) {
  let held = null; // { etag, data }
  return async () => {
    const { data, res, notModified } = await request('GET', `/books/${id(bookId)}`, { auth: bookingAuth(bookId), etag: held?.etag });
    if (notModified && held) return { data: held.data, changed: false };
    held = { etag: res.headers.get('ETag'), data };
    return { data, changed: true };
  };
}
export const cancelBooking = (bookId) =>
  request('PATCH', `/books/${id(bookId)}`, { body: { status: 'CANCELED' }, auth: bookingAuth(bookId), idempotent: true }).then(
    (r) => r.data,
  );
/** Moves a booking to another slot and/or changes its party: { slot?, tickets? }. */
export const changeBooking = (bookId, change) =>
  request('PATCH', `/books/${id(bookId)}`, { body: change, auth: bookingAuth(bookId), idempotent: true }).then((r) => r.data);
/** "Email me my ticket": sets the booking's email and (re)sends its ticket there (429 when asked too often). */
export const emailTicket = (bookId, email) =>
  request('PATCH', `/books/${id(bookId)}`, { body: { email }, auth: bookingAuth(bookId) }).then((r) => r.data);

/**
 * A file about a booking that needs its token ('qr.svg', 'visit.ics'), fetched with the token
 * in a header: resolves to a Blob (for an object URL), throws ApiError.
 */
export async function bookingFile(bookId, name) {
  let res;
  try {
    res = await fetch(`/books/${id(bookId)}/${name}`, { headers: bookingAuth(bookId), credentials: 'omit' });
  } catch {
    throw new ApiError(0, null);
  }
  if (!res.ok) {
    let problem = null;
    try { problem = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, problem);
  }
  return res.blob();
}

/** "Get my bookings on this device": emails a sign-in link to email (202 whether or not it has bookings). */
export const requestAccess = (email) => request('POST', '/visitors/access', { body: { email } }).then((r) => r.data);

/**
 * The bookings made with the signed-in email (GET /myBookings with the access token), newest
 * visit first: a function resolving to { items, changed }, or to null when no access token is held.
 */
export function myBookings() {
  let held = null; // { etag, items }
  return async () => {
    const access = accessToken();
    if (!access) return null;
    const { data, res, notModified } = await request('GET', '/myBookings', { auth: { 'X-Access-Token': access }, etag: held?.etag });
    if (notModified && held) return { items: held.items, changed: false };
    if (!Array.isArray(data)) throw new ApiError(res.status, { detail: 'Unexpected response from the server.' });
    held = { etag: res.headers.get('ETag'), items: data };
    return { items: data, changed: true };
  };
}

// Waiting list (a sold-out slot)
/**
 * Joins the waiting list of a slot (its start, as answered) with a party ({ adult: 2 }); extra:
 * { email?, lang? } (the offer is emailed there, in that language). Resolves to the entry
 * ({ id, status, position, party, token }), whose token is kept on this device.
 */
export const joinWaitlist = (museumId, custNm, slot, tickets, extra = {}) => {
  const body = { custNm, slot, tickets };
  if (extra.email) body.email = extra.email;
  if (extra.lang) body.lang = extra.lang;
  // Sent again with the same Idempotency-Key when its outcome is unknown, as a booking is.
  return request('POST', `/museums/${id(museumId)}/waitlist`, { body, idempotent: true }).then((r) => {
    rememberWaitlist(r.data);
    return r.data;
  });
};

/**
 * Reads one waiting-list entry with its token and a conditional request: a function resolving
 * to { data, changed } (changed false on 304 Not Modified: data is the answer held).
 */
export function waitlistWatch(entryId) {
  let held = null; // { etag, data }
  return async () => {
    const token = waitlistTokenFor(entryId);
    const { data, res, notModified } = await request('GET', `/waitlist/${id(entryId)}`, { token, etag: held?.etag });
    if (notModified && held) return { data: held.data, changed: false };
    held = { etag: res.headers.get('ETag'), data };
    return { data, changed: true };
  };
}

/** Accepts an offer: resolves to the booking (as POST /books answers), whose token is kept like a booking's. */
export const acceptOffer = (entryId) =>
  request('POST', `/waitlist/${id(entryId)}/accept`, { token: waitlistTokenFor(entryId), idempotent: true }).then((r) => {
    rememberBooking(r.data);
    return r.data;
  });

/** Leaves the waiting list (204). */
export const leaveWaitlist = (entryId) => request('DELETE', `/waitlist/${id(entryId)}`, { token: waitlistTokenFor(entryId) });

// Staff
/** { name, startDate, endDate, opens, closes, slotMinutes, capacity, closedWeekdays, closedDates, description }. */
export const createMuseum = (museum) => request('POST', '/museums', { body: museum, staff: true }).then((r) => r.data);
/** Any of { name, description, capacity, endDate, closedDates, forceCancel }. */
export const updateMuseum = (museumId, change) =>
  request('PATCH', `/museums/${id(museumId)}`, { body: change, staff: true }).then((r) => r.data);
export const deleteMuseum = (museumId) => request('DELETE', `/museums/${id(museumId)}`, { staff: true });
/** Checks the staff credentials kept by signIn(): resolves, or rejects with ApiError 401. */
export const checkStaff = () => request('GET', '/books?limit=1', { staff: true });

/**
 * Checks the credentials kept by signIn() of any staff account (door included) on a public route:
 * wrong credentials are 401 on every route. Resolves, or rejects with ApiError 401.
 */
export const checkCredentials = () => request('GET', '/site', { staff: true });

// Door (a door or admin account)
/**
 * One scan at the door: POST /checkins { code, nonce, type, gate }. Resolves to { status, body }
 * for every answer the server gave (201 admitted / exited, 409 refused, 404 unknown code, 422,
 * 401, 403, ...), or rejects with ApiError status 0 when no answer came (offline); 502, 503 and
 * 504 resolve too (the caller queues them: a retry with the same nonce is safe).
 */
export async function checkin({ code, nonce, type = 'entry', gate }) {
  const body = { code, nonce, type };
  if (gate) body.gate = gate;
  let res;
  try {
    res = await fetch('/checkins', {
      method: 'POST',
      headers: { Accept: 'application/json, application/problem+json', 'Content-Type': 'application/json', ...staffHeaders() },
      credentials: 'omit',
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null, { outcomeUnknown: true });
  }
  let data = null;
  try {
    const text = await res.text();
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return { status: res.status, body: data };
}
/** People inside now (entered minus exited) of exhibition museumId: a number. */
export const insideNow = (museumId) =>
  request('GET', `/museums/${id(museumId)}/inside`, { staff: true }).then((r) => Number(r.data?.inside) || 0);
/** Staff's exhibitions, each with its booked and canceled counts: { from, limit, after }. */
export const occupancyPages = () => pages('/museums', { staff: true });
/** One exhibition's slots for staff (the same answer as visitors get): { from, to }. */
export const staffSlotPages = (museumId) => pages(`/museums/${id(museumId)}/slots`, { staff: true });
/** One exhibition's bookings / entry confirmations: { museumId, limit, after }. */
export const bookingPages = () => pages('/books', { staff: true });
export const confirmPages = () => pages('/confirms', { staff: true });
/** Staff: the waiting-list entries of an exhibition's slots on one day (YYYY-MM-DD), in queue order per slot. */
export const waitlistOf = (museumId, day) =>
  request('GET', withQuery(`/museums/${id(museumId)}/waitlist`, { day }), { staff: true }).then((r) => (Array.isArray(r.data) ? r.data : []));
