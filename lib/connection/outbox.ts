/** A frame waiting for a connection. */
export interface OutboxEntry {
  /** The encoded frame. */
  readonly frame: string | Uint8Array;
  /** Its event name, for error reports. */
  readonly event: string;
  /** Called when the frame is handed to an open socket. */
  readonly onSent?: () => void;
}

/**
 * The bounded FIFO of frames written while no connection is open, flushed in order after the next handshake.
 * @internal
 */
export class Outbox {
  #queue: OutboxEntry[] = [];

  /** Most frames held at once. */
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Frames waiting. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queues `entry`; returns `false` (queueing nothing) when the outbox is full. */
  push(entry: OutboxEntry): boolean {
    if (this.#queue.length >= this.limit) return false;
    this.#queue.push(entry);
    return true;
  }

  /** Takes `entry` out, if it is still waiting (a call that timed out or was cancelled). */
  remove(entry: OutboxEntry): void {
    const index = this.#queue.indexOf(entry);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  /** Sends waiting frames in order, until `send` refuses one (the socket closed again). */
  flush(send: (frame: string | Uint8Array) => boolean): void {
    const queue = this.#queue;
    let sent = 0;
    for (const entry of queue) {
      if (!send(entry.frame)) break;
      entry.onSent?.();
      sent++;
    }
    queue.splice(0, sent);
  }

  /** Drops every waiting frame and returns them. */
  drain(): OutboxEntry[] {
    const queue = this.#queue;
    this.#queue = [];
    return queue;
  }
}
