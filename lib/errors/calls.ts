import { ScClientError } from './base';
import { quote } from '../internal/quote';

/** An `invoke()` got no answer within its timeout. */
export class AckTimeoutError extends ScClientError {
  override readonly name = 'AckTimeoutError';
  readonly code = 'ACK_TIMEOUT';

  /** The event (procedure) that was invoked. */
  declare readonly event: string;
  /** The timeout that passed, in milliseconds. */
  declare readonly timeout: number;

  constructor(event: string, timeout: number) {
    super(`No response to ${quote(event)} within ${timeout} ms`);
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
 *
 * Also reported on `errors$` when a shared connection (`share`) turns this tab away for its codec: the shared
 * worker was not given it (`serveSharedWorker({ codecs })`), or the connection speaks another; `codec` names this
 * client's codec, and the client holds a connection of its own.
 */
export class CodecError extends ScClientError {
  override readonly name = 'CodecError';
  readonly code = 'CODEC_ERROR';
  /** The codec a shared connection refused, by name (absent for a frame that did not decode). */
  declare readonly codec?: string;
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
    super(`Outbox full (${limit} frames): ${quote(event)} was not queued`);
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
    super(`${quote(event)} waited ${maxAge} ms for a connection and was dropped unsent`);
    this.event = event;
    this.maxAge = maxAge;
  }
}
