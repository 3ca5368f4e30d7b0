/**
 * Coalesces the frames written in a burst into batch frames (the protocol allows an array of packets in a frame).
 * The first frame of a task goes out at once, so a lone call waits for nothing; the frames that follow it in the
 * same task are held until a microtask and sent together, as one batch frame (or as they are, if only one).
 * @internal
 */
export class WriteBatcher {
  readonly #write: (frame: string | Uint8Array) => void;
  readonly #batch: (frames: readonly (string | Uint8Array)[]) => string | Uint8Array;
  #pending: (string | Uint8Array)[] = [];
  #burst = false;

  constructor(
    write: (frame: string | Uint8Array) => void,
    batch: (frames: readonly (string | Uint8Array)[]) => string | Uint8Array,
  ) {
    this.#write = write;
    this.#batch = batch;
  }

  push(frame: string | Uint8Array): void {
    if (this.#burst) {
      this.#pending.push(frame);
      return;
    }
    this.#burst = true;
    this.#write(frame);
    queueMicrotask(() => {
      this.#burst = false;
      this.flush();
    });
  }

  /** Sends what is held now. */
  flush(): void {
    const frames = this.#pending;
    const [first] = frames;
    if (first === undefined) return;
    this.#pending = [];
    this.#write(frames.length === 1 ? first : this.#batch(frames));
  }

  /** Drops what is held (the socket is gone). */
  clear(): void {
    this.#pending = [];
  }
}
