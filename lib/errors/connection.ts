import { ScClientError, type ConnectionErrorCode } from './base';
import type { RemoteError } from './calls';

/** Whether a connection closed before its handshake completed (`connectAbort`) or after (`disconnect`). */
export type ClosePhase = 'connectAbort' | 'disconnect';

/** The cause of a {@link ConnectionError}: its `code` (default `CONNECTION_CLOSED`) and the HTTP status, if any. */
export interface ConnectionErrorOptions extends ErrorOptions {
  readonly code?: ConnectionErrorCode;
  readonly httpStatus?: number;
}

/**
 * The WebSocket closed, or could not be opened.
 *
 * Carried by the `closed` state (`error`) and reported on `errors$`, once per failed attempt or lost connection;
 * errors the `invoke()` calls that were in flight on that connection. `code` names the cause (see
 * {@link ConnectionErrorCode}); `closeCode` is the WebSocket close code (SocketCluster codes 4000 to 4009 included);
 * `cause` holds the platform's own error, when it gave one.
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
  /** What ended the connection: see {@link ConnectionErrorCode}. */
  declare readonly code: ConnectionErrorCode;
  /** The HTTP status the server answered the upgrade with (`UPGRADE_REFUSED` only). */
  declare readonly httpStatus?: number;
  /** WebSocket close code. */
  declare readonly closeCode: number;
  /** Close reason sent by the peer or chosen by the client. */
  declare readonly reason: string;
  /** `connectAbort` before the handshake reply, `disconnect` after it. */
  declare readonly phase: ClosePhase;

  constructor(closeCode: number, reason: string, phase: ClosePhase, options?: ConnectionErrorOptions) {
    super(
      `Connection ${phase === 'disconnect' ? 'lost' : 'failed'} (${closeCode}${reason ? `: ${reason}` : ''})`,
      options,
    );
    this.code = options?.code ?? 'CONNECTION_CLOSED';
    if (options?.httpStatus !== undefined) this.httpStatus = options.httpStatus;
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
