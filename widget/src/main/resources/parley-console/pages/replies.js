// Team quick replies: the site's shared canned answers, which agents insert by shortcut in the desktop client.
import { useState, useEffect } from 'preact/hooks';
import { html, Notice } from '../ui.js';
import { api } from '../api.js';

export function RepliesPage({ t, site }) {
  const [replies, setReplies] = useState(null);
  const [form, setForm] = useState({ shortcut: '', text: '' });
  const [error, setError] = useState(null);
  const base = `/api/sites/${site.id}/quick-replies`;
  const load = () => api('GET', base).then(setReplies, setError);
  useEffect(() => { load(); }, [site.id]);

  const act = async (fn) => { setError(null); try { await fn(); await load(); } catch (err) { setError(err); } };
  const add = (e) => {
    e.preventDefault();
    act(async () => { await api('POST', base, { shortcut: form.shortcut.trim(), text: form.text }); setForm({ shortcut: '', text: '' }); });
  };

  return html`
    <h1>${t('replies.title')}</h1>
    <form class="card" onSubmit=${add} data-testid="add-reply">
      <label class="field"><span class="label">${t('replies.shortcut')}</span>
        <input name="shortcut" required maxlength="32" value=${form.shortcut} onInput=${(e) => setForm({ ...form, shortcut: e.target.value })} /></label>
      <label class="field"><span class="label">${t('replies.text')}</span>
        <textarea name="text" required rows="3" maxlength="4000" value=${form.text} onInput=${(e) => setForm({ ...form, text: e.target.value })}></textarea></label>
      <button type="submit">${t('replies.add')}</button>
    </form>
    <${Notice} t=${t} error=${error} />
    ${replies === null ? html`<p>${t('common.loading')}</p>` : replies.length === 0 ? html`<p>${t('common.none')}</p>` : html`
      <div class="table-wrap"><table data-testid="replies">
        <thead><tr><th scope="col">${t('replies.shortcut')}</th><th scope="col">${t('replies.text').replace(/ \(.*\)$|（.*）$/, '')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
        <tbody>${replies.map((r) => html`<tr data-shortcut=${r.shortcut}><td><code>/${r.shortcut}</code></td><td dir="auto" class="pre">${r.text}</td>
          <td><button type="button" class="ghost danger" onClick=${() => act(() => api('DELETE', `${base}/${r.id}`))}>${t('team.delete')}</button></td></tr>`)}</tbody>
      </table></div>`}`;
}
