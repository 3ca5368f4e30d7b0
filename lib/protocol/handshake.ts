import { HandshakeError, ProtocolError, type RemoteError } from '../errors';
import { ScEvent, type EventPacket, type HandshakeReply, type ResponsePacket } from './packets';
import { hydrateError } from './remote-error';

/** The liveness limit assumed when a handshake reply names none usable, in ms (SocketCluster's default). */
export const DEFAULT_PING_TIMEOUT = 30_000;
/**
 * The shortest liveness limit the client keeps, in ms. A server's pings come every `pingInterval` (8 s by default),
 * so a `pingTimeout` below a second, let alone one of 1 ms, would make the watchdog close a healthy connection
 * before any ping could reach it: a smaller value is raised to this one, with a `ping-timeout-too-short`
 * diagnostic.
 */
export const MIN_PING_TIMEOUT = 1_000;
const MAX_TIMER = 2 ** 31 - 1;

/** The `#handshake` packet: always the first packet of a connection, alone in its frame. */
export function handshakePacket(cid: number, authToken: string | null): EventPacket {
  return { event: ScEvent.handshake, data: { authToken }, cid };
}

/** What a successful handshake tells the client. */
export interface HandshakeInfo {
  readonly id: string;
  readonly pingTimeout: number;
  readonly isAuthenticated: boolean;
  readonly authError: RemoteError | undefined;
}

/** How a handshake reply reads: refused, or accepted (with a diagnostic when the reply was malformed). */
export type HandshakeOutcome =
  | { readonly refused: HandshakeError; readonly closeReason: string }
  | { readonly refused?: undefined; readonly info: HandshakeInfo; readonly problem?: ProtocolError };

function isValidReply(data: unknown): data is HandshakeReply {
  const reply = data as Partial<HandshakeReply> | null | undefined;
  const pingTimeout = reply?.pingTimeout;
  return (
    typeof reply?.id === 'string' &&
    typeof pingTimeout === 'number' &&
    pingTimeout > 0 &&
    pingTimeout < Infinity
  );
}

/**
 * Reads the server's reply to `#handshake`. An error reply is a refusal, closed with the `statusCode` it names
 * (4000 to 4999) or 4008. A reply without a socket id or a usable `pingTimeout` is accepted with defaults and a
 * `bad-handshake-reply` diagnostic, as the official client does. A `pingTimeout` below {@link MIN_PING_TIMEOUT} is
 * raised to it, with a `ping-timeout-too-short` diagnostic; one above the longest timer (2^31 - 1 ms) is lowered
 * to that.
 */
export function readHandshakeReply(packet: ResponsePacket): HandshakeOutcome {
  const error = hydrateError(packet.error);
  if (error) {
    const status = error.details.statusCode;
    const code = typeof status === 'number' && status >= 4000 && status <= 4999 ? status : 4008;
    return {
      refused: new HandshakeError(error.message, code, error),
      closeReason: `${error.remoteName}: ${error.message}`,
    };
  }
  const data = packet.data;
  if (!isValidReply(data)) {
    const problem = new ProtocolError(
      'bad-handshake-reply',
      'Handshake reply without a socket id or a valid pingTimeout',
    );
    return {
      info: { id: '', pingTimeout: DEFAULT_PING_TIMEOUT, isAuthenticated: false, authError: undefined },
      problem,
    };
  }
  const announced = data.pingTimeout;
  return {
    info: {
      id: data.id,
      pingTimeout: Math.min(Math.max(announced, MIN_PING_TIMEOUT), MAX_TIMER),
      // Only a literal `true` from the server means authenticated.
      isAuthenticated: (data as { isAuthenticated?: unknown }).isAuthenticated === true,
      authError: hydrateError(data.authError),
    },
    problem:
      announced < MIN_PING_TIMEOUT
        ? new ProtocolError(
            'ping-timeout-too-short',
            `pingTimeout ${announced} ms raised to ${MIN_PING_TIMEOUT} ms`,
          )
        : undefined,
  };
}
