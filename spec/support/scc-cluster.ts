import http from 'node:http';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { AgServer, ServerSocket } from './test-server';

/*
 * A small SocketCluster cluster (SCC) for tests:
 *
 * - a state coordinator, in this process: a socketcluster-server that speaks what scc-broker and scc-broker-client
 *   10 expect of scc-state (see Coordinator below);
 * - one scc-broker 10 instance, in a child process (the package is a script that listens on a port taken from its
 *   environment and exposes no way to stop it);
 * - socketcluster-server v20 instances, in this process, each attached to the cluster with scc-broker-client 10.
 *
 * One `authKey` serves everywhere: the instances sign and verify JWTs with it, and the coordinator and the broker
 * refuse connections whose `authKey` query argument differs.
 */

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- untyped CommonJS */
const socketClusterServer = require('socketcluster-server') as {
  attach(server: http.Server, options: Record<string, unknown>): AgServer & Record<string, any>;
};
const sccBrokerClient = require('scc-broker-client') as {
  attach(broker: unknown, options: Record<string, unknown>): ClusterBrokerClient;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The parts of scc-broker-client's ClientPool (its clients of one broker) used here. */
interface ClientPool {
  destroy(): void;
  isSubscribed(channel: string, includePending?: boolean): boolean;
}

/** The parts of scc-broker-client's ClusterBrokerClient used here. */
interface ClusterBrokerClient {
  isReady: boolean;
  sccBrokerURIList: string[];
  sccBrokerClientPools: Record<string, ClientPool>;
  mapChannelNameToBrokerURI(channel: string): string;
  listener(event: string): AsyncIterable<any> & { once(timeout?: number): Promise<any> };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface ClusterOptions {
  /** Shared by the instances (JWT signing key), the coordinator and the broker. */
  authKey: string;
  /** Number of socketcluster-server instances. Default: 2. */
  instances?: number;
  /** Extra socketcluster-server options for every instance. */
  serverOptions?: Record<string, unknown>;
  /** Per-connection setup on an instance (procedures, receivers). */
  onConnection?: (socket: ServerSocket, instance: number) => void;
}

export interface Cluster {
  /** The WebSocket URL of each instance. */
  readonly urls: string[];
  /** The running socketcluster-server of each instance (undefined while killed). */
  server(instance: number): AgServer | undefined;
  /**
   * Resolves once `instance` holds an active subscription to `channel` on the broker: from then on, what is
   * published to `channel` on any instance reaches that instance's subscribers.
   */
  routed(instance: number, channel: string, timeout?: number): Promise<void>;
  /** Stops an instance abruptly: its clients see their connection drop (1006). */
  killInstance(instance: number): Promise<void>;
  /** Starts a killed instance again, on the same port, and waits until it has joined the cluster. */
  restartInstance(instance: number): Promise<void>;
  /** Stops the instances, the broker and the coordinator; leaves nothing running. */
  close(): Promise<void>;
}

/** Resolves when `check()` holds, re-checking on each event named `event`, failing after `ms`. */
async function whenEvent(
  emitter: { listener(event: string): { once(timeout?: number): Promise<unknown> } },
  event: string,
  check: () => boolean,
  ms: number,
  what: string,
): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    const left = end - Date.now();
    if (left <= 0) throw new Error(`Timed out waiting for ${what}`);
    // The wait is registered synchronously after the check: no event can slip in between.
    await emitter
      .listener(event)
      .once(left)
      .catch(() => undefined);
  }
}

async function listen(server: http.Server | net.Server, port = 0): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function closeHttp(server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

type InstanceType = 'scc-broker' | 'scc-worker';
const KNOWN_TYPES: string[] = ['scc-broker', 'scc-worker'];

interface Member {
  readonly type: InstanceType;
  readonly instanceId: string;
  readonly uri: string;
  readonly socket: ServerSocket;
  /** Announcements sent to it and not answered yet. */
  readonly pending: Set<Promise<unknown>>;
  /** Being let go: it gets no more announcements. */
  released: boolean;
}

/**
 * The state coordinator, in the role of scc-state 10. What it speaks, over an ordinary SocketCluster connection
 * (query arguments `authKey`, `instanceType` = `scc-broker` | `scc-worker`, `instancePort`, `version`):
 *
 * - receives the invoke `sccBrokerJoinCluster` `{instanceId, instanceIp, instanceIpFamily, instanceSecure}` from a
 *   broker, and `sccWorkerJoinCluster` `{instanceId, instanceIp, instanceIpFamily}` from an instance, which it
 *   answers with `{sccBrokerURIs, sccWorkerURIs, sccSourceWorkerURI, time}`;
 * - receives `sccBrokerLeaveCluster` / `sccWorkerLeaveCluster`, and treats a closed socket as a leave;
 * - invokes `sccBrokerJoinCluster` / `sccBrokerLeaveCluster` `{sccBrokerURIs, time}` on every instance when the
 *   brokers change, and `sccWorkerJoinCluster` / `sccWorkerLeaveCluster` `{sccWorkerURIs, sccSourceWorkerURI, time}`
 *   on the other instances when the instances change. `time` only grows: instances ignore a snapshot older than
 *   the last they applied.
 *
 * A URI is `ws://<instanceIp or the socket's remote address>:<instancePort>` (`wss` for a secure broker). Unlike
 * scc-state, changes are announced at once rather than after a scale-out delay, and instances may join before any
 * broker (they are told when one arrives).
 */
class Coordinator {
  readonly #members = new Map<string, Member>();
  /** Ports of instances let go: their reconnections are refused, with a code their client does not retry. */
  readonly #released = new Set<string>();
  readonly #httpServer = http.createServer();
  readonly #agServer: AgServer & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  #time = 0;
  port = 0;

  constructor(authKey: string) {
    this.#agServer = socketClusterServer.attach(this.#httpServer, {
      authKey,
      pingInterval: 1000,
      pingTimeout: 5000,
    });
    const server = this.#agServer;
    server.setMiddleware(server.MIDDLEWARE_HANDSHAKE, async (stream) => {
      for await (const action of stream) {
        const query = new URL(action.request?.url ?? action.socket?.request?.url ?? '/', 'http://x')
          .searchParams;
        if (action.type === action.HANDSHAKE_WS && query.get('authKey') !== authKey) {
          action.block(Object.assign(new Error('Invalid cluster authKey'), { name: 'BadClusterAuthError' }));
        } else if (
          action.type === action.HANDSHAKE_SC &&
          !KNOWN_TYPES.includes(query.get('instanceType') ?? '')
        ) {
          action.block(Object.assign(new Error('Unknown SCC instance type'), { name: 'CompatibilityError' }));
        } else if (
          action.type === action.HANDSHAKE_SC &&
          this.#released.has(query.get('instancePort') ?? '')
        ) {
          action.block(
            Object.assign(new Error('Instance stopped'), { name: 'InstanceStoppedError', statusCode: 4500 }),
          );
        } else {
          action.allow();
        }
      }
    });
    void (async () => {
      for await (const { socket } of server.listener('connection')) this.#serve(socket);
    })();
  }

  async start(): Promise<void> {
    this.port = await listen(this.#httpServer);
    if (!this.#agServer.isReady) await this.#agServer.listener('ready').once();
  }

  /** Resolves on the next join or leave. */
  readonly changes = { listener: (event: string) => this.#agServer.listener(event) };

  brokers(): string[] {
    return this.#uris('scc-broker');
  }

  /**
   * Closes the coordinator's end of an instance's connection with 1000, which its client does not retry, once the
   * announcements in flight to it are answered: the official client answers an invoke after handling it, and an
   * answer sent while its socket is closing makes it close with 1005 instead, and reconnect at once.
   */
  async release(instanceId: string, port: number): Promise<void> {
    this.#released.add(String(port));
    for (const member of this.#members.values()) {
      if (member.instanceId !== instanceId) continue;
      member.released = true;
      await Promise.allSettled([...member.pending]);
      member.socket.disconnect(1000, 'Instance stopped');
    }
  }

  /** Lets an instance on `port` join again. */
  admit(port: number): void {
    this.#released.delete(String(port));
  }

  async close(): Promise<void> {
    this.#agServer.closeAllListeners();
    await this.#agServer.close();
    await closeHttp(this.#httpServer);
  }

  #stamp(): number {
    this.#time = Math.max(Date.now(), this.#time + 1);
    return this.#time;
  }

  #uris(type: InstanceType): string[] {
    return [...new Set([...this.#members.values()].filter((m) => m.type === type).map((m) => m.uri))];
  }

  #announce(
    type: InstanceType,
    procedure: string,
    data: Record<string, unknown>,
    except?: ServerSocket,
  ): void {
    for (const member of this.#members.values()) {
      if (member.type !== type || member.socket === except || member.released) continue;
      // A member that is leaving misses it.
      const answered: Promise<unknown> = member.socket.invoke(procedure, data).catch(() => undefined);
      member.pending.add(answered);
      void answered.then(() => member.pending.delete(answered));
    }
    // A signal for whoever waits on the cluster's shape (see whenEvent).
    (this.#agServer as unknown as { emit(event: string, data: unknown): void }).emit('clusterChange', {
      procedure,
    });
  }

  #serve(socket: ServerSocket): void {
    const query = new URL(socket.request.url as string, 'http://x').searchParams;
    const instanceType = query.get('instanceType') as InstanceType;
    const instancePort = query.get('instancePort');
    const join = (data: Record<string, unknown> | undefined) => {
      const given =
        typeof data?.instanceIp === 'string' && data.instanceIp !== '' ? data.instanceIp : undefined;
      const ip = given ?? (socket.remoteAddress as string);
      const family = given ? (data?.instanceIpFamily ?? 'IPv4') : net.isIPv6(ip) ? 'IPv6' : 'IPv4';
      const host = family === 'IPv4' ? ip : `[${ip}]`;
      const scheme = data?.instanceSecure ? 'wss' : 'ws';
      const member: Member = {
        type: instanceType,
        instanceId: String(data?.instanceId ?? socket.id),
        uri: `${scheme}://${host}:${instancePort}`,
        socket,
        pending: new Set(),
        released: false,
      };
      this.#members.set(socket.id as string, member);
      return member;
    };
    const leave = () => {
      const member = this.#members.get(socket.id as string);
      if (!member) return;
      this.#members.delete(socket.id as string);
      if (member.type === 'scc-broker') {
        this.#announce('scc-worker', 'sccBrokerLeaveCluster', {
          sccBrokerURIs: this.brokers(),
          time: this.#stamp(),
        });
      } else {
        const data = {
          sccWorkerURIs: this.#uris('scc-worker'),
          sccSourceWorkerURI: member.uri,
          time: this.#stamp(),
        };
        this.#announce('scc-worker', 'sccWorkerLeaveCluster', data);
      }
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- requests of the untyped scc protocol
    const loop = (name: string, handle: (req: any) => void) => {
      void (async () => {
        for await (const req of socket.procedure(name)) handle(req);
      })();
    };

    loop('sccBrokerJoinCluster', (req) => {
      join(req.data);
      req.end();
      this.#announce('scc-worker', 'sccBrokerJoinCluster', {
        sccBrokerURIs: this.brokers(),
        time: this.#stamp(),
      });
    });
    loop('sccWorkerJoinCluster', (req) => {
      const member = join(req.data);
      const time = this.#stamp();
      const workers = this.#uris('scc-worker');
      req.end({
        sccBrokerURIs: this.brokers(),
        sccWorkerURIs: workers,
        sccSourceWorkerURI: member.uri,
        time,
      });
      const news = { sccWorkerURIs: workers, sccSourceWorkerURI: member.uri, time };
      this.#announce('scc-worker', 'sccWorkerJoinCluster', news, socket);
    });
    for (const name of ['sccBrokerLeaveCluster', 'sccWorkerLeaveCluster']) {
      loop(name, (req) => {
        leave();
        req.end();
      });
    }
    void socket.listener('close').once().then(leave);
  }
}

interface Instance {
  readonly index: number;
  readonly port: number;
  readonly instanceId: string;
  readonly agServer: AgServer & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly httpServer: http.Server;
  readonly clusterClient: ClusterBrokerClient;
}

/** Starts the broker script with the environment it reads; resolves once it has joined the coordinator. */
async function startBroker(
  coordinator: Coordinator,
  authKey: string,
): Promise<{ child: ChildProcess; uri: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [require.resolve('scc-broker')], {
    env: {
      ...process.env,
      SCC_BROKER_SERVER_PORT: String(port),
      SCC_STATE_SERVER_HOST: '127.0.0.1',
      SCC_STATE_SERVER_PORT: String(coordinator.port),
      SCC_INSTANCE_IP: '127.0.0.1',
      SCC_AUTH_KEY: authKey,
      SCC_BROKER_SERVER_LOG_LEVEL: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const uri = `ws://127.0.0.1:${port}`;
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`scc-broker exited (${String(code)}) before joining the cluster: ${stderr}`);
  });
  try {
    const joined = () => coordinator.brokers().includes(uri);
    await Promise.race([
      whenEvent(coordinator.changes, 'clusterChange', joined, 15_000, 'the broker to join'),
      exited,
    ]);
  } catch (error) {
    child.kill();
    throw error;
  }
  exited.catch(() => undefined);
  return { child, uri };
}

/**
 * Starts a cluster: coordinator, broker, then the instances, each joined (it knows the broker) before this
 * resolves.
 *
 * @example
 * ```ts
 * const cluster = await startCluster({ authKey: 'secret' });
 * const a = createClient({ url: cluster.urls[0] });
 * const b = createClient({ url: cluster.urls[1] });
 * ```
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { authKey } = options;
  const count = options.instances ?? 2;
  const coordinator = new Coordinator(authKey);
  await coordinator.start();
  let broker: { child: ChildProcess; uri: string } | undefined;
  const instances: (Instance | undefined)[] = [];
  const ports: number[] = [];
  let generation = 0;

  const startInstance = async (index: number, port = 0): Promise<Instance> => {
    coordinator.admit(port);
    const httpServer = http.createServer();
    const agServer = socketClusterServer.attach(httpServer, {
      authKey,
      pingInterval: 1000,
      pingTimeout: 5000,
      ...options.serverOptions,
    });
    void (async () => {
      for await (const { socket } of agServer.listener('connection')) options.onConnection?.(socket, index);
    })();
    const listening = await listen(httpServer, port);
    if (!agServer.isReady) await agServer.listener('ready').once();
    const instanceId = `instance-${index}-${++generation}`;
    const clusterClient = sccBrokerClient.attach(agServer.brokerEngine, {
      instanceId,
      instancePort: listening,
      instanceIp: '127.0.0.1',
      stateServerHost: '127.0.0.1',
      stateServerPort: coordinator.port,
      authKey,
    });
    // Joined: the coordinator's answer named the broker, and the instance has connected its client pool to it.
    const joined = () => clusterClient.isReady && clusterClient.sccBrokerURIList.length > 0;
    await whenEvent(clusterClient, 'updateBrokers', joined, 15_000, `instance ${index} to join`);
    return { index, port: listening, instanceId, agServer, httpServer, clusterClient };
  };

  const stopInstance = async (instance: Instance): Promise<void> => {
    // The instance's clients of the cluster: its client pools (to the broker) and its coordinator connection.
    for (const pool of Object.values(instance.clusterClient.sccBrokerClientPools)) pool.destroy();
    await coordinator.release(instance.instanceId, instance.port);
    instance.agServer.closeAllListeners();
    await instance.agServer.close();
    await closeHttp(instance.httpServer);
  };

  const closeAll = async (): Promise<void> => {
    for (const instance of instances.splice(0)) if (instance) await stopInstance(instance);
    if (broker) {
      const exited = once(broker.child, 'exit');
      broker.child.kill();
      await exited;
      broker = undefined;
    }
    await coordinator.close();
  };

  try {
    broker = await startBroker(coordinator, authKey);
    for (let i = 0; i < count; i++) {
      const instance = await startInstance(i);
      instances.push(instance);
      ports.push(instance.port);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  const running = (index: number): Instance => {
    const instance = instances[index];
    if (!instance) throw new Error(`instance ${index} is not running`);
    return instance;
  };

  return {
    urls: ports.map((port) => `ws://127.0.0.1:${port}/socketcluster/`),
    server: (index) => instances[index]?.agServer,
    async routed(index, channel, timeout = 10_000) {
      const { clusterClient } = running(index);
      const subscribed = () => {
        const pool = clusterClient.sccBrokerClientPools[clusterClient.mapChannelNameToBrokerURI(channel)];
        return pool?.isSubscribed(channel, false) ?? false;
      };
      await whenEvent(
        clusterClient,
        'subscribe',
        subscribed,
        timeout,
        `instance ${index} to route '${channel}'`,
      );
    },
    async killInstance(index) {
      const instance = running(index);
      instances[index] = undefined;
      await stopInstance(instance);
    },
    async restartInstance(index) {
      if (instances[index]) throw new Error(`instance ${index} is running`);
      instances[index] = await startInstance(index, ports[index]);
    },
    close: closeAll,
  };
}
