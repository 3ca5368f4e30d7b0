/**
 * The Node entry of rx-socketcluster (export condition `node`): the same API, with `ws` as the default WebSocket.
 *
 * @packageDocumentation
 */
import WebSocket from 'ws';
import type { ScApi, UntypedApi, ValidApi } from './client/api';
import type { Client } from './client/client';
import { createClient as createBaseClient } from './client/create-client';
import type { ClientOptions } from './client/options';
import type { WebSocketConstructor } from './transport/web-socket';
import { explainWsError } from './transport/ws-failure';

export * from './index';

/**
 * Creates a SocketCluster client that uses the `ws` package unless another `WebSocket` is given.
 *
 * @typeParam Api - Optional description of the application's events and procedures, for typed calls.
 * @param options - At least `url`.
 * @returns The {@link Client}.
 * @example
 * ```ts
 * import { createClient } from 'rx-socketcluster';
 * const client = createClient({ url: 'ws://localhost:8000/socketcluster/' });
 * ```
 */
export function createClient<Api extends ScApi & ValidApi<Api> = UntypedApi>(
  options: ClientOptions,
): Client<Api> {
  return createBaseClient<Api>({
    ...options,
    WebSocket: options.WebSocket ?? (WebSocket as unknown as WebSocketConstructor),
    // Other WebSockets in Node (the global one) give no detail; `ws`'s errors are read where they are not.
    explainSocketError: explainWsError,
  });
}
