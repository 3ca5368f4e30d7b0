import type { Subscriber, Subscription } from 'rxjs';
import { CallNotSentError, ConnectionError } from '../errors';
import {
  isStamped,
  RECOVER_PROCEDURE,
  type LostRange,
  type RecoverReply,
  type RecoverRequest,
} from '../protocol/recovery-wire';
import type { ChannelState } from '../channels/channel-state';
import type { ChannelEvent } from './channel-events';
import type { RecoveryClient } from './recovery-client';

type Phase = 'waiting' | 'asking' | 'live' | 'plain';

/**
 * The recovery of one channel for one subscriber: after each subscription on a new connection it asks the server
 * for what it missed since the last sequence it delivered, holds the live messages that arrive meanwhile, merges
 * both by sequence and drops what it delivered already.
 *
 * Until the server answers, the socket receives the channel's messages unstamped; each of them was published
 * before the answer and is in it (or in the range it reports lost), so they are held only in case the server turns
 * out not to recover (`unsupported`), and dropped otherwise.
 * @internal
 */
export class ChannelRecovery<T> {
  #phase: Phase = 'waiting';
  #epoch: string | undefined;
  /** The last sequence delivered. */
  #last = 0;
  /** Whether a reply set the cursor (a first subscription has none). */
  #started = false;
  #held: { seq: number; data: unknown }[] = [];
  #raw: unknown[] = [];
  #asked = 0;
  #call: Subscription | undefined;
  readonly #client: RecoveryClient;
  readonly #name: string;
  readonly #rewind: number;
  readonly #timeout: number | undefined;
  readonly #out: Subscriber<ChannelEvent<T>>;

  constructor(
    client: RecoveryClient,
    name: string,
    options: { rewind?: number; timeout?: number },
    out: Subscriber<ChannelEvent<T>>,
  ) {
    this.#client = client;
    this.#name = name;
    this.#rewind = options.rewind ?? 0;
    this.#timeout = options.timeout;
    this.#out = out;
  }

  state(state: ChannelState): void {
    if (state === 'subscribed') {
      this.#ask();
      return;
    }
    if (this.#phase !== 'plain') this.#phase = 'waiting';
    this.#raw = [];
    this.#held = [];
    this.#call?.unsubscribe();
  }

  message(message: unknown): void {
    if (isStamped(message)) {
      if (this.#phase === 'asking') this.#held.push({ seq: message.$seq, data: message.$data });
      else if (this.#phase === 'live') this.#deliver(message.$seq, message.$data);
      else if (this.#phase === 'plain') this.#emit(undefined, message.$data);
    } else if (this.#phase === 'plain') {
      this.#emit(undefined, message);
    } else if (this.#phase !== 'live') {
      this.#raw.push(message);
    }
  }

  stop(): void {
    this.#call?.unsubscribe();
  }

  #ask(): void {
    if (this.#phase === 'plain') return;
    this.#phase = 'asking';
    const asked = ++this.#asked;
    const request: { -readonly [K in keyof RecoverRequest]: RecoverRequest[K] } = { channel: this.#name };
    if (this.#started) {
      request.epoch = this.#epoch;
      request.seq = this.#last;
    } else if (this.#rewind > 0) {
      request.rewind = this.#rewind;
    }
    this.#call?.unsubscribe();
    this.#call = this.#client
      .invoke(
        RECOVER_PROCEDURE,
        request,
        this.#timeout === undefined ? undefined : { timeout: this.#timeout },
      )
      .subscribe({
        next: (reply) => {
          if (asked === this.#asked) this.#replied(reply as RecoverReply);
        },
        error: (error: unknown) => {
          if (asked === this.#asked) this.#failed(error);
        },
      });
  }

  #replied(reply: RecoverReply): void {
    if (!isReply(reply)) {
      this.#unsupported();
      return;
    }
    const continuing = this.#started && reply.epoch === this.#epoch && !reply.lost;
    const from = this.#last + 1;
    if (reply.lost) this.#gap(reply.lost);
    const first = reply.messages[0];
    if (!continuing) this.#last = first ? first[0] - 1 : reply.top;
    this.#epoch = reply.epoch;
    this.#phase = 'live';
    this.#raw = [];
    for (const [seq, data] of reply.messages) this.#deliver(seq, data);
    if (continuing) {
      this.#out.next({ type: 'recovered', channel: this.#name, epoch: reply.epoch, from, to: reply.top });
    }
    this.#started = true;
    const held = this.#held.sort((a, b) => a.seq - b.seq);
    this.#held = [];
    for (const { seq, data } of held) this.#deliver(seq, data);
  }

  #failed(error: unknown): void {
    // A lost connection: the next subscription asks again.
    if (error instanceof ConnectionError || error instanceof CallNotSentError) return;
    this.#unsupported();
  }

  /** The server does not recover: say so once, then deliver the channel's messages as they come. */
  #unsupported(): void {
    this.#gap({ reason: 'unsupported', epoch: this.#epoch, from: this.#last + 1 });
    this.#phase = 'plain';
    const raw = this.#raw;
    const held = this.#held;
    this.#raw = [];
    this.#held = [];
    for (const data of raw) this.#emit(undefined, data);
    for (const { data } of held) this.#emit(undefined, data);
  }

  #deliver(seq: number, data: unknown): void {
    if (seq <= this.#last) return;
    if (seq > this.#last + 1) {
      this.#gap({ reason: 'sequence-jump', epoch: this.#epoch, from: this.#last + 1, to: seq - 1 });
    }
    this.#last = seq;
    this.#emit(seq, data);
  }

  #emit(seq: number | undefined, data: unknown): void {
    this.#out.next({ type: 'message', channel: this.#name, seq, data: data as T });
  }

  #gap(lost: LostRange): void {
    const gap: { -readonly [K in keyof LostRange]: LostRange[K] } & { type: 'gap'; channel: string } = {
      type: 'gap',
      channel: this.#name,
      reason: lost.reason,
      epoch: lost.epoch,
      from: lost.from,
    };
    if (lost.to !== undefined) gap.to = lost.to;
    this.#out.next(gap);
  }
}

function isReply(value: unknown): value is RecoverReply {
  const reply = value as RecoverReply | null | undefined;
  return (
    typeof reply?.epoch === 'string' &&
    typeof reply.top === 'number' &&
    Array.isArray(reply.messages) &&
    reply.messages.every((m) => Array.isArray(m) && typeof m[0] === 'number')
  );
}
