#!/usr/bin/env node
'use strict';
// The compiled CLI; `npm ci` builds it through the `prepare` script.
try {
  require.resolve('../dist/cli/main.js');
} catch {
  console.error(
    'ingot: the CLI is not built in this checkout; run `npm run build` (npm ci does it).',
  );
  process.exit(1);
}
require('../dist/cli/main.js');
