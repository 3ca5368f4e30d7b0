import { Observable, type SchedulerLike, type Subscriber } from 'rxjs';
import type { Codec } from '../codec/codec';
import type { OutboxEntry } from '../connection/outbox';
import type { Session } from '../connection/session';
import { OutboxOverflowError, type ScClientError } from '../errors';
import { encodeEvent } from '../protocol/encode-packet';
import { CallRegistry, type PendingCall, type UnsentReporter } from './call-registry';
import { OutboundCall, type CallOutcome, type CallSender } from './outbound-call';

/** The calls' settings. @internal */
export interface RpcConfig {
  readonly codec: Codec;
  readonly scheduler: SchedulerLike;
  /** The default timeout of the engine's own invokes, in ms. */
  readonly ackTimeout: number;
}

/** What the calls need of the engine. @internal */
export interface RpcHost extends UnsentReporter<PendingCall> {
  /** The next call id of the engine's own calls. */
  nextCid(): number;
}

/** The connection, as the calls see it: a place to send or queue frames. @internal */
export interface Wire {
  /** Sends now if a session is open, else queues; `false` when the outbox is full. */
  send(entry: OutboxEntry): boolean;
  /** Takes a frame out of the outbox, if it still waits there. */
  withdraw(entry: OutboxEntry): void;
  /** Most frames the outbox holds. */
  readonly outboxLimit: number;
}

/** An engine-internal invoke's outcome, delivered to its subscriber. */
class SubscriberOutcome implements CallOutcome {
  readonly #subscriber: Subscriber<unknown>;

  constructor(subscriber: Subscriber<unknown>) {
    this.#subscriber = subscriber;
  }

  resolved(_call: OutboundCall, data: unknown): void {
    this.#subscriber.next(data);
    this.#subscriber.complete();
  }

  failed(_call: OutboundCall, error: ScClientError): void {
    this.#subscriber.error(error);
  }
}

/**
 * The engine's side of RPC: every call the client makes, by call id, sent now or queued in the outbox, with one
 * sweep timer for their timeouts (the {@link CallRegistry}). The facade's invokes arrive encoded; the engine's
 * own (`#subscribe`, `#unsubscribe`, `#authenticate`) are encoded here.
 * @internal
 */
export class Rpc implements CallSender {
  readonly calls: CallRegistry<OutboundCall>;
  readonly #config: RpcConfig;
  readonly #host: RpcHost;
  readonly #wire: Wire;

  constructor(config: RpcConfig, host: RpcHost, wire: Wire) {
    this.#config = config;
    this.#host = host;
    this.#wire = wire;
    this.calls = new CallRegistry<OutboundCall>(config.scheduler, host);
  }

  /** Sends, or queues, an encoded call; its answer, timeout or failure goes to `outcome`. */
  call(
    cid: number,
    event: string,
    frame: string | Uint8Array,
    timeout: number,
    resend: boolean,
    outcome: CallOutcome,
  ): void {
    const now = this.#config.scheduler.now();
    const call = new OutboundCall(cid, event, frame, timeout, now + timeout, resend, this, outcome);
    this.calls.add(call);
    if (!this.#wire.send(call)) {
      this.calls.remove(cid);
      outcome.failed(call, new OutboxOverflowError(event, this.#wire.outboxLimit));
    } else if (call.sent) {
      // Sent at once: its answer times the round trip (no clock read at send for it).
      call.sentAt = now;
    }
  }

  /** Drops a call whose caller left: no answer will be delivered, and an unsent frame is not sent. */
  cancel(cid: number): void {
    const call = this.calls.take(cid);
    if (call && !call.sent) this.#wire.withdraw(call);
  }

  /**
   * Sends a call on `session` now, never queued and without a timeout (channel subscribes and unsubscribes wait
   * for their answer or for the connection to end). Returns it, or `undefined` when the socket refused the frame.
   */
  request(session: Session, event: string, data: unknown, outcome: CallOutcome): OutboundCall | undefined {
    const cid = this.#host.nextCid();
    const frame = encodeEvent(this.#config.codec, event, data, cid);
    if (!session.send(frame)) return undefined;
    const call = new OutboundCall(cid, event, frame, Infinity, Infinity, false, this, outcome);
    call.sent = true;
    this.calls.add(call);
    return call;
  }

  /** An invoke of the engine's own, as a cold Observable: one call per subscription, dropped on unsubscribe. */
  invoke(event: string, data: unknown): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      const cid = this.#host.nextCid();
      const frame = encodeEvent(this.#config.codec, event, data, cid);
      this.call(cid, event, frame, this.#config.ackTimeout, false, new SubscriberOutcome(subscriber));
      return () => this.cancel(cid);
    });
  }

  /** Sends, or queues, an encoded transmit; `false` when the outbox is full. */
  transmit(event: string, frame: string | Uint8Array): boolean {
    return this.#wire.send({ frame, event });
  }

  forget(cid: number): void {
    this.calls.remove(cid);
  }

  withdraw(entry: OutboxEntry): void {
    this.#wire.withdraw(entry);
  }
}
