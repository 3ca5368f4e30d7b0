// The pipeline service: a reusable module, started by main.mjs (or by anything else that imports it).
//
//   channel `readings` ─bufferTime─▶ batch ─invoke('store')─▶ ack ─publish('aggregates')─▶ aggregate
//
// Readings are grouped into time windows (or smaller batches when a window fills up), each batch is stored through
// an RPC, and a summary of the batch (count, min, max and mean per sensor) is published on a second channel.
// Batches are handled one at a time, in order. stop() stops consuming, lets the batch being collected and the one
// in flight finish (within a time limit), then closes the client, which leaves nothing running.

import { EMPTY, Subject, bufferTime, catchError, concatMap, filter, map, takeUntil, tap } from 'rxjs';
import { createClient } from 'rx-socketcluster';

/**
 * The summary of one batch of readings (`{ sensor, value, at }`): how many there are, the time span they cover, and
 * count, min, max and mean for each sensor.
 */
export function aggregate(readings) {
  const sensors = {};
  let from = Infinity;
  let to = -Infinity;
  for (const { sensor, value, at } of readings) {
    const s = (sensors[sensor] ??= { count: 0, min: Infinity, max: -Infinity, sum: 0 });
    s.count += 1;
    s.min = Math.min(s.min, value);
    s.max = Math.max(s.max, value);
    s.sum += value;
    from = Math.min(from, at);
    to = Math.max(to, at);
  }
  for (const [name, { count, min, max, sum }] of Object.entries(sensors)) {
    sensors[name] = { count, min, max, mean: Math.round((sum / count) * 1000) / 1000 };
  }
  return { count: readings.length, from, to, sensors };
}

/**
 * Starts the pipeline. Nothing else is needed: the client connects when the channel subscription asks for it,
 * reconnects on its own, and subscribes the channel again after each reconnect.
 *
 * @param {object} options
 * @param {string} options.url the SocketCluster server, e.g. `ws://localhost:8000/socketcluster/`
 * @param {string} [options.input] the channel to consume (default `readings`)
 * @param {string} [options.output] the channel the aggregates go to (default `aggregates`)
 * @param {string} [options.procedure] the RPC that stores a batch (default `store`)
 * @param {number} [options.windowMs] how long a batch collects readings, in ms (default 1000)
 * @param {number} [options.maxBatch] the largest batch: a full batch is sent before its window ends (default 500)
 * @param {number} [options.timeout] the limit for each RPC and publish, in ms (default 5000)
 * @param {number} [options.drainTimeout] how long stop() waits for the last batches, in ms (default 3000)
 * @param {object} [options.clientOptions] more options for `createClient` (reconnect policy, codec...)
 * @param {(...parts: unknown[]) => void} [options.log] where problems are reported (default: nowhere)
 */
export function startPipeline({
  url,
  input = 'readings',
  output = 'aggregates',
  procedure = 'store',
  windowMs = 1000,
  maxBatch = 500,
  timeout = 5000,
  drainTimeout = 3000,
  clientOptions = {},
  log = () => {},
}) {
  const client = createClient({ ...clientOptions, url });
  const stopping$ = new Subject();
  const results = new Subject();
  const stats = { received: 0, batches: 0, stored: 0, failed: 0 };

  /** Stores one batch, then publishes its aggregate. A failed batch is reported and skipped. */
  const storeAndPublish = (batch) =>
    client.invoke(procedure, batch, { timeout }).pipe(
      map((ack) => ({ batch, ack, aggregate: { batch: ack?.batch, ...aggregate(batch) } })),
      concatMap((result) => client.publish(output, result.aggregate, { timeout }).pipe(map(() => result))),
      tap(() => {
        stats.batches += 1;
        stats.stored += batch.length;
      }),
      catchError((error) => {
        stats.failed += batch.length;
        log(`batch of ${batch.length} readings failed: ${error.name}: ${error.message}`);
        return EMPTY;
      }),
    );

  let resolveFinished;
  let rejectFinished;
  /** Settles when the pipeline has ended: after stop() has drained it, or on an error of the input channel. */
  const finished = new Promise((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });
  // Handled here too, so that a host that does not watch `finished` gets no unhandled rejection.
  finished.catch(() => {});

  const subscription = client
    .channel(input)
    .pipe(
      // On stop: leave the channel. bufferTime then emits what it holds and completes; concatMap completes once
      // the batches it has in hand are stored and published.
      takeUntil(stopping$),
      tap(() => (stats.received += 1)),
      bufferTime(windowMs, null, maxBatch),
      filter((batch) => batch.length > 0),
      concatMap(storeAndPublish),
    )
    .subscribe({
      next: (result) => results.next(result),
      // The channel errors when the server refuses the subscription or kicks the client out.
      error: (error) => rejectFinished(error),
      complete: () => resolveFinished(),
    });

  let stopped;

  return {
    /** The client, for its `state$`, `errors$` and anything else the host wants. */
    client,

    /** Each batch handled: `{ batch, ack, aggregate }`. Completes on stop. */
    results$: results.asObservable(),

    /** Resolves when the pipeline has drained after stop(); rejects if the input channel fails. */
    finished,

    /** Counters: readings received, batches and readings stored, readings lost to failed batches. */
    stats: () => ({ ...stats }),

    /**
     * Stops consuming, waits up to `drainTimeout` for the batches in hand, then closes the client. Resolves with
     * the counters and `drained: false` when the time limit cut the drain short. Idempotent.
     */
    stop() {
      stopped ??= (async () => {
        stopping$.next();
        stopping$.complete();
        let timer;
        const drained = await Promise.race([
          finished.then(
            () => true,
            () => true,
          ),
          new Promise((resolve) => (timer = setTimeout(resolve, drainTimeout, false))),
        ]);
        clearTimeout(timer);
        subscription.unsubscribe();
        client.close();
        results.complete();
        return { drained, ...stats };
      })();
      return stopped;
    },
  };
}
