// Audit log (owners and admins): who did what, from where and when — sign-ins, account and configuration changes,
// exports, erasures, transfers — newest first, filtered on the server by action prefix, member and dates, paged.
import { useState, useEffect } from 'preact/hooks';
import { html, Notice, when } from '../ui.js';
import { api } from '../api.js';

const ACTIONS = ['auth.', 'accounts.', 'site.', 'widget.', 'routing.', 'replies.', 'webhooks.', 'exports.', 'visitor.', 'conversations.'];

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  return q.toString();
}

export function AuditPage({ t, lang, site }) {
  const [filters, setFilters] = useState({ action: '', actor: '', from: '', to: '' });
  const [members, setMembers] = useState({});
  const [rows, setRows] = useState(null);
  const [before, setBefore] = useState(null);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setFilters({ ...filters, [k]: e.target.value });

  const load = async (more) => {
    setError(null);
    try {
      const r = await api('GET', `/api/sites/${site.id}/audit?` + query({ ...filters, limit: 50, before: more ? before : '' }));
      setRows(more ? [...rows, ...r.entries] : r.entries);
      setBefore(r.nextBefore ?? null);
    } catch (err) { setError(err); }
  };
  useEffect(() => {
    load(false);
    api('GET', `/api/sites/${site.id}/accounts`).then((a) => setMembers(Object.fromEntries(a.map((x) => [x.id, x.displayName || x.username]))), () => {});
  }, [site.id]);

  return html`
    <h1>${t('audit.title')}</h1>
    <form class="card filters" role="search" onSubmit=${(e) => { e.preventDefault(); load(false); }}>
      <label class="field"><span class="label">${t('audit.action')}</span>
        <input name="action" maxlength="64" list="audit-actions" value=${filters.action} onInput=${set('action')} /></label>
      <datalist id="audit-actions">${ACTIONS.map((a) => html`<option value=${a}></option>`)}</datalist>
      <label class="field"><span class="label">${t('audit.actor')}</span>
        <select name="actor" value=${filters.actor} onChange=${set('actor')}>
          <option value="">${t('audit.anyone')}</option>
          ${Object.entries(members).map(([id, name]) => html`<option value=${id}>${name}</option>`)}</select></label>
      <label class="field"><span class="label">${t('history.from')}</span><input type="date" name="from" value=${filters.from} onInput=${set('from')} /></label>
      <label class="field"><span class="label">${t('history.to')}</span><input type="date" name="to" value=${filters.to} onInput=${set('to')} /></label>
      <div class="row end"><button type="submit">${t('history.go')}</button></div>
    </form>
    <${Notice} t=${t} error=${error} />
    ${rows === null ? html`<p>${t('common.loading')}</p>` : rows.length === 0 ? html`<p>${t('common.none')}</p>` : html`
      <div class="table-wrap"><table data-testid="audit">
        <thead><tr><th scope="col">${t('audit.at')}</th><th scope="col">${t('audit.actor')}</th><th scope="col">${t('audit.actionColumn')}</th>
          <th scope="col">${t('audit.target')}</th><th scope="col">${t('audit.address')}</th><th scope="col">${t('audit.detail')}</th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-action=${r.action}>
          <td>${when(lang, r.at)}</td><td>${r.actor ? members[r.actor] || r.actor : t('audit.system')}</td>
          <td><code>${r.action}</code></td><td dir="auto">${r.target || ''}</td><td>${r.address || ''}</td><td dir="auto"><small>${r.detail || ''}</small></td>
        </tr>`)}</tbody></table></div>`}
    ${before ? html`<button type="button" class="ghost" onClick=${() => load(true)} data-testid="audit-more">${t('history.more')}</button>` : null}`;
}
