/* Parley chat panel: runs in /widget/frame.html on the Parley server's origin, in its own realm. It speaks the
 * wire protocol (docs/PROTOCOL.md) over the best transport that works, keeps unsent messages in a durable outbox,
 * and talks to the loader on the host page only by origin-checked postMessage. Visitor and agent text is only
 * ever put in the DOM as text nodes. */
(function () {
  'use strict';

  // ---- limits and timings (units in the names) ---------------------------------------------------------------
  var MAX_OUTBOX_MESSAGES = 50;
  var MAX_PAGES_PENDING = 20;
  var PAGE_FRAMES_AT_ONCE = 8; // the server allows a burst of 10 page frames
  var WELCOME_TIMEOUT_MS = 5000;
  var PING_INTERVAL_MS = 15000;
  var MISSED_PONGS_DEAD = 2;
  var BACKOFF_MIN_MS = 500;
  var BACKOFF_MAX_MS = 30000;
  var FAILURES_BEFORE_FALLBACK = 2;
  var TRANSPORT_MEMORY_MS = 24 * 3600 * 1000;
  var TYPING_REPEAT_MS = 2000;
  var TYPING_IDLE_MS = 3000;
  var AGENT_TYPING_EXPIRY_MS = 6000;
  var RETRY_SEND_MS = 1500;
  // Beyond this many resyncs on one connection the link is dropped: the reconnect rebuilds, at backoff pace.
  var MAX_RESYNCS_PER_CONNECTION = 5;
  var ICON_BELL = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" ' +
    'd="M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6V11a6 6 0 0 0-5-5.9V4a1 1 0 1 0-2 0v1.1A6 6 0 0 0 6 11v5l-2 2v1h16v-1z"/></svg>';
  var ICON_BELL_OFF = ICON_BELL.replace('</svg>',
    '<path d="M4 4l16 16" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>');
  var EMOJI = '😀 😂 😊 😍 🤔 😅 😢 😮 👍 👎 👏 🙏 🎉 ❤️ 🔥 ✅ ❌ 👋 🙂 😉 😎 🤝 💯 ⭐'.split(' ');

  var Q = new URLSearchParams(location.search);
  var SITE = Q.get('site') || '';
  var GROUP = Q.get('group');
  var embedded = window.parent !== window;
  var HOST = embedded ? Q.get('origin') : null;
  // Talk to the embedding page only if it is who the URL says it is (where the browser can tell).
  if (HOST && location.ancestorOrigins && location.ancestorOrigins.length &&
      location.ancestorOrigins[0] !== HOST) HOST = null;
  var T = window.ParleyTransports;
  var STR = window.PARLEY_I18N;
  var K = 'parley:' + SITE + ':';

  function log() {
    if (store.get('debug')) console.debug.apply(console, ['[parley]'].concat([].slice.call(arguments)));
  }

  // ---- storage: localStorage, or memory where it is blocked ------------------------------------------------
  var store = (function () {
    var ls = null, mem = {};
    try { ls = window.localStorage; ls.setItem(K + 't', '1'); ls.removeItem(K + 't'); } catch (e) { ls = null; }
    return {
      get: function (k, d) {
        try {
          var v = ls ? ls.getItem(K + k) : mem[k];
          return v == null ? d : JSON.parse(v);
        } catch (e) { return d; }
      },
      set: function (k, v) {
        var s = JSON.stringify(v);
        if (ls) try { ls.setItem(K + k, s); return; } catch (e) { console.warn('[parley] storage full', e); }
        mem[k] = s;
      },
      del: function (k) { if (ls) try { ls.removeItem(K + k); } catch (e) { /* nothing to remove */ } delete mem[k]; }
    };
  })();

  // ---- state (owned by this page; mutated only by the handlers below) -------------------------------------
  var S = {
    token: store.get('token', null),
    conv: store.get('conv', null), // the visitor's current conversation, null before the first message
    convs: [], // conversations shown, oldest first
    events: {}, // conversation -> seq -> event frame
    last: {}, // conversation -> highest contiguous seq held
    status: {}, // conversation -> waiting | assigned | closed
    agentRead: {}, // conversation -> the agents' read mark
    myRead: {}, // conversation -> the visitor's read mark
    live: {}, // conversation -> true once brought up to date (later events are news)
    resyncing: {}, // conversation -> true while rebuilt from seq 0, until its synced (see resync)
    mine: {}, // conversation -> id -> own message shown before a rebuild, until the rebuilt history is checked
    outbox: store.get('outbox', []), // {id, text, at, state: pending | sent | failed, code}
    inflight: null, // id of the send awaiting its answer (one at a time keeps the order)
    done: {}, // ids seen delivered (their event arrived) by this page: never adopted back from storage
    welcomed: false,
    visitorId: null,
    maxText: 4000,
    open: !embedded,
    config: {},
    locale: pickLocale(Q.get('locale')),
    sound: store.get('sound', null),
    agentTyping: false,
    position: null,
    away: false,
    pages: [],
    identity: null,
    identifyIds: {},
    rateIds: {}, // rate frame id -> conversation, until acknowledged
    rated: store.get('rated', {}), // conversation -> score the server acknowledged
    unreadSent: -1,
    active: null
  };
  if (S.conv) S.convs.push(S.conv);

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
    else if (m.t === 'locale') { S.locale = pickLocale(m.locale); S.localeFixed = true; relabel(); render(); }
  });

  // ---- connection ------------------------------------------------------------------------------------------
  var transport = null, tName = null, failures = 0, attempt = 0;
  var backoffTimer = 0, welcomeTimer = 0, pingTimer = 0, missed = 0, pingOut = null, pingSeq = 0;
  var resyncs = 0; // resyncs on this connection, against MAX_RESYNCS_PER_CONNECTION
  var loadRefused = false; // this connection's hello was refused for load: its end is no failure of the transport
  var sendPaused = false; // the server asked to wait (retryAfterMs) before the outbox sends again

  function transports() { return T.available(); }
  (function () {
    var names = transports(), r = store.get('transport', null);
    tName = r && r.until > Date.now() && names.indexOf(r.name) >= 0 ? r.name : names[0];
  })();

  function connect() {
    clearTimeout(backoffTimer);
    backoffTimer = 0;
    if (transport || !tName) return;
    if (navigator.onLine === false) { setConn('offline'); return; }
    setConn(attempt ? 'reconnecting' : 'connecting');
    var mine = null;
    var handlers = {
      open: function () { if (transport === mine) sendHello(); },
      frame: function (f) { if (transport === mine) onFrame(f); },
      close: function (why) { if (transport === mine) dropped(why); }
    };
    log('connecting with', tName);
    try {
      mine = transport = T.create(tName, SITE, handlers);
    } catch (e) {
      // e.g. a WebSocket constructor that throws: count it as a failed attempt.
      console.warn('[parley] cannot open', tName, e);
      mine = transport = { send: function () {}, close: function () {} };
      setTimeout(function () { if (transport === mine) dropped('constructor'); }, 0);
    }
    loadRefused = false;
    awaitWelcome(mine);
  }

  /** Without a welcome within WELCOME_TIMEOUT_MS the transport counts as not getting through (see dropped). */
  function awaitWelcome(mine) {
    clearTimeout(welcomeTimer);
    welcomeTimer = setTimeout(function () { if (transport === mine && !S.welcomed) dropped('no-welcome'); },
      WELCOME_TIMEOUT_MS);
  }

  function dropped(why) {
    log('connection ended:', why);
    var t0 = transport;
    transport = null;
    if (t0) t0.close();
    clearTimeout(welcomeTimer);
    clearInterval(pingTimer);
    var wasWelcomed = S.welcomed;
    S.welcomed = false;
    S.inflight = null;
    // The next hello resumes from what is held: seq 0 for a conversation being rebuilt.
    S.resyncing = {};
    resyncs = 0;
    setAgentTyping(false);
    if (!wasWelcomed && !loadRefused && navigator.onLine !== false) {
      // It never worked: after a few tries move on to the next transport (proxies that eat WebSockets).
      if (++failures >= FAILURES_BEFORE_FALLBACK) {
        var names = transports();
        tName = names[(names.indexOf(tName) + 1) % names.length];
        failures = 0;
        attempt = 0;
        log('falling back to', tName);
      }
    }
    if (navigator.onLine === false) { setConn('offline'); return; }
    setConn('reconnecting');
    var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt++));
    backoffTimer = setTimeout(connect, delay * (0.8 + 0.4 * Math.random()));
  }

  function reconnectNow() {
    if (transport) return;
    attempt = 0;
    connect();
  }
  window.addEventListener('online', reconnectNow);
  window.addEventListener('offline', function () { if (transport) dropped('offline'); else setConn('offline'); });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') { reconnectNow(); maybeRead(); }
  });

  function raw(f) { if (transport) transport.send(f); }

  function sendHello() {
    var hello = { type: 'hello' };
    if (S.token) hello.token = S.token;
    if (S.conv) { hello.resume = {}; hello.resume[S.conv] = S.last[S.conv] || 0; }
    raw(hello);
  }

  function ping() {
    if (pingOut !== null && ++missed >= MISSED_PONGS_DEAD) { dropped('dead'); return; }
    pingOut = ++pingSeq;
    raw({ type: 'ping', t: pingOut });
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
        if (f.reader && f.reader.role === 'agent') mark(S.agentRead, f.conversationId, f.seq);
        else if (f.reader && f.reader.role === 'visitor') mark(S.myRead, f.conversationId, f.seq);
        render();
        break;
      case 'pong':
        if (f.t === pingOut) { pingOut = null; missed = 0; }
        break;
      case 'position': // queue position while waiting (a server may not send it)
        if (f.conversationId === S.conv) { S.position = f.position > 0 ? f.position : null; notice(); }
        break;
      case 'availability': // open, no-agents (working hours, nobody online) or closed (PROTOCOL.md §10)
        S.away = f.status === 'no-agents' || f.status === 'closed';
        notice();
        break;
      default:
        log('ignored frame', f.type); // the server may add frames; clients ignore what they do not know
    }
  }

  function mark(map, conv, seq) { if (conv && seq > (map[conv] || 0)) map[conv] = seq; }

  function onWelcome(f) {
    clearTimeout(welcomeTimer);
    S.welcomed = true;
    failures = 0;
    attempt = 0;
    store.set('transport', { name: tName, until: Date.now() + TRANSPORT_MEMORY_MS });
    if (f.token) { S.token = f.token; store.set('token', f.token); }
    S.visitorId = f.visitorId;
    if (f.maxTextChars) S.maxText = f.maxTextChars;
    if (f.conversationId && f.conversationId !== S.conv) {
      showConv(f.conversationId);
      raw({ type: 'sync', conversationId: f.conversationId, afterSeq: S.last[f.conversationId] || 0 });
    }
    setConn('online');
    missed = 0;
    pingOut = null;
    clearInterval(pingTimer);
    pingTimer = setInterval(ping, PING_INTERVAL_MS);
    if (S.identity) sendIdentify();
    flushPages();
    pump();
    updateActive();
  }

  function showConv(conv) {
    S.conv = conv;
    store.set('conv', conv);
    if (S.convs.indexOf(conv) < 0) S.convs.push(conv);
    S.position = null;
  }

  function onEvent(f) {
    var conv = f.conversationId, seq = f.seq;
    if (!conv || !(seq > 0)) return;
    var held = S.events[conv] || (S.events[conv] = {});
    if (held[seq]) {
      // The same entry again is dropped; another one means the history held is not the server's.
      if (!sameEntry(held[seq], f)) resync(conv, 'event ' + seq + ' differs from the one held');
      return;
    }
    var acked = ackedAt(conv, seq);
    if (acked && !(f.kind === 'message' && f.id === acked.id)) {
      // An ack gave this seq to our message before its event came: another entry here is a broken history too.
      resync(conv, 'event ' + seq + ' is not ' + acked.id + ', which its ack placed there');
      return;
    }
    if (!S.conv) showConv(conv); // our first message's event came before its ack
    if (S.convs.indexOf(conv) < 0) S.convs.push(conv);
    held[seq] = f;
    var last = S.last[conv] || 0;
    while (held[last + 1]) last++;
    S.last[conv] = last;
    if (seq > last + 1) raw({ type: 'sync', conversationId: conv, afterSeq: last }); // a gap: ask for it
    if (f.kind === 'message' && f.author && f.author.role === 'visitor') dropFromOutbox(f.id);
    if (f.kind === 'joined') { S.status[conv] = 'assigned'; S.position = null; }
    if (f.kind === 'closed') { S.status[conv] = 'closed'; setAgentTyping(false); }
    if (f.kind === 'message' && f.author && f.author.role === 'agent') {
      if (conv === S.conv) setAgentTyping(false);
      if (S.live[conv]) {
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
    if (f.lastSeq < highestSeq(conv)) {
      resync(conv, 'synced.lastSeq ' + f.lastSeq + ' is below what is held');
      return;
    }
    delete S.resyncing[conv];
    if (S.mine[conv]) restoreMine(conv);
    S.live[conv] = true;
    if (f.status) S.status[conv] = f.status;
    (f.reads || []).forEach(function (r) {
      if (r.reader && r.reader.role === 'agent') mark(S.agentRead, conv, r.seq);
      if (r.reader && r.reader.role === 'visitor') mark(S.myRead, conv, r.seq);
    });
    if (f.lastSeq > (S.last[conv] || 0)) raw({ type: 'sync', conversationId: conv, afterSeq: S.last[conv] || 0 });
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
      if (kept.length > 20) delete S.rated[kept[0]]; // only recent chats can still be on screen
      store.set('rated', S.rated);
      render();
      return;
    }
    if (S.identifyIds[f.id]) {
      delete S.identifyIds[f.id];
      toHost({ t: 'identity', result: { ok: true } });
      return;
    }
    var item = find(f.id);
    if (f.id === S.inflight) S.inflight = null;
    var at = f.seq > 0 && (S.events[f.conversationId] || {})[f.seq];
    var other = f.seq > 0 && !at && ackedAt(f.conversationId, f.seq);
    if ((at && !(at.kind === 'message' && at.id === f.id)) || (other && other.id !== f.id)) {
      // Our message at a seq held for another entry, or given to another message of ours: rebuild; the message
      // stays pending (see resync).
      if (item) { item.state = 'pending'; delete item.seq; saveOutbox(); }
      resync(f.conversationId, 'ack ' + f.id + ' names seq ' + f.seq + ', held for another entry');
      return;
    }
    if (f.conversationId && f.conversationId !== S.conv) {
      // This message opened a new conversation (the first one, or after the previous one was closed).
      showConv(f.conversationId);
      S.live[f.conversationId] = true;
      if (!S.status[f.conversationId]) S.status[f.conversationId] = 'waiting';
    }
    if (item) {
      // The event, not the ack, places it in the list; until the event comes it shows as sent.
      if (item.state === 'pending' && !at) {
        item.state = 'sent';
        item.seq = f.seq;
        item.conv = f.conversationId;
        saveOutbox();
      } else if (at) dropFromOutbox(f.id);
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
    if (!S.welcomed && !f.ref && f.retry === true && f.retryAfterMs > 0) {
      // The hello was refused for load (too many new sessions from this address, a full server), not because the
      // transport fails: say hello again on the same connection once the server's retryAfterMs has passed.
      var mine = transport;
      loadRefused = true;
      clearTimeout(welcomeTimer);
      setConn('reconnecting');
      welcomeTimer = setTimeout(function () {
        if (transport !== mine) return;
        sendHello();
        awaitWelcome(mine);
      }, Math.max(+f.retryAfterMs || 0, BACKOFF_MIN_MS));
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
    if (!f.ref && f.conversationId && S.resyncing[f.conversationId]) {
      // The rebuild was refused: its synced will not come, and the outbox must not wait for it forever.
      console.warn('[parley] resync of', f.conversationId, 'refused:', f.code);
      delete S.resyncing[f.conversationId];
      pump();
      return;
    }
    var item = f.ref && find(f.ref);
    if (!item) { log('error', f.code); return; }
    if (f.ref === S.inflight) S.inflight = null;
    // The server says whether the same message can ever go (PROTOCOL.md §8); an older server without the flag: final.
    if (f.retry !== true) {
      item.state = 'failed';
      item.code = f.code;
      saveOutbox();
      render();
      pump();
    } else {
      // timeout, unavailable, overloaded, rate limits: the same id again after a pause, at least as long as the
      // server asked for (retryAfterMs); nothing else in the outbox goes before then either.
      sendPaused = true;
      setTimeout(function () { sendPaused = false; pump(); },
        Math.max(+f.retryAfterMs || 0, RETRY_SEND_MS * (0.8 + 0.4 * Math.random())));
    }
  }

  function sameEntry(a, b) {
    var ra = a.author || {}, rb = b.author || {};
    return a.kind === b.kind && ra.role === rb.role && ra.id === rb.id && (a.id || null) === (b.id || null);
  }
  /** Our message that an ack placed at this seq while its event has not come yet (it shows as sent), if any. */
  function ackedAt(conv, seq) {
    for (var i = 0; i < S.outbox.length; i++) {
      var m = S.outbox[i];
      if (m.state === 'sent' && m.seq === seq && m.conv === conv) return m;
    }
  }
  function highestSeq(conv) {
    var top = 0;
    for (var s in S.events[conv] || {}) if (+s > top) top = +s;
    return top;
  }

  /**
   * The server contradicted the history held (PROTOCOL.md §5): forget it and rebuild it from seq 0. Messages stay
   * in the outbox, acknowledged ones pending again, until their event arrives; sending waits for the rebuild.
   */
  function resync(conv, why) {
    console.warn('[parley] resync of', conv + ':', why);
    var mine = S.mine[conv] || (S.mine[conv] = {}), held = S.events[conv] || {};
    for (var s in held) {
      var e = held[s];
      if (e.kind === 'message' && e.author && e.author.role === 'visitor' && e.id) mine[e.id] = e;
    }
    S.events[conv] = {};
    S.last[conv] = 0;
    delete S.live[conv]; // the replay is history, not news
    delete S.agentRead[conv];
    delete S.myRead[conv];
    Object.keys(nodes).forEach(function (k) { if (k.indexOf('e:' + conv + ':') === 0) delete nodes[k]; });
    S.outbox.forEach(function (m) {
      if (m.state === 'sent' && (!m.conv || m.conv === conv)) { m.state = 'pending'; delete m.seq; }
    });
    saveOutbox();
    if (++resyncs > MAX_RESYNCS_PER_CONNECTION) {
      dropped('resync-loop');
      render();
      return;
    }
    S.resyncing[conv] = true;
    raw({ type: 'sync', conversationId: conv, afterSeq: 0 });
    render();
    updateActive();
  }

  /**
   * Own messages shown before a rebuild that the rebuilt history lacks were acknowledged, then lost by the server:
   * they go back into the outbox, ahead of what waits there, with their ids (PROTOCOL.md §5).
   */
  function restoreMine(conv) {
    var mine = S.mine[conv], held = S.events[conv] || {}, ids = {}, back = [];
    delete S.mine[conv];
    for (var s in held) if (held[s].id) ids[held[s].id] = true;
    Object.keys(mine).forEach(function (id) {
      if (ids[id] || find(id)) return;
      if (S.outbox.length + back.length >= MAX_OUTBOX_MESSAGES) {
        console.warn('[parley] outbox full: not sent again', id);
        return;
      }
      delete S.done[id];
      back.push({ id: id, text: mine[id].text || '', at: mine[id].at, state: 'pending' });
    });
    if (!back.length) return;
    console.warn('[parley] sending again', back.length, 'messages missing from the rebuilt history of', conv);
    S.outbox = back.concat(S.outbox);
    saveOutbox();
  }

  function forgetConversations() {
    S.conv = null;
    store.del('conv');
    S.convs = [];
    S.events = {};
    S.last = {};
    S.live = {};
    S.resyncing = {};
    S.mine = {};
    render();
  }

  // ---- outbox: at-least-once sending with the same ids, in order ---------------------------------------------
  function find(id) { for (var i = 0; i < S.outbox.length; i++) if (S.outbox[i].id === id) return S.outbox[i]; }
  /**
   * Other tabs of the same shop share this outbox: adopt what they stored (the same ids, so the server keeps one
   * copy whoever sends it) instead of overwriting it, and never bring back what this tab saw delivered.
   */
  function adopt() {
    var changed = false;
    store.get('outbox', []).forEach(function (m) {
      if (m && m.id && !find(m.id) && !S.done[m.id] && S.outbox.length < MAX_OUTBOX_MESSAGES) {
        S.outbox.push(m);
        changed = true;
      }
    });
    return changed;
  }
  function saveOutbox() { adopt(); store.set('outbox', S.outbox); }
  function dropFromOutbox(id) {
    S.done[id] = true;
    var before = S.outbox.length;
    S.outbox = S.outbox.filter(function (m) { return m.id !== id; });
    if (S.outbox.length !== before) saveOutbox();
    if (id === S.inflight) S.inflight = null;
  }
  window.addEventListener('storage', function (e) {
    if (e.key === K + 'outbox' && adopt()) { render(); updateActive(); pump(); }
  });

  function pump() {
    // An answer during a rebuild could not be checked against the history: wait for its synced.
    if (!S.welcomed || S.inflight || sendPaused || Object.keys(S.resyncing).length) return;
    for (var i = 0; i < S.outbox.length; i++) {
      var m = S.outbox[i];
      if (m.state !== 'pending') continue;
      S.inflight = m.id;
      var f = { type: 'send', id: m.id, text: m.text };
      if (GROUP) f.group = GROUP;
      if (m.pageUrl) f.pageUrl = m.pageUrl;
      raw(f);
      return;
    }
  }

  function submit(text) {
    text = text.replace(/^\s+|\s+$/g, '');
    if (!text) return false;
    if (S.outbox.length >= MAX_OUTBOX_MESSAGES) { flash(t('offline')); return false; }
    var last = S.pages[S.pages.length - 1] || S.lastPage;
    S.outbox.push({ id: newId(), text: text, at: new Date().toISOString(), state: 'pending',
      pageUrl: last && last.url });
    saveOutbox();
    stopTyping();
    render(true);
    updateActive();
    pump();
    return true;
  }

  function retry(id) {
    var m = find(id);
    if (!m) return;
    if (m.code === 'text-too-long' || m.code === 'text-empty') {
      // It can never go as it is: give it back for editing.
      dropFromOutbox(id);
      input.value = m.text;
      input.focus();
      grow();
    } else {
      m.state = 'pending';
      delete m.code;
      saveOutbox();
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
      S.outbox.concat(store.get('outbox', [])).forEach(function (m) { S.done[m.id] = true; });
      S.outbox = [];
      store.set('outbox', []);
      forgetConversations();
      if (transport) dropped('identity-changed');
      return;
    }
    if (S.welcomed) sendIdentify();
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
    if (!S.welcomed || !S.pages.length) return;
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
    if (!S.welcomed || !S.conv || S.status[S.conv] === 'closed') return;
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
    if (typingOn && S.welcomed && S.conv) raw({ type: 'typing', conversationId: S.conv, typing: false });
    typingOn = false;
  }
  function setAgentTyping(on) {
    clearTimeout(agentTypingTimer);
    S.agentTyping = on;
    if (on) agentTypingTimer = setTimeout(function () { setAgentTyping(false); }, AGENT_TYPING_EXPIRY_MS);
    el('pw-typing').hidden = !on;
    el('pw-typing').textContent = t('typing');
  }

  function agentSeqAfter(conv, after) {
    var held = S.events[conv] || {}, top = 0;
    for (var s in held) {
      var e = held[s];
      if (e.kind === 'message' && e.author && e.author.role === 'agent' && e.seq > after && e.seq > top) top = e.seq;
    }
    return top;
  }
  function maybeRead() {
    var conv = S.conv;
    if (!S.open || !S.welcomed || !conv || S.resyncing[conv] || document.visibilityState !== 'visible') return;
    var last = S.last[conv] || 0;
    if (last > (S.myRead[conv] || 0) && agentSeqAfter(conv, S.myRead[conv] || 0)) {
      raw({ type: 'read', conversationId: conv, seq: last });
      S.myRead[conv] = last;
      unread();
    }
  }
  function unread() {
    if (Object.keys(S.resyncing).length) return; // the count would dip while the history is replayed
    var n = 0;
    S.convs.forEach(function (conv) {
      if (!S.live[conv]) return;
      var held = S.events[conv] || {}, read = S.myRead[conv] || 0;
      for (var s in held) {
        var e = held[s];
        if (e.kind === 'message' && e.author && e.author.role === 'agent' && e.seq > read) n++;
      }
    });
    if (n !== S.unreadSent) { S.unreadSent = n; toHost({ t: 'unread', count: n }); }
  }

  function updateActive() {
    var open = !!S.conv && S.status[S.conv] !== 'closed';
    var pending = S.outbox.some(function (m) { return m.state !== 'failed'; });
    var active = open || pending;
    if (active !== S.active) { S.active = active; toHost({ t: 'active', active: active }); }
  }

  var audio = null;
  function beep() {
    var on = S.sound != null ? S.sound : S.config.sound !== false;
    if (!on) return;
    try {
      var C = window.AudioContext || window.webkitAudioContext;
      if (!C) return;
      audio = audio || new C();
      var o = audio.createOscillator(), g = audio.createGain(), now = audio.currentTime;
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.06, now);
      g.gain.exponentialRampToValueAtTime(0.0001, now + 0.25);
      o.connect(g);
      g.connect(audio.destination);
      o.start(now);
      o.stop(now + 0.25);
    } catch (e) {
      log('no sound', e); // autoplay rules may refuse before the visitor touched the page
    }
  }

  // ---- UI ----------------------------------------------------------------------------------------------------
  function el(id) { return document.getElementById(id); }
  var list, input, nodes = {};

  function setOpen(open) {
    S.open = open;
    if (open) {
      maybeRead();
      if (!el('pw-prechat').hidden) el('pw-prechat').querySelector('input,textarea').focus();
      else input.focus();
      scrollDown();
    }
  }

  function setConn(state) {
    var c = el('pw-conn');
    c.setAttribute('data-state', state === 'reconnecting' ? 'connecting' : state);
    c.textContent = state === 'online' ? '' : t(state);
  }

  function notice() {
    var n = el('pw-notice'), text = '';
    var status = S.conv && S.status[S.conv];
    // Nobody online only matters until an agent has the chat: one who joined answers whatever the site's hours.
    var away = S.away && status !== 'assigned' && status !== 'closed';
    if (away) text = t('away');
    else if (status === 'waiting' && S.position) text = t('position', S.position);
    else if (status === 'waiting') text = t('waiting');
    n.textContent = text;
    n.hidden = !text;
    n.setAttribute('data-kind', away ? 'away' : status || '');
  }

  var flashTimer = 0;
  function flash(text) {
    var n = el('pw-notice');
    n.textContent = text;
    n.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(notice, 4000);
  }

  function relabel() {
    document.documentElement.lang = S.locale === 'zh' ? 'zh-CN' : 'en';
    var c = S.config;
    el('pw-title').textContent = (c.title && c.title[S.locale]) || c.name || t('title');
    el('pw-sub').textContent = t('online');
    input.placeholder = t('placeholder');
    el('pw-send').textContent = t('send');
    el('pw-close').setAttribute('aria-label', t('close'));
    el('pw-close').title = t('close');
    el('pw-emoji-btn').setAttribute('aria-label', t('emoji'));
    var soundOn = S.sound != null ? S.sound : c.sound !== false;
    el('pw-sound').innerHTML = soundOn ? ICON_BELL : ICON_BELL_OFF; // constants, never message text
    el('pw-sound').setAttribute('aria-pressed', String(soundOn));
    el('pw-sound').setAttribute('aria-label', soundOn ? t('soundOn') : t('soundOff'));
    el('pw-sound').title = soundOn ? t('soundOn') : t('soundOff');
    [].forEach.call(document.querySelectorAll('[data-t]'), function (n) { n.textContent = t(n.getAttribute('data-t')); });
    el('pw-prechat-intro').textContent = t('prechatIntro');
    setConn(el('pw-conn').getAttribute('data-state'));
    notice();
    setAgentTyping(S.agentTyping);
    toHost({ t: 'look', color: c.color, position: c.position, label: t('bubble'), newMessage: t('newMessage') });
  }

  var LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi;
  /** Text with http, https and mailto addresses as links; everything else stays text. */
  function linkify(text) {
    var frag = document.createDocumentFragment(), at = 0, m;
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text))) {
      var url = m[0].replace(/[.,;:!?)\]}]+$/, '');
      if (!url) continue;
      frag.appendChild(document.createTextNode(text.slice(at, m.index)));
      frag.appendChild(link(url) || document.createTextNode(url));
      at = m.index + url.length;
      LINK.lastIndex = at;
    }
    frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }
  function link(url) {
    var u;
    try { u = new URL(url); } catch (e) { return null; }
    if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'mailto:') return null;
    var a = document.createElement('a');
    a.href = u.href;
    a.textContent = url;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  }

  function time(at) {
    var d = new Date(at);
    if (isNaN(d)) return '';
    return d.toLocaleTimeString(S.locale === 'zh' ? 'zh-CN' : 'en', { hour: '2-digit', minute: '2-digit' });
  }

  function bubbleNode(key, mine, text) {
    var li = document.createElement('li');
    li.className = 'pw-msg ' + (mine ? 'pw-mine' : 'pw-theirs');
    var b = document.createElement('div');
    b.className = 'pw-bubble';
    if (text === '') {
      // An erased message (privacy): its words are gone, its place in the conversation stays.
      b.className += ' pw-erased';
      b.textContent = t('erased');
    } else {
      b.appendChild(linkify(text));
    }
    var meta = document.createElement('div');
    meta.className = 'pw-meta';
    li.appendChild(b);
    li.appendChild(meta);
    nodes[key] = li;
    return li;
  }
  /** Asks the visitor to rate a closed chat (1 to 5); thanks them once the server has the rating. */
  function ratingNode(conv) {
    var key = 'r:' + conv + ':' + (S.rated[conv] ? 'done' : 'ask') + ':' + S.locale;
    if (nodes[key]) return nodes[key];
    var li = document.createElement('li');
    li.className = 'pw-rate';
    nodes[key] = li;
    if (S.rated[conv]) {
      li.textContent = t('rated');
      return li;
    }
    var q = document.createElement('div');
    q.textContent = t('rateAsk');
    li.appendChild(q);
    for (var n = 1; n <= 5; n++) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'pw-star';
      b.textContent = '\u2605';
      b.setAttribute('data-score', String(n));
      b.setAttribute('aria-label', t('stars').replace('{n}', n));
      b.addEventListener('click', rate.bind(null, conv, n));
      li.appendChild(b);
    }
    return li;
  }
  function rate(conv, score) {
    if (!S.welcomed) return;
    var id = newId();
    S.rateIds[id] = { conv: conv, score: score };
    raw({ type: 'rate', id: id, conversationId: conv, score: score });
  }
  function systemNode(key, text) {
    var li = document.createElement('li');
    li.className = 'pw-sys';
    li.textContent = text;
    nodes[key] = li;
    return li;
  }
  function setMeta(li, at, state, retryId) {
    var meta = li.lastChild, want = at + '|' + state + '|' + S.locale;
    if (meta.getAttribute('data-k') === want) return;
    meta.setAttribute('data-k', want);
    li.setAttribute('data-state', state);
    meta.textContent = time(at);
    if (state) {
      var s = document.createElement('span');
      s.className = 'pw-state';
      s.textContent = t(state);
      meta.appendChild(s);
    }
    if (retryId) {
      var r = document.createElement('button');
      r.type = 'button';
      r.className = 'pw-retry';
      r.textContent = t('retry');
      r.addEventListener('click', function () { retry(retryId); });
      meta.appendChild(r);
    }
  }

  /** Brings the list in line with the state: nodes are made once per entry and only moved or updated. */
  function render(forceScroll) {
    if (!list) return;
    var near = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    var want = [];
    var greeting = S.config.greeting && S.config.greeting[S.locale];
    if (greeting) {
      var g = nodes.g && nodes.g.getAttribute('data-text') === greeting ? nodes.g : bubbleNode('g', false, greeting);
      g.setAttribute('data-text', greeting);
      g.classList.add('pw-greeting');
      want.push(g);
    }
    S.convs.forEach(function (conv) {
      var held = S.events[conv] || {};
      Object.keys(held).map(Number).sort(function (a, b) { return a - b; }).forEach(function (seq) {
        var e = held[seq], key = 'e:' + conv + ':' + seq, li = nodes[key];
        if (e.kind === 'message') {
          var mine = e.author && e.author.role === 'visitor';
          li = li || bubbleNode(key, mine, e.text || '');
          li.setAttribute('data-seq', seq);
          setMeta(li, e.at, mine ? ((S.agentRead[conv] || 0) >= seq ? 'read' : 'sent') : '');
        } else if (e.kind === 'joined') {
          li = li || systemNode(key, t('joined'));
        } else if (e.kind === 'closed') {
          li = li || systemNode(key, t('closedChat'));
          if (conv === S.convs[S.convs.length - 1]) {
            want.push(li);
            li = ratingNode(conv);
          }
        } else {
          return;
        }
        want.push(li);
      });
    });
    S.outbox.forEach(function (m) {
      var key = 'o:' + m.id, li = nodes[key] || bubbleNode(key, true, m.text);
      li.setAttribute('data-id', m.id);
      setMeta(li, m.at, m.state === 'pending' ? 'sending' : m.state, m.state === 'failed' ? m.id : null);
      want.push(li);
    });
    var kids = list.children;
    for (var i = 0; i < want.length; i++) if (kids[i] !== want[i]) list.insertBefore(want[i], kids[i] || null);
    while (kids.length > want.length) list.removeChild(kids[want.length]);
    if (near || forceScroll) scrollDown();
    updatePrechat();
  }
  function scrollDown() { if (list) list.scrollTop = list.scrollHeight; }

  // Pre-chat form: only before the first message, where the site asks for it.
  function updatePrechat() {
    var p = S.config.prechat || {};
    var show = !!p.enabled && !S.conv && !S.outbox.length && !store.get('prechat', false);
    el('pw-prechat').hidden = !show;
    el('pw-compose').hidden = show;
  }
  function prechatSubmit(e) {
    e.preventDefault();
    var form = el('pw-prechat'), err = el('pw-prechat-err');
    var name = form.elements.name.value.trim(), email = form.elements.email.value.trim();
    var question = form.elements.question.value.trim();
    var bad = !question ? t('needQuestion') :
      (email || (S.config.prechat || {}).requireEmail) && !/^[^\s@]+@[^\s@]+$/.test(email) ? t('needEmail') : '';
    err.textContent = bad;
    err.hidden = !bad;
    if (bad) return;
    store.set('prechat', true);
    if ((name || email) && !S.config.identityRequired && !S.identity) {
      var pid = store.get('pid', null) || ('prechat-' + newId());
      store.set('pid', pid);
      S.identity = { id: pid, name: name || undefined, email: email || undefined };
      if (S.welcomed) sendIdentify();
    }
    submit(question);
  }

  function buildEmoji() {
    var box = el('pw-emoji');
    EMOJI.forEach(function (e) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = e;
      b.addEventListener('click', function () {
        var s = input.selectionStart || 0, end = input.selectionEnd || 0;
        input.value = input.value.slice(0, s) + e + input.value.slice(end);
        input.selectionStart = input.selectionEnd = s + e.length;
        input.focus();
        toggleEmoji(false);
        grow();
      });
      box.appendChild(b);
    });
  }
  function toggleEmoji(show) {
    var box = el('pw-emoji');
    box.hidden = show == null ? !box.hidden : !show;
    el('pw-emoji-btn').setAttribute('aria-expanded', String(!box.hidden));
  }
  function grow() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 120) + 'px';
  }

  function applyConfig(c) {
    S.config = c || {};
    if (!S.localeFixed && !Q.get('locale') && c.locale) S.locale = pickLocale(c.locale);
    if (/^#[0-9a-f]{6}$/i.test(c.color || '')) document.documentElement.style.setProperty('--pw-c', c.color);
    relabel();
    render();
  }

  function init() {
    list = el('pw-list');
    input = el('pw-input');
    el('pw').hidden = false;
    if (!embedded) el('pw-close').hidden = true;
    buildEmoji();
    relabel();
    el('pw-compose').addEventListener('submit', function (e) {
      e.preventDefault();
      if (submit(input.value)) { input.value = ''; grow(); }
    });
    input.addEventListener('keydown', function (e) {
      // Enter sends, Shift+Enter breaks the line; never while an input method is composing (Chinese, Japanese).
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        if (submit(input.value)) { input.value = ''; grow(); }
      }
    });
    input.addEventListener('input', function () { grow(); if (input.value) typing(); else stopTyping(); });
    input.addEventListener('blur', stopTyping);
    el('pw-close').addEventListener('click', function () { toHost({ t: 'close' }); });
    el('pw-emoji-btn').addEventListener('click', function () { toggleEmoji(); });
    el('pw-sound').addEventListener('click', function () {
      S.sound = !(S.sound != null ? S.sound : S.config.sound !== false);
      store.set('sound', S.sound);
      relabel();
    });
    el('pw-prechat').addEventListener('submit', prechatSubmit);
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') toHost({ t: 'close' }); });
    render();
    updateActive();
    connect();
    fetch('/widget/config?site=' + encodeURIComponent(SITE), { credentials: 'omit' })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(applyConfig, function (e) { log('no config', e); applyConfig({}); });
    toHost({ t: 'ready' });
  }

  // For the end-to-end tests and for support: a read-only look at the connection.
  window.parleyDebug = function () {
    return { transport: transport ? tName : null, welcomed: S.welcomed, conversation: S.conv,
      outbox: S.outbox.length, last: S.last };
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
