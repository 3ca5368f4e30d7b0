import type { WebSocketConstructor, WebSocketLike } from './web-socket';

/** What a socket's owner hears from it. */
export interface SocketEvents {
  /** The WebSocket opened. */
  opened(): void;
  /** A message: a string for text, as the `binaryType` asks for binary. */
  frame(data: unknown): void;
  /**
   * The socket closed (always after an error, with the code). `oversized`: `ws` refused a message over
   * `maxPayload` and dropped the connection for it. `error`: what the socket's last error event carried, if
   * anything (`ws` gives an `Error` with the system's code; browsers give nothing).
   */
  closed(code: number, reason: string, oversized: boolean, error: unknown): void;
  /** A message over `maxPayload` arrived on a socket that cannot refuse it while receiving (browsers). */
  tooLarge(): void;
}

/** The EventEmitter side of the `ws` package's WebSocket, which the client prefers where it exists. */
interface NodeStyleSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

const ignore = () => undefined;
const MAX_REASON_BYTES = 123;

/** Opens a WebSocket; the constructor's own error, if it throws, propagates. */
export function openSocket(
  WebSocket: WebSocketConstructor,
  url: string,
  options: object | undefined,
  binaryType: string,
): WebSocketLike {
  const socket = options ? new WebSocket(url, [], options as never) : new WebSocket(url);
  socket.binaryType = binaryType;
  return socket;
}

/**
 * Listens to `socket` on behalf of `events`; returns the function that stops listening. With `ws` in Node it
 * uses the EventEmitter events, which spare the wrapper and event object its DOM-style handlers make per message;
 * elsewhere the `on*` handlers, where it also applies `maxPayload` (the `ws` package enforces it while receiving).
 */
export function listen(socket: WebSocketLike, events: SocketEvents, maxPayload: number): () => void {
  let oversized = false;
  let lastError: unknown;
  const onOpen = () => events.opened();
  const onClose = (code: number, reason: string | Uint8Array) =>
    events.closed(code, reason.toString(), oversized, lastError);
  // The 'close' that follows an error reports it. `ws` names an oversized message in its error.
  const onError = (error: unknown) => {
    lastError = error;
    if ((error as { code?: unknown } | null | undefined)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      oversized = true;
    }
  };
  const emitter = socket as Partial<NodeStyleSocket>;
  if (typeof emitter.on === 'function' && typeof emitter.off === 'function') {
    // Text arrives as a Buffer there, binary as the binaryType asks.
    const onMessage = (data: unknown, isBinary: boolean) =>
      events.frame(isBinary ? data : (data as Uint8Array).toString());
    emitter.on('open', onOpen);
    emitter.on('message', onMessage);
    emitter.on('close', onClose);
    emitter.on('error', onError);
    return () => {
      emitter.off?.('open', onOpen);
      emitter.off?.('message', onMessage);
      emitter.off?.('close', onClose);
      // The error listener stays (it ignores what comes now): `ws` emits an 'error' on a socket closed while
      // connecting, and an EventEmitter without an error listener would throw it.
    };
  }
  socket.onopen = onOpen;
  socket.onmessage = ({ data }) => {
    // A browser socket delivers any size, so the limit is checked once a message is in. Text is measured in
    // UTF-16 code units, never more than its UTF-8 bytes: only a certain excess is refused.
    const size = typeof data === 'string' ? data.length : (data as ArrayBuffer).byteLength;
    if (size > maxPayload) events.tooLarge();
    else events.frame(data);
  };
  socket.onclose = ({ code, reason }) => onClose(code, reason);
  socket.onerror = (event) => onError((event as { error?: unknown } | null)?.error);
  return () => {
    socket.onopen = socket.onmessage = socket.onclose = null;
    // Keep an error listener: `ws` emits an 'error' on a socket closed while connecting, and throws it when
    // nothing listens.
    socket.onerror = ignore;
  };
}

/**
 * Closes `socket` with `code` and `reason`, best effort: the connection is being abandoned either way. WebSocket
 * close reasons are limited to 123 UTF-8 bytes (a longer one throws), so a longer reason is cut. With `terminate`
 * the socket is also dropped at once where it can be (`ws`): a peer that stopped answering will not complete the
 * close handshake, and `ws` would keep the socket for its 30 s close timeout.
 */
export function closeSocket(socket: WebSocketLike, code: number, reason: string, terminate = false): void {
  let text = reason;
  while (new TextEncoder().encode(text).length > MAX_REASON_BYTES) text = text.slice(0, -1);
  try {
    socket.close(code, text);
  } catch {
    // Nothing more to do for a socket that refuses to close.
  }
  if (terminate) (socket as { terminate?: () => void }).terminate?.();
}
