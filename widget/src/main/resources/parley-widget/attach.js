/* Parley panel attachments: a file attached (button, the phone's camera through the same picker), pasted or
 * dropped becomes an upload (files.js) and a message in the outbox that waits for it, in order; a message whose
 * file was refused, or that this browser no longer holds, shows as failed and is taken back on retry. */
window.ParleyAttach = (function () {
  'use strict';

  /** ctx: {files, outbox, newId(), pump(), shown(), flash(key), page()}. */
  function create(ctx) {
    var files = ctx.files, outbox = ctx.outbox, loaded = false;

    function submit(file) {
      var upload = ctx.newId();
      if (!files.add(upload, file)) { ctx.flash('tooManyFiles'); return; }
      if (!outbox.add({ id: ctx.newId(), text: '', at: new Date().toISOString(), pageUrl: ctx.page(),
        file: { upload: upload, name: file.name || 'file', size: file.size } })) {
        files.forget(upload);
        ctx.flash('offline');
        return;
      }
      ctx.shown();
      ctx.pump();
    }
    function submitAll(list) { for (var i = 0; list && i < list.length; i++) submit(list[i]); }

    /** Marks what can never go as failed; true when `m` may be sent now (text, or a stored file). */
    function ready(m) {
      if (!m.file) return true;
      var u = files.status(m.file.upload);
      if (u ? u.state === 'failed' : loaded) {
        outbox.failed(m.id, u ? u.code : 'file-lost');
        setTimeout(function () { ctx.shown(); ctx.pump(); }, 0); // shown as failed; what follows it may go
        return false;
      }
      return !!u && u.state === 'done';
    }

    return {
      ready: ready,
      /** Our message is in the list (or taken back): out of the outbox, its file no longer kept. */
      deliver: function (id) {
        var m = outbox.find(id);
        if (m && m.file) files.forget(m.file.upload);
        outbox.deliver(id);
      },
      bind: function (panel, input, button, picker) {
        button.addEventListener('click', function () { picker.click(); });
        picker.addEventListener('change', function () { submitAll(picker.files); picker.value = ''; });
        input.addEventListener('paste', function (e) {
          var list = e.clipboardData && e.clipboardData.files;
          if (list && list.length) { e.preventDefault(); submitAll(list); }
        });
        panel.addEventListener('dragover', function (e) { e.preventDefault(); });
        panel.addEventListener('drop', function (e) { e.preventDefault(); submitAll(e.dataTransfer && e.dataTransfer.files); });
        files.ready(function () { loaded = true; ctx.shown(); ctx.pump(); });
      }
    };
  }

  return { create: create };
})();
