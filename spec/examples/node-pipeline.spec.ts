import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

// examples/node-pipeline: the service (main.mjs) runs in its own process against a socketcluster-server v20 started
// here, which plays producer, `store` procedure and aggregates subscriber; then the launcher behind
// `npm run example:pipeline` (run.mjs) runs end to end. Both need the built package (see global-setup.cjs).

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports -- CommonJS package
   without types */
const socketClusterServer = require('socketcluster-server') as {
  attach(server: http.Server, options: object): any;
};
/* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

const EXAMPLE = join(__dirname, '../../examples/node-pipeline');

jest.setTimeout(30_000);

interface Reading {
  sensor: string;
  value: number;
  at: number;
}

interface PipelineServer {
  readonly url: string;
  readonly port: number;
  /** The batches `store` received. */
  readonly batches: Reading[][];
  /** What was published on `aggregates`. */
  readonly aggregates: { batch: number; count: number; from: number; to: number; sensors: object }[];
  /** Resolves when a client subscribes to `readings`. */
  readonly subscribed: Promise<void>;
  publish(reading: Reading): Promise<void>;
  stop(): Promise<void>;
}

async function startServer(port = 0): Promise<PipelineServer> {
  const httpServer = http.createServer();
  const agServer = socketClusterServer.attach(httpServer, { pingInterval: 1000, pingTimeout: 5000 });
  const batches: Reading[][] = [];
  const aggregates: PipelineServer['aggregates'] = [];
  let resolveSubscribed = () => {};
  const subscribed = new Promise<void>((resolve) => (resolveSubscribed = resolve));

  void (async () => {
    for await (const { socket } of agServer.listener('connection')) {
      void (async () => {
        for await (const request of socket.procedure('store')) {
          batches.push(request.data);
          request.end({ batch: batches.length, stored: request.data.length });
        }
      })();
    }
  })();
  void (async () => {
    for await (const { channel } of agServer.listener('subscription')) {
      if (channel === 'readings') resolveSubscribed();
    }
  })();
  const aggregatesChannel = agServer.exchange.subscribe('aggregates');
  void (async () => {
    for await (const data of aggregatesChannel) aggregates.push(data);
  })();

  httpServer.listen(port, '127.0.0.1');
  await once(httpServer, 'listening');
  if (!agServer.isReady) await agServer.listener('ready').once();
  const actualPort = (httpServer.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${actualPort}/socketcluster/`,
    port: actualPort,
    batches,
    aggregates,
    subscribed,
    publish: (reading) => agServer.exchange.transmitPublish('readings', reading),
    async stop() {
      aggregatesChannel.kill();
      agServer.closeAllListeners();
      await agServer.close();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

/** A child process with its output collected. */
interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  output(): string;
}

function run(script: string, args: string[] = [], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [join(EXAMPLE, script), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => output };
}

/** Resolves with `promise`, or rejects with `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when `check()` holds, polling every 10 ms. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What the service's aggregate of `batch` must be (see `aggregate` in service.mjs). */
function expectedAggregate(batch: Reading[], number: number) {
  const sensors: Record<string, { count: number; min: number; max: number; mean: number }> = {};
  for (const name of new Set(batch.map((r) => r.sensor))) {
    const values = batch.filter((r) => r.sensor === name).map((r) => r.value);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    sensors[name] = {
      count: values.length,
      min: Math.min(...values),
      max: Math.max(...values),
      mean: Math.round(mean * 1000) / 1000,
    };
  }
  const times = batch.map((r) => r.at);
  return { batch: number, count: batch.length, from: Math.min(...times), to: Math.max(...times), sensors };
}

const readings = (count: number, offset = 0): Reading[] =>
  Array.from({ length: count }, (_, i) => ({
    sensor: ['boiler', 'hall', 'roof'][(offset + i) % 3]!,
    value: 20 + ((offset + i) % 7) * 0.5,
    at: 1_700_000_000_000 + (offset + i) * 40,
  }));

/** Sends SIGTERM and resolves with the exit code, the signal and how long the exit took. */
async function terminate(service: Run): Promise<{ code: number | null; signal: string | null; ms: number }> {
  const sentAt = Date.now();
  service.child.kill('SIGTERM');
  const [code, signal] = await within(service.exited, 5000, 'the service to exit after SIGTERM');
  return { code, signal, ms: Date.now() - sentAt };
}

describe('examples/node-pipeline', () => {
  let server: PipelineServer | undefined;
  let service: Run | undefined;

  afterEach(async () => {
    if (service && service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    await server?.stop();
    server = service = undefined;
  });

  it('stores each batch through the RPC, publishes its aggregate, drains and exits 0 on SIGTERM', async () => {
    server = await startServer();
    // A window far longer than the test: batches are cut by size (20), and the last one only by the drain.
    service = run('main.mjs', [], { SC_URL: server.url, BATCH_WINDOW_MS: '60000', BATCH_MAX: '20' });
    await within(server.subscribed, 10_000, 'the service to subscribe to `readings`');

    const sent = readings(50);
    for (const reading of sent) await server.publish(reading);
    const { batches, aggregates } = server;
    await until(() => batches.length === 2 && aggregates.length === 2, 5000, 'two batches, two aggregates');
    expect(batches).toEqual([sent.slice(0, 20), sent.slice(20, 40)]);
    expect(aggregates).toEqual([
      expectedAggregate(sent.slice(0, 20), 1),
      expectedAggregate(sent.slice(20, 40), 2),
    ]);

    // The last 10 readings wait in the current batch: SIGTERM must store and publish them before the exit.
    await until(() => service!.output().includes('batch 2:'), 2000, 'the service to log batch 2');
    const { code, signal, ms } = await terminate(service);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(2000);
    expect(batches).toHaveLength(3);
    expect(batches[2]).toEqual(sent.slice(40));
    await until(() => aggregates.length === 3, 1000, 'the last aggregate');
    expect(aggregates[2]).toEqual(expectedAggregate(sent.slice(40), 3));
    expect(service.output()).toContain('SIGTERM: draining the current batch, then closing');
    expect(service.output()).toContain('closed: 50 readings received, 50 stored in 3 batches, 0 lost');
  });

  it('survives a server restart: reconnects, subscribes again and stores the next batches', async () => {
    server = await startServer();
    service = run('main.mjs', [], { SC_URL: server.url, BATCH_WINDOW_MS: '60000', BATCH_MAX: '10' });
    await within(server.subscribed, 10_000, 'the service to subscribe to `readings`');
    for (const reading of readings(10)) await server.publish(reading);
    await until(() => server!.batches.length === 1, 5000, 'the first batch');

    const { port } = server;
    await server.stop();
    server = await startServer(port);
    await within(server.subscribed, 10_000, 'the service to subscribe again after the restart');
    const after = readings(10, 10);
    for (const reading of after) await server.publish(reading);
    await until(() => server!.aggregates.length === 1, 5000, 'a batch stored on the new server');
    expect(server.batches).toEqual([after]);
    expect(server.aggregates).toEqual([expectedAggregate(after, 1)]);
    expect(service.output()).toMatch(/connection closed, code 1006, reconnecting in \d+ ms/);

    const { code, ms } = await terminate(service);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
  });

  it('runs end to end with the launcher of `npm run example:pipeline` and exits 0', async () => {
    const launcher = run('run.mjs', ['--duration', '1200', '--window', '300']);
    service = launcher;
    const [code] = await within(launcher.exited, 20_000, 'the launcher to finish');
    const output = launcher.output();
    expect(output).toMatch(/the service exited with code 0 \d+ ms after SIGTERM/);
    expect(output).toMatch(/summary: (\d+) readings produced, \1 stored in \d+ batches/);
    expect(output).toContain('OK: every reading stored and aggregated, clean shutdown on SIGTERM');
    expect(code).toBe(0);
  });
});
