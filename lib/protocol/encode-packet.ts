import type { Codec } from '../codec/codec';
import { quote } from '../internal/quote';

/** Throws a `TypeError` unless `event` is a non-empty string. @internal */
export function checkEvent(event: unknown, what = 'event'): asserts event is string {
  if (typeof event !== 'string' || event === '') {
    throw new TypeError(`The ${what} name must be a non-empty string`);
  }
}

/**
 * Throws a `TypeError` unless `name` is a non-empty string that does not start with `#`: names starting with `#`
 * are the protocol's (`#subscribe`, `#removeAuthToken`...), and one sent or received by the application would put
 * the server's view of the socket out of step with the client's. For the event and procedure names the public API
 * takes; the client's own reserved calls do not pass here. @internal
 */
export function checkUserEvent(name: unknown, what = 'event'): asserts name is string {
  checkEvent(name, what);
  if (name.charCodeAt(0) === 35) {
    throw new TypeError(
      `The ${what} name ${quote(name)} starts with '#', which the SocketCluster protocol reserves`,
    );
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
