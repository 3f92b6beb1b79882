#!/usr/bin/env node
'use strict';
// The README's test command: make sure the services the suite needs are up, type-check,
// then run every test. Nothing is skipped when a service is missing: it is started.
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
execFileSync('bash', [path.join(root, 'scripts', 'ensure-postgres.sh')], { stdio: 'inherit' });
execFileSync('bash', [path.join(root, 'scripts', 'ensure-packer.sh')], { stdio: 'inherit' });
execFileSync('bash', [path.join(root, 'scripts', 'ensure-debootstrap.sh')], { stdio: 'inherit' });
execFileSync('bash', [path.join(root, 'scripts', 'ensure-chromium.sh')], { stdio: 'inherit' });
execFileSync(process.execPath, [path.join(root, 'native', 'build.js'), '--required'], {
  stdio: 'inherit',
});
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
// Two workers: many suites wait on processes, sockets and the network (packer, chroot
// builds, real CLI processes), so the second worker keeps the other core busy meanwhile.
const result = spawnSync(
  process.execPath,
  [require.resolve('mocha/bin/mocha.js'), '--parallel', '--jobs', '2', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
  },
);
process.exit(result.status ?? 1);
