import type { ClientFeature, EngineFactory } from '../engine/feature';
import { createLog, type Log, type Logger, type LogLevel } from './log';
import { loggedEngine } from './logged-engine';

/** Options of {@link logging}. */
export interface LoggingOptions {
  /**
   * How much the client logs, each level including the ones before it. Default: `'info'`. `'silent'` logs nothing
   * and installs nothing, as if the feature had not been given.
   * - `error`: problems reported on `errors$`, and the connection giving up (no more reconnects);
   * - `warn`: a handshake token the server refused, a channel refused or kicked out;
   * - `info`: connecting (URL, attempt), open (socket id, ping timeout), closed (code, reason, the typed error when
   *   there is one, and the delay before the next attempt);
   * - `debug`: every call (event, call id, answer or error code), transmit, channel subscribe, unsubscribe and state
   *   change, auth state change, and which reconnect rule chose the delay;
   * - `trace`: every frame in and out, decoded, tokens redacted (server pings aside: they never reach the codec).
   */
  level?: LogLevel;
  /**
   * Where the client writes: any object with `error`, `warn`, `info` and `debug` methods taking a message and then
   * values. Default: `console`. Every line starts with `[rx-socketcluster]`; structured details come as a second
   * argument; `trace` lines go to `debug`. Tokens are never written: fields named like credentials (`token`,
   * `authToken`, `password`, `secret`...) and anything shaped like a JWT are replaced with `[redacted]`.
   */
  logger?: Logger;
}

/**
 * A log of the client's life, for the `features` option of `createClient`: the connection (connecting, open,
 * closed, with the cause and the delay before the retry), what went wrong, and at lower levels every call, channel
 * and auth change and every frame. A client without it has no logging code at all, in its bundle or on its paths.
 *
 * The log sits on the port between the client's engine and its facade: each event and command is written, then
 * passed on unchanged. A logger that throws is ignored: logging never changes what the client does.
 *
 * @param options - The level (default `'info'`) and the logger (default `console`).
 * @returns The feature, to pass in `features`.
 * @throws RangeError for an unknown level, TypeError for a logger without the four methods.
 * @example
 * ```ts
 * import { createClient } from 'rx-socketcluster';
 * import { logging } from 'rx-socketcluster/diagnostics';
 *
 * const client = createClient({ url, features: [logging({ level: 'debug' })] }); // to console
 * ```
 * @see docs/debugging.md
 */
export function logging(options: LoggingOptions = {}): ClientFeature {
  const log = createLog(options.logger, options.level ?? 'info');
  const feature: LoggingFeature = {
    feature: 'logging',
    log,
    wrapEngine: (next: EngineFactory): EngineFactory =>
      log ? (config, facade) => loggedEngine(config, facade, log, next) : next,
  };
  return feature;
}

/** A `logging()` feature, which also lends its log to what writes outside the port (the sharing of tabs). @internal */
export interface LoggingFeature extends ClientFeature {
  readonly feature: 'logging';
  readonly log: Log | undefined;
}
