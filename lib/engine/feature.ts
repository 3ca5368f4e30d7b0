import type { EngineConfig } from './engine';
import type { EngineCommands, EngineEvents, EngineView } from './port';

/**
 * Makes the engine of a client from its settings and the events' recipient (the facade). `createClient`'s own
 * makes a plain `Engine`; a feature may wrap it.
 * @internal
 */
export type EngineFactory = (config: EngineConfig, events: EngineEvents) => EngineCommands & EngineView;

/**
 * Something a client does only when asked, given in the `features` option of `createClient`: it comes from an entry
 * of its own (`logging()` from `rx-socketcluster/diagnostics`, `tokenRefresh()` from `rx-socketcluster/refresh`), so
 * that a client without it ships none of its code.
 *
 * @example
 * ```ts
 * import { createClient } from 'rx-socketcluster';
 * import { logging } from 'rx-socketcluster/diagnostics';
 *
 * const client = createClient({ url, features: [logging({ level: 'debug' })] });
 * ```
 */
export interface ClientFeature {
  /** What the feature is, for messages: `'logging'`, `'token-refresh'`. */
  readonly feature: string;
  /**
   * Puts the feature in the client's engine when the client is created: returns the factory to use instead of
   * `next`, usually one that calls `next` and wraps its engine.
   * @internal
   */
  readonly wrapEngine: (next: EngineFactory) => EngineFactory;
}

/**
 * The feature named `name` among a client's features, if one is there: read by what needs a feature's settings
 * outside the engine (the sharing of tabs), without importing the feature's code.
 * @internal
 */
export function featureOf<F extends ClientFeature>(
  features: readonly ClientFeature[],
  name: F['feature'],
): F | undefined {
  return features.find((feature): feature is F => feature.feature === name);
}
