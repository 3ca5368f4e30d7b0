// `npm run bench`: rx-socketcluster against socketcluster-client v20 and a raw `ws` client (bench/raw-client.mjs),
// on the same workloads, against one socketcluster-server v20 in its own process (bench/server.mjs) on 127.0.0.1.
// Every measurement runs in a fresh client process (bench/client.mjs); the client order rotates round by round. The
// awaited RPC rows and the pub/sub rows as users write them (pubsub-transmit, pubsub-awaited, pubsub-recovered) run
// every client of a round at once and interleave their slices (measureInterleaved, below).
// Prints a markdown report on stdout (progress goes to stderr) and writes bench/results/latest.json.
//
//   node bench/run.mjs [--rounds N] [--quick] [--only workload,workload] [--from results.json]
//
// --quick: one round with smaller counts (about 20 s), a smoke run for CI. --from: print the report of a saved run
// again. BENCH_RX_OPTIONS='{...}' adds createClient options for the rx client. Run `npm run build` first (the npm
// script does). docs/performance.md explains the method and holds the latest report.
import { fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { budgets, clientsOf, renderReport, summarize } from './report.mjs';

const here = import.meta.dirname;
const root = path.dirname(here);
const CLIENT_TIMEOUT_MS = 120_000;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    from: { type: 'string' },
  },
});
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
if (!(Number.isInteger(rounds) && rounds >= 1))
  throw new Error(`--rounds must be a whole number >= 1, got ${args.rounds}`);

// The first four rows use every client as its README shows (default options, calls awaited, both kinds of
// publish); the three after them are the callback-style rows of the earlier reports, kept to compare with them.
const full = {
  'rpc-awaited-latency': { calls: 2500, slices: 24, warmup: 10_000 },
  'rpc-awaited-throughput': { calls: 10_000, slices: 16, warmup: 10_000, window: 100 },
  'pubsub-transmit': { messages: 4000, slices: 24, warmup: 10_000, window: 100 },
  'pubsub-awaited': { messages: 4000, slices: 24, warmup: 10_000, window: 100 },
  'pubsub-recovered': { messages: 4000, slices: 24, warmup: 10_000, window: 100 },
  'rpc-latency': { calls: 10_000, warmup: 3000 },
  'rpc-throughput': { calls: 50_000, warmup: 5000, window: 100 },
  pubsub: { messages: 20_000, warmup: 2000, window: 100 },
  inbound: { events: 100_000, bursts: 3, warmup: 20_000 },
  'sockets-1000': { count: 1000, concurrency: 200 },
  'sockets-5000': { count: 5000, concurrency: 200 },
  'channels-10000': { count: 10_000 },
  'channels-await-10000': { count: 10_000 },
};
const small = {
  'rpc-awaited-latency': { calls: 1000, slices: 3, warmup: 1000 },
  'rpc-awaited-throughput': { calls: 5000, slices: 3, warmup: 2000, window: 100 },
  'pubsub-transmit': { messages: 1000, slices: 3, warmup: 1000, window: 100 },
  'pubsub-awaited': { messages: 1000, slices: 3, warmup: 1000, window: 100 },
  'pubsub-recovered': { messages: 1000, slices: 3, warmup: 1000, window: 100 },
  'rpc-latency': { calls: 2000, warmup: 1000 },
  'rpc-throughput': { calls: 10_000, warmup: 2000, window: 100 },
  pubsub: { messages: 5000, warmup: 1000, window: 100 },
  inbound: { events: 50_000, bursts: 1, warmup: 10_000 },
  'sockets-1000': { count: 1000, concurrency: 200 },
  'channels-2000': { count: 2000 },
  'channels-await-2000': { count: 2000 },
};
let workloads = quick ? small : full;
if (args.only) {
  const wanted = args.only.split(',');
  const unknown = wanted.filter((w) => !(w in workloads));
  if (unknown.length)
    throw new Error(`unknown workload(s) ${unknown.join(', ')}; known: ${Object.keys(workloads).join(', ')}`);
  workloads = Object.fromEntries(Object.entries(workloads).filter(([w]) => wanted.includes(w)));
}

// ------------------------------------------------------------------------------------------ child processes
const children = new Set();
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
function killAll() {
  for (const child of children) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

const log = (text) => process.stderr.write(`${text}\n`);

function startServer() {
  const server = track(
    fork(path.join(here, 'server.mjs'), [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  const waiting = new Map();
  let port;
  const ready = new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('exit', (code) => {
      reject(new Error(`the bench server exited (code ${code})`));
      for (const fail of waiting.values()) fail(new Error(`the bench server exited (code ${code})`));
    });
    server.on('message', (message) => {
      if (message.type === 'ready') ((port = message.port), resolve());
      if (message.type === 'settled') waiting.get('settle')?.(undefined, message);
    });
  });
  return {
    ready: ready.then(() => port),
    // Resolves once the server has no client left (and has collected garbage).
    settle: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error('the bench server did not settle in 30 s')), 30_000);
        const done = (error) => {
          clearTimeout(timer);
          waiting.delete('settle');
          if (error) reject(error);
          else resolve();
        };
        waiting.set('settle', done);
        server.send({ type: 'settle' });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (server.exitCode !== null || server.signalCode !== null) return resolve();
        const timer = setTimeout(() => server.kill('SIGKILL'), 3000);
        server.once('exit', () => (clearTimeout(timer), resolve()));
        if (server.connected) server.disconnect();
        else server.kill('SIGKILL');
      }),
  };
}

// Runs `node <args>` and resolves with its stdout; rejects on a non-zero exit or after `timeoutMs`.
function runNode(nodeArgs, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, nodeArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout);
      // 13: Node's exit code for a top-level await that can never settle.
      if (code === 13)
        return reject(new Error(`the measurement never finished (exit code 13) ${stderr.trim()}`));
      const why = signal
        ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms?)` : ''}`
        : `exit code ${code}`;
      reject(new Error(`${why}: ${stderr.trim().split('\n').pop() || 'no output'}`));
    });
  });
}

async function measure(client, workload, port) {
  const clientArgs = [
    '--expose-gc',
    path.join(here, 'client.mjs'),
    client,
    workload,
    String(port),
    JSON.stringify(workloads[workload]),
  ];
  const stdout = await runNode(clientArgs, CLIENT_TIMEOUT_MS);
  const line = stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

// The rows with `slices` (the awaited RPC rows, and the pub/sub rows but the callback-style one): every client of the
// round in its own process at once, connected and warmed up, then their slices interleaved one at a time, the order
// rotating at every slice (raw rx official, rx official raw, ...), so that each client sees the same moments of the
// machine; only one of them works at a time (a slice ends once all its calls are answered, all its messages
// delivered). Each process reports the quartiles and medians of its slices (bench/client.mjs "sliced rows").
function startSliced(client, workload, port) {
  const child = track(
    fork(
      path.join(here, 'client.mjs'),
      [client, workload, String(port), JSON.stringify(workloads[workload])],
      {
        cwd: root,
        execArgv: ['--expose-gc'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    ),
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  let expect;
  const failure = (why) => new Error(`${client}: ${why}: ${stderr.trim().split('\n').pop() || 'no output'}`);
  const exited = new Promise((resolve, reject) =>
    child.once('close', (code, signal) => {
      expect?.reject(failure(signal ? `killed by ${signal}` : `exit code ${code}`));
      if (code === 0) resolve(JSON.parse(stdout.trim().split('\n').pop()));
      else reject(failure(signal ? `killed by ${signal}` : `exit code ${code}`));
    }),
  );
  exited.catch(() => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS * 2);
  child.on('message', (message) => expect?.resolve(message));
  const reply = () => new Promise((resolve, reject) => (expect = { resolve, reject }));
  const ready = reply();
  return {
    ready,
    kill: () => child.kill('SIGKILL'),
    slice: () => {
      const done = reply();
      child.send({ type: 'slice' });
      return done;
    },
    finish: () => {
      child.send({ type: 'done' });
      return exited.finally(() => clearTimeout(timer));
    },
  };
}

async function measureInterleaved(order, workload, port) {
  const running = [];
  try {
    for (const client of order) {
      const child = startSliced(client, workload, port);
      running.push(child);
      await child.ready;
    }
    for (let slice = 0; slice < workloads[workload].slices; slice++) {
      for (let i = 0; i < running.length; i++) await running[(i + slice) % running.length].slice();
    }
    return await Promise.all(running.map((child) => child.finish()));
  } catch (error) {
    for (const child of running) child.kill();
    throw error;
  }
}

// ------------------------------------------------------------------------------------------ machine
function versionOf(name) {
  const file =
    name === 'rx-socketcluster'
      ? path.join(root, 'package.json')
      : path.join(root, 'node_modules', name, 'package.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')).version;
  } catch {
    return '?';
  }
}
function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: {
      server: versionOf('socketcluster-server'),
      client: versionOf('socketcluster-client'),
      ws: versionOf('ws'),
      rx: versionOf('rx-socketcluster'),
    },
  };
}

// ------------------------------------------------------------------------------------------ main
// --from FILE: print the report of a saved run (a latest.json) again, without measuring.
if (args.from) {
  const saved = JSON.parse(readFileSync(args.from, 'utf8'));
  const summary = summarize(saved.results.filter((r) => r.workload !== 'codecs'));
  process.stdout.write(`${renderReport({ ...saved, summary, budgetRows: budgets(summary) })}\n`);
  process.exit(0);
}

const startedAt = performance.now();
const date = new Date().toISOString();
const results = [];
let codecs;
const server = startServer();
try {
  const port = await server.ready;
  log(
    `bench server on 127.0.0.1:${port}; ${rounds} round(s), ${Object.keys(workloads).length} workloads, clients ${[...new Set(Object.keys(workloads).flatMap(clientsOf))].join(', ')}`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const workload of Object.keys(workloads)) {
      const clients = clientsOf(workload);
      const order = clients.map((_, i) => clients[(i + round) % clients.length]);
      if (workloads[workload].slices) {
        await server.settle();
        const t0 = performance.now();
        try {
          const measured = await measureInterleaved(order, workload, port);
          for (const result of measured) results.push({ round, ...result });
          log(
            `round ${round + 1}/${rounds}  ${workload.padEnd(22)} ${order.join(', ')} interleaved ${((performance.now() - t0) / 1000).toFixed(1)} s`,
          );
        } catch (error) {
          for (const client of order) results.push({ round, workload, client, error: error.message });
          log(`round ${round + 1}/${rounds}  ${workload.padEnd(22)} FAILED: ${error.message}`);
        }
        continue;
      }
      for (const client of order) {
        await server.settle();
        const t0 = performance.now();
        try {
          const result = await measure(client, workload, port);
          results.push({ round, ...result });
          log(
            `round ${round + 1}/${rounds}  ${workload.padEnd(22)} ${client.padEnd(10)} ${((performance.now() - t0) / 1000).toFixed(1)} s`,
          );
        } catch (error) {
          results.push({ round, workload, client, error: error.message });
          log(
            `round ${round + 1}/${rounds}  ${workload.padEnd(22)} ${client.padEnd(10)} FAILED: ${error.message}`,
          );
        }
      }
    }
  }
  log('codecs: node bench/codecs.mjs');
  try {
    codecs = await runNode([path.join(here, 'codecs.mjs')], 120_000);
  } catch (error) {
    results.push({ round: 0, workload: 'codecs', client: '-', error: error.message });
  }
} finally {
  await server.stop();
  killAll();
}

const durationS = (performance.now() - startedAt) / 1000;
const measured = results.filter((r) => r.workload !== 'codecs');
const summary = summarize(measured);
const budgetRows = budgets(summary);
const info = machine();
const options = { rounds, quick, workloads };
process.stdout.write(
  `${renderReport({ machine: info, date, options, results, summary, budgetRows, codecs, durationS })}\n`,
);

const out = path.join(here, 'results', 'latest.json');
mkdirSync(path.dirname(out), { recursive: true });
const budgetJson = budgetRows.map(
  ({ name, workload, field, ratio, versus, op, target, rx, official, status }) => ({
    name,
    workload,
    field,
    ratio,
    versus,
    op,
    target,
    rx,
    official,
    status,
  }),
);
writeFileSync(
  out,
  `${JSON.stringify({ date, machine: info, options, durationS, results, summary, budgets: budgetJson, codecs }, null, 2)}\n`,
);
log(`wrote ${path.relative(root, out)} (${durationS.toFixed(0)} s)`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
