// Every call to the JSON API goes through request() in this module (same origin, relative URLs).
// Staff-only calls pass { staff: true }: HTTP Basic credentials will be added in staffHeaders().

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

function staffHeaders() {
  return {}; // Staff authentication goes here when the API starts to require it.
}

async function request(method, url, { body, staff = false } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (staff) Object.assign(headers, staffHeaders());

  let res;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
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
  request('POST', '/books', { body: { museumId: Number(museumId), custNm } }).then((r) => r.data);
export const getBooking = (bookId) => request('GET', `/books/${id(bookId)}`).then((r) => r.data);
export const cancelBooking = (bookId) =>
  request('PATCH', `/books/${id(bookId)}`, { body: { status: 'CANCELED' } }).then((r) => r.data);
export const listMyPages = (custNm) => listAll('/myPages', { custNm });

// Staff
export const createMuseum = ({ name, chkDate, capacity }) =>
  request('POST', '/museums', { body: { name, chkDate, pcnt: capacity }, staff: true }).then((r) => r.data);
export const deleteMuseum = (museumId) => request('DELETE', `/museums/${id(museumId)}`, { staff: true });
export const listBookings = (museumId) => listAll('/books', { museumId }, { staff: true });
export const listConfirms = (museumId) => listAll('/confirms', { museumId }, { staff: true });
