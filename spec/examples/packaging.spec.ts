import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/browser';

// The tarball `npm pack` makes holds every file the package's `exports` name (the globalSetup of this project has
// built dist/, as `prepack` does before a real pack), and packing builds first.

interface PackedFile {
  path: string;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  scripts: Record<string, string>;
  main: string;
  module: string;
  types: string;
};

/** Every file path an `exports` value names, through its conditions. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

it('builds before packing (prepack), so a pack from a fresh clone ships the code', () => {
  expect(manifest.scripts.prepack).toBe('npm run build');
});

it('packs every file that exports, main, module and types name, and the browser bundle under a subpath', () => {
  // --ignore-scripts: dist/ is built already; a real `npm pack` runs prepack first.
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const [packed] = JSON.parse(output) as [{ files: PackedFile[] }];
  const files = new Set(packed.files.map((file) => file.path));
  const named = [...targets(manifest.exports), manifest.main, manifest.module, manifest.types].map((path) =>
    path.replace(/^\.\//, ''),
  );
  expect(named.filter((path) => !files.has(path))).toEqual([]);
  expect(targets(manifest.exports['./browser'])).toContain('./dist/browser/rx-socketcluster.min.mjs');
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md']) expect(files.has(file)).toBe(true);
});
