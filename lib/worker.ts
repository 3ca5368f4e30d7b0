/**
 * rx-socketcluster/worker: the script of the shared worker that holds one connection for every tab of a browser
 * (the `share` option of `createClient`).
 *
 * @packageDocumentation
 * @module rx-socketcluster/worker
 */
import type { RefreshToken } from './auth/refresh-host';
import { memoryTokenStore } from './auth/token-store';
import { resolveOptions } from './client/options';
import type { Codec } from './codec/codec';
import { jsonCodec } from './codec/json';
import { Engine } from './engine/engine';
import type { EngineFactory } from './engine/feature';
import { tokenRefresh } from './refresh/token-refresh';
import type { SharedOptions } from './share/messages';
import { codecRefusal } from './share/refusal';
import { serveHub } from './share/serve-hub';
import type { WebSocketConstructor } from './transport/web-socket';

/** Options of {@link serveSharedWorker}. */
export interface SharedWorkerOptions {
  /** Codecs besides JSON that the tabs' clients may use, such as `msgpackCodec()`. Default: none. */
  codecs?: readonly Codec[];
  /** The WebSocket constructor. Default: the worker's `WebSocket`. */
  WebSocket?: WebSocketConstructor;
}

/**
 * Serves the tabs that share a connection, from the shared worker this script runs in: call it once, at the top of
 * the worker's script. The first tab's client gives the options (URL, timeouts, codec by name); its options that
 * are functions (a token store, a verifier, a refresh function, a logger) stay in the tabs: when the token is due,
 * the worker asks one tab whose client has a `tokenRefresh()` to run its function. The token lives in the worker for as long as
 * any tab is open. When the last tab leaves, the connection closes.
 *
 * @param options - Codecs other than JSON, a WebSocket constructor.
 * @example
 * ```ts
 * // sc-worker.ts, started by createClient({ url, share: 'auto', worker: (name) =>
 * //   new SharedWorker(new URL('./sc-worker.ts', import.meta.url), { type: 'module', name }) })
 * import { serveSharedWorker } from 'rx-socketcluster/worker';
 *
 * serveSharedWorker();
 * ```
 * @see docs/sharing.md
 */
export function serveSharedWorker(options: SharedWorkerOptions = {}): void {
  const codecs = [jsonCodec(), ...(options.codecs ?? [])];
  serveHub(globalThis, (events, shared?: SharedOptions, refresh?: RefreshToken) => {
    const { codec: name = 'json', refreshMargin, ...plain } = shared ?? ({} as Partial<SharedOptions>);
    const codec = codecs.find((candidate) => candidate.name === name);
    if (!codec) throw codecRefusal(name);
    const resolved = resolveOptions({
      ...plain,
      codec,
      WebSocket: options.WebSocket,
      tokenStore: memoryTokenStore(),
      livenessHints: false,
    });
    let make: EngineFactory = (config, hub) => new Engine(config, hub);
    // The tabs' refresh function, run by one of them when the token is due, with the first tab's margin.
    if (refresh) make = tokenRefresh(refresh, { margin: refreshMargin }).wrapEngine(make);
    return { engine: make(resolved, events), codec };
  });
}
