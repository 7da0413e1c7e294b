/*! Parley visitor widget loader. Embed: <script src="https://chat.example.com/widget.js" data-site="demo" async></script>
 * Runs in the host page, so it keeps to itself: one custom element whose inline !important style host CSS cannot
 * beat, a shadow root for the bubble and the panel iframe, and postMessage (origin- and source-checked) to the
 * panel, which runs on the Parley server's origin. Host functions it needs are captured at load time.
 * ES5 and XMLHttpRequest only: without Shadow DOM (old browsers, some in-app web views) the same element holds
 * the bubble with prefixed, scoped styles; no fetch, URL or URLSearchParams (WIDGET.md, "Browsers"). Nothing is
 * shown until the server has said that this page's origin may show the site's chat. */
(function (W, D) {
  'use strict';
  if (W.__parleyLoaded) return;
  W.__parleyLoaded = 1;

  // Host globals may be patched later by the page (or broken already): keep our own references.
  var JSONs = JSON.stringify, JSONp = JSON.parse, setT = W.setTimeout, clearT = W.clearTimeout,
    setI = W.setInterval, clearI = W.clearInterval, hist = W.history,
    pushState = hist && hist.pushState, replaceState = hist && hist.replaceState, LOC = W.location;

  var MAX_PAGES = 20; // page trail kept until the panel can forward it
  var script = D.currentScript || D.querySelector('script[src*="widget.js"][data-site]');
  if (!script) return;
  var site = script.getAttribute('data-site');
  if (!site) return;
  // The server's origin, parsed by the browser (an anchor) rather than by URL, which old browsers lack.
  function originOf(href) {
    var a = D.createElement('a');
    a.href = href;
    var port = a.port && !(a.protocol === 'https:' && a.port === '443') && !(a.protocol === 'http:' && a.port === '80');
    return a.protocol + '//' + a.hostname + (port ? ':' + a.port : '');
  }
  var ORIGIN = originOf(script.src);
  var PAGE_ORIGIN = LOC.origin || originOf(LOC.href);
  var P = 'parley:' + site + ':';
  var locale = script.getAttribute('data-locale') || '';
  var group = script.getAttribute('data-group') || '';

  function store(s) {
    try { var k = '__parley_t'; s.setItem(k, k); s.removeItem(k); return s; } catch (e) { return null; }
  }
  var LS = store(W.localStorage), SS = store(W.sessionStorage) || LS;
  function get(s, k, d) { try { var v = s && s.getItem(P + k); return v == null ? d : JSONp(v); } catch (e) { return d; } }
  function put(s, k, v) { try { s && s.setItem(P + k, JSONs(v)); } catch (e) { /* full or blocked: in memory only */ } }

  var api = W.Parley && typeof W.Parley === 'object' ? W.Parley : {};
  var queued = api.q || [];
  var listeners = {};
  var frame = null, frameWin = null, ready = false, isOpen = false, unread = 0, identity = null;
  var outbox = []; // messages for the panel until it says it is ready

  // ---- page trail ---------------------------------------------------------------------------------------------
  var pages = get(SS, 'pages', []);
  var forwarded = get(SS, 'fwd', 0);
  var utm = get(SS, 'utm', null);
  (function () {
    if (utm) return;
    var u = {}, any = 0;
    ['source', 'medium', 'campaign', 'term', 'content'].forEach(function (n) {
      var v = query(LOC.search, 'utm_' + n);
      if (v) { u[n] = v.slice(0, 200); any = 1; }
    });
    if (any) { utm = u; put(SS, 'utm', u); }
  })();
  function query(search, name) {
    var m = new RegExp('[?&]' + name + '=([^&#]*)').exec(search);
    try { return m ? decodeURIComponent(m[1].replace(/\+/g, ' ')) : null; } catch (e) { return null; }
  }
  var lastUrl = null, enteredAt = 0;
  function trackPage() {
    var url = LOC.href;
    if (url === lastUrl) return;
    var now = Date.now();
    if (pages.length && lastUrl) pages[pages.length - 1].ms = now - enteredAt;
    var entry = { url: url.slice(0, 2048), title: (D.title || '').slice(0, 300),
      referrer: (lastUrl || D.referrer || '').slice(0, 2048), at: now };
    if (utm && !pages.length) entry.utm = utm;
    lastUrl = url; enteredAt = now;
    pages.push(entry);
    var drop = pages.length - MAX_PAGES;
    if (drop > 0) { pages.splice(0, drop); forwarded = Math.max(0, forwarded - drop); }
    put(SS, 'pages', pages); put(SS, 'fwd', forwarded);
    flushPages();
  }
  function flushPages() {
    if (!ready) return;
    while (forwarded < pages.length) post({ t: 'page', page: pages[forwarded++] });
    put(SS, 'fwd', forwarded);
  }
  function wrap(fn) {
    return function () {
      var r = fn.apply(this, arguments);
      setT(trackPage, 0); // after the page had its chance to set the new title
      return r;
    };
  }
  if (pushState) { hist.pushState = wrap(pushState); hist.replaceState = wrap(replaceState); }
  W.addEventListener('popstate', function () { setT(trackPage, 0); });
  W.addEventListener('hashchange', function () { setT(trackPage, 0); });

  // ---- DOM: a custom element the host's CSS cannot hide, with a shadow root --------------------------------
  var HOST_STYLE = 'all:initial!important;display:block!important;position:fixed!important;z-index:2147483000!important;' +
    'top:auto!important;left:auto!important;bottom:0!important;right:0!important;width:0!important;height:0!important;' +
    'margin:0!important;padding:0!important;border:0!important;visibility:visible!important;opacity:1!important;' +
    'transform:none!important;filter:none!important;clip-path:none!important;overflow:visible!important;' +
    'contain:none!important;pointer-events:auto!important;max-width:none!important;max-height:none!important';
  // '^' stands before every selector: nothing inside a shadow root, the element's name without one.
  var CSS = '' +
    '^.b{position:fixed;bottom:20px;right:20px;width:56px;height:56px;border-radius:50%;border:0;padding:0;margin:0;' +
    'background:var(--c,#2563eb);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;' +
    'align-items:center;justify-content:center;transition:transform .15s}^.b:hover{transform:scale(1.06)}' +
    '^.b:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}^.b svg{width:28px;height:28px;fill:currentColor}' +
    '^.n{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;' +
    'border-radius:10px;background:#dc2626;color:#fff;font:600 12px/20px system-ui,sans-serif;text-align:center}' +
    '^.n[hidden]{display:none}' +
    '^.i{position:fixed;bottom:88px;right:20px;width:290px;box-sizing:border-box;padding:14px 36px 14px 14px;' +
    'border-radius:12px;background:#fff;color:#111;box-shadow:0 8px 30px rgba(0,0,0,.25);' +
    'font:14px/1.45 system-ui,sans-serif;display:flex;gap:10px}^.i[hidden]{display:none}' +
    '^.i .a{flex:none;width:36px;height:36px;border-radius:50%;background:var(--c,#2563eb);color:#fff;' +
    'font:600 14px/36px system-ui,sans-serif;text-align:center}^.i strong{display:block;font-weight:600}' +
    '^.i p{margin:2px 0 8px;white-space:pre-wrap;word-break:break-word}^.i .r{border:0;border-radius:8px;' +
    'padding:6px 14px;background:var(--c,#2563eb);color:#fff;font:600 13px system-ui,sans-serif;cursor:pointer}' +
    '^.i .x{position:absolute;top:6px;right:6px;border:0;background:none;font:20px/1 system-ui,sans-serif;' +
    'color:#555;cursor:pointer;padding:4px 8px}^.l .i{right:auto;left:20px}' +
    '^.f{position:fixed;bottom:88px;right:20px;width:370px;height:580px;max-height:calc(100vh - 108px);border:0;' +
    'border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.28);background:#fff;opacity:0;pointer-events:none;' +
    'transform:translateY(12px);transition:opacity .18s,transform .18s;color-scheme:normal}' +
    '^.f.o{opacity:1;pointer-events:auto;transform:none}' +
    '^.l .b{right:auto;left:20px}^.l .f{right:auto;left:20px}' +
    '@media (max-width:480px){^.f{top:0;left:0;width:100vw;height:100%;max-height:none;bottom:0;right:0;border-radius:0}^.o~.b{display:none}}';

  var host = D.createElement('parley-widget');
  host.setAttribute('style', HOST_STYLE);
  // Without Shadow DOM the element itself holds the parts; the styles are then scoped by its name (best effort).
  var shadow = typeof host.attachShadow === 'function';
  var root = shadow ? host.attachShadow({ mode: 'open' }) : host;
  var css = D.createElement('style');
  css.textContent = (shadow ? ':host{all:initial}' : '') + CSS.replace(/\^/g, shadow ? '' : 'parley-widget ');
  var box = D.createElement('div');
  var bubble = D.createElement('button');
  bubble.className = 'b';
  bubble.type = 'button';
  bubble.setAttribute('part', 'bubble');
  bubble.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg>';
  var badge = D.createElement('span');
  badge.className = 'n';
  badge.hidden = true;
  bubble.appendChild(badge);
  box.appendChild(bubble);
  // An agent's invitation (PROTOCOL.md §12): shown beside the bubble, never focused (the visitor may be typing in
  // the page); Reply opens the chat, the cross closes the invitation.
  var card = D.createElement('div');
  card.className = 'i';
  card.hidden = true;
  card.setAttribute('role', 'status');
  card.setAttribute('aria-live', 'polite');
  card.setAttribute('part', 'invitation');
  card.innerHTML = '<span class="a"></span><div><strong></strong><p></p><button type="button" class="r"></button></div>' +
    '<button type="button" class="x">\u00d7</button>';
  var invitation = null;
  function part(sel) { return card.querySelector(sel); }
  part('.r').addEventListener('click', function () {
    card.hidden = true;
    open();
    post({ t: 'inviteReply', id: invitation && invitation.id });
  });
  part('.x').addEventListener('click', function () {
    card.hidden = true;
    if (invitation) post({ t: 'inviteClose', id: invitation.id });
    invitation = null;
  });
  box.appendChild(card);
  root.appendChild(css);
  root.appendChild(box);
  var look = get(LS, 'look', null);
  function applyLook(l) {
    if (!l) return;
    if (/^#[0-9a-f]{6}$/i.test(l.color || '')) box.style.setProperty('--c', l.color);
    box.className = l.position === 'left' ? 'l' : '';
    if (l.label) bubble.setAttribute('aria-label', l.label);
  }
  bubble.setAttribute('aria-label', 'Chat');
  applyLook(look);
  bubble.addEventListener('click', function () { toggle(); });

  function attach() {
    var parent = D.body || D.documentElement;
    if (host.parentNode !== parent) parent.appendChild(host);
  }
  function start() {
    attach();
    // Single-page apps sometimes replace the whole body: put the widget back.
    if (W.MutationObserver && D.body) new MutationObserver(function () { if (!D.documentElement.contains(host)) attach(); })
      .observe(D.body, { childList: true });
    trackPage();
    // The panel connects on every page, hidden, once the page has loaded: agents see visitors online now and can
    // invite them (PROTOCOL.md §12; WIDGET.md, "Sizes").
    if (get(LS, 'active', false) || D.readyState === 'complete') makeFrame();
    else W.addEventListener('load', function () { setT(makeFrame, 0); });
    if (wantOpen) open();
  }

  // ---- the panel iframe ---------------------------------------------------------------------------------------
  function makeFrame() {
    if (frame) return;
    frame = D.createElement('iframe');
    frame.className = 'f';
    frame.title = 'Chat';
    frame.setAttribute('allow', 'autoplay');
    frame.setAttribute('tabindex', '-1');
    frame.setAttribute('aria-hidden', 'true');
    frame.inert = true; // closed: out of the tab order and the accessibility tree
    var q = 'site=' + encodeURIComponent(site) + '&origin=' + encodeURIComponent(PAGE_ORIGIN);
    if (locale) q += '&locale=' + encodeURIComponent(locale);
    if (group) q += '&group=' + encodeURIComponent(group);
    frame.src = ORIGIN + '/widget/frame.html?' + q;
    box.insertBefore(frame, bubble);
    frameWin = frame.contentWindow;
  }
  function post(m) {
    if (!ready) { outbox.push(m); return; }
    m.parley = 1;
    frameWin.postMessage(m, ORIGIN);
  }
  W.addEventListener('message', function (e) {
    if (!frame || e.origin !== ORIGIN || e.source !== frameWin) return;
    var m = e.data;
    if (!m || m.parley !== 1) return;
    switch (m.t) {
      case 'ready':
        ready = true;
        post({ t: 'state', open: isOpen });
        if (identity) post({ t: 'identify', identity: identity });
        while (outbox.length) post(outbox.shift());
        flushPages();
        break;
      case 'look':
        look = { color: m.color, position: m.position, label: m.label, newMessage: m.newMessage };
        put(LS, 'look', look);
        applyLook(look);
        break;
      case 'active':
        put(LS, 'active', !!m.active);
        break;
      case 'close':
        close();
        bubble.focus(); // the panel became inert: give keyboard focus a place to be
        break;
      case 'unread':
        unread = m.count | 0;
        badge.textContent = unread > 99 ? '99+' : String(unread);
        badge.hidden = !unread || isOpen;
        blink();
        emit('unread', unread);
        break;
      case 'message':
        emit('message', m.message);
        break;
      case 'invite':
        invitation = m;
        part('.a').textContent = m.initials || '?';
        part('strong').textContent = m.name || '';
        part('p').textContent = m.text || '';
        part('.r').textContent = m.reply || 'Reply';
        part('.x').setAttribute('aria-label', m.dismiss || 'Close');
        card.hidden = isOpen;
        emit('invitation', { name: m.name, text: m.text });
        break;
      case 'inviteEnd':
        if (invitation && invitation.id === m.id) { invitation = null; card.hidden = true; }
        break;
      case 'identity':
        emit('identity', m.result);
        break;
    }
  });

  // ---- title blink while closed with unread messages -----------------------------------------------------
  var blinkTimer = 0, baseTitle = '', shown = '';
  function blink() {
    var want = unread > 0 && (!isOpen || D.visibilityState === 'hidden');
    if (want && !blinkTimer) {
      baseTitle = D.title;
      var on = false;
      blinkTimer = setI(function () {
        if (D.title !== shown) baseTitle = D.title; // the page changed its title meanwhile
        on = !on;
        shown = D.title = on ? '(' + unread + ') ' + (look && look.newMessage || 'New message') : baseTitle;
      }, 1200);
    } else if (!want && blinkTimer) {
      clearI(blinkTimer);
      blinkTimer = 0;
      if (D.title === shown) D.title = baseTitle;
    }
  }
  D.addEventListener('visibilitychange', blink);

  // ---- public API ---------------------------------------------------------------------------------------------
  function emit(name, arg) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(arg); } catch (err) { setT(function () { throw err; }, 0); } // a host bug must not stop us
    });
  }
  function open() {
    if (!allowed) { wantOpen = true; return; } // not known yet (then opened), or not shown on this page (see check)
    makeFrame();
    if (isOpen) return;
    isOpen = true;
    frame.className = 'f o';
    frame.removeAttribute('tabindex');
    frame.removeAttribute('aria-hidden');
    frame.inert = false;
    bubble.setAttribute('aria-expanded', 'true');
    badge.hidden = true;
    card.hidden = true;
    post({ t: 'state', open: true });
    blink();
    emit('open');
  }
  function close() {
    if (!isOpen) return;
    isOpen = false;
    frame.className = 'f';
    frame.setAttribute('tabindex', '-1');
    frame.setAttribute('aria-hidden', 'true');
    frame.inert = true;
    bubble.setAttribute('aria-expanded', 'false');
    badge.hidden = !unread;
    post({ t: 'state', open: false });
    blink();
    emit('close');
  }
  function toggle() { if (isOpen) close(); else open(); }

  var Parley = {
    version: 1,
    open: open,
    close: close,
    toggle: toggle,
    identify: function (user) {
      if (!user || user.id == null) return;
      identity = {
        id: String(user.id), name: user.name, email: user.email, attributes: user.attributes, hash: user.hash,
        signature: user.signature, expiresAt: user.expiresAt
      };
      if (frame) post({ t: 'identify', identity: identity }); // else sent when the panel is made
    },
    setLocale: function (l) {
      locale = l === 'zh' ? 'zh' : 'en';
      if (frame) post({ t: 'locale', locale: locale });
    },
    on: function (name, fn) {
      if (typeof fn === 'function') (listeners[name] = listeners[name] || []).push(fn);
    },
    off: function (name, fn) {
      var l = listeners[name];
      if (l) listeners[name] = fn ? l.filter(function (x) { return x !== fn; }) : [];
    }
  };
  W.Parley = Parley;
  function run(call) {
    var args = [].slice.call(call);
    var f = Parley[args.shift()];
    if (typeof f === 'function') f.apply(Parley, args);
  }
  /**
   * Asks the server whether this page's origin may show the site's chat (GET /widget/allowed, CORS). No: nothing
   * is shown, and the console says why. A server that cannot be asked (down, or older) gets the benefit of the
   * doubt: the panel copes with outages, and the browser still refuses a frame the site does not allow.
   */
  var allowed = get(SS, 'allowed', false), wantOpen = false;
  function check(done) {
    if (allowed) { done(); return; }
    var x = new XMLHttpRequest();
    x.open('GET', ORIGIN + '/widget/allowed?site=' + encodeURIComponent(site), true);
    x.onload = function () {
      var r = null;
      try { r = JSONp(x.responseText); } catch (e) { r = null; }
      if ((x.status === 200 && r && r.allowed === false) || x.status === 404) {
        console.warn('[parley] The chat of site "' + site + '" is not shown on this page: ' +
          (x.status === 404 ? 'the server knows no such site.' : 'its origin ' + PAGE_ORIGIN +
          ' is not among the site\'s allowed origins (add it in the admin console: Sites, allowed origins).'));
        return;
      }
      if (x.status === 200) put(SS, 'allowed', true);
      allowed = true;
      done();
    };
    x.onerror = function () { allowed = true; done(); };
    x.send();
  }
  if (D.readyState === 'loading') D.addEventListener('DOMContentLoaded', go);
  else go();
  function go() {
    check(start);
    for (var i = 0; i < queued.length; i++) run(queued[i]);
    queued.length = 0;
    // Calls pushed onto the stub's queue after we loaded still run.
    Parley.q = { push: run };
  }
})(window, document);
