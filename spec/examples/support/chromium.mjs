// The Chromium of the browser tests when CHROMIUM_PATH is not set: the headless build that @sparticuz/chromium
// carries, brotli-compressed, inside its npm tarball, so `npm ci` is all a machine needs (nothing is
// downloaded). Runs as a process of its own: the package is ESM-only, and it unpacks into os.tmpdir(), which
// this script points elsewhere. Prints one line of JSON (version, executablePath, env, args).
//
// The files go to node_modules/.cache/sparticuz-chromium/<version>/ rather than straight to /tmp, where the
// package would reuse any /tmp/chromium it finds, whichever version put it there. They are unpacked into a
// folder of this process and renamed into place when complete, so test files that start at the same time
// cannot see half a binary. The examples' globalSetup runs this once before the tests; later runs only check
// that the binary starts, and answer.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import chromium, { inflate } from '@sparticuz/chromium';

const packageDir = join(dirname(fileURLToPath(import.meta.resolve('@sparticuz/chromium'))), '..');
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const target = join(packageDir, '../../.cache/sparticuz-chromium', version);
const executablePath = join(target, 'chromium');

// No WebGL in these tests: the package then asks for --disable-webgl instead of its SwiftShader flags.
chromium.setGraphicsMode = false;

if (!existsSync(executablePath)) {
  const staging = `${target}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  // The binary, fonts/ and the SwiftShader libraries; then the NSS and expat libraries the package keeps for
  // Amazon Linux, which a bare Linux may lack too (used only when the binary does not start without them).
  await chromium.executablePath(join(packageDir, 'bin'));
  await inflate(join(packageDir, 'bin', 'al2023.tar.br'));
  if (tmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmpdir;
  // The package's fonts.conf names /tmp/fonts; this one names the fonts where they will be.
  const fontsConf = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `  <dir>${join(target, 'fonts')}</dir>`,
    `  <cachedir>${join(target, 'fonts-cache')}</cachedir>`,
    '</fontconfig>',
  ];
  writeFileSync(join(staging, 'fonts', 'fonts.conf'), `${fontsConf.join('\n')}\n`);
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another process got there first; its copy is as good.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(executablePath)) throw error;
  }
}

/** '' when the binary runs with `env` added, else why not (a missing shared library stops it at once). */
function starts(env) {
  const run = spawnSync(executablePath, ['--version'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return run.status === 0 ? '' : run.stderr || String(run.error ?? `exit ${run.status}`);
}

const env = { FONTCONFIG_PATH: join(target, 'fonts') };
const failure = starts(env);
if (failure) {
  const libraries = join(target, 'al2023', 'lib');
  env.LD_LIBRARY_PATH = [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const again = starts(env);
  if (again) {
    throw new Error(
      `${executablePath} does not start: ${failure.trim()}\nwith its libraries: ${again.trim()}`,
    );
  }
}

process.stdout.write(`${JSON.stringify({ version, executablePath, env, args: chromium.args })}\n`);
