import type { AnyScError } from './any-error';
import { AuthRefreshError, AuthTokenExpiredError, AuthTokenInvalidError, TokenStoreError } from './auth';
import type { ScClientError, ScErrorCode } from './base';
import {
  AckTimeoutError,
  ClientClosedError,
  CodecError,
  OutboxExpiredError,
  OutboxOverflowError,
  RemoteError,
} from './calls';
import { ConnectionError, HandshakeError } from './connection';
import { CallNotSentError } from './not-sent';
import { ChannelKickOutError, ChannelSubscribeError, ProtocolError } from './protocol';

/**
 * An error as plain data, for the engine-facade port: its `code`, its `message` and `stack`, its own fields (a
 * nested error as a record too) and its `cause` as it was. Structured-clone-able: across a `MessagePort` the cause
 * arrives as the platform's clone of it. @internal
 */
export interface ErrorRecord {
  readonly code: ScErrorCode;
  readonly message: string;
  readonly stack: string | undefined;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

// The class of each code. Rebuilding from the prototype (rather than through each constructor) keeps the message,
// fields and stack exactly as the engine made them, at a fraction of the bundle size of a switch over constructors.
const CLASSES: Readonly<Record<ScErrorCode, { prototype: ScClientError }>> = {
  CONNECTION_CLOSED: ConnectionError,
  CONNECTION_REFUSED: ConnectionError,
  HOST_NOT_FOUND: ConnectionError,
  UPGRADE_REFUSED: ConnectionError,
  TLS_FAILED: ConnectionError,
  CONNECT_TIMEOUT: ConnectionError,
  MESSAGE_TOO_LARGE: ConnectionError,
  HANDSHAKE_REJECTED: HandshakeError,
  ACK_TIMEOUT: AckTimeoutError,
  CALL_NOT_SENT: CallNotSentError,
  REMOTE_ERROR: RemoteError,
  CODEC_ERROR: CodecError,
  CLIENT_CLOSED: ClientClosedError,
  OUTBOX_OVERFLOW: OutboxOverflowError,
  OUTBOX_EXPIRED: OutboxExpiredError,
  PROTOCOL_ERROR: ProtocolError,
  CHANNEL_SUBSCRIBE_REJECTED: ChannelSubscribeError,
  CHANNEL_KICKED_OUT: ChannelKickOutError,
  AUTH_TOKEN_INVALID: AuthTokenInvalidError,
  AUTH_TOKEN_EXPIRED: AuthTokenExpiredError,
  TOKEN_STORE_FAILED: TokenStoreError,
  AUTH_REFRESH_FAILED: AuthRefreshError,
};

function isRecord(value: unknown): value is ErrorRecord {
  return (
    typeof (value as ErrorRecord | null)?.fields === 'object' &&
    typeof (value as ErrorRecord).code === 'string'
  );
}

/** Turns a typed error into a record. @internal */
export function toErrorRecord(error: AnyScError): ErrorRecord {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    const value = (error as unknown as Record<string, unknown>)[key];
    fields[key] = value instanceof Error && 'code' in value ? toErrorRecord(value as AnyScError) : value;
  }
  const record: { -readonly [K in keyof ErrorRecord]: ErrorRecord[K] } = {
    code: error.code,
    message: error.message,
    stack: error.stack,
    fields,
  };
  if ('cause' in error) record.cause = error.cause;
  return record;
}

/** Rebuilds the typed error a record was made from: its class, message, fields, stack and cause. @internal */
export function fromErrorRecord(record: ErrorRecord): AnyScError {
  const error = Object.create(CLASSES[record.code].prototype) as Record<string, unknown>;
  // Error's own message, stack and cause are not enumerable; the class's fields are.
  for (const key of ['message', 'stack', 'cause'] as const) {
    if (key in record)
      Object.defineProperty(error, key, { value: record[key], writable: true, configurable: true });
  }
  for (const key of Object.keys(record.fields)) {
    const value = record.fields[key];
    error[key] = isRecord(value) ? fromErrorRecord(value) : value;
  }
  return error as unknown as AnyScError;
}

/**
 * `value` with its `authError` and `error` (typed errors or records) converted by `convert`, or `value` itself when
 * it has neither: the connection state and the answer to `authenticate` cross the port this way. @internal
 */
export function mapErrorFields(value: object, convert: (error: never) => unknown): unknown {
  const { authError, error } = value as { authError?: unknown; error?: unknown };
  if (!authError && !error) return value;
  const mapped: Record<string, unknown> = { ...value };
  if (authError) mapped.authError = convert(authError as never);
  if (error) mapped.error = convert(error as never);
  return mapped;
}
