// Supervision of one conversation: followed live and read-only over the agents' WebSocket (`sync` from seq 0,
// then events as they come), internal notes to the agents (`note`), and a transfer to another agent or group or
// to oneself (`transfer`; the server applies the permission table: supervisors, admins and owners may).
import { useState, useEffect, useRef } from 'preact/hooks';
import { html, Notice, when } from '../ui.js';
import { api } from '../api.js';
import { Live } from '../live.js';

function frameId() {
  return (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random().toString(16).slice(2);
}

export function LivePage({ t, lang, site, me, arg, manager }) {
  const id = arg;
  const [state, setState] = useState('connecting');
  const [events, setEvents] = useState({}); // seq → event frame
  const [notes, setNotes] = useState({}); // noteSeq → note frame
  const [info, setInfo] = useState(null); // the last synced frame
  const [note, setNote] = useState('');
  const [target, setTarget] = useState('');
  const [accounts, setAccounts] = useState([]);
  const [groups, setGroups] = useState([]);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const live = useRef(null);
  const pending = useRef({}); // frame id → what to say on its ack

  useEffect(() => {
    if (manager) api('GET', `/api/sites/${site.id}/accounts`).then((a) => setAccounts(a.filter((x) => !x.disabled)), () => {});
    api('GET', `/api/sites/${site.id}/routing`).then((r) => setGroups(r.groups || []), () => {});
    const l = new Live((f) => {
      if (f.type === 'welcome') { l.send({ type: 'sync', conversationId: id, afterSeq: 0 }); return; }
      if (f.conversationId !== id && f.type !== 'ack' && f.type !== 'error') return;
      if (f.type === 'event') setEvents((e) => (e[f.seq] ? e : { ...e, [f.seq]: f }));
      else if (f.type === 'note') setNotes((n) => ({ ...n, [f.noteSeq]: f }));
      else if (f.type === 'synced') setInfo(f);
      if (f.type === 'event' && f.kind === 'closed') setInfo((i) => ({ ...(i || {}), status: 'closed' }));
      if (f.type === 'event' && f.kind === 'joined') setInfo((i) => ({ ...(i || {}), status: 'assigned', agentId: f.author.id }));
      else if (f.type === 'ack' && pending.current[f.id]) { setOk(pending.current[f.id]); delete pending.current[f.id]; }
      else if (f.type === 'error' && f.ref && pending.current[f.ref]) { delete pending.current[f.ref]; setError({ code: f.code, field: f.field }); }
    }, setState);
    live.current = l;
    return () => l.close();
  }, [id]);

  const send = (frame, okText) => {
    setError(null); setOk(null);
    const fid = frameId();
    pending.current[fid] = okText;
    if (!live.current.send({ ...frame, id: fid, conversationId: id })) { delete pending.current[fid]; setError({ code: 'network' }); return false; }
    return true;
  };
  const sendNote = (e) => { e.preventDefault(); if (note.trim() && send({ type: 'note', text: note }, t('live.noteSent'))) setNote(''); };
  const close = () => send({ type: 'close' }, t('live.closed'));
  const takeOver = () => send({ type: 'transfer', toAgent: me.account.id }, t('live.takenOver'));
  const transfer = (e) => {
    e.preventDefault();
    if (!target) return;
    const [kind, value] = target.split(':');
    send(kind === 'group' ? { type: 'transfer', toGroup: value } : { type: 'transfer', toAgent: value }, t('live.transferred'));
  };

  const timeline = Object.values(events).sort((a, b) => a.seq - b.seq);
  const noteList = Object.values(notes).sort((a, b) => a.noteSeq - b.noteSeq);
  const stateText = state === 'online' ? t('dash.live') : state === 'offline' ? t('dash.offline') : t('dash.connecting');
  const status = info ? info.status : null;

  return html`
    <p><a href="#/dashboard">← ${t('dash.title')}</a></p>
    <div class="title-row"><h1>${t('live.title')}</h1>
      <span class="conn" data-state=${state} role="status" data-testid="live-state">${stateText}</span></div>
    ${status ? html`<p data-testid="live-status">${t('history.status')}: ${status === 'closed' ? t('history.status.closed') : status === 'waiting' ? t('dash.waiting') : t('history.status.open')}</p>` : null}
    <ol class="transcript" data-testid="live-timeline" aria-live="polite">
      ${timeline.map((e) => html`<li class=${'entry ' + e.author.role + ' ' + e.kind} data-seq=${e.seq}>
        <span class="meta">${t('who.' + e.author.role)} · ${when(lang, e.at)}</span>
        ${e.kind === 'message'
          ? html`<p class="body" dir="auto">${e.text === '' ? html`<em>${t('history.erased')}</em>` : e.text}</p>`
          : html`<p class="body event">${t('kind.' + e.kind)}</p>`}
      </li>`)}
    </ol>
    <section class="card" aria-labelledby="notes-title">
      <h2 id="notes-title">${t('live.notes')}</h2>
      ${noteList.length === 0 ? html`<p>${t('common.none')}</p>` : html`<ul class="plain notes" data-testid="notes">${noteList.map((n) => html`<li data-note=${n.noteSeq}><span class="meta">${when(lang, n.at)}</span> <span dir="auto" class="pre">${n.text}</span></li>`)}</ul>`}
      <form onSubmit=${sendNote} data-testid="note-form">
        <label class="field"><span class="label">${t('live.note')}</span>
          <textarea name="note" rows="2" maxlength="4000" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea></label>
        <button type="submit" disabled=${status === 'closed'}>${t('live.sendNote')}</button>
      </form>
    </section>
    <section class="card" aria-labelledby="transfer-title">
      <h2 id="transfer-title">${t('live.transfer')}</h2>
      <form class="row" onSubmit=${transfer}>
        <label class="field"><span class="label">${t('live.to')}</span>
          <select name="target" value=${target} onChange=${(e) => setTarget(e.target.value)}>
            <option value="">—</option>
            ${groups.map((g) => html`<option value=${'group:' + g.id}>${t('dash.group')}: ${g.name}</option>`)}
            ${accounts.filter((a) => a.id !== (info && info.agentId)).map((a) => html`<option value=${'agent:' + a.id}>${a.displayName || a.username}</option>`)}
          </select></label>
        <button type="submit" class="ghost" disabled=${status === 'closed'}>${t('live.transfer')}</button>
        <button type="button" onClick=${takeOver} disabled=${status === 'closed'} data-testid="take-over">${t('live.takeOver')}</button>
        <button type="button" class="ghost danger" onClick=${close} disabled=${status === 'closed'} data-testid="close">${t('live.close')}</button>
      </form>
      <${Notice} t=${t} error=${error} ok=${ok} />
    </section>`;
}
