// Reports over any range of the site's calendar days, counted in the site's time zone by the server
// (GET /statistics by day, hour, agent and group; GET /agent-activity): volume by day and by hour of the week,
// first-response and resolution times, satisfaction, missed conversations, per-agent and per-group tables, and the
// whole report as one CSV. This module and its chart library are loaded only when the page is opened.
import { useState, useEffect, useRef, useMemo } from 'preact/hooks';
import { html, Notice, setDisplayZone } from '../ui.js';
import { api } from '../api.js';
import { duration } from '../i18n.js';
import { loadUPlot, categoryOptions } from '../charts.js';
import { DAYS, daysBetween, hourOfWeek, reportCsv } from '../report-data.mjs';

const CHART_HEIGHT_PX = 220;
const COLORS = { all: '#2563eb', missed: '#dc2626', median: '#0d9488', p90: '#d97706', score: '#7c3aed' };

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return q.toString();
}

export function ReportsPage({ t, lang, site, manager, theme }) {
  const [range, setRange] = useState({ from: '', to: '' });
  const [report, setReport] = useState(null);
  const [names, setNames] = useState({ agents: {}, groups: {} });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const base = `/api/sites/${site.id}`;

  const load = async (r) => {
    setError(null);
    setBusy(true);
    try {
      const q = query(r);
      const [total, days, hours, agents, groups, activity] = await Promise.all([
        api('GET', `${base}/statistics?by=total&${q}`),
        api('GET', `${base}/statistics?by=day&${q}`),
        api('GET', `${base}/statistics?by=hour&${q}`),
        api('GET', `${base}/statistics?by=agent&${q}`),
        api('GET', `${base}/statistics?by=group&${q}`),
        api('GET', `${base}/agent-activity?${q}`).catch(() => ({ agents: [] })),
      ]);
      setReport({ timeZone: total.timeZone, from: total.from, to: total.to, total: total.total, invitations: total.invitations, days: days.rows, hours: hours.rows,
        agents: agents.rows, groups: groups.rows, activity: Object.fromEntries(activity.agents.map((a) => [a.agentId, a])) });
      setRange({ from: total.from, to: total.to });
    } catch (err) { setError(err); }
    setBusy(false);
  };

  useEffect(() => {
    load(range);
    if (manager) {
      api('GET', `${base}/accounts`).then((a) => setNames((n) => ({ ...n, agents: Object.fromEntries(a.map((x) => [x.id, x.displayName || x.username])) })), () => {});
      api('GET', `${base}/routing`).then((r) => setNames((n) => ({ ...n, groups: Object.fromEntries((r.groups || []).map((g) => [g.id, g.name])) })), () => {});
    }
  }, [site.id]);

  const preset = (days) => {
    const to = new Date();
    const from = new Date(Date.now() - (days - 1) * 86400000);
    const r = { from: ymd(from), to: ymd(to) };
    setRange(r);
    load(r);
  };

  const exportCsv = () => {
    const blob = new Blob([reportCsv(report, names)], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `parley-${site.id}-report-${report.from}-${report.to}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  };

  return html`
    <h1>${t('reports.title')}</h1>
    <form class="card filters" onSubmit=${(e) => { e.preventDefault(); load(range); }} data-testid="report-range">
      <label class="field"><span class="label">${t('history.from')}</span>
        <input type="date" name="from" value=${range.from} onInput=${(e) => setRange({ ...range, from: e.target.value })} /></label>
      <label class="field"><span class="label">${t('history.to')}</span>
        <input type="date" name="to" value=${range.to} onInput=${(e) => setRange({ ...range, to: e.target.value })} /></label>
      <div class="row end">
        <button type="button" class="ghost" onClick=${() => preset(7)}>${t('reports.last', { n: 7 })}</button>
        <button type="button" class="ghost" onClick=${() => preset(30)}>${t('reports.last', { n: 30 })}</button>
        <button type="submit" disabled=${busy}>${t('reports.show')}</button>
        <button type="button" class="ghost" onClick=${exportCsv} disabled=${!report} data-testid="report-export">${t('reports.export')}</button>
      </div>
      ${report ? html`<p class="help" data-testid="report-zone">${t('reports.zone', { zone: report.timeZone })}</p>` : null}
    </form>
    <${Notice} t=${t} error=${error} />
    ${report ? html`<${Report} t=${t} lang=${lang} report=${report} names=${names} theme=${theme} />` : error ? null : html`<p>${t('common.loading')}</p>`}
    ${manager ? html`<${ZoneForm} t=${t} base=${base} current=${report && report.timeZone} onSaved=${() => load(range)} />` : null}`;
}

function ymd(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function Report({ t, lang, report, names, theme }) {
  const tot = report.total;
  const secs = (v) => (v === null || v === undefined ? '—' : duration(lang, v));
  const days = useMemo(() => daysBetween(report.from, report.to), [report]);
  const byDay = useMemo(() => Object.fromEntries(report.days.map((r) => [r.key, r])), [report]);
  const dayLabel = (d) => new Date(d + 'T00:00:00Z').toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'UTC', month: 'short', day: 'numeric' });
  const labels = days.map(dayLabel);
  const pick = (f) => days.map((d) => (byDay[d] ? f(byDay[d]) : null));
  const volume = [
    { label: t('reports.conversations'), color: COLORS.all, values: pick((r) => r.conversations).map((v) => v || 0) },
    { label: t('dash.missedCount'), color: COLORS.missed, values: pick((r) => r.missed).map((v) => v || 0) },
  ];
  const minutes = (v) => (v === null || v === undefined ? null : Math.round(v / 6) / 10);
  const firstResponse = [
    { label: t('reports.median'), color: COLORS.median, values: pick((r) => r.firstResponse.medianSeconds) },
    { label: 'p90', color: COLORS.p90, values: pick((r) => r.firstResponse.p90Seconds) },
  ];
  const resolution = [
    { label: t('reports.median'), color: COLORS.median, values: pick((r) => minutes(r.resolution.medianSeconds)) },
    { label: 'p90', color: COLORS.p90, values: pick((r) => minutes(r.resolution.p90Seconds)) },
  ];
  const scores = [{ label: t('reports.ratings'), color: COLORS.score, values: tot.ratings.distribution || [0, 0, 0, 0, 0] }];

  return html`
    <div class="tiles" data-testid="report-totals">
      <div class="tile"><span class="big" data-testid="report-conversations">${tot.conversations}</span><span>${t('reports.conversations')}</span></div>
      <div class="tile"><span class="big" data-testid="report-missed">${tot.missed}</span><span>${t('dash.missedCount')}</span></div>
      <div class="tile"><span class="big">${secs(tot.firstResponse.medianSeconds)}</span><span>${t('reports.firstResponse')} · ${t('reports.median')}</span></div>
      <div class="tile"><span class="big">${secs(tot.resolution.medianSeconds)}</span><span>${t('reports.resolution')} · ${t('reports.median')}</span></div>
      <div class="tile"><span class="big">${tot.ratings.average == null ? '—' : tot.ratings.average.toFixed(1) + ' ★'}</span>
        <span>${t('reports.satisfaction')} (${tot.ratings.count})</span></div>
    </div>
    ${report.invitations ? html`<div class="tiles" data-testid="report-invitations">
      <div class="tile"><span class="big" data-testid="invitations-sent">${report.invitations.sent}</span><span>${t('reports.invitations')}
        · ${t('reports.invitations.detail', { agents: report.invitations.byAgents, automatic: report.invitations.automatic })}</span></div>
      <div class="tile"><span class="big" data-testid="invitations-accepted">${report.invitations.accepted}</span><span>${t('reports.invitations.accepted')}</span></div>
      <div class="tile"><span class="big" data-testid="invitations-closed">${report.invitations.closed}</span><span>${t('reports.invitations.closed')}</span></div>
      <div class="tile"><span class="big" data-testid="invitations-ignored">${report.invitations.ignored}</span><span>${t('reports.invitations.ignored')}</span></div>
    </div>` : null}
    <div class="charts">
      <${Chart} id="chart-volume" title=${t('reports.volume')} labels=${labels} series=${volume} bars theme=${theme} yLabel=${t('reports.conversations')} />
      <${Chart} id="chart-first-response" title=${t('reports.firstResponse') + ' (' + t('reports.seconds') + ')'} labels=${labels} series=${firstResponse} theme=${theme} />
      <${Chart} id="chart-resolution" title=${t('reports.resolution') + ' (' + t('reports.minutes') + ')'} labels=${labels} series=${resolution} theme=${theme} />
      <${Chart} id="chart-satisfaction" title=${t('reports.satisfaction')} labels=${['1★', '2★', '3★', '4★', '5★']} series=${scores} bars theme=${theme} />
    </div>
    <${HourOfWeek} t=${t} grid=${hourOfWeek(report.hours)} />
    <${Table} t=${t} lang=${lang} id="report-agents" title=${t('reports.perAgent')} head=${t('history.agent')} rows=${report.agents}
      name=${(k) => (k ? names.agents[k] || k : t('reports.noAgent'))} activity=${report.activity} />
    <${Table} t=${t} lang=${lang} id="report-groups" title=${t('reports.perGroup')} head=${t('dash.group')} rows=${report.groups}
      name=${(k) => (k ? names.groups[k] || k : t('reports.noGroup'))} />`;
}

/** One uPlot chart, with a caption, a legend in text, and a summary for screen readers. */
function Chart({ id, title, labels, series, bars, yLabel, theme }) {
  const counts = !!bars; // the bar charts count conversations and ratings
  const box = useRef(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let plot = null;
    let gone = false;
    const fit = () => { if (plot && box.current) plot.setSize({ width: Math.max(240, box.current.clientWidth), height: CHART_HEIGHT_PX }); };
    loadUPlot().then((uPlot) => {
      if (gone || !box.current) return;
      const opts = categoryOptions(uPlot, { width: Math.max(240, box.current.clientWidth), height: CHART_HEIGHT_PX, labels, series, bars, yLabel, counts });
      plot = new uPlot(opts, [labels.map((_, i) => i), ...series.map((s) => s.values)], box.current);
      window.addEventListener('resize', fit);
    }, () => setFailed(true));
    return () => { gone = true; window.removeEventListener('resize', fit); if (plot) plot.destroy(); };
  }, [labels.join('|'), JSON.stringify(series), theme]);
  const summary = title + ': ' + series.map((s) => s.label + ' ' + s.values.map((v, i) => labels[i] + ' ' + (v ?? '—')).join(', ')).join('; ');
  return html`<figure class="card chart" data-testid=${id}>
    <figcaption>${title}</figcaption>
    <div class="plot" ref=${box} role="img" aria-label=${summary}>${failed ? html`<p>${summary}</p>` : null}</div>
    <ul class="legend">${series.map((s) => html`<li><span class=${'swatch ' + swatch(s.color)}></span>${s.label}</li>`)}</ul>
  </figure>`;
}

function swatch(color) {
  return Object.keys(COLORS).find((k) => COLORS[k] === color) || 'all';
}

function HourOfWeek({ t, grid }) {
  const max = Math.max(1, ...grid.flat());
  const level = (n) => (n === 0 ? 0 : Math.min(4, 1 + Math.floor((n / max) * 3.999)));
  return html`<section class="card" aria-labelledby="how-title">
    <h2 id="how-title">${t('reports.hourOfWeek')}</h2>
    <div class="table-wrap" tabindex="0"><table class="heat" data-testid="hour-of-week">
      <thead><tr><th scope="col"><span class="sr-only">${t('reports.day')}</span></th>
        ${grid[0].map((_, h) => html`<th scope="col" class="hour">${h}</th>`)}</tr></thead>
      <tbody>${grid.map((row, d) => html`<tr><th scope="row">${t('day.' + DAYS[d])}</th>
        ${row.map((n, h) => html`<td class=${'lvl' + level(n)} data-day=${DAYS[d]} data-hour=${h}>${n || ''}</td>`)}</tr>`)}</tbody>
    </table></div></section>`;
}

function Table({ t, lang, id, title, head, rows, name, activity }) {
  const secs = (v) => (v === null || v === undefined ? '—' : duration(lang, v));
  return html`<section class="card" aria-labelledby=${id + '-title'}>
    <h2 id=${id + '-title'}>${title}</h2>
    ${rows.length === 0 ? html`<p>${t('common.none')}</p>` : html`<div class="table-wrap" tabindex="0"><table data-testid=${id}>
      <thead><tr><th scope="col">${head}</th><th scope="col">${t('reports.conversations')}</th><th scope="col">${t('dash.missedCount')}</th>
        <th scope="col">${t('reports.firstResponse')}</th><th scope="col">${t('reports.resolution')}</th><th scope="col">${t('reports.satisfaction')}</th>
        <th scope="col">${t('reports.transfers')}</th>
        ${activity ? html`<th scope="col">${t('reports.online')}</th><th scope="col">${t('reports.peak')}</th>` : null}</tr></thead>
      <tbody>${rows.map((r) => html`<tr data-key=${r.key || ''}>
        <th scope="row">${name(r.key)}</th><td>${r.conversations}</td><td>${r.missed}</td>
        <td>${secs(r.firstResponse.medianSeconds)}</td><td>${secs(r.resolution.medianSeconds)}</td>
        <td>${r.ratings.average == null ? '—' : r.ratings.average.toFixed(1) + ' (' + r.ratings.count + ')'}</td><td>${r.transfers}</td>
        ${activity ? html`<td>${activity[r.key] ? secs(activity[r.key].onlineSeconds) : '—'}</td><td>${activity[r.key] ? activity[r.key].peakConcurrent : '—'}</td>` : null}
      </tr>`)}</tbody></table></div>`}
  </section>`;
}

/** The zone the site's days and hours are counted in (owners and admins). */
function ZoneForm({ t, base, current, onSaved }) {
  const [zone, setZone] = useState('');
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    setOk(null);
    try {
      const r = await api('PUT', `${base}/time-zone`, { timeZone: zone.trim() });
      setDisplayZone(r.timeZone); // every time shown from now on
      setOk(t('common.saved'));
      onSaved();
    } catch (err) { setError(err); }
  };
  return html`<form class="card" onSubmit=${save} data-testid="zone-form" aria-labelledby="zone-title">
    <h2 id="zone-title">${t('reports.zoneTitle')}</h2>
    <div class="row">
      <label class="field"><span class="label">${t('routing.timeZone')}</span>
        <input name="zone" maxlength="64" required placeholder=${current || Intl.DateTimeFormat().resolvedOptions().timeZone}
          value=${zone} onInput=${(e) => setZone(e.target.value)} /></label>
      <button type="submit">${t('common.save')}</button>
    </div>
    <${Notice} t=${t} error=${error} ok=${ok} />
  </form>`;
}
