import type { SchedulerLike } from 'rxjs';
import type { WebSocketLike } from '../index';

/** A frame on the fake wire: text, or the bytes of a binary codec. */
export type WireFrame = string | Uint8Array;

/** The server's end of one connection: what the fake WebSocket tells it. */
export interface ServerEnd {
  /** A frame from the client arrived. */
  frame(data: WireFrame): void;
  /** The client closed the connection (or the connection dropped from its side). */
  clientClosed(code: number, reason: string): void;
}

/** The fake wire's conditions, set by the server: its clock, and what happens to each frame. */
export interface Wire {
  readonly scheduler: SchedulerLike;
  /** The delay of every frame and close, in ms. */
  delay(): number;
  /** Whether the next frame is lost (each call counts one frame). */
  lose(): boolean;
  /** Accepts a connection that is opening: the server's end, or `undefined` to refuse it (1006, never open). */
  accept(socket: FakeWebSocket): ServerEnd | undefined;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** A copy of a frame's bytes (the sender may reuse its buffer) as the type the receiver expects. */
function copyOf(data: string | ArrayBufferLike | ArrayBufferView): WireFrame {
  if (typeof data === 'string') return data;
  const view = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
  return view.slice();
}

/**
 * The client's side of a connection to a fake server: a WebSocket in memory, with the DOM-style handlers. Like a
 * real one it never calls a handler from inside a method: opening, every frame and the close arrive later, each as
 * an action of the wire's scheduler (after the wire's delay, 0 by default), in the order they were sent.
 *
 * @internal
 */
export class FakeWebSocket implements WebSocketLike {
  readyState = CONNECTING;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly url: string;
  #server: ServerEnd | undefined;
  readonly #wire: Wire;

  constructor(url: string, wire: Wire) {
    this.url = url;
    this.#wire = wire;
    wire.scheduler.schedule(() => this.#open());
  }

  #open(): void {
    if (this.readyState !== CONNECTING) return;
    this.#server = this.#wire.accept(this);
    if (this.#server) {
      this.readyState = OPEN;
      this.onopen?.({});
    } else {
      // A refused upgrade, a server that is down: the browser reports an error, then 1006, never an open.
      this.readyState = CLOSED;
      this.onerror?.({});
      this.onclose?.({ code: 1006, reason: '' });
    }
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState === CONNECTING) throw new Error('InvalidStateError: the WebSocket is not open yet');
    // A browser drops what is sent on a closing or closed socket.
    if (this.readyState !== OPEN) return;
    const frame = copyOf(data);
    const server = this.#server;
    if (!server || this.#wire.lose()) return;
    this.#wire.scheduler.schedule(() => {
      if (this.#server === server) server.frame(frame);
    }, this.#wire.delay());
  }

  close(code = 1005, reason = ''): void {
    if (this.readyState >= CLOSING) return;
    const wasConnecting = this.readyState === CONNECTING;
    this.readyState = CLOSING;
    const server = this.#server;
    this.#server = undefined;
    this.#wire.scheduler.schedule(() => {
      server?.clientClosed(code, reason);
      this.#closed(wasConnecting ? 1006 : code, reason);
    }, this.#wire.delay());
  }

  /** The server sends a frame; it arrives after the wire's delay, unless lost or the socket closed meanwhile. */
  deliver(frame: WireFrame): void {
    if (this.#wire.lose()) return;
    this.#wire.scheduler.schedule(() => {
      if (this.readyState !== OPEN) return;
      // Binary frames arrive as an ArrayBuffer, the `binaryType` the client asks for.
      // (A copy: a codec may hand out a view of a larger buffer, such as a Node Buffer of its pool.)
      const data = typeof frame === 'string' ? frame : new Uint8Array(frame).buffer;
      this.onmessage?.({ data });
    }, this.#wire.delay());
  }

  /** The server closes the connection: the close arrives after the frames already on the way. */
  serverClose(code: number, reason: string): void {
    this.#server = undefined;
    this.#wire.scheduler.schedule(() => this.#closed(code, reason), this.#wire.delay());
  }

  #closed(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.onclose?.({ code, reason });
  }
}
