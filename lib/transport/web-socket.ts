/**
 * The part of the WebSocket API the client uses. The browser's `WebSocket` and the `ws` package's both fit; so
 * does a test double.
 */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

/**
 * A WebSocket constructor: `globalThis.WebSocket` in browsers, `ws` in Node (supplied by the package's Node entry),
 * or anything with the same shape.
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: never,
) => WebSocketLike;

/** `readyState` of an open WebSocket. */
export const WS_OPEN = 1;

/**
 * Picks the WebSocket constructor: the injected one, else the global one.
 *
 * @throws TypeError when neither exists.
 * @internal
 */
export function resolveWebSocket(injected: WebSocketConstructor | undefined): WebSocketConstructor {
  const ctor = injected ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof ctor !== 'function') {
    throw new TypeError(
      'No WebSocket constructor found: pass one as the `WebSocket` option (in Node, import from rx-socketcluster, whose Node entry supplies `ws`)',
    );
  }
  return ctor;
}
