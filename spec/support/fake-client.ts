import type { ConnectionState } from '../../lib';
import { createClient } from '../../lib/client/create-client';
import type { ClientOptions } from '../../lib/client/options';
import type { ScClientError } from '../../lib/errors';
import { fakeWebSocket, type FakeSockets, type FakeWebSocket } from './fake-web-socket';

/**
 * A client on a fake WebSocket, with its states and diagnostics recorded. The sockets are DOM-style
 * {@link FakeWebSocket}s unless `ws` supplies others (`fakeWebSocket(FakeNodeWebSocket)` for the `ws` style).
 */
export function fakeClient<S extends FakeWebSocket = FakeWebSocket>(
  options: Partial<ClientOptions> = {},
  ws: FakeSockets<S> = fakeWebSocket<S>(),
) {
  // Frames are checked right after each call: write batching (a microtask away) is off unless a test turns it on.
  const client = createClient({
    url: 'ws://example.test/socketcluster/',
    WebSocket: ws.WebSocket,
    batchWrites: false,
    ...options,
  });
  const states: ConnectionState[] = [];
  const errors: ScClientError[] = [];
  client.state$.subscribe((s) => states.push(s));
  client.errors$.subscribe((e) => errors.push(e));
  /** Connects and completes the handshake; returns the socket. */
  const open = () => {
    client.connect();
    return ws.last().handshake();
  };
  return { ws, client, states, errors, open };
}
