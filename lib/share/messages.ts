/**
 * The messages of a shared connection: the tabs' facades talk to one hub (in a SharedWorker or in the leader tab),
 * which holds the one engine. Every message is structured-clone-able, and carries the engine's port messages
 * ({@link CommandMessage}, {@link EventMessage}) as they are.
 *
 * Over a `MessagePort` each tab has a port of its own; over a `BroadcastChannel` every tab sees every message, so a
 * hub message names the tab it is for (`to`) and a tab message names its sender (`tab`).
 * @internal
 */
import type { AuthState } from '../auth/auth-state';
import type { AuthenticatedState } from '../auth/auth-state';
import type { ChannelRequest } from '../channels/channel-request';
import type { CommandMessage, EventMessage, PortConnectionState } from '../engine/port';
import type { ErrorRecord } from '../errors';
export type { MessagePortLike, SharedWorkerLike, ShareMode, ShareState } from './share-state';

/** What a tab says to the hub. */
export type TabMessage =
  /** A tab joins (or joins again, after a new leader was elected) with what it holds. */
  | {
      readonly t: 'hello';
      readonly tab: string;
      readonly channels: readonly (readonly [string, ChannelRequest])[];
      readonly procedures: readonly string[];
      /** Whether the tab wants the connection open. */
      readonly demand: boolean;
      /** The options of the engine, for a hub that has none yet (a shared worker). */
      readonly options?: SharedOptions;
      /** Whether the tab's client has a token refresh (`tokenRefresh()`) that the hub may ask it to run. */
      readonly refresh?: boolean;
    }
  | { readonly t: 'cmd'; readonly tab: string; readonly m: CommandMessage }
  /** The tab leaves (its client was closed, or the page is going away). */
  | { readonly t: 'bye'; readonly tab: string }
  /** The answer to the hub's `refresh` request `id`: the new token, or the failure of the tab's refresh function. */
  | {
      readonly t: 'refreshed';
      readonly tab: string;
      readonly id: number;
      readonly token?: string;
      readonly error?: RefreshFailure;
    };

/** What the hub says to a tab (`to`), or to every tab (no `to`). */
export type HubMessage =
  | {
      readonly t: 'welcome';
      readonly to: string;
      /** `worker`, or the id of the leader tab. */
      readonly holder: string;
      readonly tabs: number;
      /** The connection state, unless the engine is idle. */
      readonly state?: PortConnectionState;
      readonly auth: AuthState;
    }
  /** The hub cannot serve the tab (a codec the shared worker lacks): the tab reports `error` and goes alone. */
  | { readonly t: 'refused'; readonly to: string; readonly error: ErrorRecord }
  | { readonly t: 'evt'; readonly to: string; readonly m: EventMessage }
  | { readonly t: 'tabs'; readonly tabs: number }
  /** A newly elected leader tab (BroadcastChannel only): every other tab joins it. */
  | { readonly t: 'leader'; readonly id: string }
  /** Asks tab `to` to run its refresh function for `state` (request `id`); without `state`, to stop request `id`. */
  | { readonly t: 'refresh'; readonly to: string; readonly id: number; readonly state?: AuthenticatedState };

/** A failure of a tab's refresh function, as plain data: a typed error's record, or an error's name and message. */
export type RefreshFailure =
  ErrorRecord | { readonly name: string; readonly message: string; readonly stack?: string };

/** Sends a message to one tab. */
export type TabLink = (message: HubMessage) => void;

/**
 * The options a shared worker builds its engine from: those of the first tab's client that cross a message port
 * (no functions: no token store, verifier, refresh function, logger or WebSocket constructor; the margin of a
 * token refresh, but not its function).
 */
export interface SharedOptions {
  readonly url?: string;
  readonly urls?: readonly string[];
  readonly codec: string;
  readonly protocolVersion?: 1 | 2;
  readonly connectTimeout?: number;
  readonly ackTimeout?: number;
  readonly batchWrites?: boolean;
  readonly pingTimeoutDisabled?: boolean;
  readonly reconnect?: boolean;
  readonly maxAttempts?: number;
  readonly outboxLimit?: number;
  readonly outboxMaxAge?: number;
  readonly maxPayload?: number;
  readonly authTokenKey?: string;
  /** The `margin` of the tab's `tokenRefresh()`, when it has one. */
  readonly refreshMargin?: number;
}

/** The names of the locks and the BroadcastChannel of the clients named `name`. */
export function shareKey(name: string): string {
  return `rx-socketcluster:${name}`;
}
