/* Parley panel storage: JSON values under the site's prefix in localStorage, or in memory where it is blocked. */
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.ParleyStorage = api;
})(this, function () {
  'use strict';

  /** backing: a Storage (window.localStorage), or null for memory only. */
  function create(prefix, backing) {
    var ls = backing || null, mem = {};
    try { if (ls) { ls.setItem(prefix + 't', '1'); ls.removeItem(prefix + 't'); } } catch (e) { ls = null; }
    return {
      get: function (k, d) {
        try {
          var v = ls ? ls.getItem(prefix + k) : mem[k];
          return v == null ? d : JSON.parse(v);
        } catch (e) { return d; }
      },
      set: function (k, v) {
        var s = JSON.stringify(v);
        if (ls) try { ls.setItem(prefix + k, s); return; } catch (e) { console.warn('[parley] storage full', e); }
        mem[k] = s;
      },
      del: function (k) { if (ls) try { ls.removeItem(prefix + k); } catch (e) { /* nothing to remove */ } delete mem[k]; },
      /** The key a storage event names for k. */
      key: function (k) { return prefix + k; }
    };
  }

  return { create: create };
});
