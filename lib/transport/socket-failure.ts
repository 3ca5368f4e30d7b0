import type { ConnectionErrorCode } from '../errors/base';

/** What a WebSocket's error event said about a failure, when the platform says anything. @internal */
export interface SocketFailure {
  readonly code: ConnectionErrorCode;
  /** A sentence a user can act on, reported as the close reason. */
  readonly reason: string;
  readonly httpStatus?: number;
}

/** Reads the cause out of a WebSocket implementation's error, or returns `undefined`. @internal */
export type ExplainSocketError = (error: unknown) => SocketFailure | undefined;
