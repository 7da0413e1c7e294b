// Two-step verification set-up, used by My account and by the sign-in of a member whose site demands it (an
// enrolment-only token, PROTOCOL.md §7): a new secret with its QR code, a code from the app to turn it on, then the
// ten recovery codes, shown once, before the session goes on with the full token the confirmation answered.
import { useState } from 'preact/hooks';
import { html, Notice, copy } from '../ui.js';
import { api } from '../api.js';

/** The server's QR code (an SVG document) as an image: never put into the page as markup. */
function qrImage(svg) {
  return 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(svg)));
}

export function TwoFactorSetup({ t, onDone }) {
  const [enrolment, setEnrolment] = useState(null); // {secret, uri, qrSvg} while setting up
  const [code, setCode] = useState('');
  const [done, setDone] = useState(null); // the confirmation: {recoveryCodes, token, expiresAt}
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setError(null);
    try { setEnrolment(await api('POST', '/api/auth/2fa/enrol')); } catch (err) { setError(err); }
  };
  const confirm = async (e) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try { setDone(await api('POST', '/api/auth/2fa/confirm', { code: code.trim() })); } catch (err) { setError(err); } finally { setBusy(false); }
  };

  if (done) {
    return html`<div class="secret" data-testid="recovery-codes">
      <p class="notice ok" role="status">${t('twofactor.on')} ${t('common.shownOnce')}</p>
      <p>${t('twofactor.recovery')}</p>
      <pre class="code">${done.recoveryCodes.join('\n')}</pre>
      <div class="row">
        <button type="button" class="ghost" onClick=${() => copy(done.recoveryCodes.join('\n'))}>${t('common.copy')}</button>
        <button type="button" onClick=${() => onDone({ token: done.token, expiresAt: done.expiresAt })} data-testid="twofactor-continue">${t('twofactor.continue')}</button>
      </div>
    </div>`;
  }
  if (!enrolment) {
    return html`<div>
      <${Notice} t=${t} error=${error} />
      <button type="button" onClick=${start} data-testid="twofactor-start">${t('twofactor.start')}</button>
    </div>`;
  }
  return html`<form onSubmit=${confirm} data-testid="twofactor-form">
    <p>${t('twofactor.scan')}</p>
    <img class="qr" src=${qrImage(enrolment.qrSvg)} width="180" height="180" alt=${t('twofactor.qr')} />
    <p>${t('twofactor.manual')} <code data-testid="twofactor-secret">${enrolment.secret}</code></p>
    <label class="field"><span class="label">${t('signin.code')}</span>
      <input name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="6" value=${code} onInput=${(e) => setCode(e.target.value)} /></label>
    <${Notice} t=${t} error=${error} />
    <button type="submit" disabled=${busy}>${t('twofactor.confirm')}</button>
  </form>`;
}

/** Turning two-step verification off takes the password; the answer is a new session (others are ended). */
export function TwoFactorOff({ t, onSession }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try { await onSession(await api('POST', '/api/auth/2fa/disable', { password })); } catch (err) { setError(err); }
  };
  return html`<form onSubmit=${submit} data-testid="twofactor-off">
    <label class="field"><span class="label">${t('account.password.current')}</span>
      <input type="password" name="password" autocomplete="current-password" required maxlength="200" value=${password} onInput=${(e) => setPassword(e.target.value)} /></label>
    <${Notice} t=${t} error=${error} />
    <button type="submit" class="ghost danger">${t('twofactor.off')}</button>
  </form>`;
}
