import { Observable } from 'rxjs';
import type { ChannelOptions } from '../client/channel-options';
import { checkDuration } from '../internal/duration';
import type { ChannelEvent } from './channel-events';
import { ChannelRecovery } from './channel-recovery';
import type { RecoveryClient } from './recovery-client';

/** Options of {@link recoverChannel}: the channel's own, and recovery's. */
export interface RecoverOptions extends ChannelOptions {
  /** On the first subscription, deliver first the last `rewind` messages the server still holds. Default: 0. */
  readonly rewind?: number;
  /** Time allowed for the server's answer to a recovery request, in ms. Default: the client's `ackTimeout`. */
  readonly timeout?: number;
}

/**
 * The messages of a channel, each delivered once and in order across reconnects, from a server running
 * `attachRecovery` (`rx-socketcluster/server`). After every re-subscription the client fetches what it missed
 * since the last message it delivered, merges the live messages that arrive meanwhile and drops duplicates.
 *
 * - Emits: `{ type: 'message', seq, data }` for each message; `{ type: 'recovered', from, to }` when a
 *   re-subscription recovered everything missed; `{ type: 'gap', reason, from, to }` when messages are lost
 *   (history exceeded, a new server epoch, a server without recovery), after which the messages are live again.
 * - Completes and errors: as `client.channel(name)`.
 * - Each subscriber recovers on its own (one request per subscriber and connection); they share one server
 *   subscription. Once a client has asked to recover a channel, its socket receives that channel's messages
 *   stamped: read it only through `recoverChannel` in that client.
 *
 * @example
 * ```ts
 * recoverChannel<Price>(client, 'prices/ACME').pipe(messages()).subscribe((price) => render(price));
 * ```
 *
 * @throws RangeError for a `rewind` that is not a whole number of at least 0, or a `timeout` out of range.
 */
export function recoverChannel<T = unknown>(
  client: RecoveryClient,
  name: string,
  options: RecoverOptions = {},
): Observable<ChannelEvent<T>> {
  const { rewind, timeout, ...channelOptions } = options;
  if (rewind !== undefined && !(Number.isInteger(rewind) && rewind >= 0)) {
    throw new RangeError(`rewind must be a whole number of at least 0, got ${String(rewind)}`);
  }
  if (timeout !== undefined) checkDuration('timeout', timeout);
  return new Observable<ChannelEvent<T>>((subscriber) => {
    const recovery = new ChannelRecovery<T>(client, name, { rewind, timeout }, subscriber);
    const subscription = client.channel(name, channelOptions).subscribe({
      next: (message) => recovery.message(message),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    subscription.add(client.channelState$(name).subscribe((state) => recovery.state(state)));
    subscription.add(() => recovery.stop());
    return subscription;
  });
}
