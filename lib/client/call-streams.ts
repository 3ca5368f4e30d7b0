import { Observable, type Subscriber, type TeardownLogic, type Unsubscribable } from 'rxjs';
import type { Codec } from '../codec/codec';
import type { EngineCommands } from '../engine/port';
import { ClientClosedError, fromErrorRecord, type ErrorRecord } from '../errors';
import { CallTable } from '../internal/call-table';
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

/**
 * One subscription of a call: its subscriber, under its call id, until the engine settles it; also the teardown
 * of the subscription. One object per call serves as both (no closure per call).
 */
class FacadeCall implements Unsubscribable {
  readonly cid: number;
  readonly subscriber: Subscriber<unknown>;
  /** The answer's data is not the caller's business (`publish()`): the call emits `undefined`. */
  readonly quiet: boolean;
  readonly #streams: CallStreams;

  constructor(streams: CallStreams, cid: number, subscriber: Subscriber<unknown>, quiet: boolean) {
    this.#streams = streams;
    this.cid = cid;
    this.subscriber = subscriber;
    this.quiet = quiet;
  }

  /** Unsubscribing before the answer drops the call; after it, there is nothing left to drop. */
  unsubscribe(): void {
    this.#streams.drop(this);
  }
}

/**
 * One invoke, as a cold Observable whose state is its own fields: its subscribe function is one shared function
 * (rxjs calls it with the Observable as `this`), where a closure would cost each call its context too.
 */
class InvokeObservable extends Observable<unknown> {
  /** The call id and frame drawn at call time, for the first subscription; 0 and `undefined` once used. */
  cid: number;
  frame: string | Uint8Array | undefined;
  readonly streams: CallStreams;
  readonly event: string;
  readonly data: unknown;
  readonly timeout: number;
  readonly resend: boolean;
  readonly quiet: boolean;

  constructor(
    streams: CallStreams,
    event: string,
    data: unknown,
    timeout: number,
    resend: boolean,
    cid: number,
    quiet: boolean,
  ) {
    super(subscribeInvoke);
    this.streams = streams;
    this.event = event;
    this.data = data;
    this.timeout = timeout;
    this.resend = resend;
    this.quiet = quiet;
    this.cid = cid;
    this.frame = undefined;
  }
}

// rxjs calls it with the Observable it was given to as `this`, which is always an InvokeObservable.
function subscribeInvoke(this: Observable<unknown>, subscriber: Subscriber<unknown>): TeardownLogic {
  return this instanceof InvokeObservable ? this.streams.send(this, subscriber) : undefined;
}

/**
 * The facade's calls: each subscription of an invoke is one call, by call id, until the engine reports its
 * result or failure (the ids are even: the engine's own are odd). One lookup per answer, in a {@link CallTable}
 * (a lone call in flight, the usual case, is held without a `Map`).
 * @internal
 */
export class CallStreams {
  readonly #calls = new CallTable<FacadeCall>();
  #cid = 0;
  readonly #host: CallStreamsHost;

  constructor(host: CallStreamsHost) {
    this.#host = host;
  }

  /**
   * The cold Observable of one invoke. The packet is encoded here, at call time, so that data the codec cannot
   * encode throws a `TypeError` at the caller; the first subscription sends that frame, and any later one (a
   * `retry`, say) encodes a fresh frame under a new call id. A `quiet` call emits `undefined` for its answer
   * (`publish()`), without an operator per call to map it.
   */
  invoke(
    event: string,
    data: unknown,
    options: InvokeOptions | undefined,
    quiet = false,
  ): Observable<unknown> {
    checkEvent(event);
    const host = this.#host;
    const timeout = options?.timeout ?? host.ackTimeout;
    checkDuration('The invoke timeout', timeout);
    const cid = host.isClosed() ? 0 : this.#nextCid();
    const invoke = new InvokeObservable(this, event, data, timeout, options?.resend === true, cid, quiet);
    if (cid) invoke.frame = encodeEvent(host.codec, event, data, cid);
    return invoke;
  }

  /** A subscription of `invoke`: sends its frame (a fresh one after the first) and files the call. */
  send(invoke: InvokeObservable, subscriber: Subscriber<unknown>): TeardownLogic {
    const host = this.#host;
    if (host.isClosed()) {
      subscriber.error(new ClientClosedError());
      return undefined;
    }
    let { cid, frame } = invoke;
    if (frame === undefined) {
      cid = this.#nextCid();
      frame = encodeEvent(host.codec, invoke.event, invoke.data, cid);
    }
    invoke.frame = undefined;
    const call = this.#start(cid, subscriber, invoke.quiet);
    host.port.invoke(cid, invoke.event, frame, invoke.timeout, invoke.resend);
    return call;
  }

  /** The cold Observable of a call the engine makes for the facade (`authenticate`): one per subscription. */
  request(start: (cid: number) => void): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      if (this.#host.isClosed()) {
        subscriber.error(new ClientClosedError());
        return undefined;
      }
      const cid = this.#nextCid();
      const call = this.#start(cid, subscriber, false);
      start(cid);
      return call;
    });
  }

  /** The engine's `callResult`. */
  result(cid: number, data: unknown): void {
    const call = this.#calls.take(cid);
    if (!call) return;
    const { subscriber } = call;
    subscriber.next(call.quiet ? undefined : data);
    // `firstValueFrom` has unsubscribed by now: no complete for it to ignore.
    if (!subscriber.closed) subscriber.complete();
  }

  /** The engine's `callFailed`. */
  failed(cid: number, error: ErrorRecord): void {
    this.#calls.take(cid)?.subscriber.error(fromErrorRecord(error));
  }

  /** A subscription left: a call still waiting is cancelled. */
  drop(call: FacadeCall): void {
    if (this.#calls.delete(call.cid)) this.#host.port.cancel(call.cid);
  }

  #start(cid: number, subscriber: Subscriber<unknown>, quiet: boolean): FacadeCall {
    const call = new FacadeCall(this, cid, subscriber, quiet);
    this.#calls.set(cid, call);
    return call;
  }

  #nextCid(): number {
    return (this.#cid += 2);
  }
}
