import type { Codec } from '../codec/codec';
import { WS_OPEN, type WebSocketLike } from './web-socket';

// The end of a burst, in a microtask: a shared function, the batcher the value of a promise it made once and
// reuses. No closure per burst or per batcher, and cheaper than `queueMicrotask`, which Node wraps in an async
// resource per call (about 300 B and 100 ns more per burst, and a burst is every lone call).
function endBurst(batcher: WriteBatcher): void {
  batcher.endBurst();
}

/**
 * Coalesces the frames written in a burst into batch frames (the protocol allows an array of packets in a frame).
 * The first frame of a task goes out at once, so a lone call waits for nothing; the frames that follow it in the
 * same task are held until a microtask and sent together, as one batch frame (or as they are, if only one).
 * It holds the socket and the codec themselves, not closures over them: there is one per connection.
 * @internal
 */
export class WriteBatcher {
  readonly #socket: WebSocketLike;
  readonly #codec: Codec;
  /** The frames held in this burst; made when a burst has a second frame. */
  #pending: (string | Uint8Array)[] | undefined;
  #burst = false;
  /** Resolved with the batcher itself: each burst's end is one `then` on it. */
  readonly #self = Promise.resolve(this);

  /** `codec` must have `batch`. */
  constructor(socket: WebSocketLike, codec: Codec) {
    this.#socket = socket;
    this.#codec = codec;
  }

  push(frame: string | Uint8Array): void {
    if (this.#burst) {
      (this.#pending ??= []).push(frame);
      return;
    }
    this.#burst = true;
    this.#write(frame);
    void this.#self.then(endBurst);
  }

  /** The task that wrote the burst's first frame is over: what followed it leaves now. */
  endBurst(): void {
    this.#burst = false;
    this.flush();
  }

  /** Sends what is held now. */
  flush(): void {
    const frames = this.#pending;
    if (frames === undefined) return;
    this.#pending = undefined;
    this.#write(
      frames.length === 1 ? (frames[0] as string | Uint8Array) : (this.#codec.batch?.(frames) ?? ''),
    );
  }

  /** Drops what is held (the socket is gone). */
  clear(): void {
    this.#pending = undefined;
  }

  #write(frame: string | Uint8Array): void {
    if (this.#socket.readyState === WS_OPEN) this.#socket.send(frame);
  }
}
