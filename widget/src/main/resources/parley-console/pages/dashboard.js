// Dashboard, pushed over the agents' WebSocket (docs/PROTOCOL.md): the site's waiting queue (`queue`, then
// `queueChanged`) with waiting times, the missed conversations, and the active conversations, which the console
// follows with `sync` so that their `joined`, `transferred` and `closed` events arrive as they happen. Each agent's
// load is counted from those and shown against the capacity of the routing configuration. Waiting times tick on
// a local clock; nothing is polled. The list of active conversations is read once from the history API when the
// connection starts; conversations leaving the queue are followed from then on. Today's first-response median and
// satisfaction (supervisors and up) are read from the statistics once, then again a moment after a pushed event
// that can change them (an agent's first answer, a close): the read model trails the journal by under a second.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from '../ui.js';
import { duration } from '../i18n.js';
import { api } from '../api.js';
import { Live } from '../live.js';

const FAR_SEQ = 0; // follow from the start: conversations that just left the queue are short
const STATS_AFTER_EVENT_MS = 2000; // one re-read of today's figures this long after the last event that moves them

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function Dashboard({ t, lang, site, manager, role }) {
  const reader = role === 'owner' || role === 'admin' || role === 'supervisor'; // statistics are theirs
  const [state, setState] = useState('connecting');
  const [queue, setQueue] = useState([]);
  const [missed, setMissed] = useState([]);
  const [active, setActive] = useState({}); // conversationId → {conversationId, visitorId, agentId, since}
  const [names, setNames] = useState({});
  const [routing, setRouting] = useState(null);
  const [todayCount, setTodayCount] = useState(null);
  const [now, setNow] = useState(Date.now());
  const skew = useRef(0); // server clock minus ours, from welcome.serverTime
  const [todayStats, setTodayStats] = useState(null); // today's row of GET /statistics; null until read or for agents

  useEffect(() => {
    if (manager) api('GET', `/api/sites/${site.id}/accounts`).then((a) => setNames(Object.fromEntries(a.map((x) => [x.id, x.displayName || x.username]))), () => {});
    api('GET', `/api/sites/${site.id}/routing`).then(setRouting, () => {});
    api('GET', `/api/sites/${site.id}/conversations?limit=200&from=${encodeURIComponent(new Date(today() + 'T00:00:00').toISOString())}`)
      .then((r) => setTodayCount({ n: r.items.length, more: !!r.nextCursor }), () => {});

    let statsTimer = null;
    const readStats = () => api('GET', `/api/sites/${site.id}/statistics?by=day`)
      .then((r) => setTodayStats(r.rows.find((row) => row.key === r.to) || { conversations: 0, firstResponse: {}, ratings: { count: 0 } }), () => {});
    const statsSoon = () => { clearTimeout(statsTimer); statsTimer = setTimeout(readStats, STATS_AFTER_EVENT_MS); };
    if (reader) readStats();
    const upsert = (id, patch) => setActive((a) => ({ ...a, [id]: { ...(a[id] || { conversationId: id }), ...patch } }));
    const drop = (id) => setActive((a) => { const n = { ...a }; delete n[id]; return n; });
    let live = null;
    const follow = (id, afterSeq) => live.send({ type: 'sync', conversationId: id, afterSeq });

    live = new Live((f) => {
      if (f.type === 'welcome') {
        if (f.serverTime) skew.current = new Date(f.serverTime).getTime() - Date.now();
        api('GET', `/api/sites/${site.id}/conversations?status=assigned&limit=200`).then((r) => {
          for (const c of r.items) {
            upsert(c.conversationId, { visitorId: c.visitorId, agentId: c.agentId, since: c.firstAssignedAt || c.openedAt });
            follow(c.conversationId, c.lastSeq || 0);
          }
        }, () => {});
        return;
      }
      if (f.siteId && f.siteId !== site.id) return;
      if (f.type === 'queue') {
        setQueue(f.waiting || []);
        if (f.missed) setMissed(f.missed);
      } else if (f.type === 'queueChanged') {
        setQueue((q) => {
          const removed = new Set(f.removed || []);
          const next = q.filter((e) => !removed.has(e.conversationId));
          const have = new Set(next.map((e) => e.conversationId));
          for (const a of f.added || []) if (!have.has(a.conversationId)) next.push(a);
          return next;
        });
        for (const id of f.removed || []) follow(id, FAR_SEQ);
        if ((f.added || []).length) setTodayCount((c) => (c ? { ...c, n: c.n + f.added.length } : c));
        if (f.missed) setMissed(f.missed);
      } else if (f.type === 'synced') {
        if (f.status === 'assigned') upsert(f.conversationId, { visitorId: f.visitorId, agentId: f.agentId });
        else if (f.status === 'closed') drop(f.conversationId);
      } else if (f.type === 'event') {
        if (f.kind === 'closed') drop(f.conversationId);
        else if (f.kind === 'joined') upsert(f.conversationId, { agentId: f.author.id, since: f.at });
        if (reader && (f.kind === 'closed' || (f.kind === 'message' && f.author && f.author.role === 'agent'))) statsSoon();
      }
    }, setState);
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => { live.close(); clearInterval(clock); clearTimeout(statsTimer); };
  }, [site.id]);

  const waited = (since) => duration(lang, (now + skew.current - new Date(since).getTime()) / 1000);
  const stateText = state === 'online' ? t('dash.live') : state === 'offline' ? t('dash.offline') : t('dash.connecting');
  const groupName = (id) => ((routing && routing.groups) || []).find((g) => g.id === id)?.name || id;
  const activeList = Object.values(active).filter((c) => c.agentId);
  const load = {};
  for (const c of activeList) load[c.agentId] = (load[c.agentId] || 0) + 1;
  const capacityOf = (id) => (routing ? routing.capacities[id] ?? routing.defaultCapacity : null);
  const agentIds = [...new Set([...Object.keys(load), ...(routing ? Object.keys(routing.capacities) : [])])];
  const name = (id) => names[id] || (id ? id.slice(0, 8) : '—');

  return html`
    <div class="title-row"><h1>${t('dash.title')}</h1>
      <span class="conn" data-state=${state} role="status" data-testid="live-state">${stateText}</span></div>
    <div class="tiles">
      <div class="tile"><span class="big" data-testid="count-waiting">${queue.length}</span><span>${t('dash.waiting')}</span></div>
      <div class="tile"><span class="big" data-testid="count-active">${activeList.length}</span><span>${t('dash.active')}</span></div>
      <div class="tile"><span class="big" data-testid="count-today">${todayCount ? todayCount.n + (todayCount.more ? '+' : '') : '…'}</span><span>${t('dash.today')}</span></div>
      <div class="tile"><span class="big" data-testid="count-missed">${missed.length}</span><span>${t('dash.missedCount')}</span></div>
      ${todayStats ? html`
        <div class="tile"><span class="big" data-testid="today-first-response">${todayStats.firstResponse.medianSeconds == null ? '—' : duration(lang, todayStats.firstResponse.medianSeconds)}</span>
          <span>${t('dash.firstResponseToday')}</span></div>
        <div class="tile"><span class="big" data-testid="today-satisfaction">${todayStats.ratings.average == null ? '—' : todayStats.ratings.average.toFixed(1) + ' ★'}</span>
          <span>${t('dash.satisfactionToday', { n: todayStats.ratings.count })}</span></div>` : null}
    </div>
    <section class="card" aria-labelledby="queue-title">
      <h2 id="queue-title">${t('dash.queue')}</h2>
      ${queue.length === 0
        ? html`<p>${t('dash.queue.empty')}</p>`
        : html`<div class="table-wrap"><table data-testid="queue">
            <thead><tr><th scope="col">${t('dash.position')}</th><th scope="col">${t('dash.visitor')}</th><th scope="col">${t('dash.group')}</th><th scope="col">${t('dash.since')}</th></tr></thead>
            <tbody>${queue.map((e, i) => html`<tr data-conversation=${e.conversationId}>
              <td>${i + 1}</td><td><a href=${'#/live/' + encodeURIComponent(e.conversationId)}><code>${e.visitorId.slice(0, 8)}</code></a></td><td>${e.group ? groupName(e.group) : '—'}</td><td>${waited(e.since)}</td></tr>`)}</tbody>
          </table></div>`}
    </section>
    <section class="card" aria-labelledby="active-title">
      <h2 id="active-title">${t('dash.activeTitle')}</h2>
      ${activeList.length === 0
        ? html`<p>${t('common.none')}</p>`
        : html`<div class="table-wrap"><table data-testid="active">
            <thead><tr><th scope="col">${t('dash.visitor')}</th><th scope="col">${t('history.agent')}</th><th scope="col">${t('dash.for')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
            <tbody>${activeList.map((c) => html`<tr data-conversation=${c.conversationId}>
              <td><code>${(c.visitorId || '').slice(0, 8)}</code></td><td>${name(c.agentId)}</td><td>${c.since ? waited(c.since) : ''}</td>
              <td><a href=${'#/live/' + encodeURIComponent(c.conversationId)}>${t('dash.follow')}</a></td></tr>`)}</tbody>
          </table></div>`}
    </section>
    <section class="card" aria-labelledby="agents-title">
      <h2 id="agents-title">${t('dash.agents')}</h2>
      ${agentIds.length === 0
        ? html`<p>${t('common.none')}</p>`
        : html`<div class="table-wrap"><table data-testid="agents">
            <thead><tr><th scope="col">${t('history.agent')}</th><th scope="col">${t('dash.load')}</th></tr></thead>
            <tbody>${agentIds.map((id) => {
              const cap = capacityOf(id);
              const n = load[id] || 0;
              return html`<tr data-agent=${id}><td>${name(id)}</td>
                <td><span class="load-text">${n}${cap !== null ? ' / ' + cap : ''}</span>
                  ${cap ? html`<meter min="0" max=${cap} value=${n} aria-label=${t('dash.load') + ' ' + name(id)}></meter>` : null}</td></tr>`;
            })}</tbody>
          </table></div>`}
    </section>
    <section class="card" aria-labelledby="missed-title">
      <h2 id="missed-title">${t('dash.missed')}</h2>
      ${missed.length === 0
        ? html`<p>${t('common.none')}</p>`
        : html`<ul class="plain">${missed.map((m) => html`<li><a href=${'#/history/' + encodeURIComponent(m.conversationId)}><code>${(m.visitorId || m.conversationId).slice(0, 8)}</code></a></li>`)}</ul>`}
    </section>`;
}
