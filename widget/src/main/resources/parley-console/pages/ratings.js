// Ratings: the visitors' scores with their comments, newest first, filtered by score, label, dates and whether a
// comment was left, paged on the server (GET /ratings). Agents see the ratings of their own conversations.
import { useState, useEffect } from 'preact/hooks';
import { html, Notice, when } from '../ui.js';
import { api } from '../api.js';

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  return q.toString();
}

export function RatingsPage({ t, lang, site }) {
  const [filters, setFilters] = useState({ score: '', label: '', commented: '', from: '', to: '' });
  const [rows, setRows] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setFilters({ ...filters, [k]: e.target.value });

  const load = async (more) => {
    setError(null);
    try {
      const r = await api('GET', `/api/sites/${site.id}/ratings?` + query({ ...filters, limit: 50, cursor: more ? cursor : '' }));
      setRows(more ? [...rows, ...r.items] : r.items);
      setCursor(r.nextCursor || null);
    } catch (err) { setError(err); }
  };
  useEffect(() => { load(false); }, [site.id]);

  return html`
    <h1>${t('ratings.title')}</h1>
    <form class="card filters" role="search" onSubmit=${(e) => { e.preventDefault(); load(false); }}>
      <label class="field"><span class="label">${t('ratings.score')}</span>
        <select name="score" value=${filters.score} onChange=${set('score')}>
          <option value="">${t('history.status.any')}</option>
          ${[5, 4, 3, 2, 1].map((n) => html`<option value=${n}>${'★'.repeat(n)}</option>`)}</select></label>
      <label class="field"><span class="label">${t('labels.filter')}</span>
        <input name="label" maxlength="40" value=${filters.label} onInput=${set('label')} /></label>
      <label class="field"><span class="label">${t('history.from')}</span><input type="date" name="from" value=${filters.from} onInput=${set('from')} /></label>
      <label class="field"><span class="label">${t('history.to')}</span><input type="date" name="to" value=${filters.to} onInput=${set('to')} /></label>
      <label class="check"><input type="checkbox" name="commented" checked=${filters.commented === 'true'}
        onChange=${(e) => setFilters({ ...filters, commented: e.target.checked ? 'true' : '' })} /> ${t('ratings.commented')}</label>
      <div class="row end"><button type="submit">${t('history.go')}</button></div>
    </form>
    <${Notice} t=${t} error=${error} />
    ${rows === null ? html`<p>${t('common.loading')}</p>` : rows.length === 0 ? html`<p>${t('common.none')}</p>` : html`
      <div class="table-wrap"><table data-testid="ratings">
        <thead><tr><th scope="col">${t('ratings.at')}</th><th scope="col">${t('ratings.score')}</th><th scope="col">${t('ratings.comment')}</th>
          <th scope="col">${t('dash.visitor')}</th><th scope="col">${t('labels.title')}</th><th scope="col">${t('history.transcript')}</th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-conversation=${r.conversationId}>
          <td>${when(lang, r.ratedAt)}</td>
          <td><span aria-label=${r.score + ' / 5'}>${'★'.repeat(r.score)}</span></td>
          <td dir="auto">${r.comment || '—'}</td>
          <td dir="auto">${r.visitorName || r.visitorId.slice(0, 8)}</td>
          <td class="labels">${(r.labels || []).map((l) => html`<span class="label-chip" dir="auto">${l}</span>`)}</td>
          <td><a href=${'#/history/' + encodeURIComponent(r.conversationId)}>${t('history.transcript')}</a></td>
        </tr>`)}</tbody></table></div>`}
    ${cursor ? html`<button type="button" class="ghost" onClick=${() => load(true)}>${t('history.more')}</button>` : null}`;
}
