// One measurement in a fresh process: `node --expose-gc bench/client.mjs <client> <workload> <port> [params]`.
// <client> is rx, rx-changes, rx-recover, official or raw (bench/adapters.mjs); <workload> is one of the keys of `workloads`
// below, or sockets-<N> / channels-<N> / channels-await-<N>; [params] is a JSON object of sizes (bench/run.mjs passes
// them). Prints one JSON line with the figures and exits. CPU is this process's user + system time
// (process.cpuUsage) over the measured phase. The rows with `slices` in their params are measured in slices that the
// runner interleaves with the other clients' (see "sliced rows" below).
import { adapters } from './adapters.mjs';

const WATCHDOG_MS = 180_000;
setTimeout(() => {
  console.error(`bench client: no result after ${WATCHDOG_MS} ms`);
  process.exit(3);
}, WATCHDOG_MS).unref();

const payload = { id: 42, text: 'hello', ok: true };

function cpuSince(start) {
  const { user, system } = process.cpuUsage(start);
  return user + system; // µs
}

function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

function memory() {
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

function percentile(sortedUs, p) {
  return sortedUs[Math.min(sortedUs.length - 1, Math.floor(p * sortedUs.length))];
}

function latencyFigures(samplesUs) {
  const sorted = Float64Array.from(samplesUs).sort();
  return { p50Us: percentile(sorted, 0.5), p99Us: percentile(sorted, 0.99) };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `run(warmup)`, then times `run(count, samples)`: its wall time in seconds, this process's CPU in µs, and the
 * latencies it recorded in `samples` (µs) when `withSamples`.
 */
async function measure(run, count, warmup, withSamples = false) {
  await run(warmup);
  const samples = withSamples ? new Float64Array(count) : undefined;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await run(count, samples);
  return { seconds: (performance.now() - t0) / 1000, cpuUs: cpuSince(cpu), samples };
}

/** Sequential calls, one at a time through `many(conn, calls, 1, samples)`: latency and client CPU per call. */
const latencyOf = (many, connectOptions) => async (adapter, url, params) => {
  const { calls, warmup } = params;
  const conn = await adapter.connect(url, connectOptions);
  const run = (n, s) => many(conn, n, 1, s);
  if (params.slices) return slicedFigures(await sliced(conn, run, calls, params, true), 'Call');
  const { cpuUs, samples } = await measure(run, calls, warmup, true);
  conn.close();
  return { ...latencyFigures(samples), cpuPerCallUs: cpuUs / calls, calls };
};

/** Calls with `window` in flight through `many(conn, calls, window)`: calls per second and client CPU per call. */
const throughputOf = (many, connectOptions) => async (adapter, url, params) => {
  const { calls, warmup, window } = params;
  const conn = await adapter.connect(url, connectOptions);
  const run = (n) => many(conn, n, window);
  if (params.slices)
    return { ...slicedFigures(await sliced(conn, run, calls, params, false), 'Call'), window };
  const { seconds, cpuUs } = await measure(run, calls, warmup);
  conn.close();
  return { callsPerSec: calls / seconds, cpuPerCallUs: cpuUs / calls, calls, window };
};

// ------------------------------------------------------------------------------------------ sliced rows
// With `slices` in its params, a row is measured in slices of `calls` calls (or `messages` messages) each, after one
// warm-up. Started by bench/run.mjs (with an IPC channel), the process reports `ready` after its warm-up and runs one
// slice per `slice` message, so that the runner can interleave the slices of every client of a round (raw rx
// official, rx official raw, ...): each client then sees the machine's quiet and busy moments alike, where one
// measurement per client and round let a scheduler hiccup, another process or a GC of the server decide the round.
// Run by hand, the slices run back to back. CPU is this process's user + system time over each slice alone; a slice
// ends when its last call is answered (its last message delivered and, when awaited, acknowledged), so nothing of it
// runs into the next client's slice.
//
// Other work on the machine only ever adds to a slice's CPU per call and to its latency, never takes from them; so a
// client's CPU per call and p50 are the lower quartile of its slices' figures (the slices the rest of the machine
// disturbed least, the same share of every client's), with the median of the slices beside them
// (cpuPerCallMedianUs, p50MedianUs). p99 is over every call of every slice. Calls/s is the median of the slices';
// delivered msg/s of the pub/sub rows, which their budgets judge, is the upper quartile of the slices' (the same
// least-disturbed share: other work only slows a slice down), with the median beside it (msgsPerSecMedian).

/** The runner's messages, one at a time; without an IPC channel, `slices` slices and then the end. */
function controller(slices) {
  if (!process.send) {
    let left = slices;
    return {
      next: async () => (left-- > 0 ? { type: 'slice' } : { type: 'done' }),
      tell: async () => undefined,
    };
  }
  const queued = [];
  let waiting;
  process.on('message', (message) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(message);
    } else queued.push(message);
  });
  return {
    next: () =>
      queued.length ? Promise.resolve(queued.shift()) : new Promise((resolve) => (waiting = resolve)),
    tell: (message) => new Promise((resolve) => process.send(message, resolve)),
  };
}

/**
 * Runs the warm-up, reports `ready`, then one slice of `run(count, samples)` per `slice` message: each slice's rate
 * (per second), CPU per unit (µs), and, `withSamples`, its latencies and their p50.
 */
async function sliced(conn, run, count, { warmup, slices }, withSamples) {
  const control = controller(slices);
  await run(warmup);
  await control.tell({ type: 'ready' });
  const samples = [];
  const cpuPer = [];
  const p50s = [];
  const rates = [];
  for (let message = await control.next(); message.type === 'slice'; message = await control.next()) {
    const own = withSamples ? new Float64Array(count) : undefined;
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await run(count, own);
    const seconds = (performance.now() - t0) / 1000;
    cpuPer.push(cpuSince(cpu) / count);
    rates.push(count / seconds);
    if (own) {
      samples.push(own);
      p50s.push(latencyFigures(own).p50Us);
    }
    await control.tell({ type: 'sliced' });
  }
  conn.close();
  return { count, rates, cpuPer, p50s, samples: withSamples ? samples : undefined };
}

/**
 * The figures of a sliced row, named for its `unit`: 'Call' (callsPerSec, cpuPerCallUs, calls, ...) or 'Msg'
 * (msgsPerSec, cpuPerMsgUs, messages, ...). See "sliced rows" above for which quantile each is.
 */
function slicedFigures({ count, rates, cpuPer, p50s, samples }, unit) {
  const round2 = (v) => Math.round(v * 100) / 100;
  const latency = samples
    ? {
        p50Us: quantile(p50s, 0.25),
        p50MedianUs: quantile(p50s, 0.5),
        p99Us: latencyFigures(concat(samples)).p99Us,
      }
    : {};
  const rate =
    unit === 'Msg'
      ? { msgsPerSec: quantile(rates, 0.75), msgsPerSecMedian: quantile(rates, 0.5) }
      : { callsPerSec: quantile(rates, 0.5) };
  return {
    ...latency,
    ...rate,
    [`cpuPer${unit}Us`]: quantile(cpuPer, 0.25),
    [`cpuPer${unit}MedianUs`]: quantile(cpuPer, 0.5),
    [unit === 'Msg' ? 'messages' : 'calls']: count * cpuPer.length,
    slices: cpuPer.length,
    [`sliceCpuPer${unit}Us`]: cpuPer.map(round2),
    ...(unit === 'Msg' && { sliceMsgsPerSec: rates.map(Math.round) }),
    ...(samples && { sliceP50Us: p50s.map(round2) }),
  };
}

function concat(arrays) {
  const all = new Float64Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    all.set(a, at);
    at += a.length;
  }
  return all;
}

/** The `q` quantile of `values` (0.5: the median), interpolated between the two nearest. */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (at - below);
}

/** Times a publish run (`run(count, samples)`) on `conn` and closes it: the figures of the pub/sub rows. */
async function pubsubFigures(conn, run, { messages, warmup, window }) {
  const { seconds, cpuUs, samples } = await measure(run, messages, warmup, true);
  conn.close();
  return {
    msgsPerSec: messages / seconds,
    ...latencyFigures(samples),
    cpuPerMsgUs: cpuUs / messages,
    messages,
    window,
  };
}

// `calls` invokes of echo with `window` in flight (each answer starts the next); records each call's latency in
// `samples` (µs) when given.
function invokeMany(conn, calls, window, samples) {
  return new Promise((resolve, reject) => {
    let started = 0;
    let answered = 0;
    const start = () => {
      const t0 = performance.now();
      started++;
      conn.call('echo', payload, (error) => {
        if (error) return reject(error);
        if (samples) samples[answered] = (performance.now() - t0) * 1000;
        if (++answered === calls) resolve();
        else if (started < calls) start();
      });
    };
    for (let i = 0; i < Math.min(window, calls); i++) start();
  });
}

const rpcLatency = latencyOf(invokeMany);
const rpcThroughput = throughputOf(invokeMany);

// Publishes `count` messages to 'pubsub' with `window` acknowledgements outstanding, and waits for all of them to
// come back on the client's own subscription (the server's exchange consumer is the second subscriber).
async function pubsub(adapter, url, params) {
  const { window } = params;
  const conn = await adapter.connect(url);
  let onMessage = () => undefined;
  await conn.subscribeAll(['pubsub'], (data) => onMessage(data));
  const run = (count, samples) =>
    new Promise((resolve, reject) => {
      let published = 0;
      let acked = 0;
      let delivered = 0;
      const check = () => acked === count && delivered === count && resolve();
      onMessage = (data) => {
        if (samples) samples[delivered] = (performance.now() - data.t) * 1000;
        delivered++;
        check();
      };
      const publish = () => {
        const i = published++;
        conn.publish('pubsub', { t: performance.now(), i, text: 'hello' }, (error) => {
          if (error) return reject(error);
          acked++;
          if (published < count) publish();
          check();
        });
      };
      for (let i = 0; i < Math.min(window, count); i++) publish();
    });
  return pubsubFigures(conn, run, params);
}

// ------------------------------------------------------------------------------------------ as users write it
// The rows below use each client with its default options, and await every call as its README shows:
// `await firstValueFrom(client.invoke())` for rx-socketcluster, `await socket.invoke()` for socketcluster-client,
// `await` on a Promise around the callback for the raw client.

// `calls` awaited invokes of echo by `window` loops, each awaiting one call after another; records each call's
// latency in `samples` (µs) when given.
async function awaitMany(conn, calls, window, samples) {
  let started = 0;
  const loop = async () => {
    while (started < calls) {
      const i = started++;
      const t0 = performance.now();
      await conn.invoke('echo', payload);
      if (samples) samples[i] = (performance.now() - t0) * 1000;
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, calls) }, loop));
}

const rpcAwaitedLatency = latencyOf(awaitMany, { defaults: true });
const rpcAwaitedThroughput = throughputOf(awaitMany, { defaults: true });

// Publishes `count` messages to `channel` and waits for all of them to come back on the client's own subscription
// (the server's exchange consumer is the second subscriber); with `slices`, to `<channel>/<client>`, a channel of the
// client's own (the server adds its consumer as it does to `channel`), so that the clients of a round, all subscribed
// at once, never receive each other's messages. `publishWith(conn, channel, data)` sends one message: with
// `publishWith.byDelivery` it is not awaited, and each delivery lets one more go, `window` undelivered at most;
// otherwise `window` loops each await one publish after another. Every run (the warm-up, each slice) starts with
// nothing outstanding and ends when its last message is delivered and every publish of it has returned.
async function pubsubRun(adapter, url, params, client, publishWith, base = 'pubsub') {
  const { messages, window } = params;
  const channel = params.slices ? `${base}/${client}` : base;
  const conn = await adapter.connect(url, { defaults: true });
  let onMessage = () => undefined;
  await conn.subscribeAll([channel], (data) => onMessage(data));
  const run = (count, samples) =>
    new Promise((resolve, reject) => {
      let published = 0;
      let delivered = 0;
      let senders = 0;
      const send = () => publishWith(conn, channel, { t: performance.now(), i: published++, text: 'hello' });
      onMessage = (data) => {
        if (samples) samples[delivered] = (performance.now() - data.t) * 1000;
        if (++delivered === count && senders === 0) resolve();
        else if (publishWith.byDelivery && published < count) send();
      };
      if (publishWith.byDelivery) {
        for (let i = 0; i < Math.min(window, count); i++) send();
        return;
      }
      // Awaited: `window` loops, each awaiting one acknowledged publish after another.
      const loop = async () => {
        senders++;
        while (published < count) await send();
        if (--senders === 0 && delivered === count) resolve();
      };
      for (let i = 0; i < Math.min(window, count); i++) loop().catch(reject);
    });
  if (params.slices)
    return { ...slicedFigures(await sliced(conn, run, messages, params, true), 'Msg'), window };
  return pubsubFigures(conn, run, params);
}

// Fire and forget: transmitPublish, the next message sent on each delivery.
const transmitted = (conn, channel, data) => conn.transmitPublish(channel, data);
transmitted.byDelivery = true;
const pubsubTransmit = (adapter, url, params, client) => pubsubRun(adapter, url, params, client, transmitted);
// Acknowledged: each publish awaited.
const pubsubAwaited = (adapter, url, params, client) =>
  pubsubRun(adapter, url, params, client, (conn, channel, data) => conn.publishAwaited(channel, data));
// pubsub-transmit on a channel the server's recovery companion stamps (bench/server.mjs).
const pubsubRecovered = (adapter, url, params, client) =>
  pubsubRun(adapter, url, params, client, transmitted, 'pubsub-recovered');

// Asks the server for `events` tick events and times them from the request to the last one reaching the listener;
// `bursts` times after a warm-up, the median burst (by rate) is the result.
async function inbound(adapter, url, { events, bursts, warmup }) {
  const conn = await adapter.connect(url);
  let received = 0;
  let target = 0;
  let arrived = () => undefined;
  let checksum = 0;
  conn.onEvent('tick', (data) => {
    checksum += data.volume;
    if (++received === target) arrived();
  });
  const request = (count) =>
    new Promise((resolve, reject) => {
      target += count;
      arrived = resolve;
      conn.call('ticks', { count }, (error) => error && reject(error));
    });
  await request(warmup);
  const runs = [];
  for (let i = 0; i < bursts; i++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await request(events);
    const seconds = (performance.now() - t0) / 1000;
    runs.push({ eventsPerSec: events / seconds, cpuPerEventUs: cpuSince(cpu) / events });
  }
  conn.close();
  runs.sort((a, b) => a.eventsPerSec - b.eventsPerSec);
  return { ...runs[runs.length >> 1], events, bursts, checksum };
}

// Opens `count` clients, `concurrency` handshakes at a time, each with its default options as its README shows
// (reconnect on); heap and RSS per socket against a baseline taken after one warm-up connection (opened and closed,
// so that one-time costs are not counted per socket).
async function sockets(adapter, url, { count, concurrency }) {
  (await adapter.connect(url, { defaults: true })).close();
  await sleep(200);
  const before = memory();
  const conns = new Array(count);
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      conns[i] = await adapter.connect(url, { defaults: true });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const connectMs = performance.now() - t0;
  await sleep(100);
  const after = memory();
  const result = {
    connectMs,
    heapPerSocketB: (after.heapUsed - before.heapUsed) / count,
    rssPerSocketB: (after.rss - before.rss) / count,
    count,
  };
  conns.length = 0;
  return result;
}

const channelNames = (count) => Array.from({ length: count }, (_, i) => `channel-${i}`);

// `count` channels on one socket, one subscriber each: time until all acknowledged, heap per channel against a
// baseline taken after connecting (the name strings exist before it, so they are not counted).
async function channels(adapter, url, { count }) {
  const conn = await adapter.connect(url);
  const names = channelNames(count);
  const listener = () => undefined;
  await sleep(50);
  const before = heap();
  const t0 = performance.now();
  await conn.subscribeAll(names, listener);
  const ackMs = performance.now() - t0;
  const heapPerChannelB = (heap() - before) / count;
  const result = { ackMs, heapPerChannelB, count };
  if (adapter.bareSubscription) {
    result.bareSubscriptionB = adapter.bareSubscription(count, heap);
    result.ownPerChannelB = heapPerChannelB - result.bareSubscriptionB;
  }
  conn.close();
  return result;
}

// `count` channels on one socket, one subscriber each, every channel awaited on its own (subscribeEach): time until
// all are acknowledged. No heap figure: channels-<N> has it, and the awaits would only blur it.
async function channelsAwait(adapter, url, { count }) {
  const conn = await adapter.connect(url);
  const names = channelNames(count);
  const listener = () => undefined;
  await sleep(50);
  const t0 = performance.now();
  await conn.subscribeEach(names, listener);
  const ackMs = performance.now() - t0;
  conn.close();
  return { ackMs, count };
}

const workloads = {
  'rpc-awaited-latency': rpcAwaitedLatency,
  'rpc-awaited-throughput': rpcAwaitedThroughput,
  'pubsub-transmit': pubsubTransmit,
  'pubsub-awaited': pubsubAwaited,
  'pubsub-recovered': pubsubRecovered,
  'rpc-latency': rpcLatency,
  'rpc-throughput': rpcThroughput,
  pubsub,
  inbound,
};

function workloadFor(name) {
  if (workloads[name]) return workloads[name];
  if (name.startsWith('sockets-')) return sockets;
  if (name.startsWith('channels-await-')) return channelsAwait;
  if (name.startsWith('channels-')) return channels;
  throw new Error(`unknown workload ${name}`);
}

const [clientName, workloadName, port, params = '{}'] = process.argv.slice(2);
try {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  if (!adapters[clientName])
    throw new Error(`unknown client ${clientName}; use one of ${Object.keys(adapters)}`);
  const run = workloadFor(workloadName);
  const adapter = await adapters[clientName]();
  const result = await run(adapter, `ws://127.0.0.1:${port}/socketcluster/`, JSON.parse(params), clientName);
  process.stdout.write(`${JSON.stringify({ client: clientName, workload: workloadName, ...result })}\n`);
  process.exit(0);
} catch (error) {
  // One line for the runner's report; the stack only matters when run by hand.
  console.error(error?.stack ?? error);
  console.error(`bench client ${clientName} ${workloadName}: ${error?.message ?? error}`);
  process.exit(1);
}
