import type { Codec } from '../codec/codec';
import { CodecError, ProtocolError } from '../errors';
import { PING_FRAMES, type ProtocolVersion } from './packets';

/** The diagnostic for a ping of the other protocol version than the client's. */
export function otherVersion(version: ProtocolVersion): ProtocolError {
  const other = version === 1 ? 2 : 1;
  return new ProtocolError(
    'unexpected-frame',
    `Received a protocol ${other} ping: the server speaks protocol version ${other}, set protocolVersion: ${other}`,
  );
}

/**
 * Why a frame that did not decode did not: a ping of the other protocol version means the client's
 * `protocolVersion` does not match the server's. `undefined` for any other frame.
 */
function versionMismatch(frame: unknown, version: ProtocolVersion): ProtocolError | undefined {
  return frame === PING_FRAMES[version === 1 ? 2 : 1].ping ? otherVersion(version) : undefined;
}

/** Whether a decoded packet is the protocol 1 ping, which SocketCluster 14 sends through its codec. */
export function isDecodedLegacyPing(decoded: unknown): boolean {
  return decoded === PING_FRAMES[1].ping;
}

/** The event by which SocketCluster 14 (protocol 1) announces that it is closing the socket. */
const LEGACY_DISCONNECT = '#disconnect';

/** The close reason carried by SocketCluster 14's `#disconnect` packet, or `undefined` for any other packet. */
export function legacyDisconnectReason(packet: unknown): string | undefined {
  if ((packet as { event?: unknown } | null)?.event !== LEGACY_DISCONNECT) return undefined;
  const data = (packet as { data?: { data?: unknown } }).data?.data;
  return typeof data === 'string' ? data : '';
}

/**
 * Decodes a frame that is not a ping of the client's protocol version. Throws the diagnostic to report when it
 * does not decode: a `ProtocolError` when it is a ping of the other version (the client's `protocolVersion` does
 * not match the server's), else a `CodecError`.
 */
export function decodeFrame(codec: Codec, frame: unknown, version: ProtocolVersion): unknown {
  try {
    return codec.decode(frame as string | ArrayBuffer);
  } catch (cause) {
    throw (
      versionMismatch(frame, version) ??
      new CodecError(`The ${codec.name} codec could not decode a frame`, { cause })
    );
  }
}
