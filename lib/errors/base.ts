/** The base class of every error the client produces, and the union of their codes. */

/**
 * What ended a connection or attempt, as far as the platform tells:
 *
 * - `CONNECTION_CLOSED`: the socket closed; `closeCode` and `reason` say how (the server's code, or 1006 when it
 *   hung up). Browsers report every failure to connect this way: they give scripts no detail.
 * - `CONNECTION_REFUSED`: nothing listens at that host and port.
 * - `HOST_NOT_FOUND`: the host name does not resolve.
 * - `UPGRADE_REFUSED`: the server answered the WebSocket upgrade with an HTTP status (`httpStatus`): 404 for a
 *   wrong path, 401 or 403 from a proxy, 502 or 503 from a load balancer with no server behind it.
 * - `TLS_FAILED`: the TLS handshake failed (an untrusted or self-signed certificate, a name mismatch, TLS spoken to
 *   a plain port).
 * - `CONNECT_TIMEOUT`: no socket, or no handshake reply, within `connectTimeout`.
 * - `MESSAGE_TOO_LARGE`: an inbound message exceeded `maxPayload`, and the client closed with 1009.
 */
export type ConnectionErrorCode =
  | 'CONNECTION_CLOSED'
  | 'CONNECTION_REFUSED'
  | 'HOST_NOT_FOUND'
  | 'UPGRADE_REFUSED'
  | 'TLS_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'MESSAGE_TOO_LARGE';

/** The stable codes carried by {@link ScClientError} subclasses. */
export type ScErrorCode =
  | ConnectionErrorCode
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
