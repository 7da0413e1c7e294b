/* Parley panel outbox: the visitor's messages until their events arrive (PROTOCOL.md §6), in order, one in
 * flight at a time, each with its id for life; in storage, shared with the shop's other tabs (adopted, never
 * overwritten; what this tab saw delivered never comes back). Item: {id, text, at, state: pending | sent | failed,
 * code?, seq?, conv?, pageUrl?, file?: {upload, name, size}}; `sent` keeps the ack's seq to check the history against. */
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.ParleyOutbox = api;
})(this, function () {
  'use strict';

  var KEY = 'outbox';

  /** store: {get(key, default), set(key, value)}; max: MAX_OUTBOX_MESSAGES. */
  function create(store, max) {
    var items = store.get(KEY, []) || [];
    var done = {}; // ids seen delivered by this tab: never adopted back from storage
    var inflight = null; // id of the send awaiting its answer

    function find(id) { for (var i = 0; i < items.length; i++) if (items[i].id === id) return items[i]; }

    /** Takes in what other tabs stored; true if anything was new. */
    function adopt() {
      var changed = false;
      (store.get(KEY, []) || []).forEach(function (m) {
        if (m && m.id && !find(m.id) && !done[m.id] && items.length < max) {
          items.push(m);
          changed = true;
        }
      });
      return changed;
    }
    function save() { adopt(); store.set(KEY, items); }

    return {
      items: function () { return items; },
      size: function () { return items.length; },
      find: find,
      adopt: adopt,
      /** A new message at the end; false (nothing stored) when the outbox is full. */
      add: function (m) {
        if (items.length >= max) return false;
        items.push({ id: m.id, text: m.text, at: m.at, state: 'pending', pageUrl: m.pageUrl, file: m.file });
        save();
        return true;
      },
      /** The next message to send, now marked in flight; null while one is in flight, none is pending, or the
       * next is not `ready` yet (a file still uploading: nothing overtakes it). */
      take: function (ready) {
        if (inflight) return null;
        for (var i = 0; i < items.length; i++) {
          if (items[i].state === 'pending') {
            if (ready && !ready(items[i])) return null;
            inflight = items[i].id;
            return items[i];
          }
        }
        return null;
      },
      inflight: function () { return inflight; },
      /** The answer to `id` came (or the connection that carried it ended: id null). */
      settle: function (id) { if (id == null || id === inflight) inflight = null; },
      /** Acknowledged at seq of conv; the event will take it out. */
      sent: function (id, conv, seq) {
        var m = find(id);
        if (!m || m.state !== 'pending') return;
        m.state = 'sent';
        m.seq = seq;
        m.conv = conv;
        save();
      },
      /** Refused for good: stays, shown as failed, until the visitor retries or edits it. */
      failed: function (id, code) {
        var m = find(id);
        if (!m) return;
        m.state = 'failed';
        m.code = code;
        save();
      },
      /** Pending again, to go with its id. */
      retry: function (id) {
        var m = find(id);
        if (!m) return;
        m.state = 'pending';
        delete m.code;
        delete m.seq;
        save();
      },
      /** Its event arrived (or the visitor took it back): out for good, also for the other tabs. */
      deliver: function (id) {
        done[id] = true;
        var before = items.length;
        items = items.filter(function (m) { return m.id !== id; });
        if (items.length !== before) save();
        if (id === inflight) inflight = null;
      },
      /** Our message an ack placed at seq of conv while its event has not come yet, if any. */
      ackedAt: function (conv, seq) {
        for (var i = 0; i < items.length; i++) {
          var m = items[i];
          if (m.state === 'sent' && m.seq === seq && m.conv === conv) return m;
        }
      },
      /** A rebuild of conv: acknowledged messages are pending again (their acks cannot be trusted). */
      unsend: function (conv) {
        items.forEach(function (m) {
          if (m.state === 'sent' && (!m.conv || m.conv === conv)) { m.state = 'pending'; delete m.seq; }
        });
        save();
      },
      /** Own messages (`mine`: id -> event) the rebuilt history lacks (`held`: id -> true) go back in first. */
      restore: function (mine, held) {
        var back = [];
        Object.keys(mine).forEach(function (id) {
          if (held[id] || find(id)) return;
          if (items.length + back.length >= max) {
            if (typeof console !== 'undefined') console.warn('[parley] outbox full: not sent again', id);
            return;
          }
          delete done[id];
          back.push({ id: id, text: mine[id].text || '', at: mine[id].at, state: 'pending' });
        });
        if (back.length) {
          items = back.concat(items);
          save();
        }
        return back.length;
      },
      /** Someone else on this browser: nothing of the previous person is sent, here or by another tab. */
      clear: function () {
        items.concat(store.get(KEY, []) || []).forEach(function (m) { if (m && m.id) done[m.id] = true; });
        items = [];
        inflight = null;
        store.set(KEY, []);
      },
      /** Whether something is still to be delivered (failed messages wait for the visitor). */
      unfinished: function () { return items.some(function (m) { return m.state !== 'failed'; }); }
    };
  }

  return { create: create };
});
