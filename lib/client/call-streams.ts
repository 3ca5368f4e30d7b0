import { Observable, type Subscriber } from 'rxjs';
import type { Codec } from '../codec/codec';
import type { EngineCommands } from '../engine/port';
import { ClientClosedError, fromErrorRecord, type ErrorRecord } from '../errors';
import { checkDuration } from '../internal/duration';
import { checkEvent, encodeEvent } from '../protocol/encode-packet';
import type { InvokeOptions } from './invoke-options';

/** What the facade's calls need. @internal */
export interface CallStreamsHost {
  readonly codec: Codec;
  readonly ackTimeout: number;
  readonly port: Pick<EngineCommands, 'invoke' | 'cancel'>;
  isClosed(): boolean;
}

/** The empty Map every facade starts with; it is replaced, not written to, on the first call. */
const NO_CALLS = new Map<number, never>();

/**
 * The facade's calls: each subscription of an invoke is one call, by call id, until the engine reports its
 * result or failure (the ids are even: the engine's own are odd). One `Map` lookup per answer.
 * @internal
 */
export class CallStreams {
  // An idle client shares one empty Map (never written to) instead of holding its own.
  #calls: Map<number, Subscriber<unknown>> = NO_CALLS;
  #cid = 0;
  readonly #host: CallStreamsHost;

  constructor(host: CallStreamsHost) {
    this.#host = host;
  }

  /**
   * The cold Observable of one invoke. The packet is encoded here, at call time, so that data the codec cannot
   * encode throws a `TypeError` at the caller; the first subscription sends that frame, and any later one (a
   * `retry`, say) encodes a fresh frame under a new call id.
   */
  invoke(event: string, data: unknown, options: InvokeOptions | undefined): Observable<unknown> {
    checkEvent(event);
    const host = this.#host;
    const timeout = options?.timeout ?? host.ackTimeout;
    checkDuration('The invoke timeout', timeout);
    const resend = options?.resend === true;
    let cid = host.isClosed() ? 0 : this.#nextCid();
    let frame = cid ? encodeEvent(host.codec, event, data, cid) : undefined;
    return this.#call((subscriber) => {
      if (frame === undefined) {
        cid = this.#nextCid();
        frame = encodeEvent(host.codec, event, data, cid);
      }
      const call = cid;
      const sent = frame;
      frame = undefined;
      this.#start(call, subscriber);
      host.port.invoke(call, event, sent, timeout, resend);
      return call;
    });
  }

  /** The cold Observable of a call the engine makes for the facade (`authenticate`): one per subscription. */
  request(start: (cid: number) => void): Observable<unknown> {
    return this.#call((subscriber) => {
      const cid = this.#nextCid();
      this.#start(cid, subscriber);
      start(cid);
      return cid;
    });
  }

  /** The engine's `callResult`. */
  result(cid: number, data: unknown): void {
    const subscriber = this.#take(cid);
    if (!subscriber) return;
    subscriber.next(data);
    subscriber.complete();
  }

  /** The engine's `callFailed`. */
  failed(cid: number, error: ErrorRecord): void {
    this.#take(cid)?.error(fromErrorRecord(error));
  }

  #call(send: (subscriber: Subscriber<unknown>) => number): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      if (this.#host.isClosed()) {
        subscriber.error(new ClientClosedError());
        return undefined;
      }
      const cid = send(subscriber);
      // Unsubscribing before the answer drops the call; after it, there is nothing left to drop.
      return () => {
        if (this.#calls.delete(cid)) this.#host.port.cancel(cid);
      };
    });
  }

  #start(cid: number, subscriber: Subscriber<unknown>): void {
    if (this.#calls === NO_CALLS) this.#calls = new Map();
    this.#calls.set(cid, subscriber);
  }

  #take(cid: number): Subscriber<unknown> | undefined {
    const subscriber = this.#calls.get(cid);
    if (subscriber) this.#calls.delete(cid);
    return subscriber;
  }

  #nextCid(): number {
    return (this.#cid += 2);
  }
}
