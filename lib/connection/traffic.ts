/**
 * Frames and bytes through the client's sockets, over its whole life: the counters the engine's stats read. One
 * object per client, shared by its attempts, written on every frame (two additions; nothing is allocated).
 * @internal
 */
export interface Traffic {
  framesIn: number;
  framesOut: number;
  /** Bytes of binary frames, UTF-16 code units of text frames (the byte count of ASCII text). */
  bytesIn: number;
  bytesOut: number;
}

/** A new set of counters at zero. @internal */
export function newTraffic(): Traffic {
  return { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 };
}

/** The size a frame counts for: its length in bytes when binary, in UTF-16 code units when text. @internal */
export function frameSize(frame: unknown): number {
  return typeof frame === 'string' ? frame.length : (frame as ArrayBufferLike).byteLength;
}
