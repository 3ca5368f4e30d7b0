import { EventEmitter } from 'node:events';
import type { WebSocketConstructor, WebSocketLike } from '../../lib/transport/web-socket';

/**
 * A scripted WebSocket: the test plays the server. Frames the client sends are kept in `sent`; the test opens the
 * socket, delivers frames and closes it from the server side.
 */
/** The reason of a socket that failed before it opened on a platform that gives no cause (this fake, browsers). */
export const HIDDEN_CAUSE =
  'Socket hung up before it opened; the WebSocket gave no cause (a browser shows it in its console only)';

export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** Frames sent by the client, in order. */
  readonly sent: (string | ArrayBufferLike | ArrayBufferView)[] = [];
  /** The close code and reason, when the client closed the socket. */
  closedWith: { code?: number; reason?: string } | undefined;

  readonly url: string;
  readonly protocols: string | string[] | undefined;
  readonly options: unknown;

  constructor(url: string, protocols?: string | string[], options?: unknown) {
    this.url = url;
    this.protocols = protocols;
    this.options = options;
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error('send() on a socket that is not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  /** The decoded non-ping frames the client sent. */
  get packets(): Record<string, unknown>[] {
    return this.sent
      .filter((f) => typeof f === 'string' && f !== '' && !f.startsWith('#'))
      .map((f) => JSON.parse(f as string));
  }

  /** The call id of the client's `#handshake`. */
  get handshakeCid(): number {
    const handshake = this.packets.find((p) => p.event === '#handshake');
    if (!handshake) throw new Error('no #handshake sent');
    return handshake.cid as number;
  }

  /** The server accepts the TCP/WebSocket connection. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Opens the socket and answers the handshake. */
  handshake(reply: Record<string, unknown> = {}): this {
    if (this.readyState === 0) this.open();
    this.receive({
      rid: this.handshakeCid,
      data: { id: 'socket-1', pingTimeout: 30_000, isAuthenticated: false, ...reply },
    });
    return this;
  }

  /** Delivers a frame; objects are JSON-encoded. */
  receive(frame: unknown): void {
    this.onmessage?.({
      data: typeof frame === 'string' || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame),
    });
  }

  /** The server closes the connection. */
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/**
 * A scripted socket with the EventEmitter side of the `ws` package, which the client prefers where it exists. It
 * delivers everything through its emitter, with the arguments `ws` gives: 'open'; 'message' with `(data, isBinary)`,
 * text as a Buffer; 'close' with `(code, reason as a Buffer)`; 'error' with the error itself. Its DOM-style `onX`
 * handlers are never called. As on any EventEmitter, an 'error' nobody listens to is thrown.
 */
export class FakeNodeWebSocket extends FakeWebSocket {
  readonly #emitter = new EventEmitter();

  on(event: string, listener: (...args: never[]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off(event: string, listener: (...args: never[]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** How many listeners the client holds for `event`. */
  listenerCount(event: string): number {
    return this.#emitter.listenerCount(event);
  }

  override open(): void {
    this.readyState = 1;
    this.#emitter.emit('open');
  }

  /** Strings and objects (JSON-encoded) arrive as text in a Buffer; an ArrayBuffer or a Uint8Array as binary. */
  override receive(frame: unknown): void {
    if (frame instanceof ArrayBuffer || frame instanceof Uint8Array) {
      this.#emitter.emit('message', frame, true);
    } else {
      this.#emitter.emit(
        'message',
        Buffer.from(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        false,
      );
    }
  }

  override serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.#emitter.emit('close', code, Buffer.from(reason));
  }

  /** `ws` reports a failure (a refused oversized message, a socket closed while connecting); a 'close' follows. */
  fail(error: Error): void {
    this.#emitter.emit('error', error);
  }
}

/** The sockets a fake constructor made, the constructor, and its latest socket. */
export interface FakeSockets<S extends FakeWebSocket = FakeWebSocket> {
  WebSocket: WebSocketConstructor;
  sockets: S[];
  last(): S;
}

/** A constructor of fake sockets. */
export type FakeSocketClass<S extends FakeWebSocket> = new (
  url: string,
  protocols?: string | string[],
  options?: unknown,
) => S;

/**
 * A WebSocket constructor that records every socket it creates: {@link FakeWebSocket}s (DOM-style handlers) unless
 * another fake socket class is given, such as {@link FakeNodeWebSocket}.
 */
export function fakeWebSocket<S extends FakeWebSocket = FakeWebSocket>(
  Socket: FakeSocketClass<S> = FakeWebSocket as FakeSocketClass<S>,
): FakeSockets<S> {
  const sockets: S[] = [];
  const ctor = function (url: string, protocols?: string | string[], options?: unknown) {
    const socket = new Socket(url, protocols, options);
    sockets.push(socket);
    return socket;
  } as unknown as WebSocketConstructor;
  return {
    WebSocket: ctor,
    sockets,
    last() {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was created');
      return socket;
    },
  };
}
