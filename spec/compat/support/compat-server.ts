import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

// What the compatibility suite needs from a socketcluster-server of any major, whatever its API generation. Each
// generation has one adapter (callback-server.ts for v14, async-server.ts for v15 to v20) that starts a server of
// that generation with the same procedures and exposes it through these interfaces.

/** The wire codec of a server and of the clients that talk to it. */
export type CodecName = 'json' | 'msgpack';

/** The authKey every compat server signs and verifies tokens with, so a token survives a restart. */
export const AUTH_KEY = 'compat-only-secret';

export interface CompatServerOptions {
  /** Listen on this port (a restart reuses the previous server's). Default: 0. */
  port?: number;
  /** `protocolVersion` given to the server (v14 has no such option and always speaks protocol 1). */
  protocolVersion?: 1 | 2;
  /** `codecEngine`: `msgpack` is sc-codec-min-bin. Default: json (the server's built-in sc-formatter). */
  codec?: CodecName;
  pingInterval?: number;
  pingTimeout?: number;
  /** Start with the server's own defaults for pingInterval, pingTimeout and protocolVersion. */
  serverDefaults?: boolean;
  /**
   * Serve the procedures with one `socket.procedure(name)` loop each even where the adapter would avoid it (v15
   * and later; see hasStreamDemuxDefect in async-server.ts). For the probe that shows the defect.
   */
  procedureLoops?: boolean;
}

/** One server socket that completed the handshake. */
export interface CompatSocket {
  readonly id: string;
  isAuthenticated(): boolean;
  /** The decoded token payload the server holds for this socket, or null. */
  authToken(): Record<string, unknown> | null;
  subscriptions(): string[];
  kickOut(channel: string, message: string): void;
  disconnect(code: number, reason: string): void;
  /** Pongs this socket received, counted the way its server recognises them. */
  pongs(): number;
}

export interface CompatServer {
  readonly major: number;
  /** The exact installed version, e.g. `14.7.2`. */
  readonly version: string;
  readonly port: number;
  readonly url: string;
  /** Sockets that completed the handshake, newest last. */
  readonly sockets: readonly CompatSocket[];
  /** Resolves with the next socket that completes the handshake. */
  nextConnection(): Promise<CompatSocket>;
  /** Publishes from the server side (`exchange.publish` on v14, `exchange.transmitPublish` after). */
  publish(channel: string, data: unknown): Promise<void>;
  /** A token signed by this server's auth engine with its key. */
  signToken(payload: object): Promise<string>;
  /** Stops the server: every live socket is cut (the client sees 1006) and the port is released. */
  stop(): Promise<void>;
}

/** What a generation adapter attaches to an HTTP server. */
export interface AttachedServer {
  readonly sockets: CompatSocket[];
  publish(channel: string, data: unknown): Promise<void>;
  signToken(payload: object): Promise<string>;
  /** Closes the SocketCluster server and cuts every WebSocket it accepted. */
  close(): Promise<void>;
}

/** An HTTP server with a SocketCluster server attached, listening on 127.0.0.1. */
export interface HttpListener<A> {
  readonly attached: A;
  readonly port: number;
  /** Closes the SocketCluster server, cuts every socket it upgraded, and closes the HTTP server. */
  stop(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1:`port` (0 for any), attaches a SocketCluster server with `attach`, and keeps
 * the raw TCP sockets it upgrades: older servers' close() leaves their WebSockets open, so stop() cuts them.
 */
export async function listenHttp<A extends { close(): Promise<void> }>(
  port: number,
  attach: (httpServer: http.Server) => A,
): Promise<HttpListener<A>> {
  const httpServer = http.createServer();
  const attached = attach(httpServer);
  const connections = new Set<Duplex>();
  httpServer.on('upgrade', (_req, socket: Duplex) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  httpServer.listen(port, '127.0.0.1');
  await once(httpServer, 'listening');
  return {
    attached,
    port: (httpServer.address() as AddressInfo).port,
    async stop() {
      await attached.close();
      for (const socket of connections) socket.destroy();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/** Starts an HTTP server on 127.0.0.1, attaches a SocketCluster server with `attach`, and wraps both. */
export async function listen(
  major: number,
  version: string,
  port: number,
  attach: (httpServer: http.Server, onConnection: (socket: CompatSocket) => void) => AttachedServer,
): Promise<CompatServer> {
  const waiters: ((socket: CompatSocket) => void)[] = [];
  const listener = await listenHttp(port, (httpServer) =>
    attach(httpServer, (socket) => {
      waiters.splice(0).forEach((resolve) => resolve(socket));
    }),
  );
  const { attached, port: actualPort } = listener;
  return {
    major,
    version,
    port: actualPort,
    url: `ws://127.0.0.1:${actualPort}/socketcluster/`,
    sockets: attached.sockets,
    nextConnection: () => new Promise((resolve) => waiters.push(resolve)),
    publish: (channel, data) => attached.publish(channel, data),
    signToken: (payload) => attached.signToken(payload),
    stop: () => listener.stop(),
  };
}

/** The server-side procedures of every compat server, written once against a minimal request shape. */
export interface ProcedureCall {
  readonly data: unknown;
  end(data?: unknown): void;
  error(error: Error): void;
}

/** How a procedure reaches back to the client over its socket. */
export interface SocketActions {
  transmit(event: string, data: unknown): void;
  invoke(procedure: string, data: unknown): Promise<unknown>;
  setAuthToken(payload: object, options?: object): Promise<void>;
  disconnect(code: number, reason: string): void;
}

/** echo, sum (with a named error carrying an extra field), pushMe, callMe, kick and login. */
export const PROCEDURES: Record<string, (call: ProcedureCall, socket: SocketActions) => void> = {
  echo: (call) => call.end(call.data),
  sum: (call) => {
    const { a, b } = (call.data ?? {}) as { a?: unknown; b?: unknown };
    if (typeof a === 'number' && typeof b === 'number') {
      call.end(a + b);
      return;
    }
    const error = new Error('a and b must be numbers') as Error & { field?: string };
    error.name = 'BadArgs';
    error.field = typeof a === 'number' ? 'b' : 'a';
    call.error(error);
  },
  pushMe: (call, socket) => {
    const { event, count } = call.data as { event: string; count: number };
    for (let i = 0; i < count; i++) socket.transmit(event, { i });
    call.end(count);
  },
  callMe: (call, socket) => {
    const { procedure, data } = call.data as { procedure: string; data: unknown };
    socket.invoke(procedure, data).then(
      (result) => call.end({ result }),
      (error: unknown) => {
        const { name, message } = error as Error;
        call.end({ error: { name, message } });
      },
    );
  },
  kick: (call, socket) => {
    const { code, reason } = call.data as { code: number; reason: string };
    call.end();
    setTimeout(() => socket.disconnect(code, reason), 10);
  },
  // The server signs the payload and sends `#setAuthToken` before it answers.
  login: (call, socket) => {
    const { payload, options } = (call.data ?? {}) as { payload?: object; options?: object };
    socket.setAuthToken(payload ?? {}, options).then(
      () => call.end(),
      (error: unknown) => call.error(error as Error),
    );
  },
};

/** The server's codec engine for a codec name (undefined: the server's default JSON). */
export function codecEngine(codec: CodecName | undefined): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS package without types
  return codec === 'msgpack' ? require('sc-codec-min-bin') : undefined;
}

/** Reads a text frame from `ws` 7 (a string) or `ws` 8 (a Buffer with isBinary false); null for binary frames. */
export function textOf(message: unknown, isBinary: boolean | undefined): string | null {
  if (typeof message === 'string') return message;
  if (isBinary === false && Buffer.isBuffer(message)) return message.toString();
  return null;
}
