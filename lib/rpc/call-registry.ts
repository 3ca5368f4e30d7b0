import type { SchedulerLike, Subscription } from 'rxjs';
import type { OutboxEntry } from '../connection/outbox';
import { AckTimeoutError, type ScClientError } from '../errors';
import { CallTable } from '../internal/call-table';

/** An invoke waiting for its response. @internal */
export interface PendingCall {
  readonly cid: number;
  readonly event: string;
  readonly timeout: number;
  /** When it times out, on the scheduler's clock. */
  readonly deadline: number;
  /** Whether the frame reached an open socket (calls still in the outbox survive a disconnect). */
  sent: boolean;
  /** The outbox entry to queue again when the connection drops after sending (calls that opted in to `resend`). */
  readonly resend?: OutboxEntry;
  /** Set when a `resend` call went back to the outbox: it was sent once, so its timeout is an ack timeout. */
  requeued?: boolean;
  /** When the call went out, on the scheduler's clock, if it did so when it was made (0 otherwise). */
  sentAt?: number;
  /** Delivers the response data. */
  resolve(data: unknown): void;
  /** Fails the call. */
  fail(error: ScClientError): void;
}

/** Makes the error of a call whose timeout passed before it was sent. @internal */
export interface UnsentReporter<C> {
  notSent(call: C): ScClientError;
}

/**
 * The calls waiting for a response, by call id, with one timer for all their timeouts: it is armed for the
 * earliest deadline and re-armed after each sweep. Answered calls do not touch the timer (arming a timer per call
 * is what this avoids); a sweep that finds nothing left simply does not re-arm, and {@link CallRegistry.idle}
 * stops it early when the connection goes away.
 * @internal
 */
export class CallRegistry<C extends PendingCall = PendingCall> {
  // Made on the first call: an idle client holds no table.
  #calls: CallTable<C> | undefined;
  #timer: Subscription | undefined;
  #timerAt = Infinity;
  /** The smoothed round trip of answered calls, in ms. */
  #rtt: number | undefined;

  readonly #scheduler: SchedulerLike;
  readonly #unsent: UnsentReporter<C> | undefined;

  /** `unsent` makes the error of a call that times out before it was sent (else: `AckTimeoutError`). */
  constructor(scheduler: SchedulerLike, unsent?: UnsentReporter<C>) {
    this.#scheduler = scheduler;
    this.#unsent = unsent;
  }

  /** Calls waiting. */
  get size(): number {
    return this.#calls?.size ?? 0;
  }

  add(call: C): void {
    (this.#calls ??= new CallTable()).set(call.cid, call);
    if (call.deadline < this.#timerAt) this.#arm(call.deadline);
  }

  /** A smoothed round-trip time from the answered calls that went out when they were made, in ms. */
  get rtt(): number | undefined {
    return this.#rtt;
  }

  /** Removes and returns the call answered by `rid`, or `undefined` when none waits for it. */
  take(rid: number): C | undefined {
    return this.#calls?.take(rid);
  }

  /**
   * Takes `call`'s round trip, answered `at` (the frame's arrival; default: now), into the estimate, if it went
   * out when it was made: the average moves an eighth of
   * the way to each sample (TCP's smoothing, RFC 6298), so one slow answer does not swing it.
   */
  answered(call: C, at = this.#scheduler.now()): void {
    const { sentAt } = call;
    if (!sentAt) return;
    const sample = at - sentAt;
    this.#rtt = this.#rtt === undefined ? sample : this.#rtt + (sample - this.#rtt) / 8;
  }

  remove(cid: number): void {
    this.#calls?.delete(cid);
  }

  /** Stops the timer when no call is waiting, so that an idle client holds no timer. */
  idle(): void {
    if (this.size === 0) this.#disarm();
  }

  /** Fails the calls that match `filter` with `error`. */
  failWhere(filter: (call: C) => boolean, error: ScClientError): void {
    const calls = this.#calls;
    if (calls) {
      for (const call of calls.values()) {
        // A failure handler may have removed later calls (forkJoin unsubscribes its siblings): skip those.
        if (calls.get(call.cid) !== call) continue;
        if (filter(call)) {
          calls.delete(call.cid);
          call.fail(error);
        }
      }
    }
    this.idle();
  }

  /**
   * The connection carrying the calls already sent is gone: fails them with `error`, except those that asked to be
   * sent again, which go back to not sent and are returned (in the order they were made) for the outbox.
   */
  connectionLost(error: ScClientError): OutboxEntry[] {
    const again: C[] = [];
    const calls = this.#calls;
    if (!calls) return [];
    for (const call of calls.values()) {
      if (call.sent && call.resend) {
        call.sent = false;
        call.requeued = true;
        again.push(call);
      }
    }
    this.failWhere((call) => call.sent, error);
    // A failure handler may have cancelled some of them (forkJoin unsubscribes its siblings): those stay out.
    return again.filter((call) => calls.get(call.cid) === call).map((call) => call.resend as OutboxEntry);
  }

  #arm(at: number): void {
    this.#timer?.unsubscribe();
    this.#timerAt = at;
    this.#timer = this.#scheduler.schedule(() => this.#sweep(), Math.max(0, at - this.#scheduler.now()));
  }

  #disarm(): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const calls = this.#calls;
    if (!calls) return;
    const now = this.#scheduler.now();
    let next = Infinity;
    for (const call of calls.values()) {
      if (calls.get(call.cid) !== call) continue;
      if (call.deadline <= now) {
        calls.delete(call.cid);
        // A call that never left the outbox did not reach the server: say so rather than blame the server.
        const unsent = call.sent || call.requeued ? undefined : this.#unsent;
        call.fail(unsent ? unsent.notSent(call) : new AckTimeoutError(call.event, call.timeout));
      } else if (call.deadline < next) {
        next = call.deadline;
      }
    }
    if (next !== Infinity && next < this.#timerAt) this.#arm(next);
  }
}
