import type { AuthState } from '../auth/auth-state';
import type { ChannelState } from '../channels/channel-state';
import type { RetryConfig } from '../connection/retry-policy';
import { IMMEDIATE } from '../connection/should-reconnect';
import type { EngineEvents, PortConnectionState } from '../engine/port';
import type { ClientStats } from '../engine/stats';
import type { ErrorRecord } from '../errors';
import { DEBUG, ERROR, INFO, WARN, type Log } from './log';

/** `1006 Socket hung up`: a close code and its reason. */
function closeText(code: number | undefined, reason: string | undefined): string {
  return `${code ?? ''}${reason ? ` ${reason}` : ''}`;
}

/**
 * The engine's events on their way to the facade, logged: the connection's life at `info`, what went wrong at
 * `error` and `warn`, calls, channels and auth at `debug`. Each event is logged before the facade hears it, so a
 * line comes before anything the application does about it. Channel messages, server events and server invokes
 * pass straight through (the frames at `trace` show them).
 * @internal
 */
export class LoggedEvents implements EngineEvents {
  readonly #facade: EngineEvents;
  readonly #log: Log;
  readonly #config: RetryConfig;
  /**
   * Set by the `disconnect` and `close` commands, cleared by the next attempt: a `closed` state without a retry
   * is then the application's doing, not the connection giving up.
   */
  disconnecting = false;

  constructor(facade: EngineEvents, log: Log, config: RetryConfig) {
    this.#facade = facade;
    this.#log = log;
    this.#config = config;
  }

  connectionState(state: PortConnectionState): void {
    const log = this.#log;
    if (state.state === 'connecting') {
      this.disconnecting = false;
      log.write(INFO, `connecting to ${state.url} (attempt ${state.attempt})`);
    } else if (state.state === 'open') {
      log.write(INFO, `open: id ${state.id}, pingTimeout ${state.pingTimeout} ms`, state);
      const { authError } = state;
      if (authError)
        log.write(WARN, `the server refused the handshake's token: ${authError.message}`, authError);
    } else {
      this.#closed(state);
    }
    this.#facade.connectionState(state);
  }

  #closed(state: Extract<PortConnectionState, { state: 'closed' }>): void {
    const log = this.#log;
    const { code, retryIn } = state;
    // The connection's typed failure, when the state carries one (a ConnectionError or HandshakeError record).
    const error = (state as { error?: Partial<ErrorRecord> }).error;
    // The cause's code, where it says more than the close code does.
    const cause = error?.code && error.code !== 'CONNECTION_CLOSED' ? ` (${error.code})` : '';
    const why = closeText(code, state.reason) + cause;
    const config = this.#config;
    if (retryIn !== undefined) {
      // A failure the client retries is a warning; a stop is an error (below).
      log.write(error ? WARN : INFO, `closed: ${why}; retrying in ${retryIn} ms`, state);
      // Which rule of the retry policy chose the delay (docs/connection.md).
      const rule =
        retryIn === 0 && IMMEDIATE.has(code ?? 0)
          ? 'immediate retry'
          : config.reconnectDelay
            ? 'reconnectDelay'
            : 'backoff';
      log.write(DEBUG, `${rule}: attempt ${state.attempt + 1} in ${retryIn} ms`);
    } else if (this.disconnecting || code === undefined) {
      log.write(INFO, `closed: ${why}`, state);
    } else {
      // Why the retry policy stopped, in the order it applies its rules.
      const rule = !config.reconnect
        ? 'reconnect is off'
        : code === 1000 || code >= 4500
          ? `close code ${code}`
          : `maxAttempts (${config.maxAttempts}) reached`;
      log.write(code === 1000 ? INFO : ERROR, `closed, not reconnecting (${rule}): ${why}`, state);
    }
  }

  authState(state: AuthState): void {
    this.#log.write(DEBUG, `auth: ${state.state}`, state);
    this.#facade.authState(state);
  }

  channelState(channel: string, state: ChannelState, previous: ChannelState): void {
    this.#log.write(DEBUG, `channel ${channel}: ${previous} -> ${state}`);
    this.#facade.channelState(channel, state, previous);
  }

  channelMessage(channel: string, data: unknown): void {
    this.#facade.channelMessage(channel, data);
  }

  channelFailed(channel: string, error: ErrorRecord): void {
    this.#log.write(WARN, `channel ${channel} failed: ${error.code}`, error);
    this.#facade.channelFailed(channel, error);
  }

  callResult(call: number, data: unknown): void {
    this.#log.write(DEBUG, `call ${call}: answered`);
    this.#facade.callResult(call, data);
  }

  callFailed(call: number, error: ErrorRecord): void {
    this.#log.write(DEBUG, `call ${call}: failed ${error.code}`, error);
    this.#facade.callFailed(call, error);
  }

  serverEvent(event: string, data: unknown): void {
    this.#facade.serverEvent(event, data);
  }

  serverInvoke(procedure: string, data: unknown, rid: number, session: number): void {
    this.#facade.serverInvoke(procedure, data, rid, session);
  }

  diagnostic(error: ErrorRecord): void {
    // A failed attempt or lost connection (a ConnectionError or HandshakeError) is logged with the closed state that
    // follows it, which says what the client does next.
    if (error.fields.closeCode === undefined && error.code !== 'HANDSHAKE_REJECTED')
      this.#log.write(ERROR, `${error.code}: ${error.message}`, error);
    this.#facade.diagnostic(error);
  }

  stats(request: number, sample: ClientStats): void {
    this.#facade.stats(request, sample);
  }

  closed(): void {
    this.#log.write(INFO, 'client closed');
    this.#facade.closed();
  }
}
