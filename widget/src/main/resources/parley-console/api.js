// The console's JSON API client. The session is a bearer token held in this module and in sessionStorage (this tab
// only, gone when the tab closes); no cookie is ever set, so no other site can make the browser act for the person
// (no CSRF), and the strict CSP keeps other scripts out of the page (docs/DECISIONS.md, "Web console").
const TOKEN_KEY = 'parley-console-session';
const RENEW_BEFORE_MS = 10 * 60 * 1000;
const MIN_RENEW_DELAY_MS = 30 * 1000;

/** An API refusal: code is the documented error code (PROTOCOL.md §8), field the offending field if any. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

let session = null; // {token, expiresAt}; owned by this module, null when signed out
let renewTimer = null;
let onSignedOut = () => {};

export function loadSession() {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    if (raw) session = JSON.parse(raw);
  } catch (e) { session = null; }
  scheduleRenewal();
  return session;
}

export function setSession(token, expiresAt) {
  session = { token, expiresAt };
  try { sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session)); } catch (e) { /* kept in memory only */ }
  scheduleRenewal();
}

export function clearSession() {
  session = null;
  clearTimeout(renewTimer);
  try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
}

export function token() { return session && session.token; }

/** Called when the server says the token no longer works (revoked, expired): the app shows the sign-in again. */
export function whenSignedOut(callback) { onSignedOut = callback; }

function scheduleRenewal() {
  clearTimeout(renewTimer);
  if (!session || !session.expiresAt) return;
  const delay = Math.max(MIN_RENEW_DELAY_MS, new Date(session.expiresAt).getTime() - Date.now() - RENEW_BEFORE_MS);
  renewTimer = setTimeout(async () => {
    try {
      const r = await api('POST', '/api/auth/renew');
      setSession(r.token, r.expiresAt);
    } catch (e) {
      // 401 already signed the person out in api(); anything else is retried at the next timer.
      if (session) renewTimer = setTimeout(scheduleRenewal, MIN_RENEW_DELAY_MS);
    }
  }, delay);
}

/** One API call: JSON in, JSON out; a refusal throws ApiError with the server's code. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (session) headers.Authorization = 'Bearer ' + session.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  const text = await res.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch (e) { json = null; }
  }
  if (!res.ok) {
    const err = (json && json.error) || {};
    const error = new ApiError(res.status, err.code || 'http-' + res.status, err.message, err.field);
    // A wrong password re-typed for a change is refused with 401 too; it is no reason to sign the person out.
    const passwordCheck = path === '/api/auth/password' || path === '/api/auth/2fa/disable';
    if (res.status === 401 && session && !path.startsWith('/api/auth/login') && !passwordCheck) {
      clearSession();
      onSignedOut(error);
    }
    throw error;
  }
  return json;
}

/** A file download with the bearer token (CSV export): streams the body, telling progress in rows. */
export async function download(path, onRows) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + token() }, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) {
    let code = 'http-' + res.status;
    try { code = (await res.json()).error.code; } catch (e) { /* not JSON */ }
    throw new ApiError(res.status, code);
  }
  const reader = res.body.getReader();
  const chunks = [];
  let rows = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    for (const b of value) if (b === 10) rows++;
    onRows(Math.max(0, rows - 1));
  }
  return { blob: new Blob(chunks, { type: 'text/csv' }), rows: Math.max(0, rows - 1) };
}
