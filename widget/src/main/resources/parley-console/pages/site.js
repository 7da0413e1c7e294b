// Site: its name and allowed origins, the team e-mail for left messages, and the identity secret for signed visitor identities (rotated, shown once,
// with the shop-side code that uses it).
import { useState, useEffect } from 'preact/hooks';
import { html, Notice, copy } from '../ui.js';
import { api } from '../api.js';

function snippet(secret) {
  return `// Node.js — ${'sign every field of the signed-in customer (docs/WIDGET.md)'}
const secret = '${secret}';
const lines = ['parley-identity-2', \`id=\${id}\`, \`name=\${name ?? ''}\`, \`email=\${email ?? ''}\`,
  \`expires=\${expires ?? ''}\`, ...Object.keys(attributes).sort().map(k => \`attr.\${k}=\${attributes[k]}\`)];
const signature = require('crypto').createHmac('sha256', secret).update(lines.join('\\n')).digest('hex');
// In the page: Parley.identify({id, name, email, attributes, expiresAt: expires, signature})`;
}

export function SitePage({ t, site, refreshSites }) {
  const [name, setName] = useState(site.name);
  const [origins, setOrigins] = useState(site.allowedOrigins.join('\n'));
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const [widget, setWidget] = useState(null);
  const [secret, setSecret] = useState(null);
  const [secretError, setSecretError] = useState(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => { api('GET', `/api/sites/${site.id}/widget`).then(setWidget, setSecretError); }, [site.id]);
  const [team, setTeam] = useState(null);
  const [teamNotice, setTeamNotice] = useState({});
  useEffect(() => { api('GET', `/api/sites/${site.id}/team-email`).then(setTeam, (err) => setTeamNotice({ error: err })); }, [site.id]);
  const saveTeam = async (e) => {
    e.preventDefault();
    setTeamNotice({});
    const email = (team.teamEmail || '').trim();
    try {
      setTeam(await api('PUT', `/api/sites/${site.id}/team-email`, { teamEmail: email || null }));
      setTeamNotice({ ok: t('common.saved') });
    } catch (err) { setTeamNotice({ error: err }); }
  };

  const save = async (e) => {
    e.preventDefault();
    setError(null); setOk(null);
    const list = origins.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    try {
      await api('PATCH', `/api/sites/${site.id}`, { name: name.trim(), allowedOrigins: list });
      await refreshSites();
      setOk(t('common.saved'));
    } catch (err) { setError(err); }
  };

  const rotate = async () => {
    if (!window.confirm(t('site.secret.confirm'))) return;
    setSecretError(null);
    try {
      const r = await api('POST', `/api/sites/${site.id}/identity-secret`);
      setSecret(r.secret);
      setWidget({ ...widget, hasIdentitySecret: true });
    } catch (err) { setSecretError(err); }
  };

  return html`
    <h1>${t('site.title')}</h1>
    <form class="card" onSubmit=${save} data-testid="site-form">
      <p>${t('site.id')}: <code>${site.id}</code></p>
      <label class="field"><span class="label">${t('site.name')}</span>
        <input name="name" required maxlength="200" value=${name} onInput=${(e) => setName(e.target.value)} /></label>
      <label class="field"><span class="label">${t('site.origins')}</span>
        <textarea name="origins" rows="4" spellcheck="false" value=${origins} onInput=${(e) => setOrigins(e.target.value)}></textarea>
        <small class="help">${t('site.origins.help')}</small></label>
      <${Notice} t=${t} error=${error} ok=${ok} />
      <button type="submit">${t('common.save')}</button>
    </form>
    ${team ? html`<form class="card" onSubmit=${saveTeam} data-testid="team-email" aria-labelledby="team-title">
      <h2 id="team-title">${t('site.team.title')}</h2>
      <p>${t('site.team.help')}</p>
      <label class="field"><span class="label">${t('site.team.email')}</span>
        <input type="email" name="teamEmail" maxlength="254" value=${team.teamEmail || ''} onInput=${(e) => setTeam({ ...team, teamEmail: e.target.value })} />
        <small class="help">${team.operatorFallback ? t('site.team.fallback') : t('site.team.noFallback')}</small></label>
      <${Notice} t=${t} error=${teamNotice.error} ok=${teamNotice.ok} />
      <button type="submit">${t('common.save')}</button>
    </form>` : html`<${Notice} t=${t} error=${teamNotice.error} />`}
    <section class="card" aria-labelledby="secret-title">
      <h2 id="secret-title">${t('site.secret.title')}</h2>
      <p>${t('site.secret.help')}</p>
      ${widget ? html`<p>${widget.hasIdentitySecret ? t('site.secret.has') : t('site.secret.none')}</p>
        <label class="check"><input type="checkbox" name="identityRequired" checked=${widget.identityRequired} data-testid="identity-required"
          onChange=${async (e) => {
            const on = e.target.checked;
            setSecretError(null);
            try { const r = await api('PATCH', `/api/sites/${site.id}/widget`, { identityRequired: on }); setWidget({ ...widget, identityRequired: r.identityRequired }); }
            catch (err) { setSecretError(err); }
          }} /> ${t('site.identityRequired')}</label>` : null}
      <${Notice} t=${t} error=${secretError} />
      <button type="button" onClick=${rotate} data-testid="rotate-secret">${t('site.secret.rotate')}</button>
      ${secret
        ? html`<div class="secret">
            <p class="notice ok" role="status">${t('common.shownOnce')}</p>
            <p><code data-testid="secret">${secret}</code></p>
            <h3>${t('site.secret.snippet')}</h3>
            <pre class="code">${snippet(secret)}</pre>
            <button type="button" class="ghost" onClick=${async () => setCopied(await copy(snippet(secret)))}>${copied ? t('common.copied') : t('common.copy')}</button>
          </div>`
        : null}
    </section>`;
}
