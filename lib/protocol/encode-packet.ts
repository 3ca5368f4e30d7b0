import type { Codec } from '../codec/codec';
import { quote } from '../internal/quote';

/** Throws a `TypeError` unless `event` is a non-empty string. @internal */
export function checkEvent(event: unknown, what = 'event'): asserts event is string {
  if (typeof event !== 'string' || event === '') {
    throw new TypeError(`The ${what} name must be a non-empty string`);
  }
}

/**
 * Encodes an outbound event packet, turning a codec failure (cyclic data, a BigInt...) into a `TypeError` thrown at
 * the caller. @internal
 */
export function encodeEvent(codec: Codec, event: string, data: unknown, cid?: number): string | Uint8Array {
  try {
    return codec.encode(cid === undefined ? { event, data } : { event, data, cid });
  } catch (cause) {
    throw new TypeError(
      `The data of ${quote(event)} cannot be encoded by the ${codec.name} codec: ${String(cause)}`,
      {
        cause,
      },
    );
  }
}
