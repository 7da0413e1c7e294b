/* Parley panel timeline: a pure reducer, reduce(state, action) -> state, of what the panel holds of its
 * conversations (PROTOCOL.md §5). An action that changes nothing returns the same state object; one that
 * contradicts the history held sets `contradiction: {conv, why}` and nothing else, and the app resyncs. */
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.ParleyTimeline = api;
})(this, function () {
  'use strict';

  function initial() {
    return {
      convs: [], // conversations shown, oldest first
      events: {}, // conversation -> seq -> event frame
      last: {}, // conversation -> highest contiguous seq held
      status: {}, // conversation -> waiting | assigned | closed
      agentRead: {}, // conversation -> the agents' read mark
      myRead: {}, // conversation -> the visitor's read mark
      live: {}, // conversation -> true once brought up to date (later events are news)
      resyncing: {}, // conversation -> true while rebuilt from seq 0, until its synced
      mine: {}, // conversation -> id -> own message shown before a rebuild, until the rebuilt history is checked
      contradiction: null // {conv, why}: the last action contradicted the history held
    };
  }

  // ---- copy-on-write helpers (ES5: the panel runs in old browsers too) ---------------------------------------
  function copy(o) { var c = {}; for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) c[k] = o[k]; return c; }
  function put(o, k, v) { var c = copy(o); c[k] = v; return c; }
  function drop(o, k) { if (!(k in o)) return o; var c = copy(o); delete c[k]; return c; }
  function with1(state, key, value) { return put(state, key, value); }

  function sameEntry(a, b) {
    var ra = a.author || {}, rb = b.author || {};
    return a.kind === b.kind && ra.role === rb.role && ra.id === rb.id && (a.id || null) === (b.id || null);
  }
  function highestSeq(state, conv) {
    var top = 0;
    for (var s in state.events[conv] || {}) if (+s > top) top = +s;
    return top;
  }
  function contradiction(state, conv, why) { return with1(state, 'contradiction', { conv: conv, why: why }); }
  function mark(map, conv, seq) { return conv && seq > (map[conv] || 0) ? put(map, conv, seq) : map; }
  function show(state, conv) {
    return state.convs.indexOf(conv) >= 0 ? state : with1(state, 'convs', state.convs.concat([conv]));
  }

  /** Actions: event {frame, acked}, synced {frame}, read {frame}, ackPlaced {conv, seq, id, other}, show, opened,
   *  myRead {conv, seq}, resync, resyncRefused, restored {conv}, dropped, forget. See docs/WIDGET.md. */
  function reduce(state, action) {
    if (state.contradiction) state = with1(state, 'contradiction', null);
    var f = action.frame, conv = action.conv;
    switch (action.type) {
      case 'event': {
        conv = f.conversationId;
        var seq = f.seq;
        if (!conv || !(seq > 0)) return state;
        var held = state.events[conv] || {};
        if (held[seq]) {
          // The same entry again is dropped; another one means the history held is not the server's.
          return sameEntry(held[seq], f) ? state : contradiction(state, conv, 'event ' + seq + ' differs from the one held');
        }
        var acked = action.acked;
        if (acked && !(f.kind === 'message' && f.id === acked.id)) {
          return contradiction(state, conv, 'event ' + seq + ' is not ' + acked.id + ', which its ack placed there');
        }
        var next = show(state, conv);
        held = put(held, seq, f);
        var last = next.last[conv] || 0;
        while (held[last + 1]) last++;
        next = with1(next, 'events', put(next.events, conv, held));
        next = with1(next, 'last', put(next.last, conv, last));
        if (f.kind === 'joined') next = with1(next, 'status', put(next.status, conv, 'assigned'));
        if (f.kind === 'closed') next = with1(next, 'status', put(next.status, conv, 'closed'));
        return next;
      }
      case 'synced': {
        conv = f.conversationId;
        if (!conv) return state;
        if (f.lastSeq < highestSeq(state, conv)) {
          return contradiction(state, conv, 'synced.lastSeq ' + f.lastSeq + ' is below what is held');
        }
        var s = with1(state, 'resyncing', drop(state.resyncing, conv));
        s = with1(s, 'live', put(s.live, conv, true));
        if (f.status) s = with1(s, 'status', put(s.status, conv, f.status));
        var agentRead = s.agentRead, myRead = s.myRead;
        (f.reads || []).forEach(function (r) {
          if (r.reader && r.reader.role === 'agent') agentRead = mark(agentRead, conv, r.seq);
          if (r.reader && r.reader.role === 'visitor') myRead = mark(myRead, conv, r.seq);
        });
        s = with1(s, 'agentRead', agentRead);
        return with1(s, 'myRead', myRead);
      }
      case 'read':
        if (f.reader && f.reader.role === 'agent') return with1(state, 'agentRead', mark(state.agentRead, f.conversationId, f.seq));
        if (f.reader && f.reader.role === 'visitor') return with1(state, 'myRead', mark(state.myRead, f.conversationId, f.seq));
        return state;
      case 'ackPlaced': {
        if (!(action.seq > 0)) return state;
        var at = (state.events[conv] || {})[action.seq];
        // Another entry at that seq, or (no event there yet) another message of ours an ack placed there.
        var other = !at && action.other;
        if ((at && !(at.kind === 'message' && at.id === action.id)) || (other && other.id !== action.id)) {
          return contradiction(state, conv, 'ack ' + action.id + ' names seq ' + action.seq + ', held for another entry');
        }
        return state;
      }
      case 'show':
        return show(state, conv);
      case 'opened': {
        var o = show(state, conv);
        o = with1(o, 'live', put(o.live, conv, true));
        return o.status[conv] ? o : with1(o, 'status', put(o.status, conv, 'waiting'));
      }
      case 'myRead':
        return with1(state, 'myRead', mark(state.myRead, conv, action.seq));
      case 'resync': {
        var mine = copy(state.mine[conv] || {}), old = state.events[conv] || {};
        for (var k in old) {
          var e = old[k];
          if (e.kind === 'message' && e.author && e.author.role === 'visitor' && e.id) mine[e.id] = e;
        }
        var r = with1(state, 'mine', put(state.mine, conv, mine));
        r = with1(r, 'events', put(r.events, conv, {}));
        r = with1(r, 'last', put(r.last, conv, 0));
        r = with1(r, 'live', drop(r.live, conv)); // the replay is history, not news
        r = with1(r, 'agentRead', drop(r.agentRead, conv));
        r = with1(r, 'myRead', drop(r.myRead, conv));
        return with1(r, 'resyncing', put(r.resyncing, conv, true));
      }
      case 'resyncRefused':
        return with1(state, 'resyncing', drop(state.resyncing, conv));
      case 'restored':
        return with1(state, 'mine', drop(state.mine, conv));
      case 'dropped':
        return Object.keys(state.resyncing).length ? with1(state, 'resyncing', {}) : state;
      case 'forget': {
        var n = initial();
        n.status = state.status;
        n.agentRead = state.agentRead;
        n.myRead = state.myRead;
        return n;
      }
      default:
        return state;
    }
  }

  // ---- selectors -------------------------------------------------------------------------------------------
  /** The seq of the newest agent message after `after`, or 0. */
  function agentSeqAfter(state, conv, after) {
    var held = state.events[conv] || {}, top = 0;
    for (var s in held) {
      var e = held[s];
      if (e.kind === 'message' && e.author && e.author.role === 'agent' && e.seq > after && e.seq > top) top = e.seq;
    }
    return top;
  }
  /** Agent messages of live conversations after the visitor's read mark. */
  function unread(state) {
    var n = 0;
    state.convs.forEach(function (conv) {
      if (!state.live[conv]) return;
      var held = state.events[conv] || {}, read = state.myRead[conv] || 0;
      for (var s in held) {
        var e = held[s];
        if (e.kind === 'message' && e.author && e.author.role === 'agent' && e.seq > read) n++;
      }
    });
    return n;
  }
  /** The conversation's entries in seq order. */
  function entries(state, conv) {
    var held = state.events[conv] || {};
    return Object.keys(held).map(Number).sort(function (a, b) { return a - b; }).map(function (s) { return held[s]; });
  }
  function rebuilding(state) { return Object.keys(state.resyncing).length > 0; }

  return {
    initial: initial, reduce: reduce, sameEntry: sameEntry, highestSeq: highestSeq, agentSeqAfter: agentSeqAfter,
    unread: unread, entries: entries, rebuilding: rebuilding
  };
});
