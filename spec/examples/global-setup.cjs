// Jest globalSetup of the `examples` project: builds the package once before its tests. The examples load the
// built package (the Node entry and the browser bundle) as an application that installed it would, so the tests
// must not depend on an earlier `npm run build`. Unless CHROMIUM_PATH names a browser, it also unpacks the
// Chromium of @sparticuz/chromium once (support/chromium.mjs), before the browser tests start side by side.

const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = function buildOnce() {
  const root = join(__dirname, '../..');
  const startedAt = Date.now();
  const result = spawnSync(process.execPath, [require.resolve('rollup/dist/bin/rollup'), '-c', '--silent'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    const output = result.stderr || result.stdout || String(result.error);
    throw new Error(`The build for the examples tests failed (rollup -c):\n${output}`);
  }
  process.stderr.write(`\nexamples: built dist/ in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);

  if (process.env.CHROMIUM_PATH) return;
  const unpackedAt = Date.now();
  const chromium = spawnSync(process.execPath, [join(__dirname, 'support/chromium.mjs')], {
    encoding: 'utf8',
  });
  // A failure is left to the browser tests, which report it; the other examples do not need a browser.
  if (chromium.status === 0) {
    const { version } = JSON.parse(chromium.stdout);
    const seconds = ((Date.now() - unpackedAt) / 1000).toFixed(1);
    process.stderr.write(`examples: Chromium of @sparticuz/chromium ${version} ready in ${seconds} s\n`);
  }
};
