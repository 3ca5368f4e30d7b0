import { ScClientError } from './base';
import type { RemoteError } from './calls';
import { clip, quote } from '../internal/quote';

/** What kind of protocol problem a {@link ProtocolError} reports. */
export type ProtocolErrorKind =
  | 'malformed-packet'
  | 'unknown-rid'
  | 'unhandled-event'
  | 'unhandled-procedure'
  | 'bad-handshake-reply'
  | 'ping-timeout-too-short'
  | 'unexpected-frame'
  | 'unknown-channel'
  | 'illegal-transition';

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
    super(`Subscription to ${quote(channel)} refused: ${remote.message}`);
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
      `Kicked out of ${quote(channel)}${typeof kickOutMessage === 'string' && kickOutMessage ? `: ${clip(kickOutMessage)}` : ''}`,
    );
    this.channel = channel;
    this.kickOutMessage = kickOutMessage;
  }
}
