'use strict';
// Run by entry-points.test.ts in a project that installed the package:
//   node probe-entry.js <specifier> [--mocks]
// Requires <specifier> as that project would (resolved from the working directory) and
// prints what it exported, which modules it loaded and which Pulumi resources it
// registered (with --mocks, Pulumi's mocks record registrations instead of an engine).
const { createRequire } = require('node:module');
const path = require('node:path');
const { setTimeout } = require('node:timers');

// A require of the project's own: `require.resolve(specifier, { paths })` from this file
// would resolve `ingot/…` to this repository itself (a package may import itself by name).
const resolveHere = createRequire(path.join(process.cwd(), 'index.js')).resolve;
const [specifier, mode] = process.argv.slice(2);

const registered = [];
if (mode === '--mocks') {
  require(resolveHere('@pulumi/pulumi')).runtime.setMocks(
    {
      newResource: (args) => {
        registered.push(args.type);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    'probe',
    'dev',
    false,
  );
}
const entry = require(resolveHere(specifier));

let main = 'loaded';
try {
  resolveHere('ingot');
} catch (error) {
  main = error.code;
}

// Registrations happen asynchronously: let a program's promises settle first.
setTimeout(() => {
  process.stdout.write(
    JSON.stringify({
      exports: Object.keys(entry).sort(),
      registered,
      loaded: Object.keys(require.cache),
      main,
    }),
  );
}, 200);
