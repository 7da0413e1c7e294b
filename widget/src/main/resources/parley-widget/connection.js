/* Parley panel connection: hello, welcome, pings, reconnect with backoff and jitter, and fallback to the next
 * transport (transport.js) after attempts that never got a welcome; a hello refused for load is said again on the
 * same connection and is no failure. */
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.ParleyConnection = api;
})(this, function () {
  'use strict';

  var WELCOME_TIMEOUT_MS = 5000;
  var PING_INTERVAL_MS = 15000;
  var MISSED_PONGS_DEAD = 2;
  var BACKOFF_MIN_MS = 500;
  var BACKOFF_MAX_MS = 30000;
  var FAILURES_BEFORE_FALLBACK = 2;
  // A fallback is remembered across reloads this long; meanwhile the preferred transport is probed (see probe).
  var TRANSPORT_MEMORY_MS = 30 * 60 * 1000;
  var PROBE_FIRST_MS = 10000;
  var PROBE_MAX_MS = 10 * 60 * 1000;

  /** o: {site, store, transports, log, handlers: {hello(), frame(f), state(name), ended()}}. */
  function create(o) {
    var T = o.transports, h = o.handlers, log = o.log;
    var transport = null, tName = null, failures = 0, attempt = 0, welcomed = false;
    var backoffTimer = 0, welcomeTimer = 0, pingTimer = 0, missed = 0, pingOut = null, pingSeq = 0;
    var loadRefused = false; // this connection's hello was refused for load: its end is no failure of the transport
    var probeTimer = 0, probeMs = PROBE_FIRST_MS, probing = null;

    (function () {
      var names = T.available(), r = o.store.get('transport', null);
      tName = r && r.until > Date.now() && names.indexOf(r.name) >= 0 ? r.name : names[0];
    })();

    function connect() {
      clearTimeout(backoffTimer);
      backoffTimer = 0;
      if (transport || !tName) return;
      if (navigator.onLine === false) { h.state('offline'); return; }
      h.state(attempt ? 'reconnecting' : 'connecting');
      var mine = null;
      var handlers = {
        open: function () { if (transport === mine) h.hello(); },
        frame: function (f) { if (transport === mine) h.frame(f); },
        close: function (why) { if (transport === mine) dropped(why); }
      };
      log('connecting with', tName);
      try {
        mine = transport = T.create(tName, o.site, handlers);
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
      welcomeTimer = setTimeout(function () { if (transport === mine && !welcomed) dropped('no-welcome'); },
        WELCOME_TIMEOUT_MS);
    }

    function dropped(why) {
      log('connection ended:', why);
      var t0 = transport;
      transport = null;
      if (t0) t0.close();
      clearTimeout(welcomeTimer);
      clearInterval(pingTimer);
      var wasWelcomed = welcomed;
      welcomed = false;
      h.ended();
      if (!wasWelcomed && !loadRefused && navigator.onLine !== false) {
        // It never worked: after a few tries move on to the next transport (proxies that eat WebSockets).
        if (++failures >= FAILURES_BEFORE_FALLBACK) {
          var names = T.available();
          tName = names[(names.indexOf(tName) + 1) % names.length];
          failures = 0;
          attempt = 0;
          log('falling back to', tName);
        }
      }
      if (navigator.onLine === false) { h.state('offline'); return; }
      h.state('reconnecting');
      var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt++));
      backoffTimer = setTimeout(connect, delay * (0.8 + 0.4 * Math.random()));
    }

    /**
     * On a fallback, tries the preferred transport now and then (10 s, doubling to 10 min): a WebSocket that opens
     * again means the outage or the proxy is gone, and the session moves back to it (a 24-hour memory of the
     * fallback used to keep visitors on long polling long after the network had healed).
     */
    function scheduleProbe() {
      clearTimeout(probeTimer);
      var best = T.available()[0];
      if (!best || best === tName) return;
      probeTimer = setTimeout(function () {
        if (probing || !welcomed) return;
        var done = false;
        function end(ok) {
          if (done) return;
          done = true;
          clearTimeout(t);
          var p = probing;
          probing = null;
          try { p.close(); } catch (e) { log('probe close', e); }
          if (ok && welcomed && tName !== best) {
            log('back to', best);
            tName = best;
            probeMs = PROBE_FIRST_MS;
            o.store.set('transport', null);
            dropped('upgrade');
          } else if (!ok) {
            probeMs = Math.min(PROBE_MAX_MS, probeMs * 2);
            scheduleProbe();
          }
        }
        var t = setTimeout(function () { end(false); }, WELCOME_TIMEOUT_MS);
        try {
          probing = T.create(best, o.site, {
            open: function () { end(true); }, frame: function () {}, close: function () { end(false); }
          });
        } catch (e) {
          probing = { close: function () {} };
          end(false);
        }
      }, probeMs);
    }

    function reconnectNow() {
      if (transport) return;
      attempt = 0;
      connect();
    }

    function ping() {
      if (pingOut !== null && ++missed >= MISSED_PONGS_DEAD) { dropped('dead'); return; }
      pingOut = ++pingSeq;
      send({ type: 'ping', t: pingOut });
    }

    function send(f) { if (transport) transport.send(f); }

    window.addEventListener('online', reconnectNow);
    window.addEventListener('offline', function () { if (transport) dropped('offline'); else h.state('offline'); });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') reconnectNow();
    });

    return {
      start: connect,
      send: send,
      drop: function (why) { if (transport) dropped(why); },
      welcomed: function () { return welcomed; },
      /** The transport in use while connected, else null. */
      name: function () { return transport ? tName : null; },
      /** The server's welcome: this transport gets through. */
      welcome: function () {
        clearTimeout(welcomeTimer);
        welcomed = true;
        failures = 0;
        attempt = 0;
        o.store.set('transport', { name: tName, until: Date.now() + TRANSPORT_MEMORY_MS });
        h.state('online');
        scheduleProbe();
        missed = 0;
        pingOut = null;
        clearInterval(pingTimer);
        pingTimer = setInterval(ping, PING_INTERVAL_MS);
      },
      pong: function (t) { if (t === pingOut) { pingOut = null; missed = 0; } },
      /** The hello was refused for load, not by a failing transport: hello again here after retryAfterMs. */
      helloRefused: function (retryAfterMs) {
        var mine = transport;
        loadRefused = true;
        clearTimeout(welcomeTimer);
        h.state('reconnecting');
        welcomeTimer = setTimeout(function () {
          if (transport !== mine) return;
          h.hello();
          awaitWelcome(mine);
        }, Math.max(+retryAfterMs || 0, BACKOFF_MIN_MS));
      }
    };
  }

  return { create: create };
});
