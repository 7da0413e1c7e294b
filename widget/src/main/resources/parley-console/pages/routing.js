// Routing: the site's policy and default capacity, each agent's capacity, skill groups with their members, the
// working hours as a week grid of hours (in the site's time zone), holidays and the welcome message. Saved as one
// document (PUT /api/sites/{id}/routing replaces the whole configuration; a refusal stores nothing).
import { useState, useEffect } from 'preact/hooks';
import { html, Notice } from '../ui.js';
import { api } from '../api.js';

export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const POLICIES = ['manual', 'least-busy', 'round-robin'];

/** Spans ({day, opens, closes}) as a 7 × 24 grid of open hours; a span past midnight spills into the next day. */
export function spansToGrid(spans) {
  const grid = DAYS.map(() => Array(24).fill(false));
  for (const s of spans || []) {
    const d = DAYS.indexOf(s.day);
    if (d < 0) continue;
    const open = parseInt(s.opens, 10);
    let close = parseInt(s.closes, 10) + (s.closes.endsWith(':00') ? 0 : 1);
    if (close <= open) close += 24;
    for (let h = open; h < close; h++) grid[(d + Math.floor(h / 24)) % 7][h % 24] = true;
  }
  return grid;
}

/**
 * The grid as spans: each run of open hours within a day is one span; a run up to midnight closes at 00:00. A whole
 * day is two spans (00:00–12:00, 12:00–00:00): the server refuses a span that opens and closes at the same time.
 */
export function gridToSpans(grid) {
  const spans = [];
  const hh = (h) => String(h % 24).padStart(2, '0') + ':00';
  grid.forEach((hours, d) => {
    let start = -1;
    for (let h = 0; h <= 24; h++) {
      const open = h < 24 && hours[h];
      if (open && start < 0) start = h;
      if (!open && start === 0 && h === 24) {
        spans.push({ day: DAYS[d], opens: '00:00', closes: '12:00' }, { day: DAYS[d], opens: '12:00', closes: '00:00' });
        start = -1;
      }
      if (!open && start >= 0) { spans.push({ day: DAYS[d], opens: hh(start), closes: hh(h) }); start = -1; }
    }
  });
  return spans;
}

export function RoutingPage({ t, site }) {
  const [doc, setDoc] = useState(null);
  const [agents, setAgents] = useState([]);
  const [grid, setGrid] = useState(null);
  const [holidays, setHolidays] = useState('');
  const [newGroup, setNewGroup] = useState({ id: '', name: '' });
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);

  useEffect(() => {
    Promise.all([api('GET', `/api/sites/${site.id}/routing`), api('GET', `/api/sites/${site.id}/accounts`)]).then(([r, a]) => {
      setDoc({ ...r, timeZone: r.timeZone || '' });
      setGrid(spansToGrid(r.hours));
      setHolidays((r.holidays || []).join('\n'));
      setAgents(a.filter((x) => !x.disabled));
    }, setError);
  }, [site.id]);

  if (!doc) return html`<h1>${t('routing.title')}</h1><${Notice} t=${t} error=${error} /><p>${t('common.loading')}</p>`;

  const set = (patch) => { setDoc({ ...doc, ...patch }); setOk(null); };
  const toggle = (d, h) => { const g = grid.map((row) => row.slice()); g[d][h] = !g[d][h]; setGrid(g); setOk(null); };
  const toggleDay = (d) => { const g = grid.map((row) => row.slice()); const all = g[d].every(Boolean); g[d] = g[d].map(() => !all); setGrid(g); };
  const setGroup = (i, patch) => set({ groups: doc.groups.map((g, j) => (j === i ? { ...g, ...patch } : g)) });
  const toggleMember = (i, id) => {
    const members = doc.groups[i].members || [];
    setGroup(i, { members: members.includes(id) ? members.filter((m) => m !== id) : [...members, id] });
  };
  const addGroup = (e) => {
    e.preventDefault();
    const id = newGroup.id.trim().toLowerCase();
    if (!id) return;
    set({ groups: [...doc.groups, { id, name: newGroup.name.trim() || id, members: [] }] });
    setNewGroup({ id: '', name: '' });
  };
  const setCapacity = (id, value) => {
    const capacities = { ...doc.capacities };
    if (value === '') delete capacities[id]; else capacities[id] = Number(value);
    set({ capacities });
  };

  const save = async (e) => {
    e.preventDefault();
    setError(null); setOk(null);
    const open = grid.some((row) => row.some(Boolean));
    const body = {
      policy: doc.policy, offerTimeoutSeconds: doc.offerTimeoutSeconds, defaultCapacity: Number(doc.defaultCapacity),
      capacities: doc.capacities, groups: doc.groups,
      timeZone: open ? (doc.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone) : null,
      hours: open ? gridToSpans(grid) : null,
      holidays: holidays.split(/\s+/).filter(Boolean),
      welcomeMessage: doc.welcomeMessage || null, autoCloseAfterSeconds: doc.autoCloseAfterSeconds || null,
      urlRules: doc.urlRules.filter((r) => r.contains.trim()),
    };
    try {
      const r = await api('PUT', `/api/sites/${site.id}/routing`, body);
      setDoc({ ...r, timeZone: r.timeZone || '' });
      setGrid(spansToGrid(r.hours));
      setOk(t('common.saved'));
    } catch (err) { setError(err); }
  };

  const dayName = (d) => t('day.' + DAYS[d]);
  const zone = doc.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;

  return html`
    <h1>${t('routing.title')}</h1>
    <form onSubmit=${save} data-testid="routing-form">
      <section class="card">
        <div class="row">
          <label class="field"><span class="label">${t('routing.policy')}</span>
            <select name="policy" value=${doc.policy} onChange=${(e) => set({ policy: e.target.value })}>
              ${POLICIES.map((p) => html`<option value=${p}>${t('routing.policy.' + p)}</option>`)}</select></label>
          <label class="field"><span class="label">${t('routing.defaultCapacity')}</span>
            <input type="number" name="defaultCapacity" min="0" max="100" value=${doc.defaultCapacity} onInput=${(e) => set({ defaultCapacity: e.target.value })} /></label>
          <label class="field"><span class="label">${t('routing.timeZone')}</span>
            <input name="timeZone" maxlength="64" placeholder=${zone} value=${doc.timeZone} onInput=${(e) => set({ timeZone: e.target.value })} /></label>
        </div>
        <label class="field"><span class="label">${t('routing.autoClose')}</span>
          <input type="number" name="autoClose" min="1" max="10080" value=${doc.autoCloseAfterSeconds ? Math.round(doc.autoCloseAfterSeconds / 60) : ''}
            onInput=${(e) => set({ autoCloseAfterSeconds: e.target.value ? Number(e.target.value) * 60 : null })} /></label>
        <label class="field"><span class="label">${t('routing.welcome')}</span>
          <textarea name="welcome" rows="2" maxlength="1000" value=${doc.welcomeMessage || ''} onInput=${(e) => set({ welcomeMessage: e.target.value })}></textarea></label>
      </section>

      <section class="card" aria-labelledby="hours-title">
        <h2 id="hours-title">${t('routing.hours')}</h2>
        <p class="help">${t('routing.hours.help', { zone })}</p>
        <div class="table-wrap"><table class="week" data-testid="week">
          <thead><tr><th scope="col"><span class="sr">${t('routing.day')}</span></th>${Array.from({ length: 24 }, (_, h) => html`<th scope="col" class="hour">${h}</th>`)}</tr></thead>
          <tbody>${grid.map((row, d) => html`<tr>
            <th scope="row"><button type="button" class="day" onClick=${() => toggleDay(d)} data-day=${DAYS[d]}>${dayName(d)}</button></th>
            ${row.map((on, h) => html`<td><button type="button" class="cell" aria-pressed=${on ? 'true' : 'false'}
              aria-label=${dayName(d) + ' ' + String(h).padStart(2, '0') + ':00'} data-day=${DAYS[d]} data-hour=${h}
              onClick=${() => toggle(d, h)}></button></td>`)}
          </tr>`)}</tbody></table></div>
        <label class="field"><span class="label">${t('routing.holidays')}</span>
          <textarea name="holidays" rows="3" spellcheck="false" placeholder="2026-10-01" value=${holidays} onInput=${(e) => setHolidays(e.target.value)}></textarea></label>
      </section>

      <section class="card" aria-labelledby="groups-title">
        <h2 id="groups-title">${t('routing.groups')}</h2>
        ${doc.groups.length === 0 ? html`<p>${t('common.none')}</p>` : null}
        ${doc.groups.map((g, i) => html`<fieldset class="group" data-group=${g.id}>
          <legend>${g.name} <code>${g.id}</code></legend>
          <div class="members">${agents.map((a) => html`<label class="check"><input type="checkbox" checked=${(g.members || []).includes(a.id)}
            onChange=${() => toggleMember(i, a.id)} /> ${a.displayName || a.username}</label>`)}</div>
          <div class="row">
            <label class="field"><span class="label">${t('routing.overflow')}</span>
              <select value=${g.overflowGroup || ''} onChange=${(e) => setGroup(i, { overflowGroup: e.target.value || null })}>
                <option value="">—</option>
                ${doc.groups.filter((o) => o.id !== g.id).map((o) => html`<option value=${o.id}>${o.name}</option>`)}</select></label>
            <label class="field"><span class="label">${t('routing.overflowAfter')}</span>
              <input type="number" min="0" max="86400" value=${g.overflowAfterSeconds ?? ''}
                onInput=${(e) => setGroup(i, { overflowAfterSeconds: e.target.value === '' ? null : Number(e.target.value) })} /></label>
          </div>
          <button type="button" class="ghost danger" onClick=${() => set({
            groups: doc.groups.filter((_, j) => j !== i).map((o) => (o.overflowGroup === g.id ? { ...o, overflowGroup: null } : o)),
            urlRules: doc.urlRules.filter((r) => r.group !== g.id) })}>${t('team.delete')}</button>
        </fieldset>`)}
        <div class="row">
          <label class="field"><span class="label">${t('routing.group.id')}</span>
            <input name="groupId" maxlength="64" pattern="[a-z0-9][a-z0-9_-]*" value=${newGroup.id} onInput=${(e) => setNewGroup({ ...newGroup, id: e.target.value })} /></label>
          <label class="field"><span class="label">${t('routing.group.name')}</span>
            <input name="groupName" maxlength="200" value=${newGroup.name} onInput=${(e) => setNewGroup({ ...newGroup, name: e.target.value })} /></label>
          <button type="button" class="ghost" onClick=${addGroup} data-testid="add-group">${t('routing.group.add')}</button>
        </div>
      </section>

      <section class="card" aria-labelledby="rules-title">
        <h2 id="rules-title">${t('routing.rules')}</h2>
        <p class="help">${t('routing.rules.help')}</p>
        ${doc.urlRules.map((r, i) => html`<div class="row rule">
          <label class="field"><span class="label">${t('routing.rules.contains')}</span>
            <input maxlength="512" value=${r.contains} onInput=${(e) => set({ urlRules: doc.urlRules.map((x, j) => (j === i ? { ...x, contains: e.target.value } : x)) })} /></label>
          <label class="field"><span class="label">${t('dash.group')}</span>
            <select value=${r.group} onChange=${(e) => set({ urlRules: doc.urlRules.map((x, j) => (j === i ? { ...x, group: e.target.value } : x)) })}>
              ${doc.groups.map((g) => html`<option value=${g.id}>${g.name}</option>`)}</select></label>
          <button type="button" class="ghost danger" onClick=${() => set({ urlRules: doc.urlRules.filter((_, j) => j !== i) })}>${t('team.delete')}</button>
        </div>`)}
        <button type="button" class="ghost" disabled=${doc.groups.length === 0} data-testid="add-rule"
          onClick=${() => set({ urlRules: [...doc.urlRules, { contains: '', group: doc.groups[0].id }] })}>${t('routing.rules.add')}</button>
      </section>

      <section class="card" aria-labelledby="capacity-title">
        <h2 id="capacity-title">${t('routing.capacities')}</h2>
        <div class="table-wrap"><table>
          <thead><tr><th scope="col">${t('team.username')}</th><th scope="col">${t('routing.capacity')}</th></tr></thead>
          <tbody>${agents.map((a) => html`<tr><td>${a.displayName || a.username}</td>
            <td><input type="number" min="0" max="100" aria-label=${t('routing.capacity') + ' ' + a.username} data-capacity=${a.username}
              placeholder=${String(doc.defaultCapacity)} value=${doc.capacities[a.id] ?? ''} onInput=${(e) => setCapacity(a.id, e.target.value)} /></td></tr>`)}</tbody>
        </table></div>
      </section>
      <${Notice} t=${t} error=${error} ok=${ok} />
      <button type="submit">${t('common.save')}</button>
    </form>`;
}
