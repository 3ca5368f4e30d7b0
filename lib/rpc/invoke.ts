import { Observable, type SchedulerLike } from 'rxjs';
import type { Codec } from '../codec/codec';
import type { Connection } from '../connection/connection';
import type { OutboxEntry } from '../connection/outbox';
import { ClientClosedError, OutboxOverflowError } from '../errors';
import type { CallRegistry, PendingCall } from './call-registry';
import { checkEvent, encodeEvent } from './encode-packet';

/** Options of one `invoke()`. */
export interface InvokeOptions {
  /** Time allowed for the answer, in ms, counted from subscription. Default: the client's `ackTimeout` (10000). */
  timeout?: number;
  /**
   * When the connection drops after the call was sent and before its answer, send it again after the next
   * handshake (ahead of the outbox) instead of failing with a `ConnectionError`. Only for idempotent procedures:
   * the server may have run the first one. The timeout still counts from subscription. Default: false.
   */
  resend?: boolean;
}

/** @internal */
export interface InvokeDependencies {
  readonly codec: Codec;
  readonly calls: CallRegistry;
  readonly connection: Connection;
  readonly scheduler: SchedulerLike;
  readonly ackTimeout: number;
  nextCid(): number;
  isClosed(): boolean;
}

const MAX_TIMER = 2 ** 31 - 1;

/**
 * Builds the cold Observable of one invoke. The packet is encoded here, at call time, so that data the codec
 * cannot encode throws a `TypeError` at the caller; the first subscription sends that frame, and any later one
 * (a `retry`, say) encodes a fresh frame under a new call id.
 * @internal
 */
export function createInvoke(
  deps: InvokeDependencies,
  event: string,
  data: unknown,
  options: InvokeOptions | undefined,
): Observable<unknown> {
  checkEvent(event);
  const timeout = options?.timeout ?? deps.ackTimeout;
  if (!(timeout >= 0 && timeout <= MAX_TIMER)) {
    throw new RangeError(`The invoke timeout must be between 0 and ${MAX_TIMER} ms, got ${timeout}`);
  }
  let prepared: { cid: number; frame: string | Uint8Array } | undefined;
  if (!deps.isClosed()) {
    const cid = deps.nextCid();
    prepared = { cid, frame: encodeEvent(deps.codec, event, data, cid) };
  }

  return new Observable<unknown>((subscriber) => {
    if (deps.isClosed()) {
      subscriber.error(new ClientClosedError());
      return undefined;
    }
    let cid: number;
    let frame: string | Uint8Array;
    if (prepared) {
      ({ cid, frame } = prepared);
      prepared = undefined;
    } else {
      cid = deps.nextCid();
      frame = encodeEvent(deps.codec, event, data, cid);
    }
    const { calls, connection } = deps;
    const entry: OutboxEntry = {
      frame,
      event,
      onSent: () => (call.sent = true),
      onDropped: (error) => {
        calls.remove(cid);
        subscriber.error(error);
      },
    };
    const call: PendingCall = {
      cid,
      event,
      timeout,
      deadline: deps.scheduler.now() + timeout,
      sent: false,
      ...(options?.resend ? { resend: entry } : {}),
      resolve(value) {
        subscriber.next(value);
        subscriber.complete();
      },
      fail(error) {
        if (!call.sent) connection.outbox.remove(entry);
        subscriber.error(error);
      },
    };
    calls.add(call);
    if (!connection.send(entry)) {
      calls.remove(cid);
      subscriber.error(new OutboxOverflowError(event, connection.outbox.limit));
      return undefined;
    }
    return () => {
      calls.remove(cid);
      if (!call.sent) connection.outbox.remove(entry);
    };
  });
}
