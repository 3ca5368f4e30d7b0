import type { OutboxEntry } from '../connection/outbox';
import type { ScClientError } from '../errors';
import type { PendingCall } from './call-registry';

/** Where a call's outcome goes: one object serves many calls (no closure per call). */
export interface CallOutcome {
  /** The server answered `call` with `data`. */
  resolved(call: OutboundCall, data: unknown): void;
  /** `call` failed: a remote error, a timeout, a lost connection, an outbox that refused or dropped it. */
  failed(call: OutboundCall, error: ScClientError): void;
}

/** What a call needs of the layer that sent it. */
export interface CallSender {
  /** Forgets the call: it is settled elsewhere. */
  forget(cid: number): void;
  /** Takes the call's frame out of the outbox, if it still waits there. */
  withdraw(entry: OutboxEntry): void;
}

/**
 * One invoke on its way: the registry's pending call and, while no connection is open, the outbox's entry. One
 * object per call plays both parts, with its methods on the prototype.
 * @internal
 */
export class OutboundCall implements PendingCall, OutboxEntry {
  sent = false;
  requeued = false;
  sentAt = 0;
  readonly resend: OutboxEntry | undefined;
  declare readonly cid: number;
  declare readonly event: string;
  declare readonly frame: string | Uint8Array;
  declare readonly timeout: number;
  declare readonly deadline: number;
  readonly #sender: CallSender;
  readonly #outcome: CallOutcome;

  constructor(
    cid: number,
    event: string,
    frame: string | Uint8Array,
    timeout: number,
    deadline: number,
    resend: boolean,
    sender: CallSender,
    outcome: CallOutcome,
  ) {
    this.cid = cid;
    this.event = event;
    this.frame = frame;
    this.timeout = timeout;
    this.deadline = deadline;
    this.resend = resend ? this : undefined;
    this.#sender = sender;
    this.#outcome = outcome;
  }

  onSent(): void {
    this.sent = true;
  }

  /** The outbox dropped the frame unsent (too old, or no room to put it back). */
  onDropped(error: ScClientError): void {
    this.#sender.forget(this.cid);
    this.#outcome.failed(this, error);
  }

  resolve(data: unknown): void {
    this.#outcome.resolved(this, data);
  }

  fail(error: ScClientError): void {
    if (!this.sent) this.#sender.withdraw(this);
    this.#outcome.failed(this, error);
  }
}
