// Widget: colours, texts, pre-chat form, position; a preview that is the real widget panel of this site in an
// iframe (reloaded after every save, its settings fetched past the browser's cache); the embed tag with a copy button.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html, Notice, copy } from '../ui.js';
import { api } from '../api.js';

export function WidgetPage({ t, site }) {
  const [w, setW] = useState(null);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [version, setVersion] = useState(0);
  const [copied, setCopied] = useState(false);
  const frame = useRef(null);

  useEffect(() => { api('GET', `/api/sites/${site.id}/widget`).then((r) => setW(r.widget), setError); }, [site.id]);

  if (!w) return html`<h1>${t('widget.title')}</h1><${Notice} t=${t} error=${error} /><p>${t('common.loading')}</p>`;

  const set = (patch) => { setW({ ...w, ...patch }); setOk(null); };
  const setText = (field, locale, value) => set({ [field]: { ...(w[field] || {}), [locale]: value } });
  const setPrechat = (patch) => set({ prechat: { ...(w.prechat || {}), ...patch } });

  const save = async (e) => {
    e.preventDefault();
    setError(null); setOk(null);
    const body = {
      color: w.color, position: w.position, title: w.title, greeting: w.greeting,
      prechat: { enabled: !!(w.prechat && w.prechat.enabled), requireEmail: !!(w.prechat && w.prechat.requireEmail) },
      sound: w.sound !== false,
    };
    if (w.locale) body.locale = w.locale;
    try {
      const r = await api('PATCH', `/api/sites/${site.id}/widget`, body);
      setW(r.widget);
      // The panel reads /widget/config, which browsers may cache for a minute: refresh that copy, then reload it.
      await fetch(`/widget/config?site=${encodeURIComponent(site.id)}`, { cache: 'reload', credentials: 'omit' });
      setVersion(version + 1);
      setOk(t('common.saved'));
    } catch (err) { setError(err); }
  };

  const origin = location.origin;
  const embed = `<script src="${origin}/widget.js" data-site="${site.id}" async></script>`;

  return html`
    <h1>${t('widget.title')}</h1>
    <div class="split">
      <form class="card" onSubmit=${save} data-testid="widget-form">
        <div class="row">
          <label class="field"><span class="label">${t('widget.color')}</span>
            <input type="color" name="color" value=${w.color} onInput=${(e) => set({ color: e.target.value })} /></label>
          <label class="field"><span class="label">${t('widget.position')}</span>
            <select name="position" value=${w.position} onChange=${(e) => set({ position: e.target.value })}>
              <option value="right">${t('widget.position.right')}</option>
              <option value="left">${t('widget.position.left')}</option>
            </select></label>
          <label class="field"><span class="label">${t('widget.locale')}</span>
            <select name="locale" value=${w.locale || ''} onChange=${(e) => set({ locale: e.target.value || null })}>
              <option value="">—</option><option value="en">English</option><option value="zh">中文</option>
            </select></label>
        </div>
        <label class="field"><span class="label">${t('widget.title.en')}</span>
          <input name="title-en" maxlength="60" value=${(w.title || {}).en || ''} onInput=${(e) => setText('title', 'en', e.target.value)} /></label>
        <label class="field"><span class="label">${t('widget.title.zh')}</span>
          <input name="title-zh" maxlength="60" value=${(w.title || {}).zh || ''} onInput=${(e) => setText('title', 'zh', e.target.value)} /></label>
        <label class="field"><span class="label">${t('widget.greeting.en')}</span>
          <textarea name="greeting-en" rows="2" maxlength="300" value=${(w.greeting || {}).en || ''} onInput=${(e) => setText('greeting', 'en', e.target.value)}></textarea></label>
        <label class="field"><span class="label">${t('widget.greeting.zh')}</span>
          <textarea name="greeting-zh" rows="2" maxlength="300" value=${(w.greeting || {}).zh || ''} onInput=${(e) => setText('greeting', 'zh', e.target.value)}></textarea></label>
        <label class="check"><input type="checkbox" name="prechat" checked=${!!(w.prechat && w.prechat.enabled)} onChange=${(e) => setPrechat({ enabled: e.target.checked })} /> ${t('widget.prechat')}</label>
        <label class="check"><input type="checkbox" name="require-email" checked=${!!(w.prechat && w.prechat.requireEmail)} onChange=${(e) => setPrechat({ requireEmail: e.target.checked })} /> ${t('widget.prechat.email')}</label>
        <label class="check"><input type="checkbox" name="sound" checked=${w.sound !== false} onChange=${(e) => set({ sound: e.target.checked })} /> ${t('widget.sound')}</label>
        <${Notice} t=${t} error=${error} ok=${ok} />
        <button type="submit">${t('common.save')}</button>
      </form>
      <section class="card preview" aria-labelledby="preview-title">
        <h2 id="preview-title">${t('widget.preview')}</h2>
        <iframe ref=${frame} key=${version} title=${t('widget.preview')} data-testid="preview"
          src=${`/widget/frame.html?site=${encodeURIComponent(site.id)}&preview=${version}`}></iframe>
      </section>
    </div>
    <section class="card" aria-labelledby="embed-title">
      <h2 id="embed-title">${t('widget.embed')}</h2>
      <p>${t('widget.embed.help')}</p>
      <pre class="code" data-testid="embed">${embed}</pre>
      <button type="button" onClick=${async () => setCopied(await copy(embed))} data-testid="copy-embed">${copied ? t('common.copied') : t('common.copy')}</button>
    </section>`;
}
