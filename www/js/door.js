// The door: door staff (a door or admin account) sign in, choose the exhibition and name the gate
// (both remembered on this device), choose entry or exit, and scan tickets — with the camera
// (BarcodeDetector where the browser has it, else jsQR, vendored into /vendor/jsQR.js), from an
// image, or by typing the code. Each scan gets a nonce and goes to POST /checkins; the answer shows
// as a huge green or red panel (with a sound and a vibration where available). A scan that cannot
// reach the server (no answer, 502/503/504, 429) waits in a queue in localStorage with its nonce,
// and is resent in order when the connection is back (the online event, and a retry timer): the
// server answers a resent nonce exactly as the first time, so nothing is admitted twice. What the
// queued scans were answered shows in "Answers learnt later", refusals highlighted. A live
// "inside now" counter polls GET /museums/{id}/inside while the page is visible.
import { museumPages, today, signIn, signOut, isSignedIn, staffUser, checkCredentials, checkin, insideNow } from './api.js';
import { t, tn, formatDay, locale } from './i18n.js';
import { el, errorText, showMessage, poll, setFieldError } from './ui.js';
import { initSite, getSiteInfo } from './site.js';
import { partyText } from './format.js';
import { slotRange } from './time.js';
import { groupCode } from './ticket.js';

const SETTINGS_KEY = 'skmuseum.door'; // { museumId, gate, mode }
const QUEUE_KEY = 'skmuseum.doorQueue'; // [{ code, nonce, type, gate, at }], oldest first
const LATER_KEY = 'skmuseum.doorLater'; // [{ code, type, at, status, body }], newest first
const LATER_MAX = 50;
const INSIDE_MS = 4000;
const RETRY_MS = 5000;
const CAMERA_MS = 150; // between two looks at the camera's picture
const DEBOUNCE_MS = 3000; // the camera ignores the same code again within this
const RETRYABLE = new Set([429, 502, 503, 504]);
const CODE_RE = /^[0-9A-HJKMNP-TV-Z]{10}$/;

const $ = (id) => document.getElementById(id);
const loginSection = $('door-login');
const loginForm = $('door-login-form');
const userInput = $('door-user');
const passwordInput = $('door-password');
const loginMessage = $('door-login-message');
const app = $('door-app');
const museumSelect = $('door-museum');
const gateInput = $('door-gate');
const answerBox = $('door-answer');
const codeForm = $('code-form');
const codeInput = $('door-code');
const video = $('door-video');
const cameraButton = $('camera-toggle');
const cameraMessage = $('camera-message');

let site = getSiteInfo();
let museums = [];
let stopInside = () => {};
let shown = null; // { kind, ... } of the answer shown, to re-render it on a language change
let flushing = null; // the running flush (a promise), so two never overlap
let camera = null; // { stream, timer } while the camera runs
let lastCamera = { code: '', at: 0 };
let audio = null;

// ---- Storage ---------------------------------------------------------------------------------

function read(key, fallback) {
  try {
    const v = JSON.parse(localStorage.getItem(key) || 'null');
    return v ?? fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: kept for this page only
  }
}

const settings = () => ({ museumId: '', gate: '', mode: 'entry', ...read(SETTINGS_KEY, {}) });
const saveSettings = (change) => write(SETTINGS_KEY, { ...settings(), ...change });
const queue = () => (Array.isArray(read(QUEUE_KEY, [])) ? read(QUEUE_KEY, []) : []);
const laterList = () => (Array.isArray(read(LATER_KEY, [])) ? read(LATER_KEY, []) : []);

/** A random nonce for one scan: a UUID (crypto.randomUUID where the page is a secure context, else made from getRandomValues). */
export function newNonce() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A ticket code as scanned or typed, in its canonical form: upper case, without spaces or
 * hyphens, with the letters Crockford base32 reads as digits (O → 0, I and L → 1); '' when what
 * is left is not 10 characters of the alphabet.
 */
export function normaliseCode(text) {
  const code = String(text || '').toUpperCase().replace(/[\s-]+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return CODE_RE.test(code) ? code : '';
}

// ---- Feedback ----------------------------------------------------------------------------------

/** A short beep (and a vibration): one high tone for yes, two low ones for no. */
function signal(ok) {
  try {
    navigator.vibrate?.(ok ? 120 : [200, 100, 200]);
  } catch {
    // no vibration
  }
  try {
    audio ??= new (window.AudioContext || window.webkitAudioContext)();
    const tones = ok ? [[880, 0, 0.15]] : [[220, 0, 0.2], [220, 0.3, 0.2]];
    for (const [freq, start, length] of tones) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + start);
      osc.stop(audio.currentTime + start + length);
    }
  } catch {
    // no sound
  }
}

/**
 * "10:42", or "3 May 10:42" when not today, in the museum's time zone (as the slots are shown),
 * whatever the door device's own zone.
 */
function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso || '');
  const timeZone = site.timeZone || undefined;
  const dayOf = (x) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(x);
  const sameDay = dayOf(d) === dayOf(new Date());
  return new Intl.DateTimeFormat(locale(), { timeZone, ...(sameDay ? {} : { month: 'short', day: 'numeric' }), hour: '2-digit', minute: '2-digit' }).format(d);
}

/** Words for a server answer to a scan: { result: 'admitted'|'exited'|'refused'|'error', title, detail, more }. */
function describe({ status, body, code, type }) {
  const b = body && typeof body === 'object' ? body : {};
  const shownCode = groupCode(b.code || code);
  if (status === 201 || status === 200) {
    const party = Number(b.party) || 0;
    const tickets = partyText(b.tickets, site.categories);
    const exited = b.result === 'exited' || type === 'exit';
    const slot = b.slot ? slotRange(b.slot, b.slotEnd) : '';
    return {
      result: exited ? 'exited' : 'admitted',
      title: t(exited ? 'door.exited' : 'door.admitted', { n: party }),
      detail: [party ? tn('party.total', party) : '', tickets].filter(Boolean).join(' · '),
      more: [b.custNm, slot, shownCode].filter(Boolean).join(' · '),
    };
  }
  if (status === 409) {
    const reason = String(b.reason || '');
    const key = `door.reason.${reason}`;
    const title = t(key in REASONS ? key : 'door.refused', { time: clock(b.firstAdmittedAt) });
    const slot = b.slot && /^too_/.test(reason) ? `${formatDay(String(b.slot).slice(0, 10))} ${slotRange(b.slot, b.slotEnd)}` : '';
    const who = [b.custNm, b.party ? tn('party.total', Number(b.party)) : ''].filter(Boolean).join(' · ');
    return { result: 'refused', reason, title, detail: [slot, who].filter(Boolean).join(' · '), more: shownCode };
  }
  if (status === 404) return { result: 'refused', reason: 'unknown', title: t('door.unknown'), detail: '', more: shownCode };
  if (status === 422) return { result: 'refused', reason: 'invalid', title: t('door.invalid'), detail: '', more: shownCode };
  if (status === 403) return { result: 'refused', reason: 'forbidden', title: t('door.forbidden'), detail: '', more: '' };
  return { result: 'refused', reason: 'error', title: errorText({ status, detail: '' }), detail: '', more: shownCode };
}
const REASONS = Object.fromEntries(['already_admitted', 'canceled', 'too_early', 'too_late', 'not_admitted', 'already_exited'].map((r) => [`door.reason.${r}`, true]));

function renderAnswer() {
  if (!shown) {
    answerBox.dataset.result = 'idle';
    answerBox.dataset.reason = '';
    $('door-answer-title').textContent = t('door.ready');
    $('door-answer-detail').textContent = '';
    $('door-answer-more').textContent = '';
    return;
  }
  let words;
  if (shown.kind === 'queued') words = { result: 'queued', title: t('door.queued'), detail: t('door.queuedDetail'), more: groupCode(shown.code) };
  else if (shown.kind === 'local') words = { result: 'refused', reason: 'invalid', title: t('door.notCode'), detail: '', more: shown.text || '' };
  else words = describe(shown);
  answerBox.dataset.result = words.result;
  answerBox.dataset.reason = words.reason || '';
  $('door-answer-title').textContent = words.title;
  $('door-answer-detail').textContent = words.detail || '';
  $('door-answer-more').textContent = words.more || '';
}

function showAnswer(answer) {
  shown = answer;
  renderAnswer();
  if (answer.kind === 'queued') signal(false);
  else if (answer.kind === 'local') signal(false);
  else signal(answer.status === 201 || answer.status === 200);
}

// ---- Scans -------------------------------------------------------------------------------------

/** One scan of text (what the QR code or the typist gave): checked in now, or queued when the server cannot be reached. */
async function scan(text) {
  const code = normaliseCode(text);
  if (!code) {
    showAnswer({ kind: 'local', text: String(text || '').slice(0, 40) });
    return;
  }
  const { gate, mode } = currentSettings();
  const item = { code, nonce: newNonce(), type: mode, gate, at: new Date().toISOString() };
  if (queue().length) await flush(); // the queue goes first, in order
  if (queue().length) {
    enqueue(item);
    return;
  }
  let answer;
  try {
    answer = await checkin(item);
  } catch {
    answer = null; // no answer: offline
  }
  if (!answer || RETRYABLE.has(answer.status)) {
    enqueue(item);
    return;
  }
  if (answer.status === 401) {
    enqueue(item); // kept, and sent once signed in again
    needSignIn();
    return;
  }
  showAnswer({ kind: 'answer', ...answer, code, type: item.type });
  refreshInside();
}

function enqueue(item) {
  write(QUEUE_KEY, [...queue(), item]);
  showAnswer({ kind: 'queued', code: item.code });
  renderQueue();
}

/**
 * Send the queued scans, oldest first, until one cannot be sent (then the rest wait). One flush at
 * a time: a call while one runs gets that one. `flushing` is cleared in a .finally callback, which
 * runs after the assignment even when the queue was empty (a `finally` inside the async function
 * itself would run first, and the assignment would then keep the ended flush for good).
 */
function flush() {
  if (!flushing) {
    flushing = sendQueued().finally(() => {
      flushing = null;
      renderQueue();
    });
  }
  return flushing;
}

async function sendQueued() {
  while (isSignedIn()) {
    const [item] = queue();
    if (!item) break;
    let answer;
    try {
      answer = await checkin(item);
    } catch {
      break; // still offline
    }
    if (RETRYABLE.has(answer.status)) break;
    if (answer.status === 401) {
      needSignIn();
      break;
    }
    write(QUEUE_KEY, queue().filter((q) => q.nonce !== item.nonce));
    write(LATER_KEY, [{ code: item.code, type: item.type, at: item.at, status: answer.status, body: answer.body }, ...laterList()].slice(0, LATER_MAX));
    if (shown?.kind === 'queued' && shown.code === item.code) showAnswer({ kind: 'answer', ...answer, code: item.code, type: item.type });
    renderLater();
    refreshInside();
  }
}

function renderQueue() {
  const waiting = queue().length;
  $('door-queue-section').hidden = !waiting;
  $('door-queue-count').textContent = waiting ? tn('door.queueCount', waiting) : '';
}

function renderLater() {
  const list = laterList();
  $('door-later-section').hidden = !list.length;
  $('door-later').replaceChildren(
    ...list.map((entry) => {
      const words = describe(entry);
      return el(
        'li',
        { 'data-result': words.result, 'data-reason': words.reason || '', 'data-code': entry.code },
        el('time', { datetime: entry.at }, clock(entry.at)),
        ' ',
        el('strong', {}, words.title),
        ' ',
        el('span', { class: 'code', translate: 'no' }, groupCode(entry.code)),
        words.detail ? el('span', { class: 'hint' }, ` · ${words.detail}`) : '',
      );
    }),
  );
}

// ---- Decoding images ---------------------------------------------------------------------------

let detector; // BarcodeDetector for QR codes, null when the browser has none (undefined: not asked yet)
let jsqr = null;

async function qrDetector() {
  if (detector !== undefined) return detector;
  detector = null;
  try {
    if ('BarcodeDetector' in window) {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    }
  } catch {
    detector = null;
  }
  return detector;
}

/** jsQR (window.jsQR, from /vendor/jsQR.js, loaded the first time it is needed). */
function loadJsQR() {
  jsqr ??= new Promise((resolve, reject) => {
    if (window.jsQR) {
      resolve(window.jsQR);
      return;
    }
    const script = el('script', { src: '/vendor/jsQR.js' });
    script.addEventListener('load', () => (window.jsQR ? resolve(window.jsQR) : reject(new Error('jsQR missing'))));
    script.addEventListener('error', () => {
      jsqr = null;
      reject(new Error('jsQR not loaded'));
    });
    document.head.append(script);
  });
  return jsqr;
}

const canvas = document.createElement('canvas');

/** The text of the first QR code in source (an ImageBitmap or a playing video), or null. */
async function decode(source, { thorough = false } = {}) {
  const d = await qrDetector();
  if (d) {
    try {
      const [found] = await d.detect(source);
      if (found?.rawValue) return found.rawValue;
    } catch {
      // fall back to jsQR
    }
  }
  const width = source.videoWidth || source.width;
  const height = source.videoHeight || source.height;
  if (!width || !height) return null;
  const scale = Math.min(1, (thorough ? 1600 : 720) / Math.max(width, height));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height); // a transparent image reads as white paper
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const decodeQR = await loadJsQR();
  const found = decodeQR(image.data, image.width, image.height, { inversionAttempts: thorough ? 'attemptBoth' : 'dontInvert' });
  return found?.data || null;
}

async function onFile() {
  const file = $('door-file').files?.[0];
  $('door-file').value = '';
  if (!file) return;
  let text = null;
  try {
    const bitmap = await createImageBitmap(file);
    text = await decode(bitmap, { thorough: true });
    bitmap.close?.();
  } catch (err) {
    console.warn('image not decoded', err);
  }
  if (text === null) {
    shown = null;
    renderAnswer();
    $('door-answer-title').textContent = t('door.noQr');
    answerBox.dataset.result = 'refused';
    signal(false);
    return;
  }
  await scan(text); // an image always goes, as a typed code does
}

// ---- Camera ------------------------------------------------------------------------------------

async function startCamera() {
  if (camera) return;
  if (!navigator.mediaDevices?.getUserMedia) {
    showMessage(cameraMessage, t('door.noCamera'), 'error');
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    camera = { stream, timer: null };
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    cameraButton.textContent = t('door.cameraStop');
    showMessage(cameraMessage, '');
    look();
  } catch (err) {
    stopCamera();
    showMessage(cameraMessage, t(err?.name === 'NotAllowedError' ? 'door.cameraDenied' : 'door.noCamera'), 'error');
  }
}

function stopCamera() {
  if (camera) {
    clearTimeout(camera.timer);
    for (const track of camera.stream.getTracks()) track.stop();
  }
  camera = null;
  video.srcObject = null;
  video.hidden = true;
  cameraButton.textContent = t('door.cameraStart');
}

async function look() {
  if (!camera) return;
  if (!document.hidden && video.readyState >= 2) {
    try {
      const text = await decode(video);
      if (text) {
        const code = normaliseCode(text) || text;
        const now = Date.now();
        if (!(code === lastCamera.code && now - lastCamera.at < DEBOUNCE_MS)) {
          lastCamera = { code, at: now };
          await scan(text);
        } else lastCamera.at = now; // still in front of the camera: keep ignoring it
      }
    } catch (err) {
      console.warn('camera frame not decoded', err);
    }
  }
  if (camera) camera.timer = setTimeout(look, CAMERA_MS);
}

// ---- Settings, inside counter ------------------------------------------------------------------

function currentSettings() {
  return { museumId: museumSelect.value, gate: gateInput.value.trim(), mode: document.querySelector('input[name="mode"]:checked')?.value || 'entry' };
}

async function refreshInside() {
  const museumId = museumSelect.value;
  $('door-inside').hidden = !museumId;
  if (!museumId || !isSignedIn()) return;
  try {
    const n = await insideNow(museumId);
    if (museumSelect.value === museumId) $('door-inside-count').textContent = String(n);
  } catch (err) {
    if (err.status === 401) needSignIn();
    else if (museumSelect.value === museumId) $('door-inside-count').textContent = '–';
  }
}

function watchInside() {
  stopInside();
  stopInside = museumSelect.value ? poll(refreshInside, INSIDE_MS) : () => {};
  if (!museumSelect.value) $('door-inside').hidden = true;
}

async function loadMuseums() {
  try {
    const page = await museumPages()({ from: today(site.timeZone), limit: 100 });
    museums = page.items;
  } catch (err) {
    showMessage(cameraMessage, errorText(err), 'error');
  }
  renderMuseums();
}

function renderMuseums() {
  const chosen = museumSelect.value || settings().museumId;
  museumSelect.replaceChildren(el('option', { value: '' }, t('book.choose')), ...museums.map((m) => el('option', { value: m.id }, m.name)));
  if (museums.some((m) => String(m.id) === String(chosen))) museumSelect.value = String(chosen);
}

// ---- Sign-in -----------------------------------------------------------------------------------

function showApp(signedIn) {
  loginSection.hidden = signedIn;
  app.hidden = !signedIn;
  if (signedIn) {
    $('door-who').textContent = t('door.signedInAs', { user: staffUser() });
    watchInside();
    flush();
  } else {
    stopInside();
    stopCamera();
  }
}

function needSignIn() {
  signOut();
  showApp(false);
  showMessage(loginMessage, t('admin.signInAgain'), 'error');
}

async function onSignIn(event) {
  event.preventDefault();
  const user = userInput.value.trim();
  const password = passwordInput.value;
  setFieldError(userInput, user ? '' : t('valid.required'));
  setFieldError(passwordInput, password ? '' : t('valid.required'));
  if (!user || !password) {
    (user ? passwordInput : userInput).focus();
    return;
  }
  const button = loginForm.querySelector('button[type="submit"]');
  button.disabled = true;
  showMessage(loginMessage, t('admin.signingIn'));
  signIn(password, user);
  try {
    await checkCredentials();
    passwordInput.value = '';
    showMessage(loginMessage, '');
    showApp(true);
    museumSelect.focus();
  } catch (err) {
    signOut();
    if (err.status === 401) {
      showMessage(loginMessage, t('door.wrongPassword'), 'error');
      passwordInput.focus();
    } else showMessage(loginMessage, errorText(err), 'error');
  } finally {
    button.disabled = false;
  }
}

// ---- Start -------------------------------------------------------------------------------------

loginForm.addEventListener('submit', onSignIn);
$('door-sign-out').addEventListener('click', () => {
  signOut();
  showApp(false);
  userInput.focus();
});
museumSelect.addEventListener('change', () => {
  saveSettings({ museumId: museumSelect.value });
  $('door-inside-count').textContent = '–';
  watchInside();
});
gateInput.addEventListener('change', () => saveSettings({ gate: gateInput.value.trim() }));
for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener('change', () => {
    saveSettings({ mode: currentSettings().mode });
    app.dataset.mode = currentSettings().mode;
  });
}
codeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = codeInput.value;
  const code = normaliseCode(text);
  setFieldError(codeInput, code ? '' : t('door.codeFormat'));
  if (!code) {
    codeInput.focus();
    return;
  }
  codeInput.value = '';
  await scan(code);
  codeInput.focus();
});
$('door-file').addEventListener('change', onFile);
cameraButton.addEventListener('click', () => (camera ? stopCamera() : startCamera()));
window.addEventListener('online', () => flush());
setInterval(() => {
  if (queue().length && isSignedIn()) flush();
}, RETRY_MS);
document.addEventListener('visibilitychange', () => {
  if (document.hidden) stopCamera();
});
document.addEventListener('langchange', () => {
  renderAnswer();
  renderQueue();
  renderLater();
  renderMuseums();
  cameraButton.textContent = t(camera ? 'door.cameraStop' : 'door.cameraStart');
  if (isSignedIn()) $('door-who').textContent = t('door.signedInAs', { user: staffUser() });
});

{
  const s = settings();
  gateInput.value = s.gate || '';
  const radio = document.querySelector(`input[name="mode"][value="${s.mode === 'exit' ? 'exit' : 'entry'}"]`);
  if (radio) radio.checked = true;
  app.dataset.mode = currentSettings().mode;
}
renderAnswer();
renderQueue();
renderLater();
initSite().then(async (info) => {
  site = info;
  await loadMuseums();
  showApp(isSignedIn());
});
