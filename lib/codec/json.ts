import { bytesOf, fromBase64, toBase64 } from '../internal/base64';
import type { Codec } from './codec';

// The fast path is plain JSON.stringify / JSON.parse. A replacer or reviver costs V8 its native fast path, so they
// run only when a packet actually holds binary data (outbound) or a base64 wrapper (inbound).

// Searched in every inbound frame, so it must be cheap to look for: a pattern starting with a quote is several times
// slower to find than one starting with a rarer character (V8 scans for the first character). unwrapBinary checks
// the exact shape afterwards.
const BASE64_MARK = 'base64":true';

function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function containsBinary(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (isBinary(value)) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (containsBinary(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (containsBinary((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

// `this[key]` is the value before `toJSON` ran: Node's Buffer has a `toJSON` that would hide its bytes.
function binaryReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return isBinary(raw) ? { base64: true, data: toBase64(bytesOf(raw)) } : value;
}

/** The bytes of a `{"base64": true, "data": "..."}` wrapper, or `undefined` for anything else (bad base64 included). */
function bytesOfWrapper(value: unknown): Uint8Array | undefined {
  const record = value as Record<string, unknown>;
  if (record.base64 !== true || typeof record.data !== 'string' || Object.keys(record).length !== 2)
    return undefined;
  try {
    return fromBase64(record.data);
  } catch {
    return undefined; // not ours to fail the frame for: it stays a plain object
  }
}

// Iterative, with an explicit stack: a frame nested deeper than the call stack allows still decodes.
function unwrapBinary(root: unknown): unknown {
  // The root goes in a holder, so that a wrapper at the top is replaced like any other.
  const holder = { root };
  const pending: object[] = [holder];
  for (let node = pending.pop(); node; node = pending.pop()) {
    const container = node as Record<string, unknown>;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      const child = container[key];
      if (child === null || typeof child !== 'object') continue;
      const bytes = bytesOfWrapper(child);
      if (bytes) container[key] = bytes;
      else pending.push(child);
    }
  }
  return holder.root;
}

/**
 * The default codec: JSON text frames, wire-compatible with SocketCluster's default `sc-formatter`.
 *
 * Binary values (`ArrayBuffer`, `Uint8Array` and other views, Node `Buffer`) are sent as
 * `{"base64": true, "data": "..."}`, the form sc-formatter uses; such objects coming back are turned into
 * `Uint8Array` (a wrapper whose `data` is not valid base64 is left as it is). Everything else follows
 * `JSON.stringify` rules (`undefined` fields dropped, `Date` as ISO string).
 *
 * @returns A {@link Codec}.
 * @example
 * ```ts
 * createClient({ url, codec: jsonCodec() }); // the same as leaving `codec` out
 * ```
 */
export function jsonCodec(): Codec {
  let decoder: TextDecoder | undefined;
  return {
    name: 'json',
    encode(packet: unknown): string {
      if (containsBinary(packet, 0)) {
        return JSON.stringify(packet, binaryReplacer);
      }
      return JSON.stringify(packet);
    },
    batch(frames: readonly (string | Uint8Array)[]): string {
      return `[${frames.join(',')}]`;
    },
    decode(frame: string | ArrayBuffer | Uint8Array): unknown {
      const text = typeof frame === 'string' ? frame : (decoder ??= new TextDecoder()).decode(frame);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        // V8's message quotes the frame, which may carry a token: report the fact, not the content.
        throw new SyntaxError(`A frame of ${text.length} characters is not valid JSON`);
      }
      return text.includes(BASE64_MARK) ? unwrapBinary(value) : value;
    },
  };
}
