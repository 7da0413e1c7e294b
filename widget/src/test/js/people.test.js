// The panel's people helpers (people.js): initials and the words of system entries.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const P = require('../../main/resources/parley-widget/people.js');

const STR = {
  joined: 'An agent joined the chat', joinedName: '{name} joined the chat', transferred: 'The chat was transferred',
  transferredName: '{name} transferred the chat', closedChat: 'This chat has ended.',
  idleWarn: 'This chat will close in {n} minutes without a reply from you.',
};
const t = (k, n) => (n == null ? STR[k] : STR[k].replace('{n}', n));

test('initials take the first and last word, one character for a name without spaces', () => {
  assert.equal(P.initials('Lin Wei'), 'LW');
  assert.equal(P.initials('  anna maria  smith '), 'AS');
  assert.equal(P.initials('王芳'), '王');
  assert.equal(P.initials(''), '?');
  assert.equal(P.initials(null), '?');
});

test('joined and transferred name the agent once the name is known', () => {
  const joined = { kind: 'joined', author: { role: 'agent', id: 'a-2' } };
  const moved = { kind: 'transferred', author: { role: 'agent', id: 'a-1' } };
  assert.equal(P.label(joined, {}, t), 'An agent joined the chat');
  assert.equal(P.label(joined, { 'a-2': 'Wang' }, t), 'Wang joined the chat');
  assert.equal(P.label(moved, { 'a-2': 'Wang' }, t), 'The chat was transferred');
  assert.equal(P.label(moved, { 'a-1': 'Lin' }, t), 'Lin transferred the chat');
});

test('the auto-close warning is said in the visitor language with its minutes; other system text stays', () => {
  const sys = { role: 'system', id: 'parley' };
  const warn = { kind: 'message', id: 'idle-7', author: sys, text: 'This chat will close in 2 minutes without a reply.' };
  assert.equal(P.label(warn, {}, t), 'This chat will close in 2 minutes without a reply from you.');
  assert.equal(P.label({ kind: 'message', id: 'x', author: sys, text: 'Maintenance at 9' }, {}, t), 'Maintenance at 9');
  assert.equal(P.label({ kind: 'closed', author: sys }, {}, t), 'This chat has ended.');
});

test('messages people wrote are not system lines', () => {
  assert.equal(P.label({ kind: 'message', id: 'm', author: { role: 'agent', id: 'a' }, text: 'hi' }, {}, t), null);
  assert.equal(P.label({ kind: 'message', id: 'm', author: { role: 'visitor', id: 'v' }, text: 'hi' }, {}, t), null);
});
