// Dashboard, pushed over the agents' WebSocket: the site's waiting queue (queue, then queueChanged frames) with
// waiting times, and the missed conversations of the last 7 days. Waiting times tick on a local clock; nothing
// is polled.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from '../ui.js';
import { duration } from '../i18n.js';
import { Live } from '../live.js';

export function Dashboard({ t, lang, site }) {
  const [state, setState] = useState('connecting');
  const [queue, setQueue] = useState([]);
  const [missed, setMissed] = useState([]);
  const [now, setNow] = useState(Date.now());
  const skew = useRef(0); // server clock minus ours, from welcome.serverTime

  useEffect(() => {
    const live = new Live((f) => {
      if (f.type === 'welcome' && f.serverTime) skew.current = new Date(f.serverTime).getTime() - Date.now();
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
        if (f.missed) setMissed(f.missed);
      }
    }, setState);
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => { live.close(); clearInterval(clock); };
  }, [site.id]);

  const waited = (since) => duration(lang, (now + skew.current - new Date(since).getTime()) / 1000);
  const stateText = state === 'online' ? t('dash.live') : state === 'offline' ? t('dash.offline') : t('dash.connecting');

  return html`
    <div class="title-row"><h1>${t('dash.title')}</h1>
      <span class="conn" data-state=${state} role="status" data-testid="live-state">${stateText}</span></div>
    <div class="tiles">
      <div class="tile"><span class="big" data-testid="count-waiting">${queue.length}</span><span>${t('dash.waiting')}</span></div>
      <div class="tile"><span class="big" data-testid="count-missed">${missed.length}</span><span>${t('dash.missedCount')}</span></div>
    </div>
    <section class="card" aria-labelledby="queue-title">
      <h2 id="queue-title">${t('dash.queue')}</h2>
      ${queue.length === 0
        ? html`<p>${t('dash.queue.empty')}</p>`
        : html`<div class="table-wrap"><table data-testid="queue">
            <thead><tr><th scope="col">${t('dash.position')}</th><th scope="col">${t('dash.visitor')}</th><th scope="col">${t('dash.group')}</th><th scope="col">${t('dash.since')}</th></tr></thead>
            <tbody>${queue.map((e, i) => html`<tr data-conversation=${e.conversationId}>
              <td>${i + 1}</td><td><code>${e.visitorId.slice(0, 8)}</code></td><td>${e.group || '—'}</td><td>${waited(e.since)}</td></tr>`)}</tbody>
          </table></div>`}
    </section>
    <section class="card" aria-labelledby="missed-title">
      <h2 id="missed-title">${t('dash.missed')}</h2>
      ${missed.length === 0
        ? html`<p>${t('common.none')}</p>`
        : html`<ul class="plain">${missed.map((m) => html`<li><a href=${'#/history/' + encodeURIComponent(m.conversationId)}><code>${(m.visitorId || m.conversationId).slice(0, 8)}</code></a></li>`)}</ul>`}
    </section>`;
}
