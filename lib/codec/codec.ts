/**
 * A codec turns packets into WebSocket frames and back. Both peers must use the same one: nothing on the wire says
 * which is in use. Ping and pong frames never pass through it.
 *
 * `decode` may return an array (a batch of packets). Codecs are pure; they throw on bad input and the client wraps
 * what they throw in a `CodecError`.
 *
 * @example
 * ```ts
 * const upperJson: Codec = {
 *   name: 'json',
 *   encode: (packet) => JSON.stringify(packet),
 *   decode: (frame) => JSON.parse(typeof frame === 'string' ? frame : new TextDecoder().decode(frame)),
 * };
 * createClient({ url, codec: upperJson });
 * ```
 */
export interface Codec {
  /** A short name, for diagnostics. */
  readonly name: string;
  /** The WebSocket `binaryType` the codec needs for binary frames. Default: `'arraybuffer'`. */
  readonly binaryType?: 'arraybuffer';
  /** Encodes one packet, or an array of packets, into one frame. */
  encode(packet: unknown): string | Uint8Array;
  /** Decodes one frame into a packet or an array of packets. */
  decode(frame: string | ArrayBuffer | Uint8Array): unknown;
  /**
   * Joins frames this codec encoded into one frame holding the array of their packets, without decoding them.
   * Optional: with it, the client can coalesce the frames written in one task into one batch frame.
   */
  batch?(frames: readonly (string | Uint8Array)[]): string | Uint8Array;
}
