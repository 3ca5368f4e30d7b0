/** The base class of every error the client produces, and the union of their codes. */

/** The stable codes carried by {@link ScClientError} subclasses. */
export type ScErrorCode =
  | 'CONNECTION_CLOSED'
  | 'CONNECTION_REFUSED'
  | 'HOST_NOT_FOUND'
  | 'UPGRADE_REFUSED'
  | 'TLS_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'MESSAGE_TOO_LARGE'
  | 'HANDSHAKE_REJECTED'
  | 'ACK_TIMEOUT'
  | 'CALL_NOT_SENT'
  | 'REMOTE_ERROR'
  | 'CODEC_ERROR'
  | 'CLIENT_CLOSED'
  | 'OUTBOX_OVERFLOW'
  | 'OUTBOX_EXPIRED'
  | 'PROTOCOL_ERROR'
  | 'CHANNEL_SUBSCRIBE_REJECTED'
  | 'CHANNEL_KICKED_OUT'
  | 'AUTH_TOKEN_INVALID'
  | 'AUTH_TOKEN_EXPIRED'
  | 'TOKEN_STORE_FAILED'
  | 'AUTH_REFRESH_FAILED';

/**
 * Base class of every error produced by rx-socketcluster.
 *
 * @example
 * ```ts
 * client.errors$.subscribe((err) => console.warn(err.code, err.message));
 * ```
 */
export abstract class ScClientError extends Error {
  /** Stable, machine-readable code. */
  abstract readonly code: ScErrorCode;
}
