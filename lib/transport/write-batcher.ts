/**
 * Coalesces the frames written during one task into one batch frame (the protocol allows an array of packets in a
 * frame), sent from a microtask. A single frame goes out as it is.
 * @internal
 */
export class WriteBatcher {
  readonly #write: (frame: string | Uint8Array) => void;
  readonly #batch: (frames: readonly (string | Uint8Array)[]) => string | Uint8Array;
  #pending: (string | Uint8Array)[] = [];

  constructor(
    write: (frame: string | Uint8Array) => void,
    batch: (frames: readonly (string | Uint8Array)[]) => string | Uint8Array,
  ) {
    this.#write = write;
    this.#batch = batch;
  }

  push(frame: string | Uint8Array): void {
    if (this.#pending.push(frame) === 1) queueMicrotask(() => this.flush());
  }

  /** Sends what is pending now. */
  flush(): void {
    const frames = this.#pending;
    const [first] = frames;
    if (first === undefined) return;
    this.#pending = [];
    this.#write(frames.length === 1 ? first : this.#batch(frames));
  }

  /** Drops what is pending (the socket is gone). */
  clear(): void {
    this.#pending = [];
  }
}
