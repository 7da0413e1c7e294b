// The site's files: its library of common files (agents send them with a click; PROTOCOL.md §13) and its file
// limits (size cap, quota, allowed types). A file is added by uploading it through the one checked upload path
// (PUT /files/uploads/ID, the server decides its type by content), then naming that upload in the library.
import { useState, useEffect } from 'preact/hooks';
import { html, Notice, when } from '../ui.js';
import { api, token, ApiError } from '../api.js';

const MIB = 1024 * 1024;

/** Uploads the file whole under a fresh id; its answer, or an ApiError with the server's code. */
async function uploadFile(siteId, file) {
  const id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(36).slice(2)).replace(/[^A-Za-z0-9_-]/g, '');
  const path = `/files/uploads/${id}?site=${encodeURIComponent(siteId)}&name=${encodeURIComponent(file.name || 'file')}`;
  let res;
  try {
    res = await fetch(path, { method: 'PUT', headers: { Authorization: 'Bearer ' + token() }, body: file, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (json && json.error) || {};
    throw new ApiError(res.status, err.code || 'http-' + res.status, err.message, err.field);
  }
  return json;
}

function size(t, bytes) {
  if (bytes == null) return '';
  if (bytes >= MIB) return t('files.mib', { n: (bytes / MIB).toFixed(1) });
  return t('files.kib', { n: Math.max(1, Math.round(bytes / 1024)) });
}

function Library({ t, lang, site }) {
  const base = `/api/sites/${site.id}/library`;
  const [entries, setEntries] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(null); // {id, name}
  const load = () => api('GET', base).then(setEntries, setError);
  useEffect(() => { load(); }, [site.id]);

  const act = async (fn) => { setError(null); setBusy(true); try { await fn(); await load(); } catch (err) { setError(err); } finally { setBusy(false); } };
  const add = (e) => {
    e.preventDefault();
    const input = e.target.elements.file;
    const file = input.files && input.files[0];
    if (!file) return;
    act(async () => {
      const up = await uploadFile(site.id, file);
      await api('POST', base, { uploadId: up.uploadId });
      input.value = '';
    });
  };
  const rename = (e) => {
    e.preventDefault();
    act(async () => { await api('PATCH', `${base}/${editing.id}`, { name: editing.name.trim() }); setEditing(null); });
  };

  return html`
    <section class="card" aria-labelledby="library-title">
      <h2 id="library-title">${t('files.library')}</h2>
      <p class="help">${t('files.libraryHelp')}</p>
      <form onSubmit=${add} data-testid="add-file">
        <label class="field"><span class="label">${t('files.choose')}</span><input type="file" name="file" required /></label>
        <button type="submit" disabled=${busy}>${busy ? t('files.uploading') : t('files.add')}</button>
      </form>
      <${Notice} t=${t} error=${error} />
      ${entries === null ? html`<p>${t('common.loading')}</p>` : entries.length === 0 ? html`<p>${t('common.none')}</p>` : html`
        <div class="table-wrap"><table data-testid="library">
          <thead><tr><th scope="col">${t('files.name')}</th><th scope="col">${t('files.type')}</th><th scope="col">${t('files.size')}</th><th scope="col">${t('files.added')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
          <tbody>${entries.map((f) => html`<tr data-file=${f.id}>
            <td dir="auto">${editing && editing.id === f.id
              ? html`<form onSubmit=${rename} class="inline"><label class="field"><span class="label">${t('files.newName')}</span>
                  <input name="name" required maxlength="255" value=${editing.name} onInput=${(e) => setEditing({ ...editing, name: e.target.value })} /></label>
                  <button type="submit">${t('common.save')}</button>
                  <button type="button" class="ghost" onClick=${() => setEditing(null)}>${t('files.cancel')}</button></form>`
              : f.name}</td>
            <td><code>${f.type}</code>${f.width ? html` <small>${f.width}×${f.height}</small>` : null}</td>
            <td>${size(t, f.size)}</td>
            <td>${when(lang, f.createdAt)}</td>
            <td><button type="button" class="ghost" onClick=${() => setEditing({ id: f.id, name: f.name })}>${t('files.rename')}</button>
              <button type="button" class="ghost danger" onClick=${() => { if (confirm(t('files.confirmDelete', { name: f.name }))) act(() => api('DELETE', `${base}/${f.id}`)); }}>${t('team.delete')}</button></td></tr>`)}</tbody>
        </table></div>`}
    </section>`;
}

function Limits({ t, site }) {
  const base = `/api/sites/${site.id}/file-policy`;
  const [policy, setPolicy] = useState(null);
  const [form, setForm] = useState(null);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const show = (p) => {
    setPolicy(p);
    setForm({
      maxMib: p.maxFileBytes == null ? '' : String(p.maxFileBytes / MIB),
      quotaMib: p.quotaBytes == null ? '' : String(p.quotaBytes / MIB),
      types: p.allowedTypes == null ? '' : p.allowedTypes.join('\n'),
    });
  };
  useEffect(() => { api('GET', base).then(show, setError); }, [site.id]);

  const save = async (e) => {
    e.preventDefault();
    setError(null); setOk(null);
    const bytes = (v) => (v.trim() === '' ? null : Math.round(Number(v) * MIB));
    const types = form.types.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    try {
      show(await api('PUT', base, { maxFileBytes: bytes(form.maxMib), quotaBytes: bytes(form.quotaMib), allowedTypes: types.length ? types : null }));
      setOk(t('common.saved'));
    } catch (err) { setError(err); }
  };

  if (!form) return html`<section class="card"><h2>${t('files.limits')}</h2><${Notice} t=${t} error=${error} />${error ? null : html`<p>${t('common.loading')}</p>`}</section>`;
  return html`
    <section class="card" aria-labelledby="limits-title">
      <h2 id="limits-title">${t('files.limits')}</h2>
      <p class="help" data-testid="usage">${t('files.usage', { used: size(t, policy.usedBytes), quota: size(t, policy.effectiveQuotaBytes) })}</p>
      <form onSubmit=${save} data-testid="file-limits">
        <label class="field"><span class="label">${t('files.maxSize')}</span>
          <input name="maxMib" type="number" min="0.001" step="any" placeholder=${String(policy.effectiveMaxFileBytes / MIB)} value=${form.maxMib} onInput=${(e) => setForm({ ...form, maxMib: e.target.value })} />
          <small class="help">${t('files.defaultHelp')}</small></label>
        <label class="field"><span class="label">${t('files.quota')}</span>
          <input name="quotaMib" type="number" min="0.001" step="any" placeholder=${String(policy.effectiveQuotaBytes / MIB)} value=${form.quotaMib} onInput=${(e) => setForm({ ...form, quotaMib: e.target.value })} />
          <small class="help">${t('files.defaultHelp')}</small></label>
        <label class="field"><span class="label">${t('files.types')}</span>
          <textarea name="types" rows="5" placeholder=${policy.effectiveAllowedTypes.join('\n')} value=${form.types} onInput=${(e) => setForm({ ...form, types: e.target.value })}></textarea>
          <small class="help">${t('files.typesHelp')}</small></label>
        <button type="submit">${t('common.save')}</button>
      </form>
      <${Notice} t=${t} error=${error} ok=${ok} />
    </section>`;
}

export function FilesPage({ t, lang, site }) {
  return html`
    <h1>${t('files.title')}</h1>
    <${Library} t=${t} lang=${lang} site=${site} />
    <${Limits} t=${t} site=${site} />`;
}
