#!/usr/bin/env node
// `npm run compat:update`: reruns the compat project with COMPAT_UPDATE=1, which makes its last test rewrite
// spec/compat/results.json, then regenerates the tables of docs/compatibility.md from it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (args, env = process.env) =>
  spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' }).status;

const jest = fileURLToPath(new URL('../node_modules/jest/bin/jest.js', import.meta.url));
// The matrix only: the doc check (matrix-doc.spec.ts) would compare the page with results about to change.
const status = run([jest, 'spec/compat/servers.spec.ts', '--selectProjects', 'compat'], {
  ...process.env,
  COMPAT_UPDATE: '1',
});
if (status !== 0) {
  console.error(
    'The compat suite failed: spec/compat/results.json and docs/compatibility.md were left as they were.',
  );
  process.exit(status ?? 1);
}
process.exit(run(['scripts/compat-matrix.mjs']) ?? 1);
