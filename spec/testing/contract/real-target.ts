import type http from 'node:http';
import { msgpackCodec } from '../../../lib/codec/msgpack';
import {
  createClient,
  jsonCodec,
  memoryTokenStore,
  type Client,
  type ClientOptions,
} from '../../../lib/node';
import { codecEngine, listenHttp, textOf, type CodecName } from '../../compat/support/compat-server';
import { packageOf } from '../../compat/support/servers';
import type { ContractTarget, ProcedureHandler, ServerError } from './target';

// The contract suite's real server: socketcluster-server 20 (protocol 1 or 2, JSON or sc-codec-min-bin) or 14
// (protocol 1 only), started in this process on 127.0.0.1. The same scenario policy (procedures, refusals) survives
// restart(), which closes the HTTP and SocketCluster servers and starts new ones on the same port.

export interface RealTargetOptions {
  /** The socketcluster-server major: 20 (the devDependency) or 14 (the `sc-server-14` alias). Default: 20. */
  version?: 20 | 14;
  /** The protocol version of server and client. v14 speaks 1 only. Default: 2 on v20, 1 on v14. */
  protocolVersion?: 1 | 2;
  /** The wire codec of server and client. Default: json. */
  codec?: CodecName;
}

/** Fast pings, so that a silent server is noticed within a second (goSilent). */
const PING_INTERVAL = 150;
const PING_TIMEOUT = 1000;
const AUTH_KEY = 'contract-only-secret';

/** What a scenario has asked of the server side; kept across restarts. */
interface Policy {
  readonly procedures: Map<string, ProcedureHandler>;
  readonly refusedChannels: Map<string, { name: string; message: string }>;
  handshakeRefusal: { name: string; message: string; statusCode: number } | undefined;
  onTransmit(event: string, data: unknown): void;
}

/** One server socket that completed the handshake, whatever the server generation. */
interface SocketOps {
  readonly closed: boolean;
  silent: boolean;
  /** Serves `procedure` on this socket with the policy's handler for it (looked up at each call). */
  serve(procedure: string): void;
  transmit(event: string, data: unknown): void;
  invoke(procedure: string, data: unknown): Promise<unknown>;
  setAuthToken(claims: Record<string, unknown>, expiresIn?: number): Promise<void>;
  removeAuthToken(): void;
  kickOut(channel: string, message: string): void;
  disconnect(code: number, reason?: string): void;
  subscriptions(): string[];
  isAuthenticated(): boolean;
  /** The server-side objects goSilent works on. */
  readonly internals: SilenceableSocket;
}

/** The private parts of a server socket (same names in v14 and v20) and its `ws` WebSocket. */
interface SilenceableSocket {
  _pingIntervalTicker?: ReturnType<typeof setInterval>;
  _pingTimeoutTicker?: ReturnType<typeof setTimeout>;
  _resetPongTimeout: () => void;
  socket: { _socket?: { pause(): void } };
}

/** A SocketCluster server attached to an HTTP server, seen the same way for both generations. */
interface Attached {
  readonly sockets: SocketOps[];
  publish(channel: string, data: unknown): Promise<void>;
  signToken(claims: Record<string, unknown>, expiresIn?: number): Promise<string>;
  /** Called after the policy changed, for generations whose middleware is installed lazily. */
  policyChanged(): void;
  close(): Promise<void>;
}

/** Starts a real socketcluster-server for the contract suite and returns it as a {@link ContractTarget}. */
export async function startRealTarget(options: RealTargetOptions = {}): Promise<ContractTarget> {
  const version = options.version ?? 20;
  const protocolVersion = options.protocolVersion ?? (version === 14 ? 1 : 2);
  if (version === 14 && protocolVersion !== 1)
    throw new Error('socketcluster-server 14 speaks protocol 1 only');
  const codec = options.codec ?? 'json';
  const transmits: { event: string; data: unknown }[] = [];
  const transmitWaiters: { event: string; resolve: (data: unknown) => void }[] = [];
  const policy: Policy = {
    procedures: new Map(),
    refusedChannels: new Map(),
    handshakeRefusal: undefined,
    onTransmit(event, data) {
      const waiter = transmitWaiters.findIndex((w) => w.event === event);
      if (waiter >= 0) transmitWaiters.splice(waiter, 1)[0]!.resolve(data);
      else transmits.push({ event, data });
    },
  };
  const attach = (httpServer: http.Server) =>
    version === 14
      ? attachV14(httpServer, policy, codec)
      : attachV20(httpServer, policy, codec, protocolVersion);

  let running = await listenHttp(0, attach);
  const port = running.port;
  const clients: Client[] = [];

  const newest = (): SocketOps => {
    const live = running.attached.sockets.filter((s) => !s.closed && !s.silent);
    const socket = live[live.length - 1];
    if (!socket) throw new Error('No client is connected to the server');
    return socket;
  };

  const name = `socketcluster-server ${version} (protocol ${protocolVersion}, ${codec})`;
  return {
    name,
    client(overrides: Partial<ClientOptions> = {}): Client {
      const client = createClient({
        url: `ws://127.0.0.1:${port}/socketcluster/`,
        protocolVersion,
        codec: codec === 'msgpack' ? msgpackCodec() : jsonCodec(),
        reconnectDelay: () => 30,
        tokenStore: memoryTokenStore(),
        ...overrides,
      });
      clients.push(client);
      return client;
    },
    onInvoke(procedure, handler) {
      policy.procedures.set(procedure, handler);
      for (const socket of running.attached.sockets) if (!socket.closed) socket.serve(procedure);
    },
    nextTransmit(event) {
      const buffered = transmits.findIndex((t) => t.event === event);
      if (buffered >= 0) return Promise.resolve(transmits.splice(buffered, 1)[0]!.data);
      return new Promise((resolve) => transmitWaiters.push({ event, resolve }));
    },
    publish: (channel, data) => running.attached.publish(channel, data),
    emit(event, data) {
      for (const socket of running.attached.sockets)
        if (!socket.closed && !socket.silent) socket.transmit(event, data);
    },
    invokeClient: (procedure, data) => newest().invoke(procedure, data),
    setAuthToken: (claims, expiresIn) => newest().setAuthToken(claims, expiresIn),
    signToken: (claims, expiresIn) => running.attached.signToken(claims, expiresIn),
    removeAuthToken: () => newest().removeAuthToken(),
    refuseSubscribe(channel, errorName, message) {
      policy.refusedChannels.set(channel, { name: errorName, message });
      running.attached.policyChanged();
    },
    refuseHandshake(errorName, message, statusCode = 4008) {
      policy.handshakeRefusal = { name: errorName, message, statusCode };
      running.attached.policyChanged();
    },
    kickOut: (channel, message) => newest().kickOut(channel, message),
    disconnect: (code, reason) => newest().disconnect(code, reason),
    async restart() {
      await running.stop();
      running = await listenHttp(port, attach);
    },
    goSilent() {
      const socket = newest();
      socket.silent = true;
      const internals = socket.internals;
      // No more pings, no pong timeout of the server's own (which would close with 4001), and nothing read: the
      // client's pongs and calls go unanswered. The TCP connection stays up, as with a dead peer.
      clearInterval(internals._pingIntervalTicker);
      clearTimeout(internals._pingTimeoutTicker);
      internals._resetPongTimeout = () => undefined;
      internals.socket._socket?.pause();
    },
    subscriptions: () => [...newest().subscriptions()].sort(),
    isAuthenticated: () => newest().isAuthenticated(),
    async stop() {
      for (const client of clients.splice(0)) client.close();
      await running.stop();
    },
  };
}

/** A {@link ServerError} (or anything thrown) as an Error with its name, message and extra fields. */
function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const { name, message, ...fields } = thrown as ServerError;
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, fields);
}

/** Runs a handler and answers with its result or error (never, if it never settles). */
function answer(
  handler: ProcedureHandler,
  data: unknown,
  end: (v: unknown) => void,
  fail: (e: Error) => void,
) {
  new Promise((resolve) => resolve(handler(data))).then(end, (thrown: unknown) => fail(toError(thrown)));
}

/** The transmits (event packets without a call id, not the protocol's) in a decoded inbound frame. */
function recordTransmits(decoded: unknown, policy: Policy): void {
  for (const packet of Array.isArray(decoded) ? decoded : [decoded]) {
    if (packet === null || typeof packet !== 'object') continue;
    const { event, data, cid } = packet as { event?: unknown; data?: unknown; cid?: unknown };
    if (typeof event === 'string' && !event.startsWith('#') && cid == null) policy.onTransmit(event, data);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the servers ship no types */

function loop(stream: AsyncIterable<any>, handle: (item: any) => void): void {
  void (async () => {
    for await (const item of stream) handle(item);
  })();
}

/** socketcluster-server 20: async iterators, middleware as action streams. */
function attachV20(
  httpServer: http.Server,
  policy: Policy,
  codec: CodecName,
  protocolVersion: 1 | 2,
): Attached {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package
  const sc = require(packageOf(20));
  const engine = codecEngine(codec);
  const agServer = sc.attach(httpServer, {
    authKey: AUTH_KEY,
    pingInterval: PING_INTERVAL,
    pingTimeout: PING_TIMEOUT,
    protocolVersion,
    ...(engine ? { codecEngine: engine } : {}),
  });
  const sockets: SocketOps[] = [];
  const raw = new Set<any>();

  agServer.wsServer.on('connection', (ws: any) => {
    raw.add(ws);
    ws.on('message', (message: unknown, isBinary?: boolean) => {
      const text = textOf(message, isBinary);
      if (text === '' || text === '#2') return;
      try {
        recordTransmits(agServer.codec.decode(text ?? message), policy);
      } catch {
        // not a packet
      }
    });
  });

  let middleware = false;
  const installMiddleware = () => {
    if (middleware) return;
    middleware = true;
    agServer.setMiddleware(agServer.MIDDLEWARE_HANDSHAKE, async (stream: AsyncIterable<any>) => {
      for await (const action of stream) {
        const refusal = policy.handshakeRefusal;
        if (action.type === action.HANDSHAKE_SC && refusal) {
          const error = Object.assign(new Error(refusal.message), { statusCode: refusal.statusCode });
          error.name = refusal.name;
          action.block(error);
        } else {
          action.allow();
        }
      }
    });
    agServer.setMiddleware(agServer.MIDDLEWARE_INBOUND, async (stream: AsyncIterable<any>) => {
      for await (const action of stream) {
        const refusal =
          action.type === action.SUBSCRIBE ? policy.refusedChannels.get(action.channel) : undefined;
        if (refusal) {
          const error = new Error(refusal.message);
          error.name = refusal.name;
          action.block(error);
        } else {
          action.allow();
        }
      }
    });
  };

  loop(agServer.listener('connection'), ({ socket }: { socket: any }) => {
    const served = new Set<string>();
    const ops: SocketOps = {
      get closed() {
        return socket.state === socket.CLOSED;
      },
      silent: false,
      serve(procedure) {
        if (served.has(procedure)) return;
        served.add(procedure);
        loop(socket.procedure(procedure), (request: any) =>
          answer(
            policy.procedures.get(procedure)!,
            request.data,
            (value) => request.end(value),
            (error) => request.error(error),
          ),
        );
      },
      transmit: (event, data) => void socket.transmit(event, data),
      invoke: (procedure, data) => socket.invoke(procedure, data),
      setAuthToken: (claims, expiresIn) =>
        socket.setAuthToken(claims, expiresIn === undefined ? undefined : { expiresIn }),
      removeAuthToken: () => void socket.deauthenticate(),
      kickOut: (channel, message) => void socket.kickOut(channel, message),
      disconnect: (code, reason) => void socket.disconnect(code, reason),
      subscriptions: () => socket.subscriptions(),
      isAuthenticated: () => socket.authState === socket.AUTHENTICATED,
      internals: socket,
    };
    for (const procedure of policy.procedures.keys()) ops.serve(procedure);
    sockets.push(ops);
  });

  return {
    sockets,
    publish: (channel, data) => agServer.exchange.transmitPublish(channel, data),
    signToken: (claims, expiresIn) =>
      agServer.auth.signToken(claims, agServer.signatureKey, expiresIn === undefined ? {} : { expiresIn }),
    policyChanged: installMiddleware,
    async close() {
      agServer.closeAllListeners();
      const closed = agServer.close();
      for (const ws of raw) ws.terminate();
      await closed;
    },
  };
}

/** socketcluster-server 14: an EventEmitter server, callback middleware, protocol 1 only. */
function attachV14(httpServer: http.Server, policy: Policy, codec: CodecName): Attached {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package
  const sc = require(packageOf(14));
  const engine = codecEngine(codec);
  const server = sc.attach(httpServer, {
    authKey: AUTH_KEY,
    pingInterval: PING_INTERVAL,
    pingTimeout: PING_TIMEOUT,
    ...(engine ? { codecEngine: engine } : {}),
  });
  const sockets: SocketOps[] = [];
  const raw = new Set<any>();
  // An EventEmitter without an 'error' listener throws; the scenarios look at the client side.
  server.on('error', () => undefined);
  server.on('warning', () => undefined);

  server.addMiddleware(server.MIDDLEWARE_HANDSHAKE_SC, (_request: unknown, next: (error?: Error) => void) => {
    const refusal = policy.handshakeRefusal;
    if (!refusal) {
      next();
      return;
    }
    const error = Object.assign(new Error(refusal.message), { statusCode: refusal.statusCode });
    error.name = refusal.name;
    next(error);
  });
  server.addMiddleware(server.MIDDLEWARE_SUBSCRIBE, (request: any, next: (error?: Error) => void) => {
    const refusal = policy.refusedChannels.get(request.channel);
    if (!refusal) {
      next();
      return;
    }
    const error = new Error(refusal.message);
    error.name = refusal.name;
    next(error);
  });

  server.on('handshake', (socket: any) => {
    raw.add(socket.socket);
    socket.socket.on('message', (message: unknown, isBinary?: boolean) => {
      try {
        recordTransmits(server.codec.decode(textOf(message, isBinary) ?? message), policy);
      } catch {
        // not a packet
      }
    });
  });

  server.on('connection', (socket: any) => {
    const served = new Set<string>();
    const ops: SocketOps = {
      get closed() {
        return socket.state === socket.CLOSED;
      },
      silent: false,
      serve(procedure) {
        if (served.has(procedure)) return;
        served.add(procedure);
        socket.on(procedure, (data: unknown, respond?: (error: Error | null, data?: unknown) => void) => {
          if (!respond) return;
          answer(
            policy.procedures.get(procedure)!,
            data,
            (value) => respond(null, value),
            (error) => respond(error),
          );
        });
      },
      transmit: (event, data) => socket.emit(event, data),
      invoke: (procedure, data) =>
        new Promise((resolve, reject) => {
          socket.emit(procedure, data, (error: Error | null, result: unknown) =>
            error ? reject(error) : resolve(result),
          );
        }),
      setAuthToken(claims, expiresIn) {
        socket.setAuthToken(claims, expiresIn === undefined ? undefined : { expiresIn });
        return Promise.resolve();
      },
      removeAuthToken: () => socket.deauthenticate(),
      kickOut: (channel, message) => socket.kickOut(channel, message),
      disconnect: (code, reason) => socket.disconnect(code, reason),
      subscriptions: () => socket.subscriptions(),
      isAuthenticated: () => socket.authState === socket.AUTHENTICATED,
      internals: socket,
    };
    for (const procedure of policy.procedures.keys()) ops.serve(procedure);
    sockets.push(ops);
  });

  return {
    sockets,
    publish: (channel, data) =>
      new Promise((resolve, reject) => {
        server.exchange.publish(channel, data, (error?: Error) => (error ? reject(error) : resolve()));
      }),
    signToken: (claims, expiresIn) =>
      new Promise((resolve, reject) => {
        server.auth.signToken(
          claims,
          server.signatureKey,
          expiresIn === undefined ? {} : { expiresIn },
          (error: Error | null, token: string) => (error ? reject(error) : resolve(token)),
        );
      }),
    policyChanged: () => undefined,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // v14's close() stops accepting but leaves the accepted sockets open.
        for (const ws of raw) ws.terminate();
      }),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
