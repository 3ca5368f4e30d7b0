import { msgpackCodec } from '../../../lib/codec/msgpack';
import {
  ConnectionError,
  createClient,
  jsonCodec,
  memoryTokenStore,
  type AnyScError,
  type Client,
  type ClientOptions,
} from '../../../lib/node';
import { waitForState } from '../../support/wait';
import type { CodecName, CompatServer, CompatServerOptions } from './compat-server';
import type { Row } from './matrix';
import { startServer } from './servers';

/** The codec this client uses with a server running `codec`. */
export function clientCodec(codec: CodecName) {
  return codec === 'msgpack' ? msgpackCodec() : jsonCodec();
}

/**
 * The servers and clients of one matrix row. The row's server runs with slow pings (5 s, 20 s timeout) so that no
 * ping lands inside a scenario; the ping scenario starts a fast-pinging server of its own.
 */
export class RowHarness {
  readonly row: Row;
  #server: CompatServer | undefined;
  readonly #extraServers = new Set<CompatServer>();
  readonly #clients: Client[] = [];
  readonly #errors = new Map<Client, AnyScError[]>();

  constructor(row: Row) {
    this.row = row;
  }

  /** The options a server of this row starts with, on `port` when given. */
  serverOptions(extra: CompatServerOptions = {}): CompatServerOptions {
    return { protocolVersion: this.row.protocol, codec: this.row.codec, ...extra };
  }

  async start(): Promise<CompatServer> {
    this.#server = await startServer(this.row.major, this.serverOptions());
    return this.#server;
  }

  get server(): CompatServer {
    if (!this.#server) throw new Error('The row server is not running');
    return this.#server;
  }

  /** Stops the row server and starts the same major with the same options on the same port. */
  async restart(): Promise<CompatServer> {
    const { port } = this.server;
    await this.server.stop();
    this.#server = await startServer(this.row.major, this.serverOptions({ port }));
    return this.#server;
  }

  /** Another server of this row's major, stopped with the row's clients. */
  async startExtra(options: CompatServerOptions): Promise<CompatServer> {
    const server = await startServer(this.row.major, this.serverOptions(options));
    this.#extraServers.add(server);
    return server;
  }

  /** A client of `server` (the row server by default) speaking the row's protocol and codec; errors$ recorded. */
  client(options: Partial<ClientOptions> = {}, server: CompatServer = this.server): Client {
    const client = createClient({
      url: server.url,
      protocolVersion: this.row.protocol,
      codec: clientCodec(this.row.codec),
      reconnectDelay: () => 20,
      ackTimeout: 3000,
      connectTimeout: 3000,
      tokenStore: memoryTokenStore(),
      ...options,
    });
    const errors: AnyScError[] = [];
    client.errors$.subscribe((error) => errors.push(error));
    this.#clients.push(client);
    this.#errors.set(client, errors);
    return client;
  }

  /**
   * What the client reported on errors$, as `code kind: message` lines, apart from the connection's own failures
   * (a `ConnectionError` per lost connection or failed attempt), which the scenarios that close connections check
   * on `state$`.
   */
  diagnostics(client: Client): string[] {
    return (this.#errors.get(client) ?? [])
      .filter((e) => !(e instanceof ConnectionError))
      .map((e) => [e.code, 'kind' in e ? e.kind : '', e.message].filter(Boolean).join(' '));
  }

  /** Closes the clients of the last scenario and stops its extra servers. */
  async endScenario(): Promise<void> {
    for (const client of this.#clients.splice(0)) client.close();
    this.#errors.clear();
    const extra = [...this.#extraServers];
    this.#extraServers.clear();
    await Promise.all(extra.map((server) => server.stop()));
  }

  async stop(): Promise<void> {
    await this.endScenario();
    await this.#server?.stop();
    this.#server = undefined;
  }
}

/** Connects and resolves once the handshake is done. */
export async function open(client: Client, ms = 3000): Promise<void> {
  client.connect();
  await waitForState(client.state$, (s) => s.state === 'open', ms);
}
