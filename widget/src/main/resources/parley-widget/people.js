/* Parley panel: who is who. Agents' initials, and the words of system entries (joined, transferred, closed, the
 * server's own messages) in the visitor's language. Pure: no DOM, storage or network. */
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.ParleyPeople = api;
})(this, function () {
  'use strict';

  /** "Lin Wei" -> "LW", "王芳" -> "王", "" -> "?". */
  function initials(name) {
    var w = String(name || '').trim().split(/\s+/);
    if (!w[0]) return '?';
    return (w[0].charAt(0) + (w.length > 1 ? w[w.length - 1].charAt(0) : '')).toUpperCase();
  }

  /**
   * The words of an entry drawn as a system line, or null for a message a person wrote. names: agent id ->
   * display name (unknown ones read "An agent …"); t(key, n): the strings. The server's auto-close warning
   * (a system message whose id starts with "idle-", PROTOCOL.md §10) is said in the visitor's language.
   */
  function label(e, names, t) {
    var a = e.author || {}, name = a.role === 'agent' && names[a.id];
    function who(k) { return name ? t(k + 'Name').replace('{name}', name) : t(k); }
    if (e.kind === 'joined') return who('joined');
    if (e.kind === 'transferred') return who('transferred');
    if (e.kind === 'closed') return t('closedChat');
    if (e.kind !== 'message' || a.role !== 'system') return null;
    var n = /^idle-/.test(e.id || '') && /\d+/.exec(e.text || '');
    return n ? t('idleWarn', n[0]) : e.text || '';
  }

  return { initials: initials, label: label };
});
