import {
  defer,
  Observable,
  race,
  retry,
  Subject,
  timer,
  type Observer,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { ConnectionError, HandshakeError, ProtocolError, ScClientError } from '../errors';
import { Attempt } from './attempt';
import { IDLE, settle, type ConnectionState } from './connection-state';
import type { ConnectionConfig, ConnectionHooks } from './connection-host';
import { pickEndpoint } from './endpoints';
import { listenToPage, type HintTarget } from './liveness-hints';
import { Outbox, type OutboxEntry } from './outbox';
import { retryDelay, STABLE_SESSION } from './retry-policy';
import type { Session } from './session';
import { closeInfoOf, describeClose } from './should-reconnect';

/**
 * The connection loop: one {@link Attempt} at a time, retried as the retry policy says, with the connection state
 * and the outbox. Opened by {@link Connection.demand}; stopped by {@link Connection.disconnect}.
 * @internal
 */
export class Connection implements HintTarget, Partial<Observer<Session>> {
  #state: ConnectionState = IDLE;
  readonly #outbox: Outbox;
  readonly #config: ConnectionConfig;
  readonly #hooks: ConnectionHooks;
  readonly #scheduler: SchedulerLike;
  #loop: Subscription | undefined;
  /** The latest attempt (finished or not): a deliberate close goes to it. */
  #current: Attempt | undefined;
  #session: Session | undefined;
  /** When the open session's handshake succeeded, on the scheduler's clock. */
  #openedAt = 0;
  /** Sessions opened, over the connection's life. */
  #sessions = 0;
  /** Time spent in sessions that ended, in ms. */
  #connectedTime = 0;
  /** Attempts since the last session opened (the state's `attempt`). */
  #attempts = 0;
  /** Consecutive failures since the loop started or a stable session ended (the retry policy's count). */
  #failures = 0;
  #closed = false;
  /** The endpoint of the latest attempt. */
  #url: string | undefined;
  /** How the latest attempt or connection failed; cleared by a deliberate disconnect. */
  #failure: ConnectionError | HandshakeError | undefined;
  /** Cuts a reconnect delay short (with `livenessHints` only). */
  #wake$: Subject<void> | undefined;
  /** Removes the page listeners of `livenessHints`. */
  #unlisten: (() => void) | undefined;

  constructor(config: ConnectionConfig, hooks: ConnectionHooks) {
    this.#config = config;
    this.#hooks = hooks;
    this.#scheduler = config.scheduler;
    this.#outbox = new Outbox(config.outboxLimit, config.outboxMaxAge, hooks);
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The open session, if any. */
  get session(): Session | undefined {
    return this.#session;
  }

  /** Connection attempts since the last successful handshake. */
  get attempts(): number {
    return this.#attempts;
  }

  /** How the latest attempt or connection failed (its close code and reason), unless a disconnect came since. */
  get lastFailure(): string | undefined {
    return describeClose(this.#failure);
  }

  /** Sessions opened after the first. */
  get reconnects(): number {
    return Math.max(0, this.#sessions - 1);
  }

  /** How long the open session has been open, in ms (0 when none is). */
  get connectedFor(): number {
    return this.#session ? this.#scheduler.now() - this.#openedAt : 0;
  }

  /** Time spent in sessions over the connection's life, the open one included, in ms. */
  get timeConnected(): number {
    return this.#connectedTime + this.connectedFor;
  }

  /** Frames waiting in the outbox. */
  get outboxSize(): number {
    return this.#outbox.size;
  }

  /** Most frames the outbox holds. */
  get outboxLimit(): number {
    return this.#outbox.limit;
  }

  /** Starts the connection loop unless it runs. */
  demand(): void {
    if (this.#loop !== undefined || this.#closed) return;
    if (this.#config.livenessHints && !this.#unlisten) {
      this.#wake$ = new Subject<void>();
      this.#unlisten = listenToPage(this);
    }
    this.#failures = 0;
    // The loop keeps its own failure count (`#failures`) rather than rxjs's `resetOnSuccess`, which restarts the
    // count at every handshake: a server that accepts the handshake and closes at once would get the immediate
    // retry of 4000, 4001 and 1005 every time, a reconnect loop with no delay.
    const loop$ = defer(() => this.#attemptOnce()).pipe(
      retry({ delay: (error: unknown) => this.#retry(error) }),
    );
    // The connection is the loop's observer (`next`, `error`): no object or closures per loop (-35 B min+gzip).
    const loop = loop$.subscribe(this);
    // An attempt can fail for good synchronously, before `subscribe` returns.
    if (!loop.closed) this.#loop = loop;
  }

  /** Sends `entry.frame` now if a session is open, else queues it. Returns `false` when the outbox is full. */
  send(entry: OutboxEntry): boolean {
    if (this.#session?.send(entry.frame)) {
      entry.onSent?.();
      return true;
    }
    // Queued before the demand: an attempt that fails at once fails its calls, which withdraw their frames.
    const queued = this.#outbox.push(entry);
    this.demand();
    return queued;
  }

  /** Takes a frame out of the outbox, if it still waits there. */
  withdraw(entry: OutboxEntry): void {
    this.#outbox.remove(entry);
  }

  /** Puts frames back at the head of the outbox; returns those there was no room for. */
  requeue(entries: readonly OutboxEntry[]): OutboxEntry[] {
    return this.#outbox.requeue(entries);
  }

  /** Cuts a pending reconnect delay short: the next attempt starts now. */
  wake(): void {
    this.#wake$?.next();
  }

  /** Checks the open connection's liveness now. */
  checkLiveness(): void {
    this.#session?.checkLiveness();
  }

  /** Closes the socket with `code` and stops reconnecting until the next demand. */
  disconnect(code: number, reason: string): void {
    this.#failure = undefined;
    const loop = this.#loop;
    if (loop === undefined) {
      const { state } = this.#state;
      if (state === 'idle' || (state === 'closed' && this.#state.retryAt === undefined)) return;
    } else {
      this.#loop = undefined;
      // The attempt closes with the caller's code first; the loop's teardown then finds it finished.
      this.#current?.close(code, reason);
      loop.unsubscribe();
    }
    const wasOpen = this.#session !== undefined;
    this.#endSession();
    this.#setState({ state: 'closed', attempt: this.#attempts, code, reason });
    if (wasOpen) this.#hooks.onClosed(new ConnectionError(code, reason, 'disconnect'));
  }

  /** Disconnects for good; the frames still queued are dropped and returned. */
  close(code: number, reason: string): OutboxEntry[] {
    const dropped = this.#outbox.drain();
    // A client closed before it ever connected says so too.
    if (this.#state.state === 'idle') this.#setState({ state: 'closed', attempt: 0, code, reason });
    this.disconnect(code, reason);
    this.#unlisten?.();
    this.#closed = true;
    return dropped;
  }

  #attemptOnce(): Observable<Session> {
    this.#attempts++;
    let url: string;
    try {
      url = pickEndpoint(this.#config.endpoints, {
        attempt: this.#attempts,
        previous: this.#url,
        error: this.#failure,
      });
    } catch (cause) {
      throw new ConnectionError(1006, 'No endpoint to connect to', 'connectAbort', { cause });
    }
    this.#url = url;
    this.#setState({ state: 'connecting', attempt: this.#attempts, url });
    return new Observable<Session>((subscriber) => {
      const attempt = new Attempt(this.#config, this.#hooks, subscriber);
      this.#current = attempt;
      attempt.start(url);
      return attempt;
    });
  }

  /** The loop's observer side: a session opened. @internal */
  next(session: Session): void {
    this.#session = session;
    this.#sessions++;
    this.#openedAt = this.#scheduler.now();
    const attempt = this.#attempts;
    this.#attempts = 0;
    this.#hooks.onSession(session);
    this.#outbox.flush((frame) => session.send(frame));
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

  /** The loop's observer side: the loop stopped for good. @internal */
  error(err: unknown): void {
    // The attempt fails only with ConnectionError or HandshakeError; retry rethrows them as they are.
    const error = err as ScClientError;
    this.#loop = undefined;
    this.#setState({ state: 'closed', attempt: this.#attempts, ...closeInfoOf(error) });
    this.#hooks.onStopped(error);
  }

  /** Every failed attempt and lost connection: the session ends, then the retry policy decides. */
  #retry(error: unknown): Observable<unknown> {
    // A stable session ends the run of failures: its loss is the first of a new one. A shorter session, or an
    // attempt that failed before its handshake, counts on.
    this.#failures =
      this.#session && this.#scheduler.now() - this.#openedAt >= STABLE_SESSION ? 1 : this.#failures + 1;
    this.#endSession();
    if (error instanceof ConnectionError) this.#hooks.onClosed(error);
    // One report per failed attempt or lost connection, whatever follows: the backoff bounds how often it comes.
    // A failure caused by an error the client reported already (the token store's) is not reported twice; any
    // other error is a bug, and `onStopped` reports it.
    if (
      (error instanceof ConnectionError && !(error.cause instanceof ScClientError)) ||
      error instanceof HandshakeError
    ) {
      this.#hooks.report(error);
    }
    const delay = retryDelay(this.#config, error, this.#failures);
    // Rethrowing ends the loop (RxJS `retry`), and `loopStopped` reports the error.
    if (delay === undefined) throw error;
    this.#failure = error as ConnectionError | HandshakeError;
    this.#setState({
      state: 'closed',
      attempt: this.#attempts,
      ...closeInfoOf(error),
      retryAt: this.#scheduler.now() + delay,
      retryIn: delay,
    });
    const pause$ = timer(delay, this.#scheduler);
    return this.#wake$ ? race(pause$, this.#wake$) : pause$;
  }

  /** Forgets the session that ended, adding its time to the total. */
  #endSession(): void {
    this.#connectedTime += this.connectedFor;
    this.#session = undefined;
  }

  #setState(next: ConnectionState): void {
    if (this.#closed) return;
    // An illegal transition is a bug; it is reported rather than leave the client in a state nobody can leave.
    const changed = settle(this.#state, next, (message) =>
      this.#hooks.report(new ProtocolError('illegal-transition', message)),
    );
    if (!changed) return;
    this.#state = changed;
    this.#hooks.onState(changed);
  }
}
