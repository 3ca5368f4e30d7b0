import type { ConnectionError, ScClientError } from '../errors';
import type { ConnectionState } from './connection-state';
import type { Endpoints } from './endpoints';
import type { OutboxOwner } from './outbox';
import type { RetryConfig } from './retry-policy';
import type { Session, SessionConfig, SessionHooks } from './session';

/** What the connection needs beyond one attempt's settings. @internal */
export interface ConnectionConfig extends SessionConfig, RetryConfig {
  readonly outboxLimit: number;
  readonly outboxMaxAge: number;
  /** The endpoints, tried in turn (moving on after each failure), or the function that picks each attempt's. */
  readonly endpoints: Endpoints;
  /** Listen to the page's `online` and `visibilitychange` events. */
  readonly livenessHints: boolean;
}

/** The owner's side: packet handling and what happens when states change and sessions start and end. @internal */
export interface ConnectionHooks extends SessionHooks, OutboxOwner {
  /** The connection state changed. */
  onState(state: ConnectionState): void;
  /** A session ended (or an attempt failed); calls sent on it must fail. */
  onClosed(error: ConnectionError): void;
  /** The client stopped reconnecting after `error`. */
  onStopped(error: ScClientError): void;
  /** A handshake succeeded; runs before the outbox is flushed. */
  onSession(session: Session): void;
}
