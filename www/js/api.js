// Every call to the JSON API goes through request() in this module (same origin, relative URLs).
// Staff-only calls pass { staff: true }: HTTP Basic credentials from the sign-in form (kept in
// sessionStorage) are added in staffHeaders(). A visitor's calls about one booking carry that
// booking's token (answered by POST /books, kept in localStorage on this device).

/** A failed request: status 0 means the server could not be reached; problem is the problem+json body. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem && typeof problem === 'object' ? problem : {};
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

const RETRIES = 2; // for writes with an Idempotency-Key, when the answer was lost

/** 128 random bits as hex (crypto.randomUUID needs a secure context; this does not). */
function randomKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function request(method, url, { body, staff = false, token = null, idempotent = false } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (staff) Object.assign(headers, staffHeaders());
  Object.assign(headers, tokenHeader(token));
  if (idempotent) headers['Idempotency-Key'] = randomKey();

  let res;
  for (let attempt = 0; ; attempt++) {
    try {
      // credentials: 'omit' — no cookies needed, and no browser login prompt on a 401.
      res = await fetch(url, {
        method,
        headers,
        credentials: 'omit',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      break;
    } catch {
      if (!idempotent || attempt >= RETRIES) throw new ApiError(0, null);
      await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
    }
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null; // not JSON, e.g. a proxy's HTML error page
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return { data, res };
}

/** The URL of rel="next" in a Link header, or null. */
function nextLink(res) {
  const header = res.headers.get('Link') || '';
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (m && /rel\s*=\s*"?([^"]*\s)?next(\s[^"]*)?"?/i.test(m[2])) return m[1];
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

/** GET a list and follow its Link rel="next" pages until all items are collected. */
async function listAll(path, params = {}, options = {}) {
  const items = [];
  const seen = new Set();
  let url = withQuery(path, { limit: 1000, ...params });
  while (url && !seen.has(url)) {
    seen.add(url);
    const { data, res } = await request('GET', url, options);
    if (!Array.isArray(data)) throw new ApiError(res.status, { detail: 'Unexpected response from the server.' });
    items.push(...data);
    url = nextLink(res);
  }
  return items;
}

const id = (value) => encodeURIComponent(String(value));

// Visitors
export const listMuseums = () => listAll('/museums');
export const getMuseum = (museumId) => request('GET', `/museums/${id(museumId)}`).then((r) => r.data);
export const createBooking = (museumId, custNm) =>
  request('POST', '/books', { body: { museumId: Number(museumId), custNm }, idempotent: true }).then((r) => {
    rememberBooking(r.data);
    return r.data;
  });
export const getBooking = (bookId) =>
  request('GET', `/books/${id(bookId)}`, { token: tokenFor(bookId) }).then((r) => r.data);
export const cancelBooking = (bookId) =>
  request('PATCH', `/books/${id(bookId)}`, { body: { status: 'CANCELED' }, token: tokenFor(bookId), idempotent: true }).then(
    (r) => r.data,
  );
/** custNm's MyPage, opened with the token of one of their bookings on this device (null if none). */
export const listMyPages = (custNm) => {
  const token = tokenForVisitor(custNm);
  return token ? listAll('/myPages', { custNm }, { token }) : Promise.resolve(null);
};

// Staff
export const createMuseum = ({ name, chkDate, capacity }) =>
  request('POST', '/museums', { body: { name, chkDate, pcnt: capacity }, staff: true }).then((r) => r.data);
export const deleteMuseum = (museumId) => request('DELETE', `/museums/${id(museumId)}`, { staff: true });
/** Checks the staff credentials kept by signIn(): resolves, or rejects with ApiError 401. */
export const checkStaff = () => request('GET', '/books?limit=1', { staff: true });
export const listBookings = (museumId) => listAll('/books', { museumId }, { staff: true });
export const listConfirms = (museumId) => listAll('/confirms', { museumId }, { staff: true });
