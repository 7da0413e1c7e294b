// The console's root: language, theme, session, the site being managed, and hash routing (#/dashboard, …).
import { render } from 'preact';
import { useState, useEffect, useCallback, useMemo } from 'preact/hooks';
import { html, Notice, setDisplayZone } from './ui.js';
import { initialLang, rememberLang, translator } from './i18n.js';
import { api, loadSession, setSession, clearSession, whenSignedOut } from './api.js';
import { SignIn } from './pages/signin.js';
import { Account } from './pages/account.js';
import { SitePage } from './pages/site.js';
import { WidgetPage } from './pages/widget.js';
import { TeamPage } from './pages/team.js';
import { Dashboard } from './pages/dashboard.js';
import { History } from './pages/history.js';
import { RoutingPage } from './pages/routing.js';
import { RepliesPage } from './pages/replies.js';
import { LivePage } from './pages/live.js';
import { RatingsPage } from './pages/ratings.js';
import { WebhooksPage } from './pages/webhooks.js';
import { AuditPage } from './pages/audit.js';

const THEME_KEY = 'parley-console-theme';
const SITE_KEY = 'parley-console-site';
const MANAGERS = ['owner', 'admin'];
const READERS = ['owner', 'admin', 'supervisor']; // who reads every conversation, so the site's figures

/** A page whose module (and what it imports) is fetched when it is first shown: the reports and their charts. */
function lazy(load) {
  let View = null; // the loaded component, shared by every mount
  return function Lazy(props) {
    const [, loaded] = useState(false);
    const [failed, setFailed] = useState(null);
    useEffect(() => { if (!View) load().then((v) => { View = v; loaded(true); }, setFailed); }, []);
    if (failed) return html`<${Notice} t=${props.t} error=${{ code: 'network' }} />`;
    return View ? html`<${View} ...${props} />` : html`<p>${props.t('common.loading')}</p>`;
  };
}

const PAGES = [
  { id: 'dashboard', label: 'nav.dashboard', view: Dashboard },
  { id: 'history', label: 'nav.history', view: History },
  { id: 'visitors', label: 'nav.visitors', view: lazy(() => import('./pages/visitors.js').then((m) => m.VisitorsPage)), readers: true },
  { id: 'reports', label: 'nav.reports', view: lazy(() => import('./pages/reports.js').then((m) => m.ReportsPage)), readers: true },
  { id: 'ratings', label: 'nav.ratings', view: RatingsPage },
  { id: 'site', label: 'nav.site', view: SitePage, managers: true },
  { id: 'widget', label: 'nav.widget', view: WidgetPage, managers: true },
  { id: 'team', label: 'nav.team', view: TeamPage, managers: true },
  { id: 'routing', label: 'nav.routing', view: RoutingPage, managers: true },
  { id: 'invitations', label: 'nav.invitations', view: lazy(() => import('./pages/invitations.js').then((m) => m.InvitationsPage)), managers: true },
  { id: 'replies', label: 'nav.replies', view: RepliesPage, managers: true },
  { id: 'files', label: 'nav.files', view: lazy(() => import('./pages/files.js').then((m) => m.FilesPage)), managers: true },
  { id: 'webhooks', label: 'nav.webhooks', view: WebhooksPage, managers: true },
  { id: 'audit', label: 'nav.audit', view: AuditPage, managers: true },
  { id: 'account', label: 'nav.account', view: Account },
  { id: 'live', label: 'live.title', view: LivePage, hidden: true },
];

function stored(key) {
  try { return localStorage.getItem(key); } catch (e) { return null; }
}
function store(key, value) {
  try { localStorage.setItem(key, value); } catch (e) { /* not remembered */ }
}

function initialTheme() {
  const saved = stored(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function currentRoute() {
  const m = /^#\/([a-z-]+)(?:\/(.*))?$/.exec(location.hash);
  return m ? { page: m[1], arg: m[2] ? decodeURIComponent(m[2]) : null } : { page: 'dashboard', arg: null };
}

function App() {
  const [lang, setLang] = useState(initialLang);
  const [theme, setTheme] = useState(initialTheme);
  const [me, setMe] = useState(null); // GET /api/auth/me, null while signed out
  const [sites, setSites] = useState([]);
  const [siteId, setSiteId] = useState(stored(SITE_KEY));
  const [route, setRoute] = useState(currentRoute);
  const [booting, setBooting] = useState(true);
  const [error, setError] = useState(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const t = useMemo(() => translator(lang), [lang]);
  const [zone, setZone] = useState(null); // the managed site's time zone, for the times shown

  useEffect(() => { document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'; document.title = t('app.name'); }, [lang]);
  useEffect(() => { document.documentElement.dataset.theme = theme; }, [theme]);
  useEffect(() => {
    const onHash = () => { setRoute(currentRoute()); setMenuOpen(false); };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const signedIn = useCallback(async () => {
    const [who, list] = await Promise.all([api('GET', '/api/auth/me'), api('GET', '/api/sites')]);
    setSites(list);
    setSiteId((current) => (list.some((s) => s.id === current) ? current : list.length ? list[0].id : null));
    setMe(who);
  }, []);

  useEffect(() => {
    whenSignedOut((e) => { setMe(null); setError(e); });
    if (loadSession()) {
      signedIn().catch((e) => { clearSession(); setError(e.status === 401 ? null : e); }).finally(() => setBooting(false));
    } else {
      setBooting(false);
    }
  }, []);

  const current = sites.find((s) => s.id === siteId) || sites[0] || null;
  useEffect(() => {
    if (!me || !current) return;
    api('GET', `/api/sites/${current.id}/time-zone`).then((z) => { setDisplayZone(z.timeZone); setZone(z.timeZone); }, () => {});
  }, [me, current && current.id]);

  const switchLang = () => { const next = lang === 'zh' ? 'en' : 'zh'; rememberLang(next); setLang(next); };
  const switchTheme = () => { const next = theme === 'dark' ? 'light' : 'dark'; store(THEME_KEY, next); setTheme(next); };
  const pickSite = (id) => { store(SITE_KEY, id); setSiteId(id); };

  const signOut = () => { clearSession(); setMe(null); setSites([]); location.hash = ''; };
  const onSession = async (s) => { setSession(s.token, s.expiresAt); setError(null); await signedIn(); };

  const toolbar = html`
    <div class="toolbar">
      <button type="button" class="ghost" onClick=${switchLang} title=${t('lang.switchLabel')} lang=${lang === 'zh' ? 'en' : 'zh-CN'} data-testid="lang">${t('lang.switch')}</button>
      <button type="button" class="ghost" onClick=${switchTheme} title=${t('theme.switchLabel')} data-testid="theme">${theme === 'dark' ? t('theme.light') : t('theme.dark')}</button>
    </div>`;

  if (booting) return html`<main class="center"><p>${t('common.loading')}</p></main>`;
  if (!me) {
    return html`<div class="signin-page">${toolbar}<${SignIn} t=${t} onSession=${onSession} initialError=${error} /></div>`;
  }

  const site = current;
  const role = site ? site.role : null;
  const manager = MANAGERS.includes(role);
  const pages = PAGES.filter((p) => (!p.managers || manager) && (!p.readers || READERS.includes(role)));
  const page = pages.find((p) => p.id === route.page) || pages[0];
  const View = page.view;
  const ctx = { t, lang, theme, zone, me, site, role, manager, sites, onSession, signOut, refreshSites: signedIn, arg: route.arg };

  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>${t('app.skip')}</a>
    <header class="top">
      <button type="button" class="ghost menu-button" aria-expanded=${menuOpen} aria-controls="nav" onClick=${() => setMenuOpen(!menuOpen)}>${t('nav.menu')}</button>
      <span class="brand">${t('app.name')}</span>
      ${sites.length > 1
        ? html`<label class="site-pick"><span class="label">${t('nav.site.pick')}</span>
            <select value=${site && site.id} onChange=${(e) => pickSite(e.target.value)}>
              ${sites.map((s) => html`<option value=${s.id}>${s.name} (${s.id})</option>`)}
            </select></label>`
        : html`<span class="site-name">${site ? site.name : ''}</span>`}
      ${toolbar}
      <button type="button" class="ghost" onClick=${signOut} data-testid="signout">${t('nav.signout')}</button>
    </header>
    <div class="layout">
      <nav id="nav" class=${menuOpen ? 'open' : ''} aria-label=${t('nav.menu')}>
        <ul>
          ${pages.filter((p) => !p.hidden).map((p) => html`<li><a href=${'#/' + p.id} aria-current=${p === page ? 'page' : undefined}>${t(p.label)}</a></li>`)}
        </ul>
      </nav>
      <main id="main" tabindex="-1" data-page=${page.id}>
        <${Notice} t=${t} error=${error} />
        ${site || page.id === 'account' ? html`<${View} key=${page.id + (site ? site.id : '')} ...${ctx} />` : html`<p>${t('common.none')}</p>`}
      </main>
    </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
