/* Parley panel: the forms and the plain HTTP requests beside the connection — the pre-chat form, leave a message
 * (nobody can chat), a chat's transcript by e-mail, and agents' names. XMLHttpRequest only (old browsers). */
window.ParleyForms = (function () {
  'use strict';
  var MAX_NAMES_KEPT = 20; // agents' names remembered per browser
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  /**
   * c: {S: the app's state (names, asked, transcripts, identity, config, pages, lastPage, token, locale), site,
   * store, log, t, el, render(), notice(), submit(text), anonymous(prefix, fields): identify unsigned}.
   */
  function create(c) {
    var S = c.S, t = c.t, el = c.el;
    function request(method, path, body, headers, done) {
      var x = new XMLHttpRequest();
      x.open(method, path + (path.indexOf('?') < 0 ? '?' : '&') + 'site=' + encodeURIComponent(c.site));
      if (body) x.setRequestHeader('Content-Type', 'application/json');
      for (var h in headers) if (headers.hasOwnProperty(h)) x.setRequestHeader(h, headers[h]);
      x.onload = function () {
        var r = null;
        try { r = JSON.parse(x.responseText); } catch (e) { r = null; }
        done(x.status, r);
      };
      x.onerror = function () { done(0, null); };
      x.send(body ? JSON.stringify(body) : null);
    }
    function check(form, bad) {
      var err = el(form + '-err');
      err.textContent = bad;
      err.hidden = !bad;
      return !bad;
    }

    /** Agents are known by id on the wire; their display name comes once from GET /widget/agent. */
    function askName(id) {
      if (!id || S.names[id] || S.asked[id]) return;
      S.asked[id] = 1;
      request('GET', 'agent?id=' + encodeURIComponent(id), null, {}, function (status, a) {
        if (!status) { delete S.asked[id]; return; } // asked again with the next event of theirs
        if (status !== 200 || !a || !a.name) { c.log('no name for agent', id, status); return; }
        S.names[id] = a.name;
        var ids = Object.keys(S.names);
        if (ids.length > MAX_NAMES_KEPT) delete S.names[ids[0]];
        c.store.set('names', S.names);
        c.render();
      });
    }

    function prechat(e) {
      e.preventDefault();
      var form = el('pw-prechat');
      var name = form.elements.name.value.trim(), email = form.elements.email.value.trim();
      var question = form.elements.question.value.trim();
      if (!check('pw-prechat', !question ? t('needQuestion') :
        (email || (S.config.prechat || {}).requireEmail) && !/^[^\s@]+@[^\s@]+$/.test(email) ? t('needEmail') : '')) return;
      c.store.set('prechat', true);
      if (name || email) c.anonymous('prechat-', { name: name || undefined, email: email || undefined });
      c.submit(question);
    }

    /** Leave a message (nobody can chat): the text goes into the chat queue, and the team hears of it by e-mail. */
    function leave(e) {
      e.preventDefault();
      var form = el('pw-leave');
      var email = form.elements.email.value.trim(), text = form.elements.text.value.trim();
      if (!check('pw-leave', !EMAIL.test(email) ? t('needEmail') : !text ? t('needQuestion') : '')) return;
      c.anonymous('left-', { email: email });
      var last = S.pages[S.pages.length - 1] || S.lastPage;
      request('POST', 'message', { email: email, text: text, page: last && last.url || undefined }, {},
        function (status) { c.log('left message', status); }); // not mailed: it still waits in the queue
      c.store.set('leftTo', email);
      c.submit(text);
      c.notice();
    }

    /** The transcript of a closed chat by e-mail (POST /widget/transcript; the visitor's token proves it is theirs). */
    function transcript(conv, email) {
      if (!EMAIL.test(email)) { S.transcripts[conv] = 'bad'; c.render(); return; }
      S.transcripts[conv] = 'sending';
      c.render();
      request('POST', 'transcript', { conversationId: conv, email: email, locale: S.locale },
        { Authorization: 'Bearer ' + S.token }, function (status) {
          S.transcripts[conv] = status === 202 ? 'sent' : 'failed';
          if (status !== 202) c.log('transcript refused', status);
          c.render();
        });
    }

    return { askName: askName, prechat: prechat, leave: leave, transcript: transcript };
  }

  return { create: create };
})();
