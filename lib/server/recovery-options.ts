/** Options of {@link attachRecovery}. */
export interface RecoveryOptions {
  /**
   * The channels to stamp and keep history for: a predicate, a pattern, or a list of names. Messages of other
   * channels pass untouched and cost nothing.
   */
  readonly channels: ((channel: string) => boolean) | RegExp | readonly string[];
  /** Messages kept per channel. Default: 1000. */
  readonly historySize?: number;
  /** Time a message is kept, in ms. Default: 300000 (5 minutes). */
  readonly historyAge?: number;
  /**
   * This server's epoch: a new one means the history and sequences of before are gone. Default: a random id, so
   * every start of the process is a new epoch. Set it only with a history that outlives the process.
   */
  readonly epoch?: string;
  /** The clock, in ms (tests). Default: `Date.now`. */
  readonly now?: () => number;
}

const DEFAULT_SIZE = 1000;
const DEFAULT_AGE = 300_000;

/** What {@link resolveRecoveryOptions} makes of {@link RecoveryOptions}: the values recovery runs with. */
export interface RecoverySettings {
  /** Whether a channel's messages are stamped and kept. */
  readonly matches: (channel: string) => boolean;
  /** The history kept per channel: messages, and age in ms. */
  readonly limits: { readonly size: number; readonly age: number };
  readonly now: () => number;
  readonly epoch: string;
}

/**
 * Checks `options` and fills in their defaults.
 *
 * @throws RangeError when `historySize` or `historyAge` is not a whole number of at least 0.
 */
export function resolveRecoveryOptions(options: RecoveryOptions): RecoverySettings {
  return {
    matches: matcher(options.channels),
    limits: {
      size: checkLimit('historySize', options.historySize, DEFAULT_SIZE),
      age: checkLimit('historyAge', options.historyAge, DEFAULT_AGE),
    },
    now: options.now ?? Date.now,
    epoch: options.epoch ?? randomEpoch(),
  };
}

function matcher(channels: RecoveryOptions['channels']): (channel: string) => boolean {
  if (typeof channels === 'function') return channels;
  if (channels instanceof RegExp) return (channel) => channels.test(channel);
  const names = new Set(channels);
  return (channel) => names.has(channel);
}

function checkLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `attachRecovery: ${name} must be a whole number of at least 0, got ${String(value)}`,
    );
  }
  return value;
}

function randomEpoch(): string {
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
}
