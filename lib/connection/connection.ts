import {
  BehaviorSubject,
  defer,
  Observable,
  retry,
  throwError,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { UrlPicker } from '../client/options';
import { ConnectionError, ProtocolError, type HandshakeError, type ScClientError } from '../errors';
import { backoffDelay, type BackoffOptions } from './backoff-delay';
import { transition, type ConnectionState } from './connection-state';
import { openSession, type CloseRequest, type Session, type SessionConfig, type SessionHooks } from './open-session';
import { Outbox, type OutboxEntry } from './outbox';
import { closeCodeOf, reconnectsAtOnce, shouldReconnect } from './should-reconnect';

/** Computes the delay before reconnect attempt `attempt` (0-based) after `error` ended the connection. */
export type ReconnectDelay = (attempt: number, error: ConnectionError | HandshakeError) => number;

/** What the connection needs beyond one attempt's context. @internal */
export interface ConnectionConfig extends SessionConfig {
  readonly reconnect: boolean;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  readonly reconnectDelay: ReconnectDelay | undefined;
  readonly outboxLimit: number;
  readonly outboxMaxAge: number;
  /** The endpoints, tried in turn (moving on after each failure), or the function that picks each attempt's. */
  readonly endpoints: UrlPicker | readonly string[];
  /** Listen to the page's `online` and `visibilitychange` events. */
  readonly livenessHints: boolean;
}

/** The owner's side: packet handling and what happens when sessions start and end. @internal */
export interface ConnectionHooks extends SessionHooks {
  /** The clock and timers (the outbox's age limit reads it here). */
  readonly scheduler: SchedulerLike;
  /** A session ended (or an attempt failed); calls sent on it must fail. */
  onClosed(error: ConnectionError): void;
  /** The client stopped reconnecting after `error`. */
  onStopped(error: ScClientError): void;
  /** A handshake succeeded; runs before the outbox is flushed. */
  onSession(session: Session): void;
}

const MAX_DELAY = 2 ** 31 - 1;

// A custom delay function may return anything; timers take 0 to 2^31 - 1 ms. NaN falls back to the backoff.
function clampDelay(ms: number, fallback: () => number): number {
  return Number.isNaN(ms) ? fallback() : Math.min(MAX_DELAY, Math.max(0, ms));
}

/** The connection loop's observer: one small object for the life of the loop, instead of two closures. */
class LoopObserver {
  readonly #connection: Connection;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  next(session: Session): void {
    this.#connection.loopOpened(session);
  }

  error(error: unknown): void {
    this.#connection.loopStopped(error);
  }
}

/**
 * The connection loop: one {@link openSession} attempt at a time, retried with backoff, exposing `state$` and
 * holding the outbox. Opened by {@link Connection.demand}; stopped by {@link Connection.disconnect}.
 * @internal
 */
export class Connection {
  readonly #state: BehaviorSubject<ConnectionState>;
  readonly state$: Observable<ConnectionState>;
  readonly outbox: Outbox;
  readonly #config: ConnectionConfig;
  readonly #hooks: ConnectionHooks;
  readonly #scheduler: SchedulerLike;
  #loop: Subscription | undefined;
  #session: Session | undefined;
  #attempt = 0;
  /** The close code and reason a session uses when it is unsubscribed: set by `disconnect()` for its duration. */
  readonly #closeRequest: CloseRequest = { code: 1000, reason: '' };
  #closed = false;
  /** The endpoint of the latest attempt. */
  #url: string | undefined;
  /** How the latest attempt or connection failed; cleared by a deliberate disconnect. */
  #failure: ConnectionError | HandshakeError | undefined;
  /** Ends the pending reconnect delay at once, while one runs. */
  #wakeRetry: (() => void) | undefined;
  /** Removes the page listeners of `livenessHints`. */
  #unlisten: (() => void) | undefined;

  constructor(config: ConnectionConfig, hooks: ConnectionHooks) {
    this.#config = config;
    this.#hooks = hooks;
    this.#scheduler = config.scheduler;
    this.outbox = new Outbox(config.outboxLimit, config.outboxMaxAge, hooks);
    this.#state = new BehaviorSubject<ConnectionState>({ state: 'closed', attempt: 0 });
    // Every value is a new object, and `#setState` passes on changes only.
    this.state$ = this.#state.asObservable();
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state.getValue();
  }

  /** The open session, if any. */
  get session(): Session | undefined {
    return this.#session;
  }

  /** Starts the connection loop unless it runs. */
  demand(): void {
    if (this.#loop !== undefined || this.#closed) return;
    if (this.#config.livenessHints && !this.#unlisten) this.#listen();
    const loop$ = defer(() => this.#attemptOnce()).pipe(
      retry({ resetOnSuccess: true, delay: (error: unknown, count: number) => this.#retryDelay(error, count) }),
    );
    const loop = loop$.subscribe(new LoopObserver(this));
    // An attempt can fail for good synchronously, before `subscribe` returns.
    if (!loop.closed) this.#loop = loop;
  }

  /** Sends `entry.frame` now if a session is open, else queues it. Returns `false` when the outbox is full. */
  send(entry: OutboxEntry): boolean {
    if (this.#session?.send(entry.frame)) {
      entry.onSent?.();
      return true;
    }
    this.demand();
    return this.outbox.push(entry);
  }

  /** Cuts a pending reconnect delay short: the next attempt starts now. */
  wake(): void {
    this.#wakeRetry?.();
  }

  /** Closes the socket with `code` and stops reconnecting until the next demand. */
  disconnect(code: number, reason: string): void {
    this.#failure = undefined;
    const loop = this.#loop;
    if (loop === undefined) {
      if (this.state.state === 'closed' && this.state.retryAt === undefined) return;
    } else {
      this.#loop = undefined;
      const request = this.#closeRequest;
      request.code = code;
      request.reason = reason;
      loop.unsubscribe();
      request.code = 1000;
      request.reason = '';
    }
    const wasOpen = this.#session !== undefined;
    this.#session = undefined;
    this.#setState({ state: 'closed', attempt: this.#attempt, code, reason });
    if (wasOpen) this.#hooks.onClosed(new ConnectionError(code, reason, 'disconnect'));
  }

  /** Disconnects for good and completes `state$`. */
  close(code: number, reason: string): void {
    this.disconnect(code, reason);
    this.#unlisten?.();
    this.#closed = true;
    this.#state.complete();
  }

  #attemptOnce(): Observable<Session> {
    this.#attempt++;
    let url: string;
    try {
      url = this.#pickUrl();
    } catch (cause) {
      return throwError(() => new ConnectionError(1006, 'No endpoint to connect to', 'connectAbort', { cause }));
    }
    this.#url = url;
    this.#setState({ state: 'connecting', attempt: this.#attempt, url });
    return openSession(this.#config, this.#hooks, url, this.#closeRequest);
  }

  #pickUrl(): string {
    const { endpoints } = this.#config;
    const previous = this.#url;
    const error = this.#failure;
    if (typeof endpoints === 'function') return endpoints({ attempt: this.#attempt, previous, error });
    const index = previous === undefined ? 0 : endpoints.indexOf(previous) + (error ? 1 : 0);
    return endpoints[index % endpoints.length] as string;
  }

  /** The loop's observer calls this for each session that opens. @internal */
  loopOpened(session: Session): void {
    this.#session = session;
    const attempt = this.#attempt;
    this.#attempt = 0;
    this.#hooks.onSession(session);
    this.outbox.flush((frame) => session.send(frame));
    if (this.#session !== session) return; // the socket closed while flushing
    this.#setState({
      state: 'open',
      attempt,
      url: this.#url as string,
      id: session.id,
      pingTimeout: session.pingTimeout,
      isAuthenticated: session.isAuthenticated,
      ...(session.authError ? { authError: session.authError } : {}),
    });
  }

  /** The loop's observer calls this when the loop stops for good. @internal */
  loopStopped(err: unknown): void {
    // The attempt fails only with ConnectionError or HandshakeError; retry rethrows them as they are.
    const error = err as ScClientError;
    this.#loop = undefined;
    this.#setState({ state: 'closed', attempt: this.#attempt, ...this.#closeInfo(error) });
    this.#hooks.onStopped(error);
  }

  /** Called for every failed attempt and lost connection, before the loop decides whether to go on. */
  #retryDelay(error: unknown, count: number): Observable<number> {
    this.#session = undefined;
    if (error instanceof ConnectionError) this.#hooks.onClosed(error);
    const { reconnect, maxAttempts, backoff, reconnectDelay } = this.#config;
    const n = count - 1;
    if (!reconnect || !shouldReconnect(error) || n >= maxAttempts) throw error;
    const cause = error as ConnectionError | HandshakeError;
    this.#failure = cause;
    const delay =
      n === 0 && reconnectsAtOnce(cause)
        ? 0
        : reconnectDelay
          ? clampDelay(reconnectDelay(n, cause), () => backoffDelay(n, backoff))
          : backoffDelay(n, backoff);
    this.#setState({
      state: 'closed',
      attempt: this.#attempt,
      ...this.#closeInfo(cause),
      retryAt: this.#scheduler.now() + delay,
      retryIn: delay,
    });
    return new Observable<number>((subscriber) => {
      const fire = () => {
        subscriber.next(0);
        subscriber.complete();
      };
      const timer = this.#scheduler.schedule(fire, delay);
      this.#wakeRetry = fire;
      return () => {
        timer.unsubscribe();
        this.#wakeRetry = undefined;
      };
    });
  }

  /**
   * Page hints: the network came back (`online`) or the page became visible: reconnect now rather than at the
   * end of the backoff delay, and (when visible again) check that the open connection is still alive.
   */
  #listen(): void {
    const page = globalThis as unknown as EventTarget & { document?: Document };
    const doc = page.document;
    const onOnline = () => this.wake();
    const onVisible = () => {
      if (doc?.visibilityState !== 'visible') return;
      this.#session?.checkLiveness();
      this.wake();
    };
    page.addEventListener('online', onOnline);
    doc?.addEventListener('visibilitychange', onVisible);
    this.#unlisten = () => {
      page.removeEventListener('online', onOnline);
      doc?.removeEventListener('visibilitychange', onVisible);
    };
  }

  #closeInfo(error: unknown): { code?: number; reason?: string } {
    const code = closeCodeOf(error);
    if (code === undefined) return {};
    if (error instanceof ConnectionError) return { code, reason: error.reason };
    const { remote } = error as HandshakeError;
    return { code, reason: `${remote.remoteName}: ${remote.message}` };
  }

  #setState(next: ConnectionState): void {
    if (this.#closed) return;
    let changed: ConnectionState | undefined;
    try {
      changed = transition(this.state, next);
    } catch (error) {
      // An illegal transition is a bug; report it rather than leave the client in a state nobody can leave.
      this.#hooks.report(new ProtocolError('illegal-transition', (error as Error).message));
      changed = next;
    }
    if (changed) this.#state.next(changed);
  }
}
