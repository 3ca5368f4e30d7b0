import {
  ConnectionError,
  createClient,
  memoryTokenStore,
  type AnyScError,
  type Client,
  type ClientOptions,
  type TokenStore,
} from '../../lib/node';
import { startTestServer, type AgServer, type TestServer, type TestServerOptions } from './test-server';
import { waitForState } from './wait';

// Shared by the integration specs: servers and clients tracked for cleanup, each client's errors$ recorded, and
// the server's inbound frames read as packets.

/** The parts of the AGServer the specs use beyond the harness's typing. */
export type TestAgServer = AgServer & {
  brokerEngine: { subscriptions(): string[] };
  auth: { signToken(payload: object, key: unknown, options?: object): Promise<string> };
  signatureKey: unknown;
};

/** A decoded inbound packet. */
export interface Packet {
  event?: string;
  data?: unknown;
  cid?: number;
  rid?: number;
}

export function ag(server: TestServer): TestAgServer {
  return server.agServer as TestAgServer;
}

/** Every inbound packet the server received (pongs and other non-JSON frames left out). */
export function packets(server: TestServer): Packet[] {
  return server.frames.flatMap((frame) => {
    try {
      const decoded = JSON.parse(frame) as Packet | Packet[];
      return Array.isArray(decoded) ? decoded : [decoded];
    } catch {
      return [];
    }
  });
}

/** The client's default token key for this server. */
export function tokenKey(server: TestServer): string {
  return `socketcluster.authToken.127.0.0.1:${server.port}`;
}

/** A token store holding `token` under the default key for this server. */
export function storeWith(server: TestServer, token: string): TokenStore {
  return memoryTokenStore({ [tokenKey(server)]: token });
}

export async function open(client: Client): Promise<void> {
  client.connect();
  await waitForState(client.state$, (s) => s.state === 'open');
}

/** Servers and clients of one spec file, closed by {@link Harness.closeAll} after each test. */
export class Harness {
  readonly #servers = new Set<TestServer>();
  readonly #clients: Client[] = [];
  readonly #errors = new Map<Client, AnyScError[]>();

  async start(setup?: TestServerOptions): Promise<TestServer> {
    const server = await startTestServer(setup);
    this.#servers.add(server);
    return server;
  }

  async stop(server: TestServer): Promise<void> {
    this.#servers.delete(server);
    await server.stop();
  }

  /** A client of `server` that retries quickly; its `errors$` is recorded (see {@link Harness.errorsOf}). */
  connect(server: TestServer, options: Partial<ClientOptions> = {}): Client {
    const client = createClient({ url: server.url, reconnectDelay: () => 20, ...options });
    const errors: AnyScError[] = [];
    client.errors$.subscribe((error) => errors.push(error));
    this.#clients.push(client);
    this.#errors.set(client, errors);
    return client;
  }

  errorsOf(client: Client): AnyScError[] {
    return this.#errors.get(client) ?? [];
  }

  /**
   * What the client reported across a server restart, apart from the connection's own failures: the lost
   * connection (1006) first, then the attempts refused while the server was down. Those are checked here.
   */
  problemsAcrossRestart(client: Client): AnyScError[] {
    const errors = this.errorsOf(client);
    const failures = errors.filter((error) => error instanceof ConnectionError);
    expect(failures[0]).toMatchObject({ code: 'CONNECTION_CLOSED', closeCode: 1006, phase: 'disconnect' });
    for (const refused of failures.slice(1)) expect(refused).toMatchObject({ code: 'CONNECTION_REFUSED' });
    return errors.filter((error) => !(error instanceof ConnectionError));
  }

  /**
   * Closes every client, then stops every server still running (after `beforeStop` has seen them). Returns every
   * error the clients reported.
   */
  async closeAll(beforeStop?: (servers: TestServer[]) => void): Promise<AnyScError[]> {
    for (const client of this.#clients.splice(0)) client.close();
    const running = [...this.#servers];
    this.#servers.clear();
    beforeStop?.(running);
    await Promise.all(running.map((server) => server.stop()));
    const errors = [...this.#errors.values()].flat();
    this.#errors.clear();
    return errors;
  }
}
