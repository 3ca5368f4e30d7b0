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

/** Limits of the outbox. @internal */
export interface OutboxLimits {
  /** Most frames held at once. */
  readonly limit: number;
  /** Longest time a frame may wait, in ms (`Infinity`: no limit). */
  readonly maxAge: number;
  /** The clock and timer of the age limit. */
  readonly scheduler: SchedulerLike;
  /** Receives the expiry of entries that have no `onExpired` of their own. */
  readonly report: (error: ScClientError) => void;
}

const NO_AGE_LIMIT: Omit<OutboxLimits, 'limit'> = {
  maxAge: Infinity,
  scheduler: { now: Date.now } as SchedulerLike,
  report: () => undefined,
};

/**
 * The bounded FIFO of frames written while no connection is open, flushed in order after the next handshake.
 * Bounded twice: by count (a push beyond `limit` is refused) and by age (a frame older than `maxAge` is dropped
 * with an {@link OutboxExpiredError}). The age limit costs one timer while frames wait, armed for the oldest.
 * @internal
 */
export class Outbox {
  #queue: OutboxEntry[] = [];
  /** When each queued entry was queued, on the scheduler's clock (parallel to #queue). */
  #queuedAt: number[] = [];
  #timer: Subscription | undefined;
  readonly #limits: Omit<OutboxLimits, 'limit'>;

  /** Most frames held at once. */
  readonly limit: number;

  constructor(limit: number, limits: Omit<OutboxLimits, 'limit'> = NO_AGE_LIMIT) {
    this.limit = limit;
    this.#limits = limits;
  }

  /** Frames waiting. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queues `entry`; returns `false` (queueing nothing) when the outbox is full. */
  push(entry: OutboxEntry): boolean {
    if (this.#queue.length >= this.limit) return false;
    this.#queue.push(entry);
    this.#queuedAt.push(this.#limits.scheduler.now());
    if (this.#queue.length === 1) this.#arm();
    return true;
  }

  /**
   * Puts entries back at the head, in the given order, ahead of everything queued (calls that were on the wire
   * when the connection dropped and asked to be re-sent). Returns the entries there was no room for.
   */
  requeue(entries: readonly OutboxEntry[]): OutboxEntry[] {
    const room = Math.max(0, this.limit - this.#queue.length);
    const taken = entries.slice(0, room);
    const now = this.#limits.scheduler.now();
    this.#queue.unshift(...taken);
    this.#queuedAt.unshift(...taken.map(() => now));
    this.#arm();
    return entries.slice(room);
  }

  /** Takes `entry` out, if it is still waiting (a call that timed out or was cancelled). */
  remove(entry: OutboxEntry): void {
    const index = this.#queue.indexOf(entry);
    if (index < 0) return;
    this.#queue.splice(index, 1);
    this.#queuedAt.splice(index, 1);
    if (index === 0) this.#arm();
  }

  /** Sends waiting frames in order, until `send` refuses one (the socket closed again). */
  flush(send: (frame: string | Uint8Array) => boolean): void {
    this.#expire();
    const queue = this.#queue;
    let sent = 0;
    for (const entry of queue) {
      if (!send(entry.frame)) break;
      entry.onSent?.();
      sent++;
    }
    queue.splice(0, sent);
    this.#queuedAt.splice(0, sent);
    this.#arm();
  }

  /** Drops every waiting frame and returns them. */
  drain(): OutboxEntry[] {
    const queue = this.#queue;
    this.#queue = [];
    this.#queuedAt = [];
    this.#arm();
    return queue;
  }

  /** Drops the entries older than `maxAge` from the head (the oldest come first), reporting each. */
  #expire(): void {
    const { maxAge, scheduler, report } = this.#limits;
    const now = scheduler.now();
    while (this.#queue.length > 0 && now - (this.#queuedAt[0] ?? now) >= maxAge) {
      const entry = this.#queue.shift() as OutboxEntry;
      this.#queuedAt.shift();
      const error = new OutboxExpiredError(entry.event, maxAge);
      if (entry.onDropped) entry.onDropped(error);
      else report(error);
    }
  }

  /** (Re-)arms the age timer for the oldest entry, or stops it when nothing waits. */
  #arm(): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    const { maxAge, scheduler } = this.#limits;
    const oldest = this.#queuedAt[0];
    if (oldest === undefined || maxAge === Infinity) return;
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
