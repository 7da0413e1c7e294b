// The panel's outbox (outbox.js) over the panel's storage (storage.js), with a Storage shared like localStorage.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Storage = require('../../main/resources/parley-widget/storage.js');
const Outbox = require('../../main/resources/parley-widget/outbox.js');

/** What localStorage is to the tabs of one origin: one map of strings, shared. */
function sharedStorage() {
  const map = new Map();
  return {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
  };
}
function tab(backing, max) { return Outbox.create(Storage.create('parley:demo:', backing), max || 50); }
function add(o, id, text) { return o.add({ id: id, text: text || id, at: '2026-12-01T00:00:00Z' }); }

test('messages go one at a time, in order, each with its id', () => {
  const o = tab(sharedStorage());
  add(o, 'm1'); add(o, 'm2');
  assert.equal(o.take().id, 'm1');
  assert.equal(o.take(), null, 'one in flight at a time');
  o.settle('m1');
  o.sent('m1', 'c', 1);
  assert.equal(o.take().id, 'm2');
});

test('an acknowledged message waits for its event; the event takes it out', () => {
  const o = tab(sharedStorage());
  add(o, 'm1');
  o.take(); o.settle('m1');
  o.sent('m1', 'c', 7);
  assert.equal(o.find('m1').state, 'sent');
  assert.equal(o.ackedAt('c', 7).id, 'm1');
  assert.equal(o.ackedAt('c', 8), undefined);
  o.deliver('m1');
  assert.equal(o.size(), 0);
});

test('the outbox survives a reload', () => {
  const backing = sharedStorage();
  const first = tab(backing);
  add(first, 'm1'); add(first, 'm2');
  first.failed('m2', 'text-too-long');
  const reloaded = tab(backing);
  assert.deepEqual(reloaded.items().map((m) => [m.id, m.state]), [['m1', 'pending'], ['m2', 'failed']]);
});

test('a full outbox refuses a new message and stores nothing', () => {
  const o = tab(sharedStorage(), 2);
  assert.equal(add(o, 'a'), true);
  assert.equal(add(o, 'b'), true);
  assert.equal(add(o, 'c'), false);
  assert.deepEqual(o.items().map((m) => m.id), ['a', 'b']);
});

test('a failed message waits for the visitor, then goes again with its id', () => {
  const o = tab(sharedStorage());
  add(o, 'm1');
  o.take(); o.settle('m1');
  o.failed('m1', 'conversation-closed');
  assert.equal(o.take(), null);
  assert.equal(o.unfinished(), false);
  o.retry('m1');
  assert.equal(o.find('m1').code, undefined);
  assert.equal(o.take().id, 'm1');
});

test('tabs share the outbox: a tab adopts what another stored and never brings back what it saw delivered', () => {
  const backing = sharedStorage();
  const a = tab(backing), b = tab(backing);
  add(a, 'from-a');
  assert.equal(b.adopt(), true);
  assert.deepEqual(b.items().map((m) => m.id), ['from-a']);
  b.deliver('from-a');
  add(b, 'from-b'); // saving adopts first: a's copy is not brought back, it was delivered
  assert.deepEqual(b.items().map((m) => m.id), ['from-b']);
  assert.equal(b.adopt(), false);
});

test('a rebuild makes acknowledged messages of that conversation pending again', () => {
  const o = tab(sharedStorage());
  add(o, 'm1'); add(o, 'm2');
  o.take(); o.settle('m1'); o.sent('m1', 'c', 1);
  o.take(); o.settle('m2'); o.sent('m2', 'other', 1);
  o.unsend('c');
  assert.deepEqual(o.items().map((m) => [m.id, m.state, m.seq]), [['m1', 'pending', undefined], ['m2', 'sent', 1]]);
});

test('own messages the rebuilt history lacks come back first, with their ids; held ones do not', () => {
  const o = tab(sharedStorage());
  add(o, 'waiting');
  o.deliver('lost'); // seen delivered before the rebuild
  const n = o.restore({ lost: { text: 'acked then lost', at: 't' }, kept: { text: 'still there' } }, { kept: true });
  assert.equal(n, 1);
  assert.deepEqual(o.items().map((m) => [m.id, m.state]), [['lost', 'pending'], ['waiting', 'pending']]);
  assert.equal(o.find('lost').text, 'acked then lost');
});

test('restoring stops at the limit', () => {
  const o = tab(sharedStorage(), 1);
  add(o, 'waiting');
  assert.equal(o.restore({ lost: { text: 'x' } }, {}), 0);
  assert.equal(o.size(), 1);
});

test('clear forgets everything, also what other tabs stored, and settles the message in flight', () => {
  const backing = sharedStorage();
  const a = tab(backing), b = tab(backing);
  add(a, 'a1');
  add(b, 'b1');
  b.take();
  b.clear();
  assert.equal(b.size(), 0);
  assert.equal(b.inflight(), null);
  assert.equal(b.adopt(), false, 'a1 was the previous person\'s too');
  assert.deepEqual(tab(backing).items(), []);
});

test('a connection that ends settles the message in flight', () => {
  const o = tab(sharedStorage());
  add(o, 'm1');
  o.take();
  o.settle(null);
  assert.equal(o.take().id, 'm1', 'sent again with the same id on the next connection');
});

test('storage that the browser blocks falls back to memory', () => {
  const blocked = { getItem() { throw new Error('SecurityError'); }, setItem() { throw new Error('SecurityError'); },
    removeItem() {} };
  const s = Storage.create('p:', blocked);
  s.set('k', { a: 1 });
  assert.deepEqual(s.get('k'), { a: 1 });
  s.del('k');
  assert.equal(s.get('k', 'none'), 'none');
});
