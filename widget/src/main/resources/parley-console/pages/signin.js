// Sign-in: user name and password, then the two-step code when the account has two-factor sign-in, or its set-up
// when a site of the account demands it (the login then answers an enrolment-only token).
import { useState } from 'preact/hooks';
import { html, Notice } from '../ui.js';
import { api, setSession } from '../api.js';
import { TwoFactorSetup } from './twofactor.js';

export function SignIn({ t, onSession, initialError }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(initialError);
  const [enrolRequired, setEnrolRequired] = useState(false);

  const finish = async (s) => {
    if (s.twoFactorEnrolmentRequired) { setSession(s.token, s.expiresAt); setEnrolRequired(true); return; }
    await onSession(s);
  };

  const submitPassword = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      const r = await api('POST', '/api/auth/login', { username, password });
      if (r.twoFactorRequired) { setChallenge(r.challenge); setCode(''); } else { await finish(r); }
    } catch (err) { setError(err); } finally { setBusy(false); }
  };

  const submitCode = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      await finish(await api('POST', '/api/auth/login/2fa', { challenge, code: code.trim() }));
    } catch (err) {
      setError(err);
      if (err.code === 'token-expired') { setChallenge(null); setPassword(''); }
    } finally { setBusy(false); }
  };

  return html`
    <main class="signin" id="main">
      <h1>${t('app.name')}</h1>
      ${enrolRequired
        ? html`<section data-testid="enrol"><h2>${t('account.twoFactor')}</h2>
            <p class="notice error" role="alert">${t('signin.enrolRequired')}</p>
            <${TwoFactorSetup} t=${t} onDone=${onSession} /></section>`
        : challenge
          ? html`<form onSubmit=${submitCode} data-testid="code-form">
              <h2>${t('signin.code.title')}</h2>
              <p>${t('signin.code.help')}</p>
              <label class="field"><span class="label">${t('signin.code')}</span>
                <input name="code" autocomplete="one-time-code" inputmode="text" required maxlength="20" value=${code} onInput=${(e) => setCode(e.target.value)} autofocus /></label>
              <${Notice} t=${t} error=${error} />
              <div class="row">
                <button type="submit" disabled=${busy}>${t('signin.code.submit')}</button>
                <button type="button" class="ghost" onClick=${() => { setChallenge(null); setError(null); }}>${t('signin.back')}</button>
              </div>
            </form>`
          : html`<form onSubmit=${submitPassword} data-testid="password-form">
              <h2>${t('signin.title')}</h2>
              <label class="field"><span class="label">${t('signin.username')}</span>
                <input name="username" autocomplete="username" required maxlength="200" value=${username} onInput=${(e) => setUsername(e.target.value)} autofocus /></label>
              <label class="field"><span class="label">${t('signin.password')}</span>
                <input name="password" type="password" autocomplete="current-password" required maxlength="200" value=${password} onInput=${(e) => setPassword(e.target.value)} /></label>
              <${Notice} t=${t} error=${error} />
              <button type="submit" disabled=${busy}>${t('signin.submit')}</button>
            </form>`}
    </main>`;
}
