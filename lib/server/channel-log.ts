import type { LostRange, RecoverReply, RecoverRequest } from '../protocol/recovery-wire';

/** The limits of one channel's history. */
export interface HistoryLimits {
  /** Messages kept per channel. */
  readonly size: number;
  /** Age after which a message is dropped, in ms. */
  readonly age: number;
}

/**
 * One channel's sequence and bounded history: a ring of the last `size` messages, each with the time it was
 * stamped, trimmed by age when read or written. Its sequences mean something only in its `epoch`: a log made again
 * for the channel (after the server restarted, or forgot an idle channel) numbers from 1 in an epoch of its own.
 */
export class ChannelLog {
  /** The last sequence given (0 before the first message). */
  top = 0;
  readonly epoch: string;
  /** The start of the channel's JSON `#publish` frames, made at its first stamped delivery (see stampedFrame). */
  framePrefix: string | undefined;
  readonly #data: unknown[] = [];
  readonly #times: number[] = [];
  /** Index in the ring of the oldest message kept. */
  #head = 0;
  /** Messages kept. */
  #count = 0;
  readonly #limits: HistoryLimits;

  constructor(limits: HistoryLimits, epoch: string) {
    this.#limits = limits;
    this.epoch = epoch;
  }

  /** Stamps `data`: returns its sequence. */
  append(data: unknown, now: number): number {
    const { size } = this.#limits;
    const seq = ++this.top;
    if (size === 0) return seq;
    const at = (this.#head + this.#count) % size;
    this.#data[at] = data;
    this.#times[at] = now;
    if (this.#count < size) this.#count++;
    else this.#head = (this.#head + 1) % size;
    this.#trim(now);
    return seq;
  }

  /** The oldest sequence still kept (`top + 1` when none is). */
  oldest(now: number): number {
    this.#trim(now);
    return this.top - this.#count + 1;
  }

  /** Whether the log holds nothing and has been idle longer than the age limit (it can be forgotten). */
  idle(now: number): boolean {
    return this.oldest(now) > this.top;
  }

  /**
   * The answer to `request` for a socket that subscribed when the channel was at sequence `joined` (undefined
   * when not known): the messages it missed, and what it cannot get.
   */
  recover(request: RecoverRequest, joined: number | undefined, now: number): RecoverReply {
    const epoch = this.epoch;
    const oldest = this.oldest(now);
    let after: number;
    let lost: LostRange | undefined;
    if (request.epoch !== undefined && request.seq !== undefined) {
      if (request.epoch !== epoch || request.seq > this.top) {
        lost = { reason: 'epoch-changed', epoch: request.epoch, from: request.seq + 1 };
        after = joined ?? this.top;
      } else {
        after = request.seq;
      }
    } else {
      // A first request: what was published since the socket subscribed is owed; a rewind beyond it is a favour,
      // given as far as the history reaches.
      const owed = joined ?? this.top;
      after = Math.max(Math.min(owed, this.top - (request.rewind ?? 0)), Math.min(owed, oldest - 1));
    }
    after = Math.max(after, 0);
    if (after + 1 < oldest) {
      // Even the epoch-change case can miss what was published since the socket subscribed, if the limits are tiny.
      if (!lost) lost = { reason: 'history-exceeded', epoch, from: after + 1, to: oldest - 1 };
      after = oldest - 1;
    }
    const messages: [number, unknown][] = [];
    const size = this.#limits.size;
    for (let seq = after + 1; seq <= this.top; seq++) {
      messages.push([seq, this.#data[(this.#head + (seq - oldest)) % size]]);
    }
    const reply: { epoch: string; top: number; messages: [number, unknown][]; lost?: LostRange } = {
      epoch,
      top: this.top,
      messages,
    };
    if (lost) reply.lost = lost;
    return reply;
  }

  #trim(now: number): void {
    const { size, age } = this.#limits;
    while (this.#count > 0 && now - (this.#times[this.#head] ?? now) > age) {
      this.#data[this.#head] = undefined;
      this.#head = (this.#head + 1) % size;
      this.#count--;
    }
  }
}
