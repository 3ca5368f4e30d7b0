import { ScClientError } from './base';
import type { RemoteError } from './calls';

/** Whether a connection closed before its handshake completed (`connectAbort`) or after (`disconnect`). */
export type ClosePhase = 'connectAbort' | 'disconnect';

/**
 * The WebSocket closed, or could not be opened.
 *
 * Errors the `invoke()` calls that were in flight on that connection, and the client's connection loop when it
 * stops retrying. `closeCode` is the WebSocket close code (SocketCluster codes 4000 to 4009 included).
 *
 * @example
 * ```ts
 * client.invoke('save', doc).subscribe({
 *   error: (err) => { if (err instanceof ConnectionError) retryLater(err.closeCode); },
 * });
 * ```
 */
export class ConnectionError extends ScClientError {
  override readonly name = 'ConnectionError';
  readonly code = 'CONNECTION_CLOSED';

  /** WebSocket close code. */
  declare readonly closeCode: number;
  /** Close reason sent by the peer or chosen by the client. */
  declare readonly reason: string;
  /** `connectAbort` before the handshake reply, `disconnect` after it. */
  declare readonly phase: ClosePhase;

  constructor(closeCode: number, reason: string, phase: ClosePhase, options?: ErrorOptions) {
    super(
      `Connection ${phase === 'disconnect' ? 'lost' : 'failed'} (${closeCode}${reason ? `: ${reason}` : ''})`,
      options,
    );
    this.closeCode = closeCode;
    this.reason = reason;
    this.phase = phase;
  }
}

/**
 * The server refused the `#handshake` (handshake middleware blocked it). `statusCode` is the close code the
 * server asked for; codes of 4500 and above stop reconnection.
 */
export class HandshakeError extends ScClientError {
  override readonly name = 'HandshakeError';
  readonly code = 'HANDSHAKE_REJECTED';

  /** The close code carried by the server's error (`statusCode`), 4008 when it named none. */
  declare readonly statusCode: number;
  /** The server's error, as sent. */
  declare readonly remote: RemoteError;

  constructor(message: string, statusCode: number, remote: RemoteError) {
    super(message);
    this.statusCode = statusCode;
    this.remote = remote;
  }
}
