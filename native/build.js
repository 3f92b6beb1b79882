#!/usr/bin/env node
'use strict';
// Builds this directory's addon (shm_view.node: a read-only mapping of SQLite's WAL
// index, so the registry checks for other processes' commits without a system call per
// read) with node-gyp, which npm carries. It runs on `npm install`/`npm ci`; a machine
// without a C compiler, make and Python still installs: the registry then reads the WAL
// index with a pread per check (docs/registry.md, "Production behaviour") and this
// prints how to get the faster path.
//
//   npm run build:native                build; on failure warn and exit 0
//   node native/build.js --required     build unless built; on failure exit 1 (tests)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const native = __dirname;
const addon = path.join(native, 'build', 'Release', 'shm_view.node');
const required = process.argv.includes('--required');

/** npm's own node-gyp: npm names it to its scripts; else it sits beside npm's install. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((file) => file && fs.existsSync(file));
}

function loads() {
  try {
    return typeof require(addon).mapFile === 'function';
  } catch {
    return false;
  }
}

function give(reason) {
  const message = `ingot: native/ was not built (${reason}). The registry still works; on SQLite it checks for other processes' commits with one pread per cached read instead of a shared mapping. To build it: install a C compiler, make and Python 3, then run \`npm run build:native\`.`;
  if (required) {
    console.error(`${message} The tests need it.`);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

if (required && loads()) process.exit(0);
if (process.platform === 'win32') give('Windows: the view uses POSIX mmap');
const gyp = nodeGyp();
if (!gyp) give("npm's node-gyp was not found; run it as `npm run build:native`");
// node-gyp takes npm's settings (nodedir, proxies) from the npm_config_* environment.
const result = spawnSync(process.execPath, [gyp, 'rebuild'], {
  cwd: native,
  encoding: 'utf8',
});
if (result.status !== 0 || !loads()) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
    .trim()
    .split('\n')
    .slice(-15)
    .join('\n');
  if (output) console.error(output);
  give(result.error ? result.error.message : `node-gyp exited with ${result.status}`);
}
