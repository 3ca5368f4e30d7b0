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
  type ProcedureCall,
  type SocketActions,
} from './compat-server';

// socketcluster-server 15 to 20, the async-iterator generation: `attach(httpServer, options)` returns an AGServer
// whose events are `listener(name)` streams and whose sockets serve `socket.procedure(name)` streams. Protocol
// version 1 or 2 (`protocolVersion`), pings outside the codec. v15 and v16 close() leave the accepted sockets open,
// and v18 as installed today wakes only its newest stream consumer (see hasStreamDemuxDefect).

/* eslint-disable @typescript-eslint/no-explicit-any -- the servers ship no types */
type Stream = AsyncIterable<any>;

interface RawSocket {
  on(event: 'message', listener: (message: unknown, isBinary?: boolean) => void): void;
  terminate(): void;
}

interface AgServer {
  listener(name: string): Stream;
  wsServer: { on(event: 'connection', listener: (socket: RawSocket) => void): void };
  exchange: { transmitPublish(channel: string, data: unknown): Promise<void> };
  auth: { signToken(payload: object, key: unknown, options: object): Promise<string> };
  signatureKey: unknown;
  closeAllListeners(): void;
  close(): Promise<void>;
}

interface AgSocket {
  id: string;
  authState: string;
  authToken: Record<string, unknown> | null;
  socket: RawSocket;
  procedure(name: string): Stream;
  transmit(event: string, data: unknown): Promise<void>;
  invoke(event: string, data: unknown): Promise<unknown>;
  setAuthToken(payload: object, options?: object): Promise<void>;
  subscriptions(): string[];
  kickOut(channel: string, message: string): unknown;
  disconnect(code: number, reason: string): unknown;
}

function loop(stream: Stream, handle: (item: any) => void): void {
  void (async () => {
    for await (const item of stream) handle(item);
  })();
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export async function startAsyncServer(
  major: number,
  packageName: string,
  options: CompatServerOptions,
): Promise<CompatServer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package, chosen at run time
  const sc = require(packageName) as { attach(server: http.Server, options: object): AgServer };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require(`${packageName}/package.json`) as { version: string };
  return listen(major, version, options.port ?? 0, (httpServer, onConnection) =>
    attach(packageName, sc, httpServer, options, onConnection),
  );
}

function attach(
  packageName: string,
  sc: { attach(server: http.Server, options: object): AgServer },
  httpServer: http.Server,
  options: CompatServerOptions,
  onConnection: (socket: CompatSocket) => void,
): AttachedServer {
  const engine = codecEngine(options.codec);
  const protocolVersion = options.protocolVersion ?? 2;
  const serveThroughRequestCreator = !options.procedureLoops && hasStreamDemuxDefect(packageName);
  const agServer = sc.attach(httpServer, {
    authKey: AUTH_KEY,
    ...(options.serverDefaults
      ? {}
      : {
          pingInterval: options.pingInterval ?? 5000,
          pingTimeout: options.pingTimeout ?? 20_000,
          protocolVersion,
        }),
    ...(engine ? { codecEngine: engine } : {}),
    ...(serveThroughRequestCreator ? { requestCreator: requestCreator(packageName) } : {}),
  });
  const sockets: CompatSocket[] = [];
  const raw = new Set<RawSocket>();
  const pongCounts = new WeakMap<RawSocket, number>();
  const pong = options.serverDefaults || protocolVersion === 2 ? '' : '#2';

  // Raw sockets come from the ws server rather than a 'handshake' listener: see hasStreamDemuxDefect.
  agServer.wsServer.on('connection', (socket: RawSocket) => {
    raw.add(socket);
    pongCounts.set(socket, 0);
    // These servers compare the raw text frame with the pong string, before any decoding.
    socket.on('message', (message, isBinary) => {
      if (textOf(message, isBinary) === pong) pongCounts.set(socket, (pongCounts.get(socket) ?? 0) + 1);
    });
  });

  loop(agServer.listener('connection'), ({ socket }: { socket: AgSocket }) => {
    if (!serveThroughRequestCreator) {
      const actions = actionsOf(socket);
      for (const [name, procedure] of Object.entries(PROCEDURES)) {
        loop(socket.procedure(name), (request: ProcedureCall) => procedure(request, actions));
      }
    }
    const compat: CompatSocket = {
      id: socket.id,
      isAuthenticated: () => socket.authState === 'authenticated',
      authToken: () => socket.authToken,
      subscriptions: () => socket.subscriptions(),
      kickOut: (channel, message) => void socket.kickOut(channel, message),
      disconnect: (code, reason) => void socket.disconnect(code, reason),
      pongs: () => pongCounts.get(socket.socket) ?? 0,
    };
    sockets.push(compat);
    onConnection(compat);
  });

  return {
    sockets,
    publish: (channel, data) => agServer.exchange.transmitPublish(channel, data),
    signToken: (payload) => agServer.auth.signToken(payload, agServer.signatureKey, { expiresIn: 3600 }),
    async close() {
      agServer.closeAllListeners();
      const closed = agServer.close();
      // v17 and later terminate their sockets in close(); v15 and v16 leave them open.
      for (const socket of raw) socket.terminate();
      await closed;
    },
  };
}

function actionsOf(socket: AgSocket): SocketActions {
  return {
    transmit: (event, data) => void socket.transmit(event, data),
    invoke: (event, data) => socket.invoke(event, data),
    setAuthToken: (payload, tokenOptions) => socket.setAuthToken(payload, tokenOptions),
    disconnect: (code, reason) => void socket.disconnect(code, reason),
  };
}

/**
 * Whether the package's stream-demux hands every consumer the same id, so that only the newest `for await` loop
 * of an emitter or a socket ever wakes up. socketcluster-server 18.2.0 as npm installs it today has this defect:
 * stream-demux 9.0.2 reads `nextConsumerId`, which writable-consumable-stream 4.2.0 (what `^4.0.1` resolves to)
 * no longer has, so every consumer gets the id NaN. Against such a server the adapter keeps to one listener loop
 * ('connection') and serves procedures from the `requestCreator` option (v18 and later) instead of one
 * `socket.procedure(name)` loop per procedure.
 */
export function hasStreamDemuxDefect(packageName: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's own copy, untyped
  const StreamDemux = require(
    require.resolve('stream-demux', { paths: [require.resolve(packageName)] }),
  ) as new () => {
    stream(name: string): { createConsumer(): { id: unknown } };
  };
  const demux = new StreamDemux();
  const first = demux.stream('a').createConsumer();
  const second = demux.stream('b').createConsumer();
  return first.id === second.id || Number.isNaN(first.id);
}

/** A `requestCreator` that builds the server's own request and also hands it to the compat procedure. */
function requestCreator(packageName: string) {
  const paths = [require.resolve(packageName)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's own copy, untyped
  const AGRequest = require(require.resolve('ag-request', { paths })) as new (
    socket: AgSocket,
    id: number,
    procedure: string,
    data: unknown,
  ) => ProcedureCall;
  return (socket: AgSocket, id: number, procedureName: string, data: unknown): ProcedureCall => {
    const request = new AGRequest(socket, id, procedureName, data);
    const procedure = PROCEDURES[procedureName];
    // The server sets the request's final data after its inbound middleware, a few microtasks later.
    if (procedure) setImmediate(() => procedure(request, actionsOf(socket)));
    return request;
  };
}
