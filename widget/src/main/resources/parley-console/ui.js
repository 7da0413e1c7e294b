// Small shared view pieces: htm bound to Preact, error text, a form field, a status line.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

/** The person's words for an API error (ApiError), in the page's language. */
export function errorText(t, e) {
  if (!e) return '';
  if (e.code === 'network') return t('error.network');
  if (e.code === 'invalid-request' || e.code === 'invalid-field' || e.code === 'missing-field') {
    return t('error.invalid-request', { field: e.field || '?' }) + (e.message ? ' ' + e.message : '');
  }
  const key = 'error.' + e.code;
  const s = t(key);
  return s === key ? t('error.generic', { code: e.code }) : s;
}

/** A status line read out by screen readers: an error (role=alert) or a confirmation (role=status). */
export function Notice({ error, ok, t }) {
  if (error) return html`<p class="notice error" role="alert">${errorText(t, error)}</p>`;
  if (ok) return html`<p class="notice ok" role="status">${ok}</p>`;
  return null;
}

let fieldIds = 0;
/** A labelled input; the label is always visible (axe: every control has a name). */
export function Field({ label, help, children }) {
  return html`<label class="field"><span class="label">${label}</span>${children}${help ? html`<small class="help">${help}</small>` : null}</label>`;
}

export function nextId(prefix) { fieldIds += 1; return prefix + '-' + fieldIds; }

let displayZone; // the site's IANA time zone for the times shown; undefined: the browser's (set by the app)

/** The zone times are shown in: the managed site's (GET /time-zone), so everyone reads the shop's clock. */
export function setDisplayZone(zone) { displayZone = zone || undefined; }

/** A time in the site's time zone, in the page's language. */
export function when(lang, iso) {
  if (!iso) return '';
  const d = new Date(iso);
  try {
    return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: displayZone });
  } catch (e) { // a zone this browser does not know: its own
    return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  }
}

/** Copies text to the clipboard; falls back to selecting it where the clipboard is not allowed. */
export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    return false;
  }
}
