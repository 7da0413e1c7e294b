// History: conversations filtered and paged on the server (words of any message, Chinese or English, status,
// dates, agent, group, rating, label, visitor, missed), a transcript with its labels (added and taken off here) and
// the visitor's other conversations, and the CSV export with progress.
import { useState, useEffect } from 'preact/hooks';
import { html, Notice, when } from '../ui.js';
import { api, download } from '../api.js';

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  return q.toString();
}

export function History(props) {
  return props.arg ? html`<${Transcript} ...${props} id=${props.arg} />` : html`<${List} ...${props} />`;
}

function List({ t, lang, site }) {
  const [filters, setFilters] = useState({ text: '', status: '', from: '', to: '', agent: '', group: '', minRating: '', missed: '', visitor: '', label: '' });
  const [agents, setAgents] = useState([]);
  const [groups, setGroups] = useState([]);
  const [rows, setRows] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const [progress, setProgress] = useState(null);

  const load = async (more) => {
    setError(null);
    try {
      const r = await api('GET', `/api/sites/${site.id}/conversations?` + query({ ...filters, limit: 50, cursor: more ? cursor : '' }));
      setRows(more ? [...rows, ...r.items] : r.items);
      setCursor(r.nextCursor || null);
    } catch (err) { setError(err); }
  };
  useEffect(() => {
    load(false);
    api('GET', `/api/sites/${site.id}/accounts`).then(setAgents, () => {}); // managers only; others filter without it
    api('GET', `/api/sites/${site.id}/routing`).then((r) => setGroups(r.groups || []), () => {});
  }, [site.id]);

  const exportCsv = async () => {
    setError(null);
    setProgress(t('history.exporting', { n: 0 }));
    try {
      const { blob, rows: n } = await download(`/api/sites/${site.id}/exports/conversations.csv?` + query(filters),
        (r) => setProgress(t('history.exporting', { n: r })));
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `parley-${site.id}-conversations.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      setProgress(t('history.exported', { n }));
    } catch (err) { setProgress(null); setError(err); }
  };

  const set = (k) => (e) => setFilters({ ...filters, [k]: e.target.value });

  return html`
    <h1>${t('history.title')}</h1>
    <form class="card filters" role="search" onSubmit=${(e) => { e.preventDefault(); load(false); }}>
      <label class="field grow"><span class="label">${t('history.search')}</span>
        <input type="search" name="text" maxlength="200" value=${filters.text} onInput=${set('text')} /></label>
      <label class="field"><span class="label">${t('history.status')}</span>
        <select name="status" value=${filters.status} onChange=${set('status')}>
          <option value="">${t('history.status.any')}</option>
          <option value="waiting">${t('dash.waiting')}</option>
          <option value="assigned">${t('history.status.open')}</option>
          <option value="closed">${t('history.status.closed')}</option>
        </select></label>
      ${agents.length ? html`<label class="field"><span class="label">${t('history.agent')}</span>
        <select name="agent" value=${filters.agent} onChange=${set('agent')}>
          <option value="">${t('history.status.any')}</option>
          ${agents.map((a) => html`<option value=${a.id}>${a.displayName || a.username}</option>`)}</select></label>` : null}
      ${groups.length ? html`<label class="field"><span class="label">${t('dash.group')}</span>
        <select name="group" value=${filters.group} onChange=${set('group')}>
          <option value="">${t('history.status.any')}</option>
          ${groups.map((g) => html`<option value=${g.id}>${g.name}</option>`)}</select></label>` : null}
      <label class="field"><span class="label">${t('history.minRating')}</span>
        <select name="minRating" value=${filters.minRating} onChange=${set('minRating')}>
          <option value="">${t('history.status.any')}</option>
          ${[1, 2, 3, 4, 5].map((n) => html`<option value=${n}>${'★'.repeat(n)}</option>`)}</select></label>
      <label class="field"><span class="label">${t('labels.filter')}</span>
        <input name="label" maxlength="40" value=${filters.label} onInput=${set('label')} /></label>
      <label class="field"><span class="label">${t('history.visitor')}</span>
        <input name="visitor" maxlength="200" value=${filters.visitor} onInput=${set('visitor')} /></label>
      <label class="check"><input type="checkbox" name="missed" checked=${filters.missed === 'true'}
        onChange=${(e) => setFilters({ ...filters, missed: e.target.checked ? 'true' : '' })} /> ${t('history.missedOnly')}</label>
      <label class="field"><span class="label">${t('history.from')}</span><input type="date" name="from" value=${filters.from} onInput=${set('from')} /></label>
      <label class="field"><span class="label">${t('history.to')}</span><input type="date" name="to" value=${filters.to} onInput=${set('to')} /></label>
      <div class="row end">
        <button type="submit">${t('history.go')}</button>
        <button type="button" class="ghost" onClick=${exportCsv} data-testid="export">${t('history.export')}</button>
      </div>
    </form>
    <${Notice} t=${t} error=${error} />
    ${progress ? html`<p class="notice ok" role="status" data-testid="export-progress">${progress}</p>` : null}
    ${rows === null ? html`<p>${t('common.loading')}</p>` : html`<${Rows} t=${t} lang=${lang} rows=${rows} />`}
    ${cursor ? html`<button type="button" class="ghost" onClick=${() => load(true)}>${t('history.more')}</button>` : null}`;
}

function Rows({ t, lang, rows }) {
  if (rows.length === 0) return html`<p>${t('common.none')}</p>`;
  return html`<div class="table-wrap"><table data-testid="conversations">
    <thead><tr><th scope="col">${t('history.started')}</th><th scope="col">${t('dash.visitor')}</th><th scope="col">${t('history.status')}</th>
      <th scope="col">${t('history.messages')}</th><th scope="col">${t('history.rating')}</th><th scope="col">${t('labels.title')}</th>
      <th scope="col">${t('history.transcript')}</th></tr></thead>
    <tbody>${rows.map((c) => html`<tr data-conversation=${c.conversationId}>
      <td>${when(lang, c.openedAt)}</td>
      <td>${c.visitorName || c.visitorEmail || c.visitorId.slice(0, 8)}</td>
      <td>${c.status === 'closed' ? t('history.status.closed') : c.status === 'waiting' ? t('dash.waiting') : t('history.status.open')}${c.missed ? ' · ' + t('dash.missedCount') : ''}</td>
      <td>${(c.visitorMessages || 0) + (c.agentMessages || 0)}</td>
      <td>${c.rating ? html`<span aria-label=${c.rating + ' / 5'}>${'★'.repeat(c.rating)}</span>` : '—'}</td>
      <td class="labels">${(c.labels || []).map((l) => html`<span class="label-chip" dir="auto">${l}</span>`)}</td>
      <td><a href=${'#/history/' + encodeURIComponent(c.conversationId)} dir="auto">${c.lastMessagePreview ? c.lastMessagePreview.slice(0, 60) : t('history.transcript')}</a>
        ${c.status !== 'closed' ? html` · <a href=${'#/live/' + encodeURIComponent(c.conversationId)}>${t('dash.follow')}</a>` : null}</td>
    </tr>`)}</tbody></table></div>`;
}

function Transcript({ t, lang, site, id }) {
  const [data, setData] = useState(null);
  const [others, setOthers] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    api('GET', `/api/sites/${site.id}/conversations/${encodeURIComponent(id)}/transcript`).then((d) => {
      setData(d);
      return api('GET', `/api/sites/${site.id}/conversations?` + query({ visitor: d.conversation.visitorId, limit: 20 })).then((r) => setOthers(r.items));
    }).catch(setError);
  }, [id]);

  if (error) return html`<${Notice} t=${t} error=${error} />`;
  if (!data) return html`<p>${t('common.loading')}</p>`;
  const c = data.conversation;
  return html`
    <p><a href="#/history">← ${t('history.title')}</a></p>
    <h1>${t('history.transcript')} · <span dir="auto">${c.visitorName || c.visitorId.slice(0, 8)}</span></h1>
    <${Labels} t=${t} site=${site} conversation=${c} />
    ${c.rating ? html`<p data-testid="transcript-rating">${t('history.rating')}: <span aria-label=${c.rating + ' / 5'}>${'★'.repeat(c.rating)}</span>
      ${c.ratingComment ? html` · <q dir="auto">${c.ratingComment}</q>` : null}</p>` : null}
    <ol class="transcript" data-testid="transcript">
      ${data.entries.map((e) => html`<li class=${'entry ' + e.authorRole + ' ' + e.kind} data-seq=${e.seq}>
        <span class="meta">${t('who.' + e.authorRole)} · ${when(lang, e.at)}</span>
        ${e.kind === 'message'
          ? html`<p class="body" dir="auto">${e.body === '' ? html`<em>${t('history.erased')}</em>` : e.body}</p>`
          : html`<p class="body event">${t('kind.' + e.kind)}${e.detail ? ' → ' + e.detail : ''}</p>`}
      </li>`)}
    </ol>
    <section class="card" aria-labelledby="earlier-title">
      <h2 id="earlier-title">${t('history.visitorEarlier')}</h2>
      ${others ? html`<${Rows} t=${t} lang=${lang} rows=${others} />` : html`<p>${t('common.loading')}</p>`}
    </section>`;
}

/** The conversation's labels: each with a button to take it off, and a field to add one (the server keeps them in lower case). */
function Labels({ t, site, conversation }) {
  const [labels, setLabels] = useState(conversation.labels || []);
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const path = (l) => `/api/sites/${site.id}/conversations/${encodeURIComponent(conversation.conversationId)}/labels/${encodeURIComponent(l)}`;
  const change = async (method, label) => {
    setError(null);
    try {
      const r = await api(method, path(label));
      setLabels(r.labels);
      if (method === 'PUT') setText('');
    } catch (err) { setError(err); }
  };
  return html`<section class="card" aria-labelledby="labels-title" data-testid="labels">
    <h2 id="labels-title">${t('labels.title')}</h2>
    ${labels.length === 0 ? html`<p>${t('labels.none')}</p>` : html`<ul class="chips">${labels.map((l) => html`<li class="label-chip" data-label=${l}>
      <span dir="auto">${l}</span><button type="button" class="ghost" aria-label=${t('labels.remove', { label: l })} onClick=${() => change('DELETE', l)}>×</button></li>`)}</ul>`}
    <form class="row" onSubmit=${(e) => { e.preventDefault(); if (text.trim()) change('PUT', text.trim()); }}>
      <label class="field"><span class="label">${t('labels.new')}</span>
        <input name="label" maxlength="40" value=${text} onInput=${(e) => setText(e.target.value)} /></label>
      <button type="submit">${t('labels.add')}</button>
    </form>
    <${Notice} t=${t} error=${error} />
  </section>`;
}
