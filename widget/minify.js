// Minifies the widget's scripts and stylesheet where Maven copied them (target/classes/parley-widget), in place,
// with esbuild. The sources stay readable and are what the unit tests load; browsers get the minified copies.
// Target ES5 for the scripts: esbuild refuses newer syntax there, so nothing the oldest supported browsers
// (WIDGET.md, "Browsers") cannot parse slips in. size.test.js uses minify() to hold the size budget.
'use strict';
const fs = require('fs');
const path = require('path');

/** The minified text of one widget file (.js or .css); other files are returned as they are. */
function minify(source, name) {
  const ext = path.extname(name);
  if (ext !== '.js' && ext !== '.css') return source;
  return require('esbuild').transformSync(source, {
    loader: ext === '.js' ? 'js' : 'css',
    minify: true,
    target: ext === '.js' ? 'es5' : ['chrome58', 'safari11', 'firefox57'],
    legalComments: 'none',
    charset: 'utf8',
    sourcefile: name,
  }).code;
}

module.exports = { minify };

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir || !fs.existsSync(dir)) {
    console.error('usage: node minify.js <directory of the built widget files>');
    process.exit(2);
  }
  let before = 0, after = 0;
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    const source = fs.readFileSync(file, 'utf8');
    const out = minify(source, name);
    if (out === source) continue;
    fs.writeFileSync(file, out);
    before += source.length;
    after += out.length;
  }
  console.log(`[parley-widget] minified ${dir}: ${before} -> ${after} characters`);
}
