import { redact } from './redact';

/**
 * Where the client writes its log: any object with `error`, `warn`, `info` and `debug` methods taking a message and
 * optional values, `console` included. The `trace` level writes through `debug` (`console.trace` prints a stack).
 */
export interface Logger {
  error(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
}

/**
 * How much the client logs, each level including those before it:
 * - `silent`: nothing, and no logging code runs;
 * - `error`: the problems reported on `errors$`, and the connection giving up;
 * - `warn`: a token the server refused in the handshake, channels refused or kicked out;
 * - `info`: the connection's life: connecting, open, closed (code, reason, error, the delay before the retry);
 * - `debug`: calls and their outcome, transmits, channel and auth changes, reconnect decisions;
 * - `trace`: every frame in and out, decoded, with tokens redacted.
 */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug', 'trace'];
// The levels as numbers, for the comparisons: their places in LEVELS (`silent` is 0).
export const ERROR = 1;
export const WARN = 2;
export const INFO = 3;
export const DEBUG = 4;
export const TRACE = 5;

/**
 * The client's log: a {@link Logger} and a level. Every line starts with `[rx-socketcluster]`, and every string
 * and value goes through {@link redact} first. A logger that throws is ignored: logging never changes what the
 * client does.
 * @internal
 */
export class Log {
  /** 1 (`error`) to 5 (`trace`). */
  readonly level: number;
  readonly #logger: Logger;

  constructor(logger: Logger, level: number) {
    this.#logger = logger;
    this.level = level;
  }

  /** Writes `message` (and `data`, when given) if the log's level includes `level`. */
  write(level: number, message: string, data?: unknown): void {
    if (level > this.level) return;
    // The logger's method of each level is its name; `trace` writes through `debug`.
    const method = (level < TRACE ? LEVELS[level] : 'debug') as keyof Logger;
    const text = `[rx-socketcluster] ${redact(message) as string}`;
    try {
      if (data === undefined) this.#logger[method](text);
      else this.#logger[method](text, redact(data));
    } catch {
      // The application's logger failed: the client goes on as if it had not logged.
    }
  }
}

/**
 * The log of the `logging()` feature, or `undefined` at `silent`, where the client installs nothing that logs.
 * The logger defaults to `console`.
 * @throws RangeError for an unknown level, TypeError for a logger without the four methods.
 * @internal
 */
export function createLog(logger: Logger | undefined, logLevel: LogLevel): Log | undefined {
  const level = LEVELS.indexOf(logLevel);
  if (level < 0) throw new RangeError(`level must be one of ${LEVELS.join(', ')}, got ${logLevel}`);
  const target = logger ?? (globalThis as { console?: Logger }).console;
  if (
    !['error', 'warn', 'info', 'debug'].every((name) => typeof target?.[name as keyof Logger] === 'function')
  )
    throw new TypeError('logger must have error, warn, info and debug methods');
  return level ? new Log(target as Logger, level) : undefined;
}
