/* Parley panel files (PROTOCOL.md §13): uploads in chunks with progress, kept in IndexedDB until their message
 * is delivered so that a reload resumes them where the server says they stand; and download links, asked for with
 * the visitor's token and kept until shortly before they expire. Names only ever enter the DOM as text (view.js). */
window.ParleyFiles = (function () {
  'use strict';

  var CHUNK_BYTES = 256 * 1024;
  var RETRY_MIN_MS = 1000;
  var RETRY_MAX_MS = 30000;
  /** A link is asked for again this long before it expires. */
  var LINK_MARGIN_MS = 30000;
  /** Uploads kept at once (pending in the outbox); beyond, a new file is refused (the outbox is bounded too). */
  var MAX_UPLOADS = 20;
  /** Codes after which an upload never goes (PROTOCOL.md §13: every HTTP error of an upload is final but these). */
  var RETRYABLE = { 'unavailable': 1, 'rate-limited': 1, 'overloaded': 1, 'timeout': 1 };

  /** ctx: {site, token(), onChange(), log(...)}. */
  function create(ctx) {
    var uploads = {}; // uploadId -> {id, name, size, blob, received, state: uploading | done | failed, code, fileId}
    var links = {}; // fileId -> {url, thumbnailUrl, expiresAt(ms)} ; waiting[fileId] -> [callbacks]
    var waiting = {};
    var db = null;

    // ---- IndexedDB: the pending uploads survive a reload (memory only where it is unavailable) ----
    function openDb(done) {
      var idb;
      try { idb = window.indexedDB; } catch (e) { idb = null; }
      if (!idb) { done(); return; }
      var req;
      try { req = idb.open('parley-files-' + ctx.site, 1); } catch (e) { done(); return; }
      req.onupgradeneeded = function () { req.result.createObjectStore('uploads', { keyPath: 'id' }); };
      req.onsuccess = function () { db = req.result; done(); };
      req.onerror = function () { ctx.log('no IndexedDB: uploads do not survive a reload'); done(); };
    }
    function save(u) {
      if (!db) return;
      try {
        db.transaction('uploads', 'readwrite').objectStore('uploads').put({ id: u.id, name: u.name, size: u.size,
          blob: u.blob, received: u.received, state: u.state, code: u.code || null, fileId: u.fileId || null });
      } catch (e) { ctx.log('could not keep an upload', e); }
    }
    function drop(id) {
      if (!db) return;
      try { db.transaction('uploads', 'readwrite').objectStore('uploads')['delete'](id); } catch (e) { ctx.log('could not drop an upload', e); }
    }
    function loadAll(done) {
      if (!db) { done([]); return; }
      var all = [];
      try {
        var cursor = db.transaction('uploads', 'readonly').objectStore('uploads').openCursor();
        cursor.onsuccess = function () {
          var c = cursor.result;
          if (c) { all.push(c.value); c['continue'](); } else done(all);
        };
        cursor.onerror = function () { done(all); };
      } catch (e) { done(all); }
    }

    // ---- HTTP ----
    function request(method, url, body, headers, onProgress, done) {
      var x = new XMLHttpRequest(), called = false;
      function end(status) {
        if (called) return;
        called = true;
        var json = null;
        try { json = JSON.parse(x.responseText); } catch (e) { json = null; }
        done(status, json);
      }
      x.open(method, url, true);
      x.setRequestHeader('Authorization', 'Bearer ' + ctx.token());
      for (var h in headers) if (headers.hasOwnProperty(h)) x.setRequestHeader(h, headers[h]);
      if (onProgress && x.upload) x.upload.onprogress = function (e) { onProgress(e.loaded); };
      x.onload = function () { end(x.status); };
      x.onerror = x.ontimeout = x.onabort = function () { end(0); };
      x.send(body);
    }
    function uploadUrl(u) {
      return '/files/uploads/' + encodeURIComponent(u.id) + '?site=' + encodeURIComponent(ctx.site) +
        '&name=' + encodeURIComponent(u.name);
    }

    /** Sends the rest of an upload, chunk by chunk, from where the server says it stands. */
    function run(u) {
      if (u.running || u.state !== 'uploading') return;
      u.running = true;
      var delay = RETRY_MIN_MS;
      function again() {
        setTimeout(ask, delay + Math.floor(Math.random() * delay * 0.2));
        delay = Math.min(RETRY_MAX_MS, delay * 2);
      }
      function settle(status, body) {
        u.sending = 0;
        if (status === 200 && body) {
          delay = RETRY_MIN_MS;
          u.received = body.received;
          u.sending = 0;
          if (body.complete) {
            u.state = 'done';
            u.fileId = body.fileId;
            u.running = false;
            save(u);
            ctx.onChange();
            return;
          }
          save(u);
          ctx.onChange();
          next();
          return;
        }
        var code = body && body.error && body.error.code;
        if (code === 'upload-offset-mismatch') { ask(); return; }
        if (status === 0 || status >= 500 || RETRYABLE[code]) { again(); return; }
        u.state = 'failed';
        u.code = code || 'failed';
        u.running = false;
        save(u);
        ctx.onChange();
      }
      function ask() {
        if (!ctx.token()) { again(); return; } // before the first welcome: no token yet
        request('GET', '/files/uploads/' + encodeURIComponent(u.id) + '?site=' + encodeURIComponent(ctx.site), null, {},
          null, function (status, body) {
            if (status === 404) { u.received = 0; next(); return; } // nothing of it reached the server yet
            settle(status, body);
          });
      }
      function next() {
        var from = u.received, to = Math.min(u.size, from + CHUNK_BYTES);
        request('PUT', uploadUrl(u), u.blob.slice(from, to),
          { 'Content-Range': 'bytes ' + from + '-' + (to - 1) + '/' + u.size, 'Content-Type': 'application/octet-stream' },
          function (loaded) { u.sending = loaded; ctx.onChange(); }, settle);
      }
      if (u.received > 0 || !ctx.token()) ask(); else next();
    }

    function ready(done) {
      openDb(function () {
        loadAll(function (all) {
          all.forEach(function (r) {
            if (uploads[r.id]) return;
            uploads[r.id] = { id: r.id, name: r.name, size: r.size, blob: r.blob, received: r.received || 0,
              state: r.state || 'uploading', code: r.code, fileId: r.fileId };
            run(uploads[r.id]);
          });
          done();
        });
      });
    }

    return {
      /** Starts uploading a file under `id`; false (nothing kept) when too many are pending. */
      add: function (id, file) {
        if (Object.keys(uploads).length >= MAX_UPLOADS) return false;
        var u = { id: id, name: file.name || 'file', size: file.size, blob: file, received: 0, state: 'uploading' };
        uploads[id] = u;
        save(u);
        run(u);
        return true;
      },
      /** {state, progress 0..1, code, fileId}, or null when this browser holds no such upload. */
      status: function (id) {
        var u = uploads[id];
        if (!u) return null;
        return { state: u.state, code: u.code, fileId: u.fileId,
          progress: u.size ? Math.min(1, ((u.received || 0) + (u.sending || 0)) / u.size) : 1 };
      },
      /** Its message was delivered (or taken back): the file is no longer kept here. */
      forget: function (id) { delete uploads[id]; drop(id); },
      /** A download link for a file of the conversation: cb({url, thumbnailUrl}) now or once asked, or cb(null). */
      link: function (fileId, cb) {
        var l = links[fileId];
        if (l && l.expiresAt - LINK_MARGIN_MS > Date.now()) { cb(l); return; }
        if (waiting[fileId]) { waiting[fileId].push(cb); return; }
        waiting[fileId] = [cb];
        request('GET', '/files/' + encodeURIComponent(fileId) + '/link?site=' + encodeURIComponent(ctx.site), null, {},
          null, function (status, body) {
            var got = status === 200 && body ? { url: body.url, thumbnailUrl: body.thumbnailUrl,
              expiresAt: Date.parse(body.expiresAt) } : null;
            if (got) links[fileId] = got;
            var cbs = waiting[fileId];
            delete waiting[fileId];
            cbs.forEach(function (f) { f(got); });
          });
      },
      ready: ready
    };
  }

  return { create: create, CHUNK_BYTES: CHUNK_BYTES };
})();
