import { spawnSync } from 'node:child_process';
import path from 'node:path';

// docs/compatibility.md is generated from spec/compat/results.json (scripts/compat-matrix.mjs); the results are
// checked against a live run by servers.spec.ts. Together they keep the page from drifting.

it('docs/compatibility.md matches spec/compat/results.json', () => {
  const root = path.join(__dirname, '..', '..');
  const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'compat-matrix.mjs'), '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
});
