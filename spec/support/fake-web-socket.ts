import type { WebSocketConstructor, WebSocketLike } from '../../lib/transport/web-socket';

/**
 * A scripted WebSocket: the test plays the server. Frames the client sends are kept in `sent`; the test opens the
 * socket, delivers frames and closes it from the server side.
 */
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
    return this.sent.filter((f) => typeof f === 'string' && f !== '' && !f.startsWith('#')).map((f) => JSON.parse(f as string));
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
    this.receive({ rid: this.handshakeCid, data: { id: 'socket-1', pingTimeout: 30_000, isAuthenticated: false, ...reply } });
    return this;
  }

  /** Delivers a frame; objects are JSON-encoded. */
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame) });
  }

  /** The server closes the connection. */
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** A WebSocket constructor that records every socket it creates. */
export function fakeWebSocket(): { WebSocket: WebSocketConstructor; sockets: FakeWebSocket[]; last(): FakeWebSocket } {
  const sockets: FakeWebSocket[] = [];
  const ctor = function (url: string, protocols?: string | string[], options?: unknown) {
    const socket = new FakeWebSocket(url, protocols, options);
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
