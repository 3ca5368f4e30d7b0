import { clip, quote } from '../internal/quote';
import { ScClientError } from './base';

/**
 * An `invoke()` (or `publish()`) reached its timeout before it could be sent: no connection opened in that time.
 * Unlike `AckTimeoutError`, which means the server got the call and did not answer, the server never saw this one.
 * `attempts` counts the connection attempts since the last open connection; `lastFailure` says how the latest one
 * ended, when one did.
 *
 * @example
 * ```ts
 * client.invoke('history').subscribe({
 *   error: (err) => { if (err instanceof CallNotSentError) showOffline(err.lastFailure); },
 * });
 * ```
 */
export class CallNotSentError extends ScClientError {
  override readonly name = 'CallNotSentError';
  readonly code = 'CALL_NOT_SENT';

  /** The event (procedure) that was invoked. */
  declare readonly event: string;
  /** How long the call waited, in ms: its timeout. */
  declare readonly timeout: number;
  /** Connection attempts since the last open connection. */
  declare readonly attempts: number;
  /** How the latest attempt ended (its close code and reason), when one did. */
  declare readonly lastFailure: string | undefined;

  constructor(event: string, timeout: number, attempts: number, lastFailure: string | undefined) {
    super(
      `${quote(event)} was not sent: no connection within ${timeout} ms (${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}${lastFailure ? `; last failure: ${clip(lastFailure)}` : ''})`,
    );
    this.event = event;
    this.timeout = timeout;
    this.attempts = attempts;
    this.lastFailure = lastFailure;
  }
}
