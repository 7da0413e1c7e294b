// The widget's size budget (WIDGET.md, "Sizes"): what a shop page loads before the chat is opened, and what the
// panel loads when it opens, each file minified as the build serves it and gzipped alone at level 9.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { minify } = require('../../../minify.js');

const DIR = path.join(__dirname, '../../main/resources/parley-widget');
const LOADER_BUDGET = 5000;
const PANEL_BUDGET = 25000;

function gzipped(name) {
  const min = minify(fs.readFileSync(path.join(DIR, name), 'utf8'), name);
  return zlib.gzipSync(Buffer.from(min, 'utf8'), { level: 9 }).length;
}

/** frame.html and every stylesheet and script it loads. */
function panelFiles() {
  const html = fs.readFileSync(path.join(DIR, 'frame.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="([a-z0-9-]+\.(?:js|css))"/g)].map((m) => m[1]);
  return ['frame.html', ...refs];
}

test('the loader stays within its budget before the chat is opened', () => {
  const bytes = gzipped('widget.js');
  console.log(`widget.js: ${bytes} bytes gzipped`);
  assert.ok(bytes <= LOADER_BUDGET, `widget.js is ${bytes} bytes gzipped, budget ${LOADER_BUDGET}`);
});

test('the panel stays within its budget after opening', () => {
  const files = panelFiles();
  assert.ok(files.includes('app.js') && files.includes('app.css'), files.join(' '));
  const sizes = files.map((f) => [f, gzipped(f)]);
  const total = sizes.reduce((sum, [, n]) => sum + n, 0);
  console.log(`panel: ${total} bytes gzipped (${sizes.map(([f, n]) => f + ' ' + n).join(', ')})`);
  assert.ok(total <= PANEL_BUDGET, `the panel is ${total} bytes gzipped, budget ${PANEL_BUDGET}`);
});
