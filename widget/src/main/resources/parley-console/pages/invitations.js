// Automatic invitations: the site's rules (time on page, page address, visit count, referrer, a cap per visitor),
// edited as one list and saved as a whole (PUT /invitation-rules); the first matching rule invites. This module is
// loaded only when the page is opened.
import { useState, useEffect } from 'preact/hooks';
import { html, Notice } from '../ui.js';
import { api } from '../api.js';

const MAX_RULES = 20;

function blank(n) {
  return { id: `rule-${n}`, enabled: true, minSecondsOnPage: 30, urlPattern: '', minVisits: 1, referrerPattern: '',
    senderName: '', text: '', capHours: 24 };
}

export function InvitationsPage({ t, site }) {
  const [rules, setRules] = useState(null);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const base = `/api/sites/${site.id}/invitation-rules`;

  useEffect(() => { setRules(null); api('GET', base).then((r) => setRules(r.rules), setError); }, [site.id]);

  if (!rules) return html`<h1>${t('invitations.title')}</h1><${Notice} t=${t} error=${error} /><p>${t('common.loading')}</p>`;

  const change = (i, patch) => { setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r))); setOk(null); };
  const number = (v) => (v === '' ? null : Number(v));
  const save = async (e) => {
    e.preventDefault();
    setError(null); setOk(null);
    const body = { rules: rules.map((r) => ({ ...r, urlPattern: r.urlPattern || null, referrerPattern: r.referrerPattern || null })) };
    try { const saved = await api('PUT', base, body); setRules(saved.rules); setOk(t('common.saved')); } catch (err) { setError(err); }
  };

  return html`
    <h1>${t('invitations.title')}</h1>
    <p class="help">${t('invitations.help')}</p>
    <form onSubmit=${save} data-testid="invitation-rules">
      ${rules.length === 0 ? html`<p>${t('invitations.none')}</p>` : null}
      ${rules.map((r, i) => html`
        <fieldset class="card" key=${i} data-rule=${r.id}>
          <legend>${t('invitations.rule', { n: i + 1 })}</legend>
          <div class="row">
            <label class="field"><span class="label">${t('invitations.id')}</span>
              <input name="id" required maxlength="64" pattern="[a-z0-9_\\-]+" value=${r.id} onInput=${(e) => change(i, { id: e.target.value })} /></label>
            <label class="check"><input type="checkbox" name="enabled" checked=${r.enabled} onChange=${(e) => change(i, { enabled: e.target.checked })} /> ${t('invitations.enabled')}</label>
          </div>
          <div class="row">
            <label class="field"><span class="label">${t('invitations.seconds')}</span>
              <input type="number" name="minSecondsOnPage" min="0" max="3600" value=${r.minSecondsOnPage} onInput=${(e) => change(i, { minSecondsOnPage: number(e.target.value) })} /></label>
            <label class="field"><span class="label">${t('invitations.visits')}</span>
              <input type="number" name="minVisits" min="1" max="1000" value=${r.minVisits} onInput=${(e) => change(i, { minVisits: number(e.target.value) })} /></label>
            <label class="field"><span class="label">${t('invitations.cap')}</span>
              <input type="number" name="capHours" min="1" max="720" value=${r.capHours} onInput=${(e) => change(i, { capHours: number(e.target.value) })} /></label>
          </div>
          <label class="field"><span class="label">${t('invitations.url')}</span>
            <input name="urlPattern" maxlength="500" spellcheck="false" placeholder="*/pricing*" value=${r.urlPattern || ''} onInput=${(e) => change(i, { urlPattern: e.target.value })} />
            <small class="help">${t('invitations.pattern.help')}</small></label>
          <label class="field"><span class="label">${t('invitations.referrer')}</span>
            <input name="referrerPattern" maxlength="500" spellcheck="false" placeholder="*google.*" value=${r.referrerPattern || ''} onInput=${(e) => change(i, { referrerPattern: e.target.value })} /></label>
          <label class="field"><span class="label">${t('invitations.sender')}</span>
            <input name="senderName" required maxlength="80" value=${r.senderName} placeholder=${site.name} onInput=${(e) => change(i, { senderName: e.target.value })} /></label>
          <label class="field"><span class="label">${t('invitations.text')}</span>
            <textarea name="text" required rows="2" maxlength="500" value=${r.text} onInput=${(e) => change(i, { text: e.target.value })}></textarea></label>
          <button type="button" class="ghost danger" onClick=${() => { setRules(rules.filter((_, j) => j !== i)); setOk(null); }}>${t('invitations.remove')}</button>
        </fieldset>`)}
      <div class="row">
        <button type="button" class="ghost" disabled=${rules.length >= MAX_RULES} data-testid="add-invitation-rule"
          onClick=${() => { setRules([...rules, { ...blank(rules.length + 1), senderName: site.name }]); setOk(null); }}>${t('invitations.add')}</button>
        <button type="submit" data-testid="save-rules">${t('common.save')}</button>
      </div>
      <${Notice} t=${t} error=${error} ok=${ok} />
    </form>`;
}
