import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { ConnectionError, HandshakeError, ProtocolError, ScClientError } from '../errors';
import { Attempt } from './attempt';
import { IDLE, settle, type ConnectionState } from './connection-state';
import type { ConnectionConfig, ConnectionHooks } from './connection-host';
import { pickEndpoint } from './endpoints';
import { listenToPage, type HintTarget } from './liveness-hints';
import { Outbox, type OutboxEntry } from './outbox';
import { retryDelay, STABLE_SESSION } from './retry-policy';
import type { AttemptOwner, Session } from './session';
import { closeInfoOf, describeClose } from './should-reconnect';

// The end of a retry delay: a shared function over the connection (the action's state), no closure per pause.
function retryNow(this: SchedulerAction<Connection>, connection?: Connection): void {
  connection?.retryNow();
}

/**
 * The connection loop: one {@link Attempt} at a time, retried as the retry policy says, with the connection state
 * and the outbox. Opened by {@link Connection.demand}; stopped by {@link Connection.disconnect}.
 *
 * The loop is these fields and one scheduler action for each pause, not an RxJS `retry` pipeline, whose subscribers
 * and closures stayed with every connected client (about 0.9 KB of heap per socket; docs/architecture.md).
 * @internal
 */
export class Connection implements HintTarget, AttemptOwner {
  #state: ConnectionState = IDLE;
  readonly #outbox: Outbox;
  readonly #config: ConnectionConfig;
  readonly #hooks: ConnectionHooks;
  readonly #scheduler: SchedulerLike;
  /** Whether the loop runs (from a demand until it stops or is disconnected). */
  #running = false;
  /** Counts the loop's runs: a hook that disconnects and demands again starts a run the old one must not touch. */
  #run = 0;
  /** The pause before the next attempt, while one is scheduled. */
  #pause: Subscription | undefined;
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
    if (this.#running || this.#closed) return;
    if (this.#config.livenessHints && !this.#unlisten) this.#unlisten = listenToPage(this);
    // The count of failures restarts with each run, and after a stable session (see `attemptFailed`), not at every
    // handshake: a server that accepts the handshake and closes at once would get the immediate retry of 4000, 4001
    // and 1005 every time, a reconnect loop with no delay.
    this.#failures = 0;
    this.#running = true;
    this.#run++;
    this.#attemptOnce();
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
    if (this.#pause) this.retryNow();
  }

  /** The pause before the next attempt is over (or was cut short): the attempt starts. */
  retryNow(): void {
    this.#pause?.unsubscribe();
    this.#pause = undefined;
    if (this.#running) this.#attemptOnce();
  }

  /** Checks the open connection's liveness now. */
  checkLiveness(): void {
    this.#session?.checkLiveness();
  }

  /** Closes the socket with `code` and stops reconnecting until the next demand. */
  disconnect(code: number, reason: string): void {
    this.#failure = undefined;
    if (!this.#running) {
      const { state } = this.#state;
      if (state === 'idle' || (state === 'closed' && this.#state.retryAt === undefined)) return;
    } else {
      this.#running = false;
      this.#current?.close(code, reason);
      this.#pause?.unsubscribe();
      this.#pause = undefined;
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

  #attemptOnce(): void {
    this.#attempts++;
    let url: string;
    try {
      url = pickEndpoint(this.#config.endpoints, {
        attempt: this.#attempts,
        previous: this.#url,
        error: this.#failure,
      });
    } catch (cause) {
      this.attemptFailed(new ConnectionError(1006, 'No endpoint to connect to', 'connectAbort', { cause }));
      return;
    }
    this.#url = url;
    this.#setState({ state: 'connecting', attempt: this.#attempts, url });
    const attempt = new Attempt(this.#config, this.#hooks, this);
    this.#current = attempt;
    attempt.start(url);
  }

  /** A session opened. @internal */
  sessionOpened(session: Session): void {
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

  /**
   * Every failed attempt and lost connection (a `ConnectionError` or a `HandshakeError`): the session ends, then
   * the retry policy gives the pause before the next attempt, or the loop stops. @internal
   */
  attemptFailed(error: ScClientError): void {
    const run = this.#run;
    let delay: number | undefined;
    let stop: unknown = error;
    try {
      delay = this.#retryDelay(error);
    } catch (thrown) {
      stop = thrown; // a `reconnectDelay` of the application's threw: the loop stops with what it threw
    }
    // A hook (a state$ subscriber) may have disconnected, or disconnected and demanded again: that run is not ours.
    if (!this.#running || run !== this.#run) return;
    if (delay === undefined) this.#stop(stop as ScClientError);
    else this.#pause = this.#scheduler.schedule(retryNow, delay, this);
  }

  /** The loop stops for good after `error`. */
  #stop(error: ScClientError): void {
    this.#running = false;
    this.#setState({ state: 'closed', attempt: this.#attempts, ...closeInfoOf(error) });
    this.#hooks.onStopped(error);
  }

  /** The session ends; the delay before the next attempt, or `undefined` to stop. */
  #retryDelay(error: ScClientError): number | undefined {
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
    if (delay === undefined) return undefined;
    this.#failure = error as ConnectionError | HandshakeError;
    this.#setState({
      state: 'closed',
      attempt: this.#attempts,
      ...closeInfoOf(error),
      retryAt: this.#scheduler.now() + delay,
      retryIn: delay,
    });
    return delay;
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
