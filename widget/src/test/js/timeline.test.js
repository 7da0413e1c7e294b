// The panel's timeline reducer (timeline.js): pure (state, action) -> state, checked action by action.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const T = require('../../main/resources/parley-widget/timeline.js');

const visitor = { role: 'visitor', id: 'v-1' };
const agent = { role: 'agent', id: 'a-1' };
function msg(conv, seq, id, author, text) {
  return { type: 'event', conversationId: conv, seq: seq, kind: 'message', id: id, author: author, text: text };
}
function apply(state, actions) { return actions.reduce(T.reduce, state); }
function deepFreeze(o) {
  Object.values(o).forEach((v) => { if (v && typeof v === 'object') deepFreeze(v); });
  return Object.freeze(o);
}

test('events are held by seq and the contiguous seq follows them', () => {
  const s = apply(T.initial(), [
    { type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') },
    { type: 'event', frame: msg('c', 3, 'm3', agent, 'later') },
  ]);
  assert.deepEqual(s.convs, ['c']);
  assert.equal(s.last.c, 1, 'seq 2 is missing');
  const filled = T.reduce(s, { type: 'event', frame: { conversationId: 'c', seq: 2, kind: 'joined', author: agent } });
  assert.equal(filled.last.c, 3);
  assert.equal(filled.status.c, 'assigned');
  assert.deepEqual(T.entries(filled, 'c').map((e) => e.seq), [1, 2, 3]);
});

test('the reducer never changes the state it is given', () => {
  const before = deepFreeze(apply(T.initial(), [{ type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') }]));
  const after = apply(before, [
    { type: 'event', frame: msg('c', 2, 'm2', agent, 'hello') },
    { type: 'synced', frame: { conversationId: 'c', lastSeq: 2, status: 'assigned', reads: [{ reader: agent, seq: 1 }] } },
    { type: 'resync', conv: 'c' },
    { type: 'forget' },
  ]);
  assert.notEqual(after, before);
  assert.deepEqual(Object.keys(before.events.c), ['1']);
});

test('the same entry again changes nothing and returns the very same state', () => {
  const s = T.reduce(T.initial(), { type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') });
  assert.equal(T.reduce(s, { type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') }), s);
});

test('an event without conversation or with no positive seq is ignored', () => {
  const s = T.initial();
  assert.equal(T.reduce(s, { type: 'event', frame: msg(null, 1, 'm', visitor, 'x') }), s);
  assert.equal(T.reduce(s, { type: 'event', frame: msg('c', 0, 'm', visitor, 'x') }), s);
});

test('another entry at a held seq is a contradiction and changes nothing else', () => {
  const s = T.reduce(T.initial(), { type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') });
  const next = T.reduce(s, { type: 'event', frame: msg('c', 1, 'other', agent, 'bogus') });
  assert.equal(next.contradiction.conv, 'c');
  assert.match(next.contradiction.why, /event 1 differs/);
  assert.equal(next.events, s.events);
});

test('an event at the seq an ack gave to our message must be that message', () => {
  const s = T.initial();
  const wrong = T.reduce(s, { type: 'event', frame: msg('c', 4, 'x', agent, 'no'), acked: { id: 'm4' } });
  assert.equal(wrong.contradiction.conv, 'c');
  const right = T.reduce(s, { type: 'event', frame: msg('c', 4, 'm4', visitor, 'yes'), acked: { id: 'm4' } });
  assert.equal(right.contradiction, null);
  assert.equal(right.events.c[4].text, 'yes');
});

test('an ack naming a seq held for another entry, or placed for another message of ours, contradicts', () => {
  const s = T.reduce(T.initial(), { type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') });
  assert.equal(T.reduce(s, { type: 'ackPlaced', conv: 'c', seq: 1, id: 'm1' }), s);
  assert.ok(T.reduce(s, { type: 'ackPlaced', conv: 'c', seq: 1, id: 'm9' }).contradiction);
  assert.ok(T.reduce(s, { type: 'ackPlaced', conv: 'c', seq: 2, id: 'm9', other: { id: 'm2' } }).contradiction);
  assert.equal(T.reduce(s, { type: 'ackPlaced', conv: 'c', seq: 2, id: 'm2', other: { id: 'm2' } }), s);
});

test('the next action clears a contradiction', () => {
  const s = T.reduce(T.initial(), { type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') });
  const bad = T.reduce(s, { type: 'ackPlaced', conv: 'c', seq: 1, id: 'm9' });
  assert.equal(T.reduce(bad, { type: 'show', conv: 'c' }).contradiction, null);
});

test('synced marks the conversation live, takes its status and read marks, and ends a rebuild', () => {
  const s = apply(T.initial(), [
    { type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') },
    { type: 'resync', conv: 'c' },
  ]);
  assert.equal(s.resyncing.c, true);
  assert.equal(T.rebuilding(s), true);
  const synced = T.reduce(s, { type: 'synced', frame: { conversationId: 'c', lastSeq: 1, status: 'waiting',
    reads: [{ reader: agent, seq: 1 }, { reader: visitor, seq: 0 }] } });
  assert.equal(synced.live.c, true);
  assert.equal(synced.status.c, 'waiting');
  assert.equal(synced.agentRead.c, 1);
  assert.equal(synced.resyncing.c, undefined);
  assert.equal(T.rebuilding(synced), false);
});

test('a synced below the highest seq held contradicts', () => {
  const s = apply(T.initial(), [
    { type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') },
    { type: 'event', frame: msg('c', 2, 'm2', agent, 'ho') },
  ]);
  const next = T.reduce(s, { type: 'synced', frame: { conversationId: 'c', lastSeq: 1 } });
  assert.match(next.contradiction.why, /below/);
  assert.equal(next.live, s.live);
});

test('read marks only grow', () => {
  const s = apply(T.initial(), [
    { type: 'read', frame: { conversationId: 'c', reader: agent, seq: 5 } },
    { type: 'read', frame: { conversationId: 'c', reader: agent, seq: 3 } },
    { type: 'read', frame: { conversationId: 'c', reader: visitor, seq: 2 } },
  ]);
  assert.equal(s.agentRead.c, 5);
  assert.equal(s.myRead.c, 2);
});

test('a resync forgets the history but keeps the visitor\'s own messages to check the rebuild against', () => {
  const s = apply(T.initial(), [
    { type: 'event', frame: msg('c', 1, 'm1', visitor, 'mine') },
    { type: 'event', frame: msg('c', 2, 'a2', agent, 'theirs') },
    { type: 'synced', frame: { conversationId: 'c', lastSeq: 2 } },
    { type: 'resync', conv: 'c' },
  ]);
  assert.deepEqual(s.events.c, {});
  assert.equal(s.last.c, 0);
  assert.equal(s.live.c, undefined, 'the replay is history, not news');
  assert.deepEqual(Object.keys(s.mine.c), ['m1']);
  assert.deepEqual(T.reduce(s, { type: 'restored', conv: 'c' }).mine, {});
});

test('dropped ends every rebuild; resyncRefused ends one', () => {
  const s = apply(T.initial(), [{ type: 'resync', conv: 'a' }, { type: 'resync', conv: 'b' }]);
  assert.deepEqual(Object.keys(T.reduce(s, { type: 'resyncRefused', conv: 'a' }).resyncing), ['b']);
  assert.deepEqual(T.reduce(s, { type: 'dropped' }).resyncing, {});
});

test('opened makes a conversation live and waiting unless it has a status', () => {
  const s = T.reduce(T.initial(), { type: 'opened', conv: 'c' });
  assert.deepEqual(s.convs, ['c']);
  assert.equal(s.status.c, 'waiting');
  const assigned = apply(T.initial(), [
    { type: 'event', frame: { conversationId: 'c', seq: 1, kind: 'joined', author: agent } },
    { type: 'opened', conv: 'c' },
  ]);
  assert.equal(assigned.status.c, 'assigned');
});

test('unread counts agent messages of live conversations after the visitor\'s mark', () => {
  const s = apply(T.initial(), [
    { type: 'event', frame: msg('c', 1, 'a1', agent, 'one') },
    { type: 'event', frame: msg('c', 2, 'a2', agent, 'two') },
  ]);
  assert.equal(T.unread(s), 0, 'not live yet: history');
  const live = T.reduce(s, { type: 'synced', frame: { conversationId: 'c', lastSeq: 2 } });
  assert.equal(T.unread(live), 2);
  assert.equal(T.unread(T.reduce(live, { type: 'myRead', conv: 'c', seq: 1 })), 1);
  assert.equal(T.agentSeqAfter(live, 'c', 0), 2);
});

test('forget shows nothing of the previous visitor', () => {
  const s = apply(T.initial(), [{ type: 'event', frame: msg('c', 1, 'm1', visitor, 'hi') }, { type: 'forget' }]);
  assert.deepEqual(s.convs, []);
  assert.deepEqual(s.events, {});
});

test('an unknown action changes nothing', () => {
  const s = T.initial();
  assert.equal(T.reduce(s, { type: 'fireworks' }), s);
});
