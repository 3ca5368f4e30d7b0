import type { ConnectionError, HandshakeError } from '../errors';

/** The connection states: `idle` before anything was tried, then those of the official client. */
export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'closed';

/**
 * A snapshot of the connection, as emitted by `state$`.
 *
 * - `idle`: the first state, before anything needs the connection: nothing has been tried, nothing has failed.
 * - `connecting`: a WebSocket is opening or its handshake is in progress. `attempt` counts attempts since the last
 *   successful handshake (1 for the first); `url` is the endpoint tried.
 * - `open`: the handshake succeeded. `id` is the server's socket id, `pingTimeout` the liveness limit it set.
 * - `closed`: no connection. `code` and `reason` say why (absent before the first connect). After a failed attempt
 *   or a lost connection, `error` is the typed error that ended it, with a stable `code` naming the cause
 *   (`CONNECTION_REFUSED`, `UPGRADE_REFUSED`, `HANDSHAKE_REJECTED`, ...); a deliberate disconnect has none. When a
 *   reconnect is scheduled, `retryAt` (epoch ms) and `retryIn` (ms) say when; without them the client waits for
 *   demand.
 */
export type ConnectionState =
  | { readonly state: 'idle'; readonly attempt: 0 }
  | { readonly state: 'connecting'; readonly attempt: number; readonly url: string }
  | {
      readonly state: 'open';
      readonly attempt: number;
      /** The endpoint connected to (one of the `urls` when several are given). */
      readonly url: string;
      readonly id: string;
      readonly pingTimeout: number;
      readonly isAuthenticated: boolean;
      /** Why the server refused the handshake token, when it did (for example `AuthTokenExpiredError`). */
      readonly authError?: Error;
    }
  | {
      readonly state: 'closed';
      readonly attempt: number;
      readonly code?: number;
      readonly reason?: string;
      /** What ended the failed attempt or the lost connection (none after a deliberate disconnect). */
      readonly error?: ConnectionError | HandshakeError;
      readonly retryAt?: number;
      readonly retryIn?: number;
    };

/** The `open` state: the connection's socket id, its ping timeout and how its handshake went. */
export type OpenState = Extract<ConnectionState, { state: 'open' }>;

/** The first state of every client. */
export const IDLE: ConnectionState = Object.freeze({ state: 'idle', attempt: 0 });

/** Which states may follow which. A `closed` state may follow itself when its details change. */
export const TRANSITIONS: Readonly<Record<ConnectionStatus, readonly ConnectionStatus[]>> = {
  idle: ['connecting', 'closed'],
  closed: ['connecting', 'closed'],
  connecting: ['open', 'closed'],
  open: ['closed'],
};

/**
 * Applies a transition: returns `next` when it is allowed and changes something, `undefined` when it changes
 * nothing, and throws a `RangeError` when the table forbids it.
 */
export function transition(current: ConnectionState, next: ConnectionState): ConnectionState | undefined {
  if (!TRANSITIONS[current.state].includes(next.state)) {
    throw new RangeError(`Illegal connection state transition: ${current.state} -> ${next.state}`);
  }
  if (next.state === 'closed' && current.state === 'closed') {
    const same =
      current.code === next.code &&
      current.reason === next.reason &&
      current.retryAt === next.retryAt &&
      current.attempt === next.attempt;
    return same ? undefined : next;
  }
  return next;
}

/**
 * {@link transition}, for a running client: an illegal transition is passed to `onIllegal` and applied anyway.
 * Returns the state to publish, or `undefined` when nothing changes.
 */
export function settle(
  current: ConnectionState,
  next: ConnectionState,
  onIllegal: (message: string) => void,
): ConnectionState | undefined {
  try {
    return transition(current, next);
  } catch (error) {
    onIllegal((error as Error).message);
    return next;
  }
}
