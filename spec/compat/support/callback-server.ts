import type http from 'node:http';
import {
  AUTH_KEY,
  PROCEDURES,
  codecEngine,
  listen,
  textOf,
  type AttachedServer,
  type CompatServer,
  type CompatServerOptions,
  type CompatSocket,
} from './compat-server';

// socketcluster-server 14, the callback generation: an EventEmitter server (`attach(httpServer, options)`, `on()`),
// procedures as `socket.on(event, (data, respond) => respond(error, data))`, `exchange.publish` with a callback,
// protocol version 1 only (its pings go through the codec), and a close() that leaves sockets open.

/* eslint-disable @typescript-eslint/no-explicit-any -- the v14 server is untyped */
type Callback = (error: Error | null | undefined, data?: any) => void;

interface ScServer {
  on(event: 'handshake' | 'connection', listener: (socket: ScSocket) => void): void;
  on(event: 'error' | 'warning', listener: (error: Error) => void): void;
  exchange: { publish(channel: string, data: unknown, callback: (error?: Error) => void): void };
  auth: { signToken(payload: object, key: unknown, options: object, callback: Callback): void };
  signatureKey: unknown;
  codec: { decode(message: unknown): unknown };
  close(callback?: () => void): void;
}

interface ScSocket {
  id: string;
  authState: string;
  authToken: Record<string, unknown> | null;
  socket: {
    on(event: 'message', listener: (message: unknown, isBinary?: boolean) => void): void;
    terminate(): void;
  };
  on(event: string, listener: (data: any, respond: Callback) => void): void;
  emit(event: string, data: unknown, callback?: Callback): void;
  setAuthToken(payload: object, options?: object): void;
  subscriptions(): string[];
  kickOut(channel: string, message: string): void;
  disconnect(code: number, reason: string): void;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export async function startCallbackServer(
  packageName: string,
  options: CompatServerOptions,
): Promise<CompatServer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package, chosen at run time
  const sc = require(packageName) as { attach(server: http.Server, options: object): ScServer };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require(`${packageName}/package.json`) as { version: string };
  return listen(14, version, options.port ?? 0, (httpServer, onConnection) =>
    attach(sc, httpServer, options, onConnection),
  );
}

function attach(
  sc: { attach(server: http.Server, options: object): ScServer },
  httpServer: http.Server,
  options: CompatServerOptions,
  onConnection: (socket: CompatSocket) => void,
): AttachedServer {
  const engine = codecEngine(options.codec);
  const server = sc.attach(httpServer, {
    authKey: AUTH_KEY,
    ...(options.serverDefaults
      ? {}
      : { pingInterval: options.pingInterval ?? 5000, pingTimeout: options.pingTimeout ?? 20_000 }),
    ...(engine ? { codecEngine: engine } : {}),
  });
  const sockets: CompatSocket[] = [];
  const raw = new Set<ScSocket['socket']>();
  // An EventEmitter without an 'error' listener throws. The scenarios check the client side, not these.
  server.on('error', () => undefined);
  server.on('warning', () => undefined);

  const pongCounts = new WeakMap<ScSocket, number>();
  server.on('handshake', (socket) => {
    raw.add(socket.socket);
    pongCounts.set(socket, 0);
    // A v14 server recognises a pong after decoding: the text '#2' with JSON, a MessagePack string with a codec.
    socket.socket.on('message', (message, isBinary) => {
      let decoded: unknown;
      try {
        decoded = server.codec.decode(textOf(message, isBinary) ?? message);
      } catch {
        return;
      }
      if (decoded === '#2') pongCounts.set(socket, (pongCounts.get(socket) ?? 0) + 1);
    });
  });

  server.on('connection', (socket) => {
    const actions = {
      transmit: (event: string, data: unknown) => socket.emit(event, data),
      invoke: (event: string, data: unknown) =>
        new Promise<unknown>((resolve, reject) => {
          socket.emit(event, data, (error, result) => (error ? reject(error) : resolve(result)));
        }),
      setAuthToken: (payload: object, tokenOptions?: object) => {
        socket.setAuthToken(payload, tokenOptions);
        return Promise.resolve();
      },
      disconnect: (code: number, reason: string) => socket.disconnect(code, reason),
    };
    for (const [name, procedure] of Object.entries(PROCEDURES)) {
      socket.on(name, (data, respond) => {
        procedure(
          { data, end: (result?: unknown) => respond(null, result), error: (error: Error) => respond(error) },
          actions,
        );
      });
    }
    const compat: CompatSocket = {
      id: socket.id,
      isAuthenticated: () => socket.authState === 'authenticated',
      authToken: () => socket.authToken,
      subscriptions: () => socket.subscriptions(),
      kickOut: (channel, message) => socket.kickOut(channel, message),
      disconnect: (code, reason) => socket.disconnect(code, reason),
      pongs: () => pongCounts.get(socket) ?? 0,
    };
    sockets.push(compat);
    onConnection(compat);
  });

  return {
    sockets,
    publish: (channel, data) =>
      new Promise((resolve, reject) => {
        server.exchange.publish(channel, data, (error) => (error ? reject(error) : resolve()));
      }),
    signToken: (payload) =>
      new Promise((resolve, reject) => {
        server.auth.signToken(payload, server.signatureKey, { expiresIn: 3600 }, (error, token: string) =>
          error ? reject(error) : resolve(token),
        );
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // v14's close() stops accepting but leaves the accepted sockets open.
        for (const socket of raw) socket.terminate();
      }),
  };
}
