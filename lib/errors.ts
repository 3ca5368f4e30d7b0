/**
 * Every error the client produces. Each class has a literal `name` (safe from minifiers) and a stable string
 * `code`, so callers can `switch (err.code)` over {@link AnyScError}.
 *
 * @packageDocumentation
 */

/** The stable codes carried by {@link ScClientError} subclasses. */
export type ScErrorCode =
  | 'CONNECTION_CLOSED'
  | 'HANDSHAKE_REJECTED'
  | 'ACK_TIMEOUT'
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

/** An `invoke()` got no answer within its timeout. */
export class AckTimeoutError extends ScClientError {
  override readonly name = 'AckTimeoutError';
  readonly code = 'ACK_TIMEOUT';

  /** The event (procedure) that was invoked. */
  declare readonly event: string;
  /** The timeout that passed, in milliseconds. */
  declare readonly timeout: number;

  constructor(event: string, timeout: number) {
    super(`No response to '${event}' within ${timeout} ms`);
    this.event = event;
    this.timeout = timeout;
  }
}

/**
 * The server answered an invoke with an error. The server's `name`, `message` and every other field it sent are
 * kept: `remoteName`, `message` and `details`.
 *
 * @example
 * ```ts
 * client.invoke('sum', { a: 1 }).subscribe({
 *   error: (err) => { if (err instanceof RemoteError && err.remoteName === 'BadArgs') showHint(); },
 * });
 * ```
 */
export class RemoteError extends ScClientError {
  override readonly name = 'RemoteError';
  readonly code = 'REMOTE_ERROR';

  /** The server-side error's `name` (for example `SilentMiddlewareBlockedError`), `'Error'` if it sent none. */
  declare readonly remoteName: string;
  /** Every other field of the server's error object (for example `statusCode`, `isBadToken`, `type`). */
  declare readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, remoteName: string, details: Readonly<Record<string, unknown>>) {
    super(message);
    this.remoteName = remoteName;
    this.details = details;
  }
}

/**
 * An inbound frame could not be decoded by the codec; the codec's error is `cause`. Reported on `errors$`; the
 * connection goes on. (Outbound data the codec cannot encode is a programmer error: a `TypeError` at the call.)
 */
export class CodecError extends ScClientError {
  override readonly name = 'CodecError';
  readonly code = 'CODEC_ERROR';
}

/** The client was closed with `close()`; it cannot be used again. */
export class ClientClosedError extends ScClientError {
  override readonly name = 'ClientClosedError';
  readonly code = 'CLIENT_CLOSED';

  constructor() {
    super('The client is closed');
  }
}

/** The outbox (frames waiting for a connection) is full; the frame was not queued. */
export class OutboxOverflowError extends ScClientError {
  override readonly name = 'OutboxOverflowError';
  readonly code = 'OUTBOX_OVERFLOW';

  /** The event whose frame was refused. */
  declare readonly event: string;
  /** The outbox limit in force. */
  declare readonly limit: number;

  constructor(event: string, limit: number) {
    super(`Outbox full (${limit} frames): '${event}' was not queued`);
    this.event = event;
    this.limit = limit;
  }
}

/**
 * A frame waited in the outbox (no connection) longer than the `outboxMaxAge` option allows and was dropped
 * unsent. Errors the affected `invoke` or `publish`; reported on `errors$` for a `transmit` or `transmitPublish`.
 */
export class OutboxExpiredError extends ScClientError {
  override readonly name = 'OutboxExpiredError';
  readonly code = 'OUTBOX_EXPIRED';

  /** The event whose frame was dropped. */
  declare readonly event: string;
  /** The age limit in force, in ms. */
  declare readonly maxAge: number;

  constructor(event: string, maxAge: number) {
    super(`'${event}' waited ${maxAge} ms for a connection and was dropped unsent`);
    this.event = event;
    this.maxAge = maxAge;
  }
}

/** What kind of protocol problem a {@link ProtocolError} reports. */
export type ProtocolErrorKind =
  | 'malformed-packet'
  | 'unknown-rid'
  | 'unhandled-event'
  | 'unhandled-procedure'
  | 'bad-handshake-reply'
  | 'unexpected-frame'
  | 'unknown-channel'
  | 'illegal-transition'
  | 'message-too-large';

/**
 * The server sent something the client could not use: a packet of no known shape, a response to no pending call,
 * an event nobody listens to, a malformed handshake reply. Reported on `errors$`; the connection goes on.
 */
export class ProtocolError extends ScClientError {
  override readonly name = 'ProtocolError';
  readonly code = 'PROTOCOL_ERROR';

  /** What went wrong. */
  declare readonly kind: ProtocolErrorKind;

  constructor(kind: ProtocolErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/**
 * The server refused a channel subscription (its subscribe middleware blocked it, or the broker failed). Errors that
 * channel's Observable; it is not retried unless the caller asks (for example with `retry`).
 *
 * @example
 * ```ts
 * client.channel('admin').subscribe({
 *   error: (err) => { if (err instanceof ChannelSubscribeError) console.warn(err.remote.remoteName); },
 * });
 * ```
 */
export class ChannelSubscribeError extends ScClientError {
  override readonly name = 'ChannelSubscribeError';
  readonly code = 'CHANNEL_SUBSCRIBE_REJECTED';
  /** The channel. */
  declare readonly channel: string;
  /** The server's error. */
  declare readonly remote: RemoteError;

  constructor(channel: string, remote: RemoteError) {
    super(`Subscription to '${channel}' refused: ${remote.message}`);
    this.channel = channel;
    this.remote = remote;
  }
}

/** The server kicked the client out of a channel (`socket.kickOut()`). Errors that channel's Observable. */
export class ChannelKickOutError extends ScClientError {
  override readonly name = 'ChannelKickOutError';
  readonly code = 'CHANNEL_KICKED_OUT';
  /** The channel. */
  declare readonly channel: string;
  /** The message the server gave, if any. */
  declare readonly kickOutMessage: unknown;

  constructor(channel: string, kickOutMessage: unknown) {
    super(
      `Kicked out of '${channel}'${typeof kickOutMessage === 'string' && kickOutMessage ? `: ${kickOutMessage}` : ''}`,
    );
    this.channel = channel;
    this.kickOutMessage = kickOutMessage;
  }
}

/**
 * A token the client was given or found cannot be used: it is not a well-formed JWT, or it failed the configured
 * verification. The token itself is never part of the message. The token is not sent, stored or trusted.
 */
export class AuthTokenInvalidError extends ScClientError {
  override readonly name = 'AuthTokenInvalidError';
  readonly code = 'AUTH_TOKEN_INVALID';
  /** Where the token came from. */
  declare readonly source: 'store' | 'server' | 'authenticate';

  constructor(source: 'store' | 'server' | 'authenticate', reason: string, options?: ErrorOptions) {
    super(`Unusable auth token from ${source === 'store' ? 'the token store' : source === 'server' ? 'the server' : 'authenticate()'}: ${reason}`, options);
    this.source = source;
  }
}

/** A token's `exp` has passed; it is not sent. */
export class AuthTokenExpiredError extends ScClientError {
  override readonly name = 'AuthTokenExpiredError';
  readonly code = 'AUTH_TOKEN_EXPIRED';
  /** When the token expired, in epoch ms. */
  declare readonly expiredAt: number;

  constructor(expiredAt: number) {
    super(`The auth token expired at ${new Date(expiredAt).toISOString()}`);
    this.expiredAt = expiredAt;
  }
}

/** The token store failed to load, save or remove the token; its error is `cause`. */
export class TokenStoreError extends ScClientError {
  override readonly name = 'TokenStoreError';
  readonly code = 'TOKEN_STORE_FAILED';
  /** The operation that failed. */
  declare readonly operation: 'load' | 'save' | 'remove';

  constructor(operation: 'load' | 'save' | 'remove', options?: ErrorOptions) {
    super(`The token store failed to ${operation} the auth token`, options);
    this.operation = operation;
  }
}

/** One attempt of the `refreshToken` function (or of authenticating its result) failed; it is retried. */
export class AuthRefreshError extends ScClientError {
  override readonly name = 'AuthRefreshError';
  readonly code = 'AUTH_REFRESH_FAILED';
  /** 1 for the first failed attempt since the refresh began. */
  declare readonly attempt: number;

  constructor(attempt: number, options?: ErrorOptions) {
    super(`Refreshing the auth token failed (attempt ${attempt}); retrying`, options);
    this.attempt = attempt;
  }
}

/** Union of every concrete error class, discriminated by `code`. */
export type AnyScError =
  | ConnectionError
  | HandshakeError
  | AckTimeoutError
  | RemoteError
  | CodecError
  | ClientClosedError
  | OutboxOverflowError
  | OutboxExpiredError
  | ProtocolError
  | ChannelSubscribeError
  | ChannelKickOutError
  | AuthTokenInvalidError
  | AuthTokenExpiredError
  | TokenStoreError
  | AuthRefreshError;
