// Bundles the scaler into one file per runtime, built from this package:
//   dist/scaler-bundle/lambda/index.js     AWS Lambda (handler "index.handler")
//   dist/scaler-bundle/cloud-run/index.js  Cloud Run (deploy/scaler/Dockerfile)
// The deployed scalers keep their state in PostgreSQL, so better-sqlite3 (a native
// module) is left out; opening a SQLite file there fails with a message saying so.
import path from 'node:path';
import { build } from 'rolldown';

const root = path.resolve(import.meta.dirname, '..');
const out = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.join(root, 'dist', 'scaler-bundle');

const noSqlite = {
  name: 'ingot-no-sqlite',
  resolveId: (id) => (id === 'better-sqlite3' ? '\0no-sqlite' : null),
  load: (id) =>
    id === '\0no-sqlite'
      ? 'module.exports = function () { throw new Error("the deployed scaler keeps its state in PostgreSQL: set INGOT_SCALER_DATABASE to a postgres:// URL"); };'
      : null,
};

for (const [name, input] of [
  ['lambda', 'src/scaler/lambda.ts'],
  ['cloud-run', 'src/scaler/cloud-run.ts'],
]) {
  await build({
    cwd: root,
    input: path.join(root, input),
    platform: 'node',
    external: ['pg-native'],
    plugins: [noSqlite],
    logLevel: 'warn',
    output: { file: path.join(out, name, 'index.js'), format: 'cjs', codeSplitting: false },
  });
  console.log(`scaler bundle: ${path.relative(process.cwd(), path.join(out, name, 'index.js'))}`);
}
