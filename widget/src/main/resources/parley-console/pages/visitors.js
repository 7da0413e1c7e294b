// Visitors now (docs/PROTOCOL.md §12): the site's visitors online, pushed over the agents' WebSocket — a
// `visitors` list once, then `visitorsChanged` at most once a second — filtered on the server by the words typed
// here. Place names come in the console's language. Times on site and page tick on a local clock.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from '../ui.js';
import { duration } from '../i18n.js';
import { Live } from '../live.js';

const LIMIT = 200;
const FILTER_DEBOUNCE_MS = 300;

export function VisitorsPage({ t, lang, site }) {
  const [state, setState] = useState('connecting');
  const [list, setList] = useState({ total: 0, visitors: [] });
  const [text, setText] = useState('');
  const [now, setNow] = useState(Date.now());
  const skew = useRef(0);
  const live = useRef(null);
  const watch = (words) => live.current && live.current.send({ type: 'watchVisitors', siteId: site.id, limit: LIMIT,
    lang: lang === 'zh' ? 'zh-CN' : 'en', filter: words.trim() ? { text: words.trim() } : undefined });

  useEffect(() => {
    live.current = new Live((f) => {
      if (f.serverTime) skew.current = new Date(f.serverTime).getTime() - Date.now();
      if (f.type === 'welcome') { watch(text); return; }
      if (f.siteId !== site.id) return;
      if (f.type === 'visitors') setList({ total: f.total, visitors: f.visitors || [] });
      else if (f.type === 'visitorsChanged') {
        setList((l) => {
          const gone = new Set([...(f.removed || []), ...(f.upserted || []).map((v) => v.visitorId)]);
          const next = l.visitors.filter((v) => !gone.has(v.visitorId)).concat(f.upserted || []);
          next.sort((a, b) => (a.since < b.since ? 1 : a.since > b.since ? -1 : 0));
          return { total: f.total, visitors: next };
        });
      }
    }, setState);
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => { live.current.close(); clearInterval(clock); };
  }, [site.id, lang]);

  useEffect(() => {
    const timer = setTimeout(() => watch(text), FILTER_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const since = (at) => duration(lang, (now + skew.current - new Date(at).getTime()) / 1000);
  // "北京, 中国", not "北京, 北京市, 中国": a region named after its city is said once.
  const place = (v) => [v.city, v.city && v.region && v.region.startsWith(v.city) ? null : v.region, v.country]
    .filter(Boolean).join(', ') || '—';
  const stateText = state === 'online' ? t('dash.live') : state === 'offline' ? t('dash.offline') : t('dash.connecting');
  return html`
    <div class="title-row"><h1>${t('visitors.title')}</h1>
      <span class="conn" data-state=${state} role="status" data-testid="live-state">${stateText}</span></div>
    <div class="row end">
      <label>${t('visitors.filter')} <input type="search" value=${text} onInput=${(e) => setText(e.target.value)}
        data-testid="visitors-filter" /></label>
      <span data-testid="visitors-total">${t('visitors.total', { n: list.total })}</span>
    </div>
    <section class="card">
      ${list.visitors.length === 0
        ? html`<p>${t('visitors.none')}</p>`
        : html`<div class="table-wrap"><table data-testid="visitors">
            <thead><tr><th scope="col">${t('visitors.visitor')}</th><th scope="col">${t('visitors.page')}</th>
              <th scope="col">${t('visitors.onSite')}</th><th scope="col">${t('visitors.pages')}</th>
              <th scope="col">${t('visitors.place')}</th><th scope="col">${t('visitors.source')}</th>
              <th scope="col">${t('visitors.device')}</th><th scope="col">${t('visitors.chat')}</th></tr></thead>
            <tbody>${list.visitors.map((v) => html`<tr data-visitor=${v.visitorId}>
              <td>${v.name || html`<code>${v.visitorId.slice(0, 8)}</code>`}
                ${v.returning ? html` <small>${t('visitors.returning', { n: v.visits })}</small>` : null}</td>
              <td><span title=${v.pageUrl || ''}>${v.pageTitle || v.pageUrl || '—'}</span>
                ${v.pageSince ? html`<br /><small>${since(v.pageSince)}</small>` : null}</td>
              <td>${since(v.since)}</td>
              <td data-testid="pages-seen">${v.pagesSeen}</td>
              <td data-testid="place">${place(v)}</td>
              <td>${v.searchKeyword ? html`<q>${v.searchKeyword}</q> ` : null}${v.utm && v.utm.campaign ? v.utm.campaign : ''}
                ${!v.searchKeyword && !(v.utm && v.utm.campaign) ? (v.referrer ? html`<span title=${v.referrer}>${hostOf(v.referrer)}</span>` : t('visitors.direct')) : null}</td>
              <td>${v.device ? [v.device.browser, v.device.os].filter(Boolean).join(' · ') : '—'}</td>
              <td>${t('visitors.chat.' + v.chat)}</td></tr>`)}</tbody>
          </table></div>`}
    </section>`;
}

function hostOf(url) {
  try { return new URL(url).host; } catch (e) { return url; }
}
