// A small SocketCluster v20 server for the pipeline example, playing the rest of the system:
//   - a producer that publishes sensor readings on `readings` once the service has subscribed;
//   - the `store` procedure, which records each batch it is sent and answers with the batch number;
//   - a subscriber of `aggregates`, which records what the service publishes.

import http from 'node:http';
import { once } from 'node:events';
import { createRequire } from 'node:module';

// socketcluster-server is CommonJS.
const socketClusterServer = createRequire(import.meta.url)('socketcluster-server');

const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Starts the server on `host`:`port` (port 0 picks a free one) and resolves once it accepts clients.
 *
 * @param {object} [options]
 * @param {number} [options.port] default 0
 * @param {string} [options.host] default `127.0.0.1`
 * @param {string[]} [options.sensors] the sensors the producer simulates
 * @param {number} [options.intervalMs] time between two readings, in ms (default 40)
 * @param {(...parts: unknown[]) => void} [options.log] default: nowhere
 */
export async function startPipelineServer({
  port = 0,
  host = '127.0.0.1',
  sensors = ['boiler', 'hall', 'roof'],
  intervalMs = 40,
  log = () => {},
} = {}) {
  const httpServer = http.createServer();
  const agServer = socketClusterServer.attach(httpServer, { pingInterval: 1000, pingTimeout: 5000 });

  /** Every batch `store` received, in order. */
  const batches = [];
  /** Every aggregate published on `aggregates`, in order. */
  const aggregates = [];
  let produced = 0;
  let producer;
  let resolveSubscribed;
  /** Resolves when a client first subscribes to `readings`. */
  const subscribed = new Promise((resolve) => (resolveSubscribed = resolve));

  // Consumers must exist before clients connect: SocketCluster drops stream events nobody is waiting for.
  void (async () => {
    for await (const { socket } of agServer.listener('connection')) {
      void (async () => {
        for await (const request of socket.procedure('store')) {
          if (!Array.isArray(request.data)) {
            request.error(Object.assign(new Error('A batch is an array of readings'), { name: 'BadBatch' }));
            continue;
          }
          batches.push(request.data);
          log(`store: batch ${batches.length}, ${count(request.data.length, 'reading')}`);
          request.end({ batch: batches.length, stored: request.data.length });
        }
      })();
    }
  })();

  void (async () => {
    for await (const { channel } of agServer.listener('subscription')) {
      if (channel === 'readings' && producer === undefined) {
        log(`a client subscribed to readings: producing one reading every ${intervalMs} ms`);
        producer = setInterval(produce, intervalMs);
        resolveSubscribed();
      }
    }
  })();

  // The server's own subscription to the aggregates channel.
  const aggregatesChannel = agServer.exchange.subscribe('aggregates');
  void (async () => {
    for await (const data of aggregatesChannel) {
      aggregates.push(data);
      const perSensor = Object.entries(data.sensors ?? {})
        .map(([name, s]) => `${name} ${s.mean.toFixed(2)}`)
        .join(', ');
      log(`aggregates: batch ${data.batch}, ${count(data.count, 'reading')}, mean ${perSensor}`);
    }
  })();

  /** Each sensor drifts around its own level, in degrees. */
  const levels = Object.fromEntries(sensors.map((name, i) => [name, 18 + 4 * i]));
  function produce() {
    const sensor = sensors[produced % sensors.length];
    levels[sensor] += Math.round((Math.random() - 0.5) * 40) / 100;
    produced += 1;
    void agServer.exchange.transmitPublish('readings', { sensor, value: levels[sensor], at: Date.now() });
  }

  httpServer.listen(port, host);
  await once(httpServer, 'listening');
  if (!agServer.isReady) await agServer.listener('ready').once();
  const actualPort = httpServer.address().port;

  return {
    url: `ws://${host}:${actualPort}/socketcluster/`,
    port: actualPort,
    batches,
    aggregates,
    subscribed,
    /** How many readings the producer has published. */
    produced: () => produced,
    /** Stops publishing readings. */
    stopProducer() {
      clearInterval(producer);
      producer ??= null;
    },
    /** Stops the producer and the server; connected clients see close code 1006. */
    async stop() {
      clearInterval(producer);
      aggregatesChannel.kill();
      agServer.closeAllListeners();
      await agServer.close();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}
