import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
// socketcluster-server ships no types; the surface the tests use is typed loosely here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const socketClusterServer = require('socketcluster-server') as {
  attach(server: http.Server, options: Record<string, unknown>): AgServer;
};

/* eslint-disable @typescript-eslint/no-explicit-any -- the server's streams are untyped */
export interface AgServer {
  isReady: boolean;
  clientsCount: number;
  exchange: { transmitPublish(channel: string, data: unknown): Promise<void> };
  listener(name: string): AsyncIterable<any> & { once(timeout?: number): Promise<any> };
  setMiddleware(type: string, middleware: (stream: AsyncIterable<any>) => Promise<void>): void;
  closeAllListeners(): void;
  close(keepSocketsOpen?: boolean): Promise<void>;
  MIDDLEWARE_HANDSHAKE: string;
  MIDDLEWARE_INBOUND: string;
}
export type ServerSocket = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface TestServer {
  readonly agServer: AgServer;
  readonly port: number;
  readonly url: string;
  /** Every inbound frame, as text, in arrival order (handshake included). */
  readonly frames: string[];
  /** Server sockets that completed the handshake, newest last. */
  readonly sockets: ServerSocket[];
  /** Resolves with the next socket that completes the handshake. */
  nextConnection(): Promise<ServerSocket>;
  /** Stops the server: live sockets see 1006. */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  port?: number;
  /** Extra socketcluster-server options. */
  options?: Record<string, unknown>;
  /** Per-connection setup: start procedure and receiver loops here. */
  onConnection?: (socket: ServerSocket) => void;
}

/**
 * Starts a real socketcluster-server v20 in this process on 127.0.0.1 (port 0 unless told), with a fixed
 * `authKey`, fast pings, and the procedures the suite relies on: `echo`, `sum`, `fail`, `slow`, `pushMe`,
 * `callMe`, `kick` and `login`.
 */
export async function startTestServer(setup: TestServerOptions = {}): Promise<TestServer> {
  const httpServer = http.createServer();
  const codecEngine = setup.options?.codecEngine ?? defaultCodecEngine();
  const agServer = socketClusterServer.attach(httpServer, {
    authKey: 'test-only-secret',
    pingInterval: 200,
    pingTimeout: 1000,
    ...setup.options,
    ...(codecEngine ? { codecEngine } : {}),
  });
  const frames: string[] = [];
  const sockets: ServerSocket[] = [];
  const waiters: ((socket: ServerSocket) => void)[] = [];

  void (async () => {
    for await (const { socket } of agServer.listener('handshake')) {
      socket.socket.on('message', (data: Buffer, isBinary: boolean) => {
        frames.push(
          isBinary ? binaryFrameAsJson(codecEngine as ServerCodec | undefined, data) : data.toString(),
        );
      });
    }
  })();
  void (async () => {
    for await (const { socket } of agServer.listener('connection')) {
      sockets.push(socket);
      serveDefaults(socket);
      setup.onConnection?.(socket);
      waiters.splice(0).forEach((resolve) => resolve(socket));
    }
  })();

  httpServer.listen(setup.port ?? 0, '127.0.0.1');
  await once(httpServer, 'listening');
  if (!agServer.isReady) await agServer.listener('ready').once();
  const { port } = httpServer.address() as AddressInfo;

  return {
    agServer,
    port,
    url: `ws://127.0.0.1:${port}/socketcluster/`,
    frames,
    sockets,
    nextConnection: () => new Promise((resolve) => waiters.push(resolve)),
    async stop() {
      agServer.closeAllListeners();
      await agServer.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

interface ServerCodec {
  decode(frame: Uint8Array): unknown;
}

/** The server codec of the integration-msgpack project: sc-codec-min-bin, as deployments use it. */
function defaultCodecEngine(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS package without types
  return process.env.RX_SC_TEST_CODEC === 'msgpack' ? require('sc-codec-min-bin') : undefined;
}

/**
 * A binary frame as the JSON text the same packet would have been with the JSON codec, so that tests read frames
 * the same way whatever the codec. MessagePack turns a missing `data` or `error` into `nil`; those are dropped.
 */
function binaryFrameAsJson(codec: ServerCodec | undefined, data: Buffer): string {
  if (!codec) return `<binary ${data.length}>`;
  const strip = (packet: unknown) => {
    if (packet !== null && typeof packet === 'object' && !Array.isArray(packet)) {
      const record = packet as Record<string, unknown>;
      if (record.data === null) delete record.data;
      if (record.error === null) delete record.error;
    }
    return packet;
  };
  const decoded = codec.decode(data);
  return JSON.stringify(Array.isArray(decoded) ? decoded.map(strip) : strip(decoded));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- items of the untyped server's streams
function loop(stream: AsyncIterable<unknown>, handle: (item: any) => void): void {
  void (async () => {
    for await (const item of stream) handle(item);
  })();
}

function serveDefaults(socket: ServerSocket): void {
  loop(socket.procedure('echo'), (req) => req.end(req.data));
  loop(socket.procedure('sum'), (req) => {
    const { a, b } = req.data ?? {};
    if (typeof a === 'number' && typeof b === 'number') return req.end(a + b);
    const error = new Error('a and b must be numbers') as Error & { field?: string };
    error.name = 'BadArgs';
    error.field = typeof a === 'number' ? 'b' : 'a';
    req.error(error);
  });
  loop(socket.procedure('slow'), (req) => setTimeout(() => req.end('late'), req.data ?? 500));
  loop(socket.procedure('pushMe'), (req) => {
    const { event, count } = req.data as { event: string; count: number };
    for (let i = 0; i < count; i++) socket.transmit(event, { i });
    req.end(count);
  });
  loop(socket.procedure('callMe'), (req) => {
    const { procedure, data } = req.data as { procedure: string; data: unknown };
    socket.invoke(procedure, data).then(
      (result: unknown) => req.end({ result }),
      (error: Error) => req.end({ error: { name: error.name, message: error.message } }),
    );
  });
  loop(socket.procedure('kick'), (req) => {
    const { code, reason } = req.data as { code: number; reason?: string };
    req.end();
    setTimeout(() => socket.disconnect(code, reason), 10);
  });
  // `login` with `{ payload, options }`: the server signs the payload and sends `#setAuthToken` (before answering).
  loop(socket.procedure('login'), (req) => {
    const { payload, options } = (req.data ?? {}) as { payload?: object; options?: object };
    socket.setAuthToken(payload ?? {}, options).then(
      () => req.end(),
      (error: Error) => req.error(error),
    );
  });
}
