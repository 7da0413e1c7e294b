/* Parley panel composer: the text box (grows with its text; Enter sends, Shift+Enter breaks the line, never while an
 * input method is composing), the emoji picker, and the panel's chime. It holds no chat state: what to send, and
 * when the visitor is typing, go back to app.js through the callbacks it is given. */
window.ParleyComposer = (function () {
  'use strict';

  var EMOJI = '😀 😂 😊 😍 🤔 😅 😢 😮 👍 👎 👏 🙏 🎉 ❤️ 🔥 ✅ ❌ 👋 🙂 😉 😎 🤝 💯 ⭐'.split(' ');
  var MAX_INPUT_HEIGHT_PX = 120;

  /** ctx: {el(id), submit(text) → sent?, typing(), stopTyping()}. */
  function create(ctx) {
    var el = ctx.el, input = el('pw-input');

    function grow() {
      input.style.height = 'auto';
      input.style.height = Math.min(input.scrollHeight, MAX_INPUT_HEIGHT_PX) + 'px';
    }
    function send() {
      if (ctx.submit(input.value)) { input.value = ''; grow(); }
    }
    function toggleEmoji(show) {
      var box = el('pw-emoji');
      box.hidden = show == null ? !box.hidden : !show;
      el('pw-emoji-btn').setAttribute('aria-expanded', String(!box.hidden));
    }
    function insert(text) {
      var s = input.selectionStart || 0, end = input.selectionEnd || 0;
      input.value = input.value.slice(0, s) + text + input.value.slice(end);
      input.selectionStart = input.selectionEnd = s + text.length;
      input.focus();
      grow();
    }
    function buildEmoji() {
      var box = el('pw-emoji');
      EMOJI.forEach(function (e) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = e;
        b.addEventListener('click', function () { insert(e); toggleEmoji(false); });
        box.appendChild(b);
      });
    }

    buildEmoji();
    el('pw-compose').addEventListener('submit', function (e) { e.preventDefault(); send(); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) { e.preventDefault(); send(); }
    });
    input.addEventListener('input', function () { grow(); if (input.value) ctx.typing(); else ctx.stopTyping(); });
    input.addEventListener('blur', ctx.stopTyping);
    el('pw-emoji-btn').addEventListener('click', function () { toggleEmoji(); });

    return {
      input: input,
      focus: function () { input.focus(); },
      /** Puts text back in the box (a failed message taken back for editing). */
      restore: function (text) { input.value = text; input.focus(); grow(); }
    };
  }

  var audio = null;
  /** A short soft tone; silent where the browser has no Web Audio or refuses before the visitor touched the page. */
  function chime(log) {
    try {
      var C = window.AudioContext || window.webkitAudioContext;
      if (!C) return;
      audio = audio || new C();
      var o = audio.createOscillator(), g = audio.createGain(), now = audio.currentTime;
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.06, now);
      g.gain.exponentialRampToValueAtTime(0.0001, now + 0.25);
      o.connect(g);
      g.connect(audio.destination);
      o.start(now);
      o.stop(now + 0.25);
    } catch (e) {
      log('no sound', e);
    }
  }

  return { create: create, chime: chime };
})();
