// Webhooks (owners and admins): add a URL for chosen events (its signing secret is shown once), send a test
// delivery, read each hook's delivery log (paged), remove a hook. After a test the log is read again each second
// until the test delivery is no longer pending (at most TEST_WATCH_MS): the server has no push for deliveries,
// and a person who pressed "Send a test" is waiting for exactly that answer.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html, Notice, when, copy } from '../ui.js';
import { api } from '../api.js';

const EVENTS = ['message.created', 'conversation.opened', 'conversation.assigned', 'conversation.transferred',
  'conversation.closed', 'conversation.rated', 'visitor.left-message'];
const TEST_WATCH_MS = 20000;
const TEST_WATCH_EVERY_MS = 1000;

export function WebhooksPage({ t, lang, site }) {
  const [hooks, setHooks] = useState(null);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState(['conversation.closed']);
  const [created, setCreated] = useState(null); // {id, secret} of the hook just added
  const [error, setError] = useState(null);
  const base = `/api/sites/${site.id}/webhooks`;

  const load = () => api('GET', base).then((r) => setHooks(r.webhooks), setError);
  useEffect(() => { load(); }, [site.id]);

  const add = async (e) => {
    e.preventDefault();
    setError(null);
    setCreated(null);
    try {
      const r = await api('POST', base, { url: url.trim(), events });
      setCreated({ id: r.id, secret: r.secret });
      setUrl('');
      await load();
    } catch (err) { setError(err); }
  };
  const toggle = (ev) => setEvents(events.includes(ev) ? events.filter((x) => x !== ev) : [...events, ev]);

  return html`
    <h1>${t('webhooks.title')}</h1>
    <form class="card" onSubmit=${add} data-testid="add-webhook">
      <p class="help">${t('webhooks.help')}</p>
      <label class="field"><span class="label">${t('webhooks.url')}</span>
        <input type="url" name="url" required maxlength="2000" spellcheck="false" value=${url} onInput=${(e) => setUrl(e.target.value)} /></label>
      <fieldset class="events"><legend>${t('webhooks.events')}</legend>
        ${EVENTS.map((ev) => html`<label class="check"><input type="checkbox" checked=${events.includes(ev)} onChange=${() => toggle(ev)} /> <code>${ev}</code></label>`)}
      </fieldset>
      <${Notice} t=${t} error=${error} />
      <button type="submit" disabled=${events.length === 0}>${t('webhooks.create')}</button>
      ${created ? html`<div class="secret"><p class="notice ok" role="status">${t('webhooks.created')} ${t('common.shownOnce')}</p>
        <p><code data-testid="webhook-secret">${created.secret}</code>
        <button type="button" class="ghost" onClick=${() => copy(created.secret)}>${t('common.copy')}</button></p></div>` : null}
    </form>
    ${hooks === null ? html`<p>${t('common.loading')}</p>` : hooks.length === 0 ? html`<p>${t('common.none')}</p>`
      : hooks.map((h) => html`<${Hook} key=${h.id} t=${t} lang=${lang} base=${base} hook=${h} onRemoved=${load} />`)}`;
}

function Hook({ t, lang, base, hook, onRemoved }) {
  const [log, setLog] = useState(null);
  const [before, setBefore] = useState(null);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const watch = useRef(null); // the timer re-reading the log after a test; null when none
  const path = `${base}/${encodeURIComponent(hook.id)}`;

  const read = async (more) => {
    const r = await api('GET', `${path}/deliveries?limit=20` + (more && before ? `&before=${before}` : ''));
    setLog((l) => (more ? [...l, ...r.deliveries] : r.deliveries));
    setBefore(r.nextBefore ?? null);
    return r.deliveries;
  };
  useEffect(() => { read(false).catch(setError); return () => clearTimeout(watch.current); }, [hook.id]);

  const test = async () => {
    setError(null);
    setOk(null);
    clearTimeout(watch.current);
    try {
      const r = await api('POST', `${path}/test`);
      setOk(t('webhooks.tested'));
      const until = Date.now() + TEST_WATCH_MS;
      const again = async () => {
        const rows = await read(false).catch(() => []);
        const mine = rows.find((d) => d.id === r.deliveryId);
        if ((!mine || mine.state === 'pending') && Date.now() < until) watch.current = setTimeout(again, TEST_WATCH_EVERY_MS);
      };
      await again();
    } catch (err) { setError(err); }
  };
  const remove = async () => {
    if (!window.confirm(hook.url)) return;
    try { await api('DELETE', path); onRemoved(); } catch (err) { setError(err); }
  };

  return html`<section class="card" data-hook=${hook.id} aria-label=${hook.url}>
    <h2 class="url"><code>${hook.url}</code></h2>
    <p>${hook.events.map((e) => html`<span class="label-chip">${e}</span>`)} · ${when(lang, hook.createdAt)}</p>
    <div class="row">
      <button type="button" onClick=${test} data-testid="webhook-test">${t('webhooks.test')}</button>
      <button type="button" class="ghost" onClick=${() => read(false).catch(setError)}>${t('webhooks.refresh')}</button>
      <button type="button" class="ghost danger" onClick=${remove}>${t('webhooks.delete')}</button>
    </div>
    <${Notice} t=${t} error=${error} ok=${ok} />
    <h3>${t('webhooks.log')}</h3>
    ${log === null ? html`<p>${t('common.loading')}</p>` : log.length === 0 ? html`<p>${t('common.none')}</p>` : html`
      <div class="table-wrap"><table data-testid="deliveries">
        <thead><tr><th scope="col">${t('webhooks.created.at')}</th><th scope="col">${t('webhooks.event')}</th><th scope="col">${t('webhooks.state')}</th>
          <th scope="col">${t('webhooks.attempts')}</th><th scope="col">${t('webhooks.status')}</th></tr></thead>
        <tbody>${log.map((d) => html`<tr data-delivery=${d.id} data-state=${d.state}>
          <td>${when(lang, d.createdAt)}</td><td><code>${d.eventType}</code></td>
          <td class=${'state ' + d.state}>${t('webhooks.state.' + d.state)}</td><td>${d.attempts}</td>
          <td>${d.lastStatus ?? ''}${d.lastError ? html` <small dir="auto">${d.lastError}</small>` : null}</td>
        </tr>`)}</tbody></table></div>`}
    ${before ? html`<button type="button" class="ghost" onClick=${() => read(true).catch(setError)}>${t('history.more')}</button>` : null}
  </section>`;
}
