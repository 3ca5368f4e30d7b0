import { Observable, timer, type Subscriber } from 'rxjs';
import type { ClientStats } from '../engine/stats';
import { checkDuration } from '../internal/duration';
import type { ClientLifecycle } from './client-lifecycle';
import { facadeOf } from './create-client';
import type { StatsSink } from './facade';

/** The subscribers of one client's stats streams, by the request number their samples carry. */
class Samplers implements StatsSink {
  readonly subscribers = new Map<number, Subscriber<ClientStats>>();
  last = 0;

  stats(request: number, sample: ClientStats): void {
    this.subscribers.get(request)?.next(sample);
  }

  closed(): void {
    for (const subscriber of [...this.subscribers.values()]) subscriber.complete();
  }
}

/**
 * Samples of a client's traffic and health, for dashboards and health checks: frames and bytes in and out,
 * reconnects, time connected, the outbox, calls waiting for an answer, and a round-trip estimate from answered
 * calls (see {@link ClientStats}). The counters cost two additions per frame and are always on; a sample is taken
 * only when one is due. It is in `rx-socketcluster/diagnostics`, so that a client that never samples ships none of
 * the sampling.
 *
 * - Emits: a sample at once, then one every `period` ms.
 * - Completes: when the client is closed.
 * - Errors: never.
 * - Lazy: each subscriber has its own timer; the first sample is taken for it, none is replayed. Does not open
 *   the connection.
 *
 * @param client - A client made by `createClient`.
 * @param period - Time between samples, in ms. Default: 1000.
 * @returns The samples.
 * @throws RangeError for a `period` that is not more than 0 ms (or is beyond what a timer takes); TypeError for a
 * `client` that `createClient` did not make.
 * @example
 * ```ts
 * import { clientStats } from 'rx-socketcluster/diagnostics';
 *
 * clientStats(client, 5000).subscribe((s) => console.log(`${s.framesIn} in, ${s.framesOut} out, rtt ${s.rtt} ms`));
 * ```
 */
export function clientStats(client: ClientLifecycle, period = 1000): Observable<ClientStats> {
  const facade = facadeOf(client);
  if (!(checkDuration('period', period) > 0)) throw new RangeError('period must be more than 0 ms');
  return new Observable<ClientStats>((subscriber) => {
    if (facade.isClosed()) {
      subscriber.complete();
      return undefined;
    }
    const sink = facade.statsSink;
    const samplers = sink instanceof Samplers ? sink : (facade.statsSink = new Samplers());
    const request = ++samplers.last;
    samplers.subscribers.set(request, subscriber);
    // The first sample now, in the subscriber's turn (timer(0) would wait a task).
    const ticks = timer(period, period, facade.scheduler).subscribe(() => facade.port.sampleStats(request));
    facade.port.sampleStats(request);
    return () => {
      ticks.unsubscribe();
      samplers.subscribers.delete(request);
    };
  });
}
