/* Parley chat panel: runs in /widget/frame.html on the Parley server's origin, in its own realm. This file wires
 * the panel's modules together: the connection (connection.js over transport.js), the outbox (outbox.js), storage
 * (storage.js), the pure timeline reducer (timeline.js) and the view (view.js). It speaks the wire protocol
 * (docs/PROTOCOL.md): each server frame goes to the timeline and the outbox, and the app acts on what comes back.
 * It talks to the loader on the host page only by origin-checked postMessage. The composer is composer.js, files
 * are files.js and attach.js, the forms forms.js. Why it still passes 600 lines: it is the one place that owns the
 * panel's state and answers every server frame; the handlers left here all read and write that state, and moving
 * them out would only pass it through more callbacks. */
(function () {
  'use strict';

  // ---- limits and timings (units in the names) ---------------------------------------------------------------
  var MAX_OUTBOX_MESSAGES = 50;
  var MAX_PAGES_PENDING = 20;
  var PAGE_FRAMES_AT_ONCE = 8; // the server allows a burst of 10 page frames
  var TYPING_REPEAT_MS = 2000;
  var TYPING_IDLE_MS = 3000;
  var AGENT_TYPING_EXPIRY_MS = 6000;
  var RETRY_SEND_MS = 1500;
  var MAX_RATED_KEPT = 20; // only recent chats can still be on screen
  // Beyond this many resyncs on one connection the link is dropped: the reconnect rebuilds, at backoff pace.
  var MAX_RESYNCS_PER_CONNECTION = 5;

  /** A query parameter of the frame's URL, or null (no URLSearchParams in the oldest supported browsers). */
  function param(name) {
    var m = new RegExp('[?&]' + name + '=([^&#]*)').exec(location.search);
    return m ? decodeURIComponent(m[1].replace(/\+/g, ' ')) : null;
  }
  var SITE = param('site') || '';
  var GROUP = param('group');
  var embedded = window.parent !== window;
  var HOST = embedded ? param('origin') : null;
  // Talk to the embedding page only if it is who the URL says it is (where the browser can tell).
  if (HOST && location.ancestorOrigins && location.ancestorOrigins.length &&
      location.ancestorOrigins[0] !== HOST) HOST = null;
  var STR = window.PARLEY_I18N;
  var Timeline = window.ParleyTimeline;

  var store = window.ParleyStorage.create('parley:' + SITE + ':', (function () {
    try { return window.localStorage; } catch (e) { return null; }
  })());
  var outbox = window.ParleyOutbox.create(store, MAX_OUTBOX_MESSAGES);
  // Files (PROTOCOL.md §13): uploaded first, kept in IndexedDB; their message waits in the outbox until then.
  var files = window.ParleyFiles.create({ site: SITE, token: function () { return S.token; },
    onChange: function () { render(); pump(); }, log: log });
  var attach = window.ParleyAttach.create({ files: files, outbox: outbox, newId: newId, pump: function () { pump(); },
    shown: function () { render(true); updateActive(); }, flash: function (k) { view.flash(t(k)); },
    page: function () { var last = S.pages[S.pages.length - 1] || S.lastPage; return last && last.url; } });

  function log() {
    if (store.get('debug')) console.debug.apply(console, ['[parley]'].concat([].slice.call(arguments)));
  }

  // ---- state (owned by this page; the timeline changes only through Timeline.reduce) -------------------------
  var TL = Timeline.initial();
  var S = {
    conv: store.get('conv', null), // the visitor's current conversation, null before the first message
    token: store.get('token', null),
    visitorId: null,
    maxText: 4000,
    open: !embedded,
    config: {},
    locale: pickLocale(param('locale')),
    sound: store.get('sound', null),
    agentTyping: false,
    position: null,
    away: false,
    welcome: null, // the site's routing welcome message (availability frame), null for none
    names: store.get('names', {}), // agent id -> display name, from GET /widget/agent
    asked: {}, // agent ids whose name was asked on this page
    transcripts: {}, // conversation -> sending | sent | failed | bad (a transcript asked for on this page)
    pages: [],
    identity: null,
    identifyIds: {},
    rateIds: {}, // rate frame id -> conversation, until acknowledged
    rated: store.get('rated', {}), // conversation -> score the server acknowledged
    unreadSent: -1,
    active: null
  };
  if (S.conv) TL = Timeline.reduce(TL, { type: 'show', conv: S.conv });
  var view = null; // made in init, once the DOM is there
  var resyncs = 0; // resyncs on this connection, against MAX_RESYNCS_PER_CONNECTION
  var sendPaused = false; // the server asked to wait (retryAfterMs) before the outbox sends again

  /** Applies an action to the timeline; false if it contradicted the history held (which is now being rebuilt). */
  function dispatch(action) {
    TL = Timeline.reduce(TL, action);
    if (!TL.contradiction) return true;
    resync(TL.contradiction.conv, TL.contradiction.why);
    return false;
  }

  function pickLocale(l) {
    l = (l || S && S.config && S.config.locale || navigator.language || 'en').toLowerCase();
    return l.indexOf('zh') === 0 ? 'zh' : 'en';
  }
  function t(key, n) {
    var s = (STR[S.locale] || STR.en)[key] || STR.en[key] || key;
    return n == null ? s : s.replace('{n}', n);
  }
  function newId() {
    var b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return 'w-' + Array.prototype.map.call(b, function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
  }
  function soundOn() { return S.sound != null ? S.sound : S.config.sound !== false; }

  function render(forceScroll) { if (view) view.render(forceScroll); }
  function notice() { if (view) view.notice(); }
  function model() {
    return {
      locale: S.locale, config: S.config, timeline: TL, outbox: outbox.items(), rated: S.rated, conv: S.conv,
      position: S.position, away: S.away, agentTyping: S.agentTyping, prechatDone: store.get('prechat', false),
      soundOn: soundOn(),
      // A pending invitation greets the visitor in the panel, in the agent's words.
      welcome: S.invitation ? S.invitation.name + ': ' + S.invitation.text : S.welcome, closed: S.closed, leftTo: store.get('leftTo', null), names: S.names,
      identified: !!S.identity, transcripts: S.transcripts,
      email: S.identity && S.identity.email || store.get('leftTo', null)
    };
  }

  // ---- the host page -------------------------------------------------------------------------------------
  function toHost(m) {
    if (!HOST) return;
    m.parley = 1;
    window.parent.postMessage(m, HOST);
  }
  window.addEventListener('message', function (e) {
    if (!HOST || e.source !== window.parent || e.origin !== HOST) return;
    var m = e.data;
    if (!m || m.parley !== 1) return;
    if (m.t === 'state') setOpen(!!m.open);
    else if (m.t === 'identify') identify(m.identity);
    else if (m.t === 'page') page(m.page);
    else if (m.t === 'inviteClose' && S.invitation && S.invitation.id === m.id) {
      raw({ type: 'answerInvitation', id: newId(), invitationId: m.id, answer: 'close' });
      S.invitation = null;
      render();
    }
    else if (m.t === 'locale') { S.locale = pickLocale(m.locale); S.localeFixed = true; relabel(); render(); }
  });

  // ---- connection ------------------------------------------------------------------------------------------
  var conn = window.ParleyConnection.create({
    site: SITE,
    store: store,
    transports: window.ParleyTransports,
    log: log,
    handlers: {
      hello: sendHello,
      frame: onFrame,
      state: function (s) { if (view) view.setConn(s); },
      ended: function () {
        outbox.settle(null);
        // The next hello resumes from what is held: seq 0 for a conversation being rebuilt.
        TL = Timeline.reduce(TL, { type: 'dropped' });
        resyncs = 0;
        setAgentTyping(false);
      }
    }
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') maybeRead();
  });

  function raw(f) { conn.send(f); }

  function sendHello() {
    var hello = { type: 'hello' };
    if (S.token) hello.token = S.token;
    if (S.conv) { hello.resume = {}; hello.resume[S.conv] = TL.last[S.conv] || 0; }
    raw(hello);
  }

  // ---- frames from the server ------------------------------------------------------------------------------
  function onFrame(f) {
    switch (f.type) {
      case 'welcome': onWelcome(f); break;
      case 'event': onEvent(f); break;
      case 'synced': onSynced(f); break;
      case 'ack': onAck(f); break;
      case 'error': onError(f); break;
      case 'typing':
        if (f.author && f.author.role === 'agent' && f.conversationId === S.conv) setAgentTyping(!!f.typing);
        break;
      case 'read':
        dispatch({ type: 'read', frame: f });
        render();
        break;
      case 'pong':
        conn.pong(f.t);
        break;
      case 'position': // queue position while waiting (a server may not send it)
        if (f.conversationId === S.conv) { S.position = f.position > 0 ? f.position : null; notice(); }
        break;
      case 'availability': // open, no-agents (working hours, nobody online) or closed (PROTOCOL.md §10)
        S.away = f.status === 'no-agents' || f.status === 'closed';
        S.closed = f.status === 'closed';
        S.welcome = f.welcomeMessage || null;
        if (view) view.relabel();
        render();
        break;
      case 'invitation': // an agent invites the visitor (PROTOCOL.md §12)
        S.invitation = { id: f.invitationId, name: f.agent && f.agent.name || t('agent'),
          initials: f.agent && f.agent.initials || '?', text: f.text || '' };
        toHost({ t: 'invite', id: S.invitation.id, name: S.invitation.name, initials: S.invitation.initials,
          text: S.invitation.text, reply: t('inviteReply'), dismiss: t('inviteClose') });
        render();
        break;
      case 'invitationEnded':
        if (S.invitation && S.invitation.id === f.invitationId) S.invitation = null;
        toHost({ t: 'inviteEnd', id: f.invitationId });
        render();
        break;
      default:
        log('ignored frame', f.type); // the server may add frames; clients ignore what they do not know
    }
  }

  function onWelcome(f) {
    conn.welcome();
    if (f.token) { S.token = f.token; store.set('token', f.token); }
    S.visitorId = f.visitorId;
    if (f.maxTextChars) S.maxText = f.maxTextChars;
    if (f.conversationId && f.conversationId !== S.conv) {
      showConv(f.conversationId);
      raw({ type: 'sync', conversationId: f.conversationId, afterSeq: TL.last[f.conversationId] || 0 });
    }
    if (S.identity) sendIdentify();
    flushPages();
    pump();
    updateActive();
  }

  function showConv(conv) {
    S.conv = conv;
    store.set('conv', conv);
    TL = Timeline.reduce(TL, { type: 'show', conv: conv });
    S.position = null;
  }

  function onEvent(f) {
    var conv = f.conversationId, seq = f.seq;
    var before = TL;
    if (!dispatch({ type: 'event', frame: f, acked: conv && seq > 0 ? outbox.ackedAt(conv, seq) : null })) return;
    if (TL === before) return; // the same entry again, or no entry at all: nothing new
    if (!S.conv) showConv(conv); // our first message's event came before its ack
    var last = TL.last[conv] || 0;
    if (seq > last + 1) raw({ type: 'sync', conversationId: conv, afterSeq: last }); // a gap: ask for it
    if (f.kind === 'message' && f.author && f.author.role === 'visitor') attach.deliver(f.id);
    if (f.kind === 'joined') S.position = null;
    if (f.author && f.author.role === 'agent') forms.askName(f.author.id);
    if (f.kind === 'closed') setAgentTyping(false);
    if (f.kind === 'message' && f.author && f.author.role === 'agent') {
      if (conv === S.conv) setAgentTyping(false);
      if (TL.live[conv]) {
        toHost({ t: 'message', message: { text: f.text, at: f.at, conversationId: conv, seq: seq } });
        if (!S.open || document.visibilityState !== 'visible') beep();
      }
    }
    render();
    notice();
    maybeRead();
    unread();
    updateActive();
  }

  function onSynced(f) {
    var conv = f.conversationId;
    if (!conv) return;
    if (!dispatch({ type: 'synced', frame: f })) return; // it contradicted what is held: rebuilding instead
    if (TL.mine[conv]) restoreMine(conv);
    if (f.lastSeq > (TL.last[conv] || 0)) raw({ type: 'sync', conversationId: conv, afterSeq: TL.last[conv] || 0 });
    render();
    notice();
    maybeRead();
    unread();
    updateActive();
    pump(); // after a rebuild, what stayed in the outbox goes again with its id
  }

  function onAck(f) {
    if (S.rateIds[f.id]) {
      var rc = S.rateIds[f.id];
      delete S.rateIds[f.id];
      S.rated[rc.conv] = rc.score;
      var kept = Object.keys(S.rated);
      if (kept.length > MAX_RATED_KEPT) delete S.rated[kept[0]];
      store.set('rated', S.rated);
      render();
      return;
    }
    if (S.identifyIds[f.id]) {
      delete S.identifyIds[f.id];
      toHost({ t: 'identity', result: { ok: true } });
      return;
    }
    var item = outbox.find(f.id);
    outbox.settle(f.id);
    var at = f.seq > 0 && (TL.events[f.conversationId] || {})[f.seq];
    // Our message at a seq held for another entry, or given to another message of ours: rebuild; the message
    // stays pending (see resync).
    if (!dispatch({ type: 'ackPlaced', conv: f.conversationId, seq: f.seq, id: f.id,
      other: f.seq > 0 && !at ? outbox.ackedAt(f.conversationId, f.seq) : null })) return;
    if (S.invitation && f.conversationId && item) {
      // The visitor's reply opened (or went to) their chat: that accepts the invitation; its agent joins.
      raw({ type: 'answerInvitation', id: newId(), invitationId: S.invitation.id, answer: 'accept' });
      S.invitation = null;
    }
    if (f.conversationId && f.conversationId !== S.conv) {
      // This message opened a new conversation (the first one, or after the previous one was closed).
      showConv(f.conversationId);
      TL = Timeline.reduce(TL, { type: 'opened', conv: f.conversationId });
    }
    if (item) {
      // The event, not the ack, places it in the list; until the event comes it shows as sent.
      if (item.state === 'pending' && !at) outbox.sent(f.id, f.conversationId, f.seq);
      else if (at) attach.deliver(f.id);
    }
    render();
    notice();
    updateActive();
    pump();
  }

  function onError(f) {
    if (f.ref && S.identifyIds[f.ref]) {
      delete S.identifyIds[f.ref];
      toHost({ t: 'identity', result: { ok: false, code: f.code } });
      return;
    }
    if (!conn.welcomed() && !f.ref && f.retry === true && f.retryAfterMs > 0) {
      conn.helloRefused(f.retryAfterMs); // load, not a broken transport: hello again on this connection
      return;
    }
    if (f.code === 'invalid-token' || f.code === 'token-expired') {
      // The stored identity is no good here: become a new anonymous visitor.
      S.token = null;
      store.del('token');
      forgetConversations();
      sendHello();
      return;
    }
    if (!f.ref && f.conversationId && TL.resyncing[f.conversationId]) {
      // The rebuild was refused: its synced will not come, and the outbox must not wait for it forever.
      console.warn('[parley] resync of', f.conversationId, 'refused:', f.code);
      TL = Timeline.reduce(TL, { type: 'resyncRefused', conv: f.conversationId });
      pump();
      return;
    }
    var item = f.ref && outbox.find(f.ref);
    if (!item) { log('error', f.code); return; }
    outbox.settle(f.ref);
    // The server says whether the same message can ever go (PROTOCOL.md §8); an older server without the flag: final.
    if (f.retry !== true) {
      outbox.failed(f.ref, f.code);
      render();
      pump();
    } else {
      // The same id again after a pause, at least as long as the server asked for (retryAfterMs); nothing else in
      // the outbox goes before then either.
      sendPaused = true;
      setTimeout(function () { sendPaused = false; pump(); },
        Math.max(+f.retryAfterMs || 0, RETRY_SEND_MS * (0.8 + 0.4 * Math.random())));
    }
  }

  /**
   * The server contradicted the history held (PROTOCOL.md §5): forget it and rebuild it from seq 0. Messages stay
   * in the outbox, acknowledged ones pending again, until their event arrives; sending waits for the rebuild.
   */
  function resync(conv, why) {
    console.warn('[parley] resync of', conv + ':', why);
    TL = Timeline.reduce(TL, { type: 'resync', conv: conv });
    if (view) view.forget(conv);
    outbox.unsend(conv);
    if (++resyncs > MAX_RESYNCS_PER_CONNECTION) {
      conn.drop('resync-loop');
      render();
      return;
    }
    raw({ type: 'sync', conversationId: conv, afterSeq: 0 });
    render();
    updateActive();
  }

  /**
   * Own messages shown before a rebuild that the rebuilt history lacks were acknowledged, then lost by the server:
   * they go back into the outbox, ahead of what waits there, with their ids (PROTOCOL.md §5).
   */
  function restoreMine(conv) {
    var held = {}, events = TL.events[conv] || {};
    for (var s in events) if (events[s].id) held[events[s].id] = true;
    var back = outbox.restore(TL.mine[conv], held);
    TL = Timeline.reduce(TL, { type: 'restored', conv: conv });
    if (back) console.warn('[parley] sending again', back, 'messages missing from the rebuilt history of', conv);
  }

  function forgetConversations() {
    S.conv = null;
    store.del('conv');
    TL = Timeline.reduce(TL, { type: 'forget' });
    render();
  }

  // ---- outbox: at-least-once sending with the same ids, in order ---------------------------------------------
  window.addEventListener('storage', function (e) {
    if (e.key === store.key('outbox') && outbox.adopt()) { render(); updateActive(); pump(); }
  });

  function pump() {
    // An answer during a rebuild could not be checked against the history: wait for its synced.
    if (!conn.welcomed() || sendPaused || Timeline.rebuilding(TL)) return;
    var m = outbox.take(attach.ready);
    if (!m) return;
    var f = { type: 'send', id: m.id, text: m.text };
    if (m.file) f.attachment = { uploadId: m.file.upload };
    if (GROUP) f.group = GROUP;
    if (m.pageUrl) f.pageUrl = m.pageUrl;
    raw(f);
  }

  function submit(text) {
    text = text.replace(/^\s+|\s+$/g, '');
    if (!text) return false;
    var last = S.pages[S.pages.length - 1] || S.lastPage;
    if (!outbox.add({ id: newId(), text: text, at: new Date().toISOString(), pageUrl: last && last.url })) {
      view.flash(t('offline'));
      return false;
    }
    stopTyping();
    render(true);
    updateActive();
    pump();
    return true;
  }

  function retry(id) {
    var m = outbox.find(id);
    if (!m) return;
    if (m.file) { attach.deliver(id); render(); return; } // a refused file never goes: taken back
    if (m.code === 'text-too-long' || m.code === 'text-empty') {
      // It can never go as it is: give it back for editing.
      outbox.deliver(id);
      composer.restore(m.text);
    } else {
      outbox.retry(id);
      pump();
    }
    render();
  }

  // ---- identity and pages ------------------------------------------------------------------------------------
  function identify(identity) {
    if (!identity || identity.id == null) return;
    var previous = store.get('uid', null);
    store.set('uid', identity.id);
    S.identity = identity;
    if (previous !== null && previous !== identity.id) {
      // Someone else logged in on this browser: do not continue the previous person's chat.
      S.token = null;
      store.del('token');
      outbox.clear();
      forgetConversations();
      conn.drop('identity-changed');
      return;
    }
    render(); // an identified visitor is not asked for name and e-mail again
    if (conn.welcomed()) sendIdentify();
  }
  function sendIdentify() {
    var i = S.identity, id = newId();
    S.identifyIds[id] = true;
    var user = { id: String(i.id) };
    if (i.name) user.name = String(i.name);
    if (i.email) user.email = String(i.email);
    if (i.attributes && typeof i.attributes === 'object') user.attributes = i.attributes;
    if (i.expiresAt != null && isFinite(+i.expiresAt)) user.expiresAt = Math.floor(+i.expiresAt);
    var f = { type: 'identify', id: id, user: user };
    if (i.hash) f.hash = String(i.hash);
    if (i.signature) f.signature = String(i.signature);
    raw(f);
  }

  function page(p) {
    if (!p || !/^https?:\/\//i.test(p.url || '')) return;
    S.lastPage = p;
    S.pages.push(p);
    if (S.pages.length > MAX_PAGES_PENDING) S.pages.shift();
    flushPages();
  }
  function flushPages() {
    if (!conn.welcomed() || !S.pages.length) return;
    if (S.pages.length > PAGE_FRAMES_AT_ONCE) S.pages = S.pages.slice(-PAGE_FRAMES_AT_ONCE);
    S.pages.forEach(function (p) {
      var f = { type: 'page', url: p.url, title: p.title || '' };
      if (/^https?:\/\//i.test(p.referrer || '')) f.referrer = p.referrer;
      raw(f);
    });
    S.pages = [];
  }

  // ---- typing, reading, unread ---------------------------------------------------------------------------
  var typingOn = false, typingAt = 0, typingStop = 0, agentTypingTimer = 0;
  function typing() {
    if (!conn.welcomed() || !S.conv || TL.status[S.conv] === 'closed') return;
    var now = Date.now();
    if (!typingOn || now - typingAt >= TYPING_REPEAT_MS) {
      raw({ type: 'typing', conversationId: S.conv, typing: true });
      typingOn = true;
      typingAt = now;
    }
    clearTimeout(typingStop);
    typingStop = setTimeout(stopTyping, TYPING_IDLE_MS);
  }
  function stopTyping() {
    clearTimeout(typingStop);
    if (typingOn && conn.welcomed() && S.conv) raw({ type: 'typing', conversationId: S.conv, typing: false });
    typingOn = false;
  }
  function setAgentTyping(on) {
    clearTimeout(agentTypingTimer);
    S.agentTyping = on;
    if (on) agentTypingTimer = setTimeout(function () { setAgentTyping(false); }, AGENT_TYPING_EXPIRY_MS);
    if (view) view.agentTyping(on);
  }

  function maybeRead() {
    var conv = S.conv;
    if (!S.open || !conn.welcomed() || !conv || TL.resyncing[conv] || document.visibilityState !== 'visible') return;
    var last = TL.last[conv] || 0;
    if (last > (TL.myRead[conv] || 0) && Timeline.agentSeqAfter(TL, conv, TL.myRead[conv] || 0)) {
      raw({ type: 'read', conversationId: conv, seq: last });
      TL = Timeline.reduce(TL, { type: 'myRead', conv: conv, seq: last });
      unread();
    }
  }
  function unread() {
    if (Timeline.rebuilding(TL)) return; // the count would dip while the history is replayed
    var n = Timeline.unread(TL);
    if (n !== S.unreadSent) { S.unreadSent = n; toHost({ t: 'unread', count: n }); }
  }

  function updateActive() {
    var open = !!S.conv && TL.status[S.conv] !== 'closed';
    var active = open || outbox.unfinished();
    if (active !== S.active) { S.active = active; toHost({ t: 'active', active: active }); }
  }

  function beep() {
    if (soundOn()) window.ParleyComposer.chime(log); // autoplay rules may refuse before the visitor touched the page
  }

  // ---- UI wiring ---------------------------------------------------------------------------------------------
  var el = window.ParleyView.el;
  var composer;

  function setOpen(open) {
    S.open = open;
    if (open) {
      maybeRead();
      if (!el('pw-prechat').hidden) el('pw-prechat').querySelector('input,textarea').focus();
      else composer.focus();
      if (view) view.scrollDown();
    }
  }

  function relabel() {
    if (!view) return;
    view.relabel();
    var c = S.config;
    toHost({ t: 'look', color: c.color, position: c.position, label: t('bubble'), newMessage: t('newMessage') });
  }

  function rate(conv, score) {
    if (!conn.welcomed()) return;
    var id = newId();
    S.rateIds[id] = { conv: conv, score: score };
    raw({ type: 'rate', id: id, conversationId: conv, score: score });
  }

  /** The visitor tells who they are in a form (pre-chat, leave a message): an unsigned identity, where allowed. */
  function anonymous(prefix, fields) {
    if (S.config.identityRequired || S.identity) return;
    var pid = store.get('pid', null) || (prefix + newId());
    store.set('pid', pid);
    S.identity = { id: pid, name: fields.name, email: fields.email };
    if (conn.welcomed()) sendIdentify();
  }
  var forms = window.ParleyForms.create({
    S: S, site: SITE, store: store, log: log, t: t, el: el, render: render, notice: notice, submit: submit,
    anonymous: anonymous
  });

  function applyConfig(c) {
    S.config = c || {};
    if (!S.localeFixed && !param('locale') && c.locale) S.locale = pickLocale(c.locale);
    if (/^#[0-9a-f]{6}$/i.test(c.color || '')) document.documentElement.style.setProperty('--pw-c', c.color);
    relabel();
    render();
  }

  function init() {
    view = window.ParleyView.create({ t: t, model: model, onRetry: retry, onRate: rate, onTranscript: forms.transcript,
      link: files.link, upload: files.status });
    el('pw').hidden = false;
    if (!embedded) el('pw-close').hidden = true;
    composer = window.ParleyComposer.create({ el: el, submit: submit, typing: typing, stopTyping: stopTyping });
    relabel();
    el('pw-close').addEventListener('click', function () { toHost({ t: 'close' }); });
    el('pw-sound').addEventListener('click', function () {
      S.sound = !soundOn();
      store.set('sound', S.sound);
      relabel();
    });
    attach.bind(el('pw'), composer.input, el('pw-attach'), el('pw-file'));
    el('pw-prechat').addEventListener('submit', forms.prechat);
    el('pw-leave').addEventListener('submit', forms.leave);
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') toHost({ t: 'close' }); });
    render();
    updateActive();
    conn.start();
    window.ParleyTransports.xhr('GET', '/widget/config?site=' + encodeURIComponent(SITE), null, 0, function (st, text) {
      var c = null;
      try { c = st === 200 && JSON.parse(text); } catch (e) { log('unreadable config', e); }
      if (!c) log('no config', st);
      applyConfig(c || {});
    });
    toHost({ t: 'ready' });
  }

  // For the end-to-end tests and for support: a read-only look at the connection.
  window.parleyDebug = function () {
    return { transport: conn.name(), welcomed: conn.welcomed(), conversation: S.conv,
      outbox: outbox.size(), last: TL.last };
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
