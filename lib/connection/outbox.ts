import type { SchedulerLike, Subscription } from 'rxjs';
import { OutboxExpiredError, type ScClientError } from '../errors';

/** A frame waiting for a connection. */
export interface OutboxEntry {
  /** The encoded frame. */
  readonly frame: string | Uint8Array;
  /** Its event name, for error reports. */
  readonly event: string;
  /** Called when the frame is handed to an open socket. */
  readonly onSent?: () => void;
  /**
   * Called when the frame is dropped unsent: it waited longer than the age limit (`OutboxExpiredError`), or there
   * was no room to put it back (`OutboxOverflowError`). Without it, the error is reported.
   */
  readonly onDropped?: (error: ScClientError) => void;
}

/** The clock of the outbox's age limit, and where expiries go: the client's wiring object. @internal */
export interface OutboxOwner {
  /** The clock and timer of the age limit. */
  readonly scheduler: SchedulerLike;
  /** Receives the expiry of entries that have no `onDropped` of their own. */
  report(error: ScClientError): void;
}

const NO_OWNER: OutboxOwner = {
  scheduler: { now: Date.now } as SchedulerLike,
  report: () => undefined,
};

/** A queued entry and when it was queued, on the scheduler's clock. */
interface Waiting {
  readonly entry: OutboxEntry;
  readonly at: number;
}

/**
 * The bounded FIFO of frames written while no connection is open, flushed in order after the next handshake.
 * Bounded twice: by count (a push beyond `limit` is refused) and by age (a frame older than `maxAge` is dropped
 * with an {@link OutboxExpiredError}). The age limit costs one timer while frames wait, armed for the oldest. The
 * oldest is not always at the head: calls put back by {@link Outbox.requeue} start their wait when put back.
 * @internal
 */
export class Outbox {
  #queue: Waiting[] = [];
  #timer: Subscription | undefined;
  readonly #maxAge: number;
  readonly #owner: OutboxOwner;

  /** Most frames held at once. */
  readonly limit: number;

  /** `maxAge`: longest time a frame may wait, in ms (`Infinity`, the default: no limit). */
  constructor(limit: number, maxAge = Infinity, owner: OutboxOwner = NO_OWNER) {
    this.limit = limit;
    this.#maxAge = maxAge;
    this.#owner = owner;
  }

  /** Frames waiting. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queues `entry`; returns `false` (queueing nothing) when the outbox is full. */
  push(entry: OutboxEntry): boolean {
    if (this.#queue.length >= this.limit) return false;
    this.#queue.push({ entry, at: this.#owner.scheduler.now() });
    if (this.#queue.length === 1) this.#arm();
    return true;
  }

  /**
   * Puts entries back at the head, in the given order, ahead of everything queued (calls that were on the wire
   * when the connection dropped and asked to be re-sent). Returns the entries there was no room for.
   */
  requeue(entries: readonly OutboxEntry[]): OutboxEntry[] {
    const room = Math.max(0, this.limit - this.#queue.length);
    const at = this.#owner.scheduler.now();
    this.#queue.unshift(...entries.slice(0, room).map((entry) => ({ entry, at })));
    this.#arm();
    return entries.slice(room);
  }

  /** Takes `entry` out, if it is still waiting (a call that timed out or was cancelled). */
  remove(entry: OutboxEntry): void {
    const index = this.#queue.findIndex((waiting) => waiting.entry === entry);
    if (index < 0) return;
    this.#queue.splice(index, 1);
    this.#arm();
  }

  /** Sends waiting frames in order, until `send` refuses one (the socket closed again). */
  flush(send: (frame: string | Uint8Array) => boolean): void {
    this.#expire();
    const queue = this.#queue;
    let sent = 0;
    for (const { entry } of queue) {
      if (!send(entry.frame)) break;
      entry.onSent?.();
      sent++;
    }
    queue.splice(0, sent);
    this.#arm();
  }

  /** Drops every waiting frame and returns them. */
  drain(): OutboxEntry[] {
    const queue = this.#queue;
    this.#queue = [];
    this.#arm();
    return queue.map(({ entry }) => entry);
  }

  /** Drops the entries older than `maxAge`, reporting each (on the entry's `onDropped`, else to `report`). */
  #expire(): void {
    const maxAge = this.#maxAge;
    const now = this.#owner.scheduler.now();
    const expired = this.#queue.filter((waiting) => now - waiting.at >= maxAge);
    if (expired.length === 0) return;
    this.#queue = this.#queue.filter((waiting) => now - waiting.at < maxAge);
    for (const { entry } of expired) {
      const error = new OutboxExpiredError(entry.event, maxAge);
      if (entry.onDropped) entry.onDropped(error);
      else this.#owner.report(error);
    }
  }

  /** (Re-)arms the age timer for the oldest entry, or stops it when nothing waits. */
  #arm(): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    const maxAge = this.#maxAge;
    const { scheduler } = this.#owner;
    if (this.#queue.length === 0 || maxAge === Infinity) return;
    let oldest = Infinity;
    for (const waiting of this.#queue) oldest = Math.min(oldest, waiting.at);
    this.#timer = scheduler.schedule(
      () => {
        this.#timer = undefined;
        this.#expire();
        this.#arm();
      },
      Math.max(0, oldest + maxAge - scheduler.now()),
    );
  }
}
