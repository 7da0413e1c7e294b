// My account: who is signed in, two-step verification (set up or turned off here), and the password change (which
// ends the other sessions).
import { useState } from 'preact/hooks';
import { html, Notice } from '../ui.js';
import { api } from '../api.js';
import { TwoFactorSetup, TwoFactorOff } from './twofactor.js';

export function Account({ t, me, onSession }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [busy, setBusy] = useState(false);
  const acc = me.account;

  const submit = async (e) => {
    e.preventDefault();
    setError(null); setOk(null);
    if (next !== repeat) { setError({ code: 'mismatch' }); return; }
    setBusy(true);
    try {
      const s = await api('POST', '/api/auth/password', { currentPassword: current, newPassword: next });
      await onSession(s);
      setCurrent(''); setNext(''); setRepeat('');
      setOk(t('account.password.changed'));
    } catch (err) { setError(err); } finally { setBusy(false); }
  };

  return html`
    <h1>${t('account.title')}</h1>
    <section class="card">
      <p>${t('account.who', { name: (acc.displayName || acc.username) + ' · ' + acc.username })}</p>
      <p>${t('account.twoFactor')}: <strong data-testid="two-factor">${acc.twoFactorEnabled ? t('account.twoFactor.on', { n: me.recoveryCodesLeft }) : t('account.twoFactor.off')}</strong></p>
      ${acc.twoFactorEnabled ? html`<${TwoFactorOff} t=${t} onSession=${onSession} />` : html`<${TwoFactorSetup} t=${t} onDone=${onSession} />`}
    </section>
    <form class="card" onSubmit=${submit} data-testid="password-change">
      <h2>${t('account.password.title')}</h2>
      <input type="text" name="username" autocomplete="username" value=${acc.username} hidden readonly />
      <label class="field"><span class="label">${t('account.password.current')}</span>
        <input type="password" name="current" autocomplete="current-password" required maxlength="200" value=${current} onInput=${(e) => setCurrent(e.target.value)} /></label>
      <label class="field"><span class="label">${t('account.password.new')}</span>
        <input type="password" name="new" autocomplete="new-password" required minlength="10" maxlength="200" value=${next} onInput=${(e) => setNext(e.target.value)} /></label>
      <label class="field"><span class="label">${t('account.password.repeat')}</span>
        <input type="password" name="repeat" autocomplete="new-password" required minlength="10" maxlength="200" value=${repeat} onInput=${(e) => setRepeat(e.target.value)} /></label>
      ${error && error.code === 'mismatch' ? html`<p class="notice error" role="alert">${t('account.password.mismatch')}</p>` : html`<${Notice} t=${t} error=${error} ok=${ok} />`}
      <button type="submit" disabled=${busy}>${t('account.password.submit')}</button>
    </form>`;
}
