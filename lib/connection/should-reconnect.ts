import { ConnectionError, HandshakeError } from '../errors';

/** Close codes after which a reconnect is attempted at once: ping timeouts (4000, 4001) and 1005. @internal */
export const IMMEDIATE = new Set([4000, 4001, 1005]);

/** The close code an error ended the connection with, or `undefined` when it is not a connection error. */
export function closeCodeOf(err: unknown): number | undefined {
  if (err instanceof ConnectionError) return err.closeCode;
  if (err instanceof HandshakeError) return err.statusCode;
  return undefined;
}

/**
 * Whether the client reconnects after a connection ended with `err`. No after a server-sent 1000 (a deliberate
 * `socket.disconnect()`), after any code of 4500 or above (the application's "do not come back"), or after an
 * error that is not a connection error.
 */
export function shouldReconnect(err: unknown): boolean {
  const code = closeCodeOf(err);
  return code !== undefined && code !== 1000 && code < 4500;
}

/** Whether the first reconnect after `err` runs without delay (ping timeouts and 1005, as the official client). */
export function reconnectsAtOnce(err: unknown): boolean {
  const code = closeCodeOf(err);
  return code !== undefined && IMMEDIATE.has(code);
}

/** The close code, reason and error a connection or handshake error gives the `closed` state. */
export function closeInfoOf(error: unknown): {
  code?: number;
  reason?: string;
  error?: ConnectionError | HandshakeError;
} {
  const code = closeCodeOf(error);
  if (code === undefined) return {};
  if (error instanceof ConnectionError) return { code, reason: error.reason, error };
  const handshakeError = error as HandshakeError;
  const { remote } = handshakeError;
  return { code, reason: `${remote.remoteName}: ${remote.message}`, error: handshakeError };
}

/** The close code and reason of a connection or handshake error as one phrase (`1006 Socket hung up`). */
export function describeClose(error: unknown): string | undefined {
  const { code, reason } = closeInfoOf(error);
  return code === undefined ? undefined : `${code}${reason ? ` ${reason}` : ''}`;
}
