// Team: the site's accounts; create one (its generated password shown once), change role, disable or enable,
// reset the password, remove; and whether the site demands two-step verification (owners).
import { useState, useEffect } from 'preact/hooks';
import { html, Notice } from '../ui.js';
import { api } from '../api.js';

const ROLES = ['agent', 'supervisor', 'admin', 'owner'];

export function TeamPage({ t, site, role, refreshSites }) {
  const [accounts, setAccounts] = useState(null);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [form, setForm] = useState({ username: '', displayName: '', role: 'agent' });
  const base = `/api/sites/${site.id}/accounts`;

  const load = () => api('GET', base).then(setAccounts, setError);
  useEffect(() => { load(); }, [site.id]);

  const act = async (fn) => {
    setError(null); setOk(null);
    try { await fn(); await load(); } catch (err) { setError(err); }
  };

  const create = (e) => {
    e.preventDefault();
    act(async () => {
      const r = await api('POST', base, { username: form.username.trim(), displayName: form.displayName.trim() || form.username.trim(), role: form.role });
      setOk(t('team.created', { name: r.account.username, password: r.password }));
      setForm({ username: '', displayName: '', role: 'agent' });
    });
  };

  const roleLabel = (r) => t('role.' + r);

  return html`
    <h1>${t('team.title')}</h1>
    <form class="card" onSubmit=${create} data-testid="add-member">
      <h2>${t('team.add')}</h2>
      <div class="row">
        <label class="field"><span class="label">${t('team.username')}</span>
          <input name="username" required maxlength="64" autocomplete="off" value=${form.username} onInput=${(e) => setForm({ ...form, username: e.target.value })} /></label>
        <label class="field"><span class="label">${t('team.displayName')}</span>
          <input name="displayName" maxlength="100" autocomplete="off" value=${form.displayName} onInput=${(e) => setForm({ ...form, displayName: e.target.value })} /></label>
        <label class="field"><span class="label">${t('team.role')}</span>
          <select name="role" value=${form.role} onChange=${(e) => setForm({ ...form, role: e.target.value })}>
            ${ROLES.map((r) => html`<option value=${r}>${roleLabel(r)}</option>`)}
          </select></label>
      </div>
      <button type="submit">${t('team.add')}</button>
    </form>
    <${Notice} t=${t} error=${error} ok=${ok} />
    ${role === 'owner'
      ? html`<label class="check card"><input type="checkbox" checked=${!!site.twoFactorRequired}
          onChange=${(e) => act(async () => { await api('PATCH', `/api/sites/${site.id}`, { twoFactorRequired: e.target.checked }); await refreshSites(); })} /> ${t('team.require2fa')}</label>`
      : null}
    ${accounts === null
      ? html`<p>${t('common.loading')}</p>`
      : html`<div class="table-wrap"><table data-testid="accounts">
          <thead><tr><th scope="col">${t('team.username')}</th><th scope="col">${t('team.displayName')}</th><th scope="col">${t('team.role')}</th>
            <th scope="col">${t('team.status')}</th><th scope="col">${t('team.twoFactor')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
          <tbody>
            ${accounts.map((a) => html`<tr data-username=${a.username}>
              <td>${a.username}</td><td>${a.displayName}</td>
              <td><select aria-label=${t('team.role') + ' ' + a.username} value=${a.role}
                    onChange=${(e) => act(() => api('PATCH', `${base}/${a.id}`, { role: e.target.value }))}>
                  ${ROLES.map((r) => html`<option value=${r}>${roleLabel(r)}</option>`)}</select></td>
              <td>${a.disabled ? t('team.disabled') : t('team.enabled')}</td>
              <td>${a.twoFactorEnabled ? t('common.yes') : t('common.no')}</td>
              <td><div class="actions">
                <button type="button" class="ghost" onClick=${() => act(() => api('PATCH', `${base}/${a.id}`, { disabled: !a.disabled }))}>${a.disabled ? t('team.enable') : t('team.disable')}</button>
                <button type="button" class="ghost" onClick=${() => act(async () => { const r = await api('POST', `${base}/${a.id}/reset-password`); setOk(t('team.reset', { name: a.username, password: r.password })); })}>${t('team.resetPassword')}</button>
                ${a.twoFactorEnabled ? html`<button type="button" class="ghost" data-testid="reset-2fa" onClick=${() => act(async () => { await api('POST', `${base}/${a.id}/reset-2fa`); setOk(t('team.reset2fa.done', { name: a.username })); })}>${t('team.reset2fa')}</button>` : null}
                <button type="button" class="ghost danger" onClick=${() => window.confirm(t('team.delete.confirm', { name: a.username })) && act(() => api('DELETE', `${base}/${a.id}`))}>${t('team.delete')}</button>
              </div></td></tr>`)}
          </tbody></table></div>`}`;
}
