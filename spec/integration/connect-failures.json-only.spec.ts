import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import {
  CallNotSentError,
  ConnectionError,
  createClient,
  HandshakeError,
  type AnyScError,
  type Client,
  type ClientOptions,
  type ConnectionState,
} from '../../lib/node';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitForState } from '../support/wait';
import { closedPort } from '../support/ports';

// Each way a connection fails, met for real: the cause arrives as a typed error with a stable code on the `closed`
// state and on errors$, once per attempt. Nothing listening, an unknown host, a wrong path on a real
// socketcluster-server, a proxy that refuses the upgrade, a TLS server with a self-signed certificate, a server
// that accepts TCP and never answers, and handshake middleware that rejects the socket.

type Closed = Extract<ConnectionState, { state: 'closed' }>;

const clients: Client[] = [];
const servers: { close(callback: () => void): unknown }[] = [];
let server: TestServer | undefined;

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
  await server?.stop();
  server = undefined;
});

/** A client that records its errors$, connected now. */
function connect(url: string, options: Partial<ClientOptions> = {}) {
  const client = createClient({ url, ...options });
  clients.push(client);
  const errors: AnyScError[] = [];
  client.errors$.subscribe((error) => errors.push(error));
  client.connect();
  return { client, errors };
}

/** The first `closed` state that says why. */
async function failure(client: Client): Promise<Closed> {
  return (await waitForState(client.state$, (s) => s.state === 'closed' && s.error !== undefined)) as Closed;
}

async function listening(s: net.Server): Promise<number> {
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  servers.push(s);
  return (s.address() as AddressInfo).port;
}

it('nothing listening: CONNECTION_REFUSED, once per attempt, and queued calls say they were not sent', async () => {
  const port = await closedPort();
  const { client, errors } = connect(`ws://127.0.0.1:${port}/socketcluster/`, { reconnectDelay: () => 100 });
  const states: ConnectionState[] = [];
  client.state$.subscribe((s) => states.push(s));
  const call = await firstValueFrom(client.invoke('history', null, { timeout: 1000 })).catch(
    (e: unknown) => e,
  );
  const closed = states.filter((s): s is Closed => s.state === 'closed' && s.error !== undefined);
  expect(closed.length).toBeGreaterThan(1);
  const reason = `Connection refused: is the server running? (connect ECONNREFUSED 127.0.0.1:${port})`;
  for (const state of closed) {
    expect(state).toMatchObject({ code: 1006, reason });
    expect(state.error).toBeInstanceOf(ConnectionError);
    expect(state.error).toMatchObject({ code: 'CONNECTION_REFUSED', closeCode: 1006, phase: 'connectAbort' });
    expect((state.error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  }
  // One report per failed attempt: as many as the attempts that failed by then.
  const attempts = states.filter((s) => s.state === 'connecting').length;
  expect(errors.length).toBeGreaterThanOrEqual(attempts - 1);
  expect(errors.length).toBeLessThanOrEqual(attempts);
  expect(errors.every((e) => e.code === 'CONNECTION_REFUSED')).toBe(true);
  expect(call).toBeInstanceOf(CallNotSentError);
  expect((call as CallNotSentError).lastFailure).toBe(`1006 ${reason}`);
});

it('an unknown host: HOST_NOT_FOUND', async () => {
  const { client, errors } = connect('ws://nohost.invalid/socketcluster/', { reconnect: false });
  const closed = await failure(client);
  expect(closed.error).toMatchObject({ code: 'HOST_NOT_FOUND', closeCode: 1006 });
  expect(closed.reason).toMatch(/^Host not found \(getaddrinfo (ENOTFOUND|EAI_AGAIN) nohost\.invalid\)$/);
  expect(errors).toEqual([closed.error]);
});

it('a wrong path on a real socketcluster-server: UPGRADE_REFUSED with its HTTP status', async () => {
  server = await startTestServer();
  const { client, errors } = connect(`ws://127.0.0.1:${server.port}/socketclustr/`, { reconnect: false });
  const closed = await failure(client);
  expect(closed.error).toMatchObject({ code: 'UPGRADE_REFUSED', httpStatus: 400, closeCode: 1006 });
  expect(closed.reason).toBe(
    "The server answered the WebSocket upgrade with HTTP 400: is the URL's path right? (SocketCluster's is /socketcluster/)",
  );
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ code: 'UPGRADE_REFUSED', httpStatus: 400 });
});

it.each([
  [404, 'Not Found'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [502, 'Bad Gateway'],
])('an HTTP server or proxy that answers the upgrade with %i: UPGRADE_REFUSED', async (status, text) => {
  const proxy = http.createServer((_req, res) => res.writeHead(status).end());
  proxy.on('upgrade', (_req, socket: net.Socket) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  const port = await listening(proxy);
  const { client } = connect(`ws://127.0.0.1:${port}/socketcluster/`, { reconnect: false });
  const closed = await failure(client);
  expect(closed.error).toMatchObject({ code: 'UPGRADE_REFUSED', httpStatus: status });
  expect(closed.reason).toMatch(new RegExp(`^The server answered the WebSocket upgrade with HTTP ${status}`));
});

it('a TLS server with a self-signed certificate: TLS_FAILED, naming the certificate', async () => {
  const pem = (name: string) => readFileSync(join(__dirname, '../support/tls', name), 'utf8');
  const tlsServer = https.createServer({ key: pem('server-key.pem'), cert: pem('server-cert.pem') });
  const port = await listening(tlsServer);
  const { client, errors } = connect(`wss://localhost:${port}/socketcluster/`, { reconnect: false });
  const closed = await failure(client);
  expect(closed.error).toMatchObject({ code: 'TLS_FAILED', closeCode: 1006 });
  expect(closed.reason).toMatch(
    /^TLS failed \[(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\] \(self[- ]signed/,
  );
  expect(errors).toEqual([closed.error]);
});

it('a server that accepts TCP and never answers: CONNECT_TIMEOUT after connectTimeout', async () => {
  const silent = net.createServer(() => undefined);
  const port = await listening(silent);
  const sockets: net.Socket[] = [];
  silent.on('connection', (socket) => sockets.push(socket));
  const started = Date.now();
  const { client, errors } = connect(`ws://127.0.0.1:${port}/socketcluster/`, {
    reconnect: false,
    connectTimeout: 300,
  });
  const closed = await failure(client);
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(closed).toMatchObject({ code: 4007, reason: 'Connection establishment timed out' });
  expect(closed.error).toMatchObject({ code: 'CONNECT_TIMEOUT', closeCode: 4007 });
  expect(errors).toEqual([closed.error]);
  for (const socket of sockets) socket.destroy();
});

it("handshake middleware that rejects the socket: HANDSHAKE_REJECTED with the server's error name and message", async () => {
  server = await startTestServer();
  server.agServer.setMiddleware(server.agServer.MIDDLEWARE_HANDSHAKE, async (stream) => {
    for await (const action of stream) {
      if (action.type === action.HANDSHAKE_SC) action.block(new Error('Not today'));
      else action.allow();
    }
  });
  const { client, errors } = connect(server.url, { reconnectDelay: () => 60_000 });
  const closed = await failure(client);
  expect(closed.code).toBe(4008);
  expect(closed.error).toBeInstanceOf(HandshakeError);
  expect(closed.error).toMatchObject({ code: 'HANDSHAKE_REJECTED', statusCode: 4008, message: 'Not today' });
  expect(closed.reason).toBe('Error: Not today');
  expect(closed.retryIn).toBe(60_000);
  expect(errors).toEqual([closed.error]);
});
