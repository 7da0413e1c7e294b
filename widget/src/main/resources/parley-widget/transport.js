/* Parley panel transports: WebSocket, Server-Sent Events + POST, long polling + POST. One interface:
 *   var t = ParleyTransports.create(name, siteId, {open(), frame(obj), close(reason)});  t.send(obj);  t.close();
 * open() says frames may be sent now; frame() delivers one server frame; close() is called at most once, when the
 * connection ended by itself (never after t.close()). All carry the same frames with the same guarantees; the
 * client reconnects and resumes after any close. */
window.ParleyTransports = (function () {
  'use strict';
  var MAX_FRAMES_PER_POST = 10; // well under the server's 64 and its body limit with 4000-character texts
  var POLL_TIMEOUT_MS = 40000; // the server answers a poll within 25 s
  var POLL_RETRIES = 2;
  var BUSY_RETRY_MS = 500;

  function wsUrl(site) {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/visitor?site=' +
      encodeURIComponent(site);
  }

  function parse(text, h) {
    var f;
    try { f = JSON.parse(text); } catch (e) { console.warn('[parley] unreadable frame'); return; }
    if (f && typeof f.type === 'string') h.frame(f);
  }

  function once(h) {
    var done = false;
    return {
      ended: function () { return done; },
      end: function (why, notify) {
        if (done) return false;
        done = true;
        if (notify) h.close(why);
        return true;
      }
    };
  }

  function websocket(site, h) {
    var life = once(h);
    var ws = new WebSocket(wsUrl(site));
    ws.onopen = function () { if (!life.ended()) h.open(); };
    ws.onmessage = function (e) { if (!life.ended() && typeof e.data === 'string') parse(e.data, h); };
    ws.onerror = ws.onclose = function () { life.end('ws-closed', true); };
    return {
      send: function (f) { if (!life.ended() && ws.readyState === 1) ws.send(JSON.stringify(f)); },
      close: function () { if (life.end('closed', false)) try { ws.close(); } catch (e) { /* already closing */ } }
    };
  }

  /**
   * One HTTP request by XMLHttpRequest (not fetch: the oldest supported browsers have no fetch, WIDGET.md
   * "Browsers"). done(status, text) once: status 0 for a network error, a timeout or an abort.
   */
  function xhr(method, url, body, timeoutMs, done) {
    var x = new XMLHttpRequest(), called = false;
    function end(status) { if (!called) { called = true; done(status, status ? x.responseText : ''); } }
    x.open(method, url, true);
    if (timeoutMs) x.timeout = timeoutMs;
    if (body != null) x.setRequestHeader('Content-Type', 'application/json');
    x.onload = function () { end(x.status); };
    x.onerror = x.ontimeout = x.onabort = function () { end(0); };
    x.send(body == null ? null : JSON.stringify(body));
    return x;
  }
  function json(text) { try { return JSON.parse(text); } catch (e) { return null; } }

  /** Client frames go up by POST /rt/CID, one request at a time so that their order is kept. */
  function poster(life, getCid) {
    var queue = [], busy = false;
    function pump() {
      if (busy || life.ended() || !queue.length || !getCid()) return;
      busy = true;
      var batch = queue.splice(0, MAX_FRAMES_PER_POST);
      xhr('POST', '/rt/' + encodeURIComponent(getCid()), batch, 0, function (status) {
        busy = false;
        if (status >= 200 && status < 300) { pump(); return; }
        if (status === 503) { queue = batch.concat(queue); setTimeout(pump, BUSY_RETRY_MS); return; }
        life.end(status ? 'post-' + status : 'post-failed', true); // 404 unknown-connection: it is gone, reconnect
      });
    }
    return { send: function (f) { if (!life.ended()) { queue.push(f); pump(); } }, pump: pump };
  }

  function sse(site, h) {
    var life = once(h), cid = null;
    var up = poster(life, function () { return cid; });
    var es = new EventSource('/sse/visitor?site=' + encodeURIComponent(site));
    es.onmessage = function (e) {
      if (life.ended()) return;
      if (cid === null) {
        var first;
        try { first = JSON.parse(e.data); } catch (err) { first = null; }
        if (!first || first.type !== 'open' || !first.cid) { stop('bad-open', true); return; }
        cid = first.cid;
        h.open();
        up.pump();
        return;
      }
      parse(e.data, h);
    };
    // The stream's end is the connection's end: never let EventSource reconnect by itself.
    es.onerror = function () { stop('sse-closed', true); };
    function stop(why, notify) { es.close(); life.end(why, notify); }
    return { send: up.send, close: function () { stop('closed', false); } };
  }

  function longPoll(site, h) {
    var life = once(h), cid = null, cursor = 0, failures = 0, abort = null;
    var up = poster(life, function () { return cid; });
    xhr('POST', '/lp/visitor?site=' + encodeURIComponent(site), null, 0, function (status, text) {
      var o = status === 200 && json(text);
      if (life.ended()) return;
      if (!o || !o.cid) { life.end('lp-open-failed', true); return; }
      cid = o.cid;
      cursor = o.cursor || 0;
      h.open();
      up.pump();
      poll();
    });

    function poll() {
      if (life.ended()) return;
      abort = xhr('GET', '/lp/' + encodeURIComponent(cid) + '?cursor=' + cursor, null, POLL_TIMEOUT_MS,
        function (status, text) {
          var batch = status === 200 && json(text);
          if (life.ended()) return;
          if (batch) {
            failures = 0;
            cursor = batch.cursor;
            (batch.frames || []).forEach(function (f) { if (!life.ended() && f && f.type) h.frame(f); });
            if (batch.closed) life.end('lp-closed', true); else poll();
            return;
          }
          // The server keeps frames until a later cursor confirms them: asking again loses nothing.
          if (status !== 404 && ++failures <= POLL_RETRIES) setTimeout(poll, 1000 * failures);
          else life.end('lp-failed', true);
        });
    }
    return {
      send: up.send,
      close: function () { if (life.end('closed', false) && abort) abort.abort(); }
    };
  }

  var makers = { ws: websocket, sse: sse, lp: longPoll };
  return {
    /** Transport names this browser can use, best first. */
    available: function () {
      var names = [];
      if (typeof WebSocket === 'function') names.push('ws');
      if (typeof EventSource === 'function') names.push('sse');
      names.push('lp');
      return names;
    },
    xhr: xhr,
    create: function (name, site, handlers) { return makers[name](site, handlers); }
  };
})();
