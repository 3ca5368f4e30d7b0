// Runs the pipeline example end to end: `npm run example:pipeline` (add `-- --duration 8000` to run longer).
//
// Starts the embedded SocketCluster server (producer, `store` procedure, aggregates subscriber), starts the
// service (main.mjs) as a child process pointed at it, lets them work for a few seconds, stops the producer, sends
// the service SIGTERM and checks that it drained, closed and exited with code 0, with every reading stored and
// every batch's aggregate published. Exits 0 when all of that holds, 1 otherwise.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startPipelineServer } from './server.mjs';

const { values: args } = parseArgs({
  options: { duration: { type: 'string', default: '4000' }, window: { type: 'string', default: '500' } },
});
const durationMs = Number(args.duration);
const SHUTDOWN_LIMIT_MS = 5000;

const startedAt = performance.now();
const stamp = () => `[${((performance.now() - startedAt) / 1000).toFixed(3).padStart(7)}s]`;
const log = (...parts) => console.log(stamp(), ...parts);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value of the first of `promises` to settle, or `'timeout'` after `ms` (the timer is cleared either way). */
async function within(ms, ...promises) {
  let timer;
  const limit = new Promise((resolve) => (timer = setTimeout(resolve, ms, 'timeout')));
  try {
    return await Promise.race([...promises, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const server = await startPipelineServer({ log: (...parts) => log('  server │', ...parts) });
log(`server listening on ${server.url}`);

const child = spawn(process.execPath, [fileURLToPath(new URL('./main.mjs', import.meta.url))], {
  env: { ...process.env, SC_URL: server.url, BATCH_WINDOW_MS: args.window },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const exited = once(child, 'exit');
for (const stream of [child.stdout, child.stderr]) {
  stream.setEncoding('utf8');
  let pending = '';
  stream.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) log(' service │', line);
  });
}
log(`service started, pid ${child.pid}`);

const failures = [];
const exitedEarly = exited.then(() => 'exited');
const first = await within(
  10_000,
  server.subscribed.then(() => 'subscribed'),
  exitedEarly,
);
if (first === 'exited') failures.push('the service exited before subscribing');
else if (first === 'timeout') failures.push('the service did not subscribe within 10 s');
else if ((await within(durationMs, exitedEarly)) === 'exited') failures.push('the service exited early');

if (failures.length === 0) {
  server.stopProducer();
  // Let the last readings reach the service: they are in its current batch, which the drain must store.
  await sleep(100);
  log(`sending SIGTERM to the service (pid ${child.pid})`);
  const signalledAt = performance.now();
  child.kill('SIGTERM');
  if ((await within(SHUTDOWN_LIMIT_MS, exited)) === 'timeout') {
    failures.push(`the service was still running ${SHUTDOWN_LIMIT_MS} ms after SIGTERM`);
    child.kill('SIGKILL');
  }
  const [code, signal] = await exited;
  const shutdownMs = Math.round(performance.now() - signalledAt);
  log(`the service exited with code ${code}${signal ? ` (${signal})` : ''} ${shutdownMs} ms after SIGTERM`);
  if (code !== 0) failures.push(`the service exited with code ${code}${signal ? ` (${signal})` : ''}`);

  const produced = server.produced();
  const stored = server.batches.reduce((sum, batch) => sum + batch.length, 0);
  const published = server.aggregates.reduce((sum, a) => sum + a.count, 0);
  log(
    `summary: ${produced} readings produced, ${stored} stored in ${server.batches.length} batches, ` +
      `${server.aggregates.length} aggregates published covering ${published} readings`,
  );
  if (server.batches.length === 0) failures.push('no batch was stored');
  if (stored !== produced) failures.push(`${produced - stored} readings were not stored`);
  if (server.aggregates.length !== server.batches.length) failures.push('an aggregate is missing');
  if (published !== stored) failures.push('the aggregates do not cover the stored readings');
} else {
  child.kill('SIGKILL');
}

await server.stop();
if (failures.length > 0) {
  log(`FAILED: ${failures.join('; ')}`);
  process.exitCode = 1;
} else {
  log('OK: every reading stored and aggregated, clean shutdown on SIGTERM');
}
