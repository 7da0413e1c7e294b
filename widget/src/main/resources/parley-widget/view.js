/* Parley panel view: frame.html's DOM brought in line with the app's model; a node per entry, made once. Visitor
 * and agent text only ever enters the DOM as text nodes. */
window.ParleyView = (function () {
  'use strict';

  var ICON_BELL = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" ' +
    'd="M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6V11a6 6 0 0 0-5-5.9V4a1 1 0 1 0-2 0v1.1A6 6 0 0 0 6 11v5l-2 2v1h16v-1z"/></svg>';
  var ICON_BELL_OFF = ICON_BELL.replace('</svg>',
    '<path d="M4 4l16 16" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>');
  var NOTICE_FLASH_MS = 4000;
  var NEAR_BOTTOM_PX = 60;
  var LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi;

  function el(id) { return document.getElementById(id); }

  /** ctx: {t(key, n), model(), onRetry(id), onRate(conv, score), onTranscript(conv, email), link(fileId, cb),
   * upload(id)}; model(): see app.js. */
  function create(ctx) {
    var t = ctx.t, list = el('pw-list'), nodes = {}, flashTimer = 0;

    /** Text with http, https and mailto addresses as links; everything else stays text. */
    function linkify(text) {
      var frag = document.createDocumentFragment(), at = 0, m;
      LINK.lastIndex = 0;
      while ((m = LINK.exec(text))) {
        var url = m[0].replace(/[.,;:!?)\]}]+$/, '');
        if (!url) continue;
        frag.appendChild(document.createTextNode(text.slice(at, m.index)));
        frag.appendChild(link(url) || document.createTextNode(url));
        at = m.index + url.length;
        LINK.lastIndex = at;
      }
      frag.appendChild(document.createTextNode(text.slice(at)));
      return frag;
    }
    function link(url) {
      var a = document.createElement('a');
      a.href = url; // the browser parses it (no URL in the oldest supported browsers)
      if (a.protocol !== 'http:' && a.protocol !== 'https:' && a.protocol !== 'mailto:') return null;
      a.textContent = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      return a;
    }

    function time(at, locale) {
      var d = new Date(at);
      if (isNaN(d)) return '';
      return d.toLocaleTimeString(locale === 'zh' ? 'zh-CN' : 'en', { hour: '2-digit', minute: '2-digit' });
    }

    function size(n) {
      return n < 1024 ? n + ' B' : n < 1048576 ? Math.round(n / 1024) + ' KB' : (n / 1048576).toFixed(1) + ' MB';
    }
    /** A file of a message: its name and size as text, an image's thumbnail; the link is asked for (it expires). */
    function fileNode(f) {
      var a = document.createElement('a'), img = null;
      a.className = 'pw-file';
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      if (f.thumbnail) {
        img = document.createElement('img');
        img.className = 'pw-thumb';
        img.alt = f.name;
        a.appendChild(img);
      }
      var n = document.createElement('span');
      n.className = 'pw-fname';
      n.textContent = f.name;
      a.appendChild(n);
      var z = document.createElement('span');
      z.className = 'pw-fsize';
      z.textContent = size(f.size || 0);
      a.appendChild(z);
      if (f.upload) {
        var p = document.createElement('span');
        p.className = 'pw-progress';
        a.appendChild(p);
      } else if (f.fileId) {
        var fresh = function () {
          ctx.link(f.fileId, function (l) {
            if (!l) return;
            a.href = l.url; // a path of this server, signed for this visitor
            if (img && l.thumbnailUrl && img.getAttribute('src') !== l.thumbnailUrl) img.src = l.thumbnailUrl;
          });
        };
        fresh();
        a.addEventListener('mouseenter', fresh);
        a.addEventListener('focus', fresh);
      }
      return a;
    }

    function bubbleNode(key, mine, text, file) {
      var li = document.createElement('li');
      li.className = 'pw-msg ' + (mine ? 'pw-mine' : 'pw-theirs');
      var b = document.createElement('div');
      b.className = 'pw-bubble';
      if (file) {
        b.appendChild(fileNode(file));
        if (text && text !== file.name) b.appendChild(linkify(text)); // a caption
      } else if (text === '') {
        // An erased message (privacy): its words are gone, its place in the conversation stays.
        b.className += ' pw-erased';
        b.textContent = t('erased');
      } else {
        b.appendChild(linkify(text));
      }
      var meta = document.createElement('div');
      meta.className = 'pw-meta';
      li.appendChild(b);
      li.appendChild(meta);
      nodes[key] = li;
      return li;
    }
    /** Asks the visitor to rate a closed chat (1 to 5); thanks them once the server has the rating. */
    function ratingNode(conv, m) {
      var key = 'r:' + conv + ':' + (m.rated[conv] ? 'done' : 'ask') + ':' + m.locale;
      if (nodes[key]) return nodes[key];
      var li = document.createElement('li');
      li.className = 'pw-rate';
      nodes[key] = li;
      if (m.rated[conv]) {
        li.textContent = t('rated');
        return li;
      }
      var q = document.createElement('div');
      q.textContent = t('rateAsk');
      li.appendChild(q);
      for (var n = 1; n <= 5; n++) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'pw-star';
        b.textContent = '\u2605';
        b.setAttribute('data-score', String(n));
        b.setAttribute('aria-label', t('stars').replace('{n}', n));
        b.addEventListener('click', ctx.onRate.bind(null, conv, n));
        li.appendChild(b);
      }
      return li;
    }
    /** Offers the transcript of a closed chat by e-mail (where the server sends mail); says how it went. */
    function transcriptNode(conv, m) {
      var state = m.transcripts[conv] || '', key = 'tr:' + conv + ':' + state + ':' + m.locale;
      if (nodes[key]) return nodes[key];
      var li = document.createElement('li');
      li.className = 'pw-rate pw-tr';
      li.setAttribute('data-state', state || 'ask');
      nodes[key] = li;
      if (state === 'sending' || state === 'sent') {
        li.textContent = state === 'sent' ? t('trSent') : t('sending');
        return li;
      }
      var f = document.createElement('form'), input = document.createElement('input'), b = document.createElement('button');
      f.noValidate = true;
      input.type = 'email';
      input.name = 'email';
      input.maxLength = 254;
      input.value = m.email || '';
      input.placeholder = t('email');
      input.setAttribute('aria-label', t('email'));
      b.type = 'submit';
      b.textContent = t('trAsk');
      f.appendChild(input);
      f.appendChild(b);
      f.addEventListener('submit', function (e) {
        e.preventDefault();
        ctx.onTranscript(conv, input.value.replace(/^\s+|\s+$/g, ''));
      });
      if (state === 'failed' || state === 'bad') {
        var err = document.createElement('div');
        err.className = 'pw-err';
        err.textContent = t(state === 'bad' ? 'needEmail' : 'trFailed');
        li.appendChild(err);
      }
      li.appendChild(f);
      return li;
    }
    function systemNode(key, text) {
      var li = nodes[key];
      if (li && li.textContent === text) return li; // made again when its words change (a name arrived)
      li = document.createElement('li');
      li.className = 'pw-sys';
      li.textContent = text;
      nodes[key] = li;
      return li;
    }
    function setMeta(li, at, state, retryId, locale, who) {
      var meta = li.lastChild, want = at + '|' + state + '|' + locale + '|' + who;
      if (meta.getAttribute('data-k') === want) return;
      meta.setAttribute('data-k', want);
      li.setAttribute('data-state', state);
      meta.textContent = time(at, locale);
      if (who) {
        var av = document.createElement('span');
        av.className = 'pw-av';
        av.textContent = window.ParleyPeople.initials(who);
        var nm = document.createElement('span');
        nm.className = 'pw-name';
        nm.textContent = who;
        meta.insertBefore(nm, meta.firstChild);
        meta.insertBefore(av, meta.firstChild);
      }
      if (state) {
        var s = document.createElement('span');
        s.className = 'pw-state';
        s.textContent = t(state);
        meta.appendChild(s);
      }
      if (retryId) {
        var r = document.createElement('button');
        r.type = 'button';
        r.className = 'pw-retry';
        r.textContent = t('retry');
        r.addEventListener('click', function () { ctx.onRetry(retryId); });
        meta.appendChild(r);
      }
    }

    function scrollDown() { list.scrollTop = list.scrollHeight; }

    /** Brings the list in line with the model. */
    function render(forceScroll) {
      var m = ctx.model(), tl = m.timeline;
      var near = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
      var want = [];
      // The site's routing welcome (availability frame) before the widget's own greeting.
      var greeting = m.welcome || m.config.greeting && m.config.greeting[m.locale];
      if (greeting) {
        var g = nodes.g && nodes.g.getAttribute('data-text') === greeting ? nodes.g : bubbleNode('g', false, greeting);
        g.setAttribute('data-text', greeting);
        g.classList.add('pw-greeting');
        want.push(g);
      }
      tl.convs.forEach(function (conv) {
        window.ParleyTimeline.entries(tl, conv).forEach(function (e) {
          var seq = e.seq, key = 'e:' + conv + ':' + seq, li = nodes[key];
          var sys = window.ParleyPeople.label(e, m.names, t), a = e.author || {};
          if (sys != null) {
            li = systemNode(key, sys);
            li.setAttribute('data-seq', seq);
          } else if (e.kind === 'message') {
            var mine = a.role === 'visitor';
            li = li || bubbleNode(key, mine, e.text || '', e.attachment);
            li.setAttribute('data-seq', seq);
            setMeta(li, e.at, mine ? ((tl.agentRead[conv] || 0) >= seq ? 'read' : 'sent') : '', null, m.locale,
              !mine && m.names[a.id] || '');
          } else {
            return;
          }
          if (e.kind === 'closed') {
            if (conv === tl.convs[tl.convs.length - 1]) {
              want.push(li);
              li = ratingNode(conv, m);
              if (m.config.transcripts) {
                want.push(li);
                li = transcriptNode(conv, m);
              }
            }
          }
          want.push(li);
        });
      });
      m.outbox.forEach(function (o) {
        var key = 'o:' + o.id;
        var li = nodes[key] || bubbleNode(key, true, o.text, o.file && { name: o.file.name, size: o.file.size, upload: o.file.upload });
        li.setAttribute('data-id', o.id);
        if (o.file) {
          var u = ctx.upload(o.file.upload), p = li.querySelector('.pw-progress');
          if (p) p.textContent = u && u.state === 'uploading' ? t('uploading', Math.round(u.progress * 100)) : '';
        }
        setMeta(li, o.at, o.state === 'pending' ? 'sending' : o.state, o.state === 'failed' ? o.id : null, m.locale);
        want.push(li);
      });
      var kids = list.children;
      for (var i = 0; i < want.length; i++) if (kids[i] !== want[i]) list.insertBefore(want[i], kids[i] || null);
      while (kids.length > want.length) list.removeChild(kids[want.length]);
      if (near || forceScroll) scrollDown();
      prechat(m);
    }

    /** Pre-chat form: only before the first message, where the site asks for it. */
    function prechat(m) {
      var p = m.config.prechat || {};
      // Not for a visitor the shop identified (Parley.identify): the shop has told us who they are already.
      var fresh = !m.conv && !m.outbox.length;
      // Nobody can chat (availability no-agents or closed): a form for a message and a contact address instead.
      var leave = fresh && m.away && !m.leftTo;
      var show = !leave && !!p.enabled && fresh && !m.prechatDone && !m.identified;
      el('pw-leave').hidden = !leave;
      el('pw-prechat').hidden = !show;
      el('pw-compose').hidden = show || leave;
    }

    function setConn(state) {
      var c = el('pw-conn');
      c.setAttribute('data-state', state === 'reconnecting' ? 'connecting' : state);
      c.textContent = state === 'online' ? '' : t(state);
    }

    function notice() {
      var m = ctx.model(), n = el('pw-notice'), text = '';
      var status = m.conv && m.timeline.status[m.conv];
      // Nobody online only matters until an agent has the chat: one who joined answers whatever the site's hours.
      var away = m.away && status !== 'assigned' && status !== 'closed';
      if (away) text = m.leftTo ? t('leftTo').replace('{email}', m.leftTo) : t(m.closed ? 'closedNow' : 'away');
      else if (status === 'waiting' && m.position) text = t('position', m.position);
      else if (status === 'waiting') text = t('waiting');
      n.textContent = text;
      n.hidden = !text;
      n.setAttribute('data-kind', away ? 'away' : status || '');
    }

    function flash(text) {
      var n = el('pw-notice');
      n.textContent = text;
      n.hidden = false;
      clearTimeout(flashTimer);
      flashTimer = setTimeout(notice, NOTICE_FLASH_MS);
    }

    function agentTyping(on) {
      el('pw-typing').hidden = !on;
      el('pw-typing').textContent = t('typing');
    }

    function relabel() {
      var m = ctx.model(), c = m.config;
      document.documentElement.lang = m.locale === 'zh' ? 'zh-CN' : 'en';
      el('pw-title').textContent = (c.title && c.title[m.locale]) || c.name || t('title');
      el('pw-sub').textContent = t(m.away ? 'byEmail' : 'online'); // not "in a few minutes" with nobody there
      el('pw-input').placeholder = t('placeholder');
      el('pw-send').textContent = t('send');
      el('pw-close').setAttribute('aria-label', t('close'));
      el('pw-close').title = t('close');
      el('pw-emoji-btn').setAttribute('aria-label', t('emoji'));
      el('pw-attach').setAttribute('aria-label', t('attach'));
      el('pw-attach').title = t('attach');
      el('pw-sound').innerHTML = m.soundOn ? ICON_BELL : ICON_BELL_OFF; // constants, never message text
      el('pw-sound').setAttribute('aria-pressed', String(m.soundOn));
      el('pw-sound').setAttribute('aria-label', m.soundOn ? t('soundOn') : t('soundOff'));
      el('pw-sound').title = m.soundOn ? t('soundOn') : t('soundOff');
      [].forEach.call(document.querySelectorAll('[data-t]'), function (n) { n.textContent = t(n.getAttribute('data-t')); });
      el('pw-prechat-intro').textContent = t('prechatIntro');
      setConn(el('pw-conn').getAttribute('data-state'));
      notice();
      agentTyping(m.agentTyping);
    }

    /** Forgets the nodes of a conversation's entries, whose seqs may now hold other entries (a rebuild). */
    function forget(conv) {
      Object.keys(nodes).forEach(function (k) { if (k.indexOf('e:' + conv + ':') === 0) delete nodes[k]; });
    }

    return {
      render: render, setConn: setConn, notice: notice, flash: flash, agentTyping: agentTyping, relabel: relabel,
      forget: forget, scrollDown: scrollDown
    };
  }

  return { create: create, el: el };
})();
