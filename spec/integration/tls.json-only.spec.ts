import https from 'node:https';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { firstValueFrom } from 'rxjs';
import { createClient, type Client, type ConnectionState } from '../../lib/node';
import { waitForState } from '../support/wait';

// `wss:` against a real socketcluster-server v20 behind an HTTPS server with a self-signed certificate that asks
// for a client certificate. The certificates are test fixtures (spec/support/tls/README.md).

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS package without types
const { attach } = require('socketcluster-server') as {
  attach: (
    server: https.Server,
    options: object,
  ) => {
    listener(name: string): AsyncIterable<{
      socket: {
        procedure(name: string): AsyncIterable<{ end(v: unknown): void }>;
        request: { socket: TLSSocket };
      };
    }>;
    closeAllListeners(): void;
    close(): Promise<void>;
  };
};

const pem = (name: string) => readFileSync(join(__dirname, '../support/tls', name), 'utf8');
const serverCert = pem('server-cert.pem');
const clientCert = pem('client-cert.pem');
const clientKey = pem('client-key.pem');

let httpsServer: https.Server;
let agServer: ReturnType<typeof attach>;
let url: string;
const peers: string[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  httpsServer = https.createServer({
    key: pem('server-key.pem'),
    cert: serverCert,
    requestCert: true,
    rejectUnauthorized: true,
    ca: clientCert,
  });
  agServer = attach(httpsServer, { authKey: 'test-only-secret' });
  void (async () => {
    for await (const { socket } of agServer.listener('connection')) {
      peers.push(socket.request.socket.getPeerCertificate().subject.CN as string);
      void (async () => {
        for await (const req of socket.procedure('whoami')) req.end(peers.at(-1));
      })();
    }
  })();
  httpsServer.listen(0, '127.0.0.1');
  await once(httpsServer, 'listening');
  url = `wss://localhost:${(httpsServer.address() as AddressInfo).port}/socketcluster/`;
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  agServer.closeAllListeners();
  await agServer.close();
  await new Promise<void>((resolve) => httpsServer.close(() => resolve()));
});

function connect(tls: object): Client {
  const client = createClient({ url, tls, reconnect: false });
  clients.push(client);
  client.connect();
  return client;
}

it('connects over wss with a trusted CA and a client certificate, and works', async () => {
  const client = connect({ ca: serverCert, cert: clientCert, key: clientKey });
  await waitForState(client.state$, (s) => s.state === 'open');
  expect(await firstValueFrom(client.invoke('whoami'))).toBe('rx-socketcluster-test-client');
});

it('refuses a self-signed server certificate that is not trusted', async () => {
  const client = connect({ cert: clientCert, key: clientKey });
  const closed = (await waitForState(
    client.state$,
    (s) => s.state === 'closed' && s.code !== undefined,
  )) as Extract<ConnectionState, { state: 'closed' }>;
  expect(closed.code).toBe(1006);
  expect(closed.error).toMatchObject({ code: 'TLS_FAILED' });
  expect(closed.reason).toMatch(/^TLS failed \[(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\]/);
  expect(closed.retryAt).toBeUndefined();
});

it('connects to an untrusted certificate with rejectUnauthorized: false (development only)', async () => {
  const client = connect({ rejectUnauthorized: false, cert: clientCert, key: clientKey });
  await waitForState(client.state$, (s) => s.state === 'open');
});

it('is refused by a server that requires a client certificate when none is given', async () => {
  const client = connect({ ca: serverCert });
  const closed = (await waitForState(
    client.state$,
    (s) => s.state === 'closed' && s.code !== undefined,
  )) as Extract<ConnectionState, { state: 'closed' }>;
  expect(closed).toMatchObject({ state: 'closed', code: 1006 });
  // The server's TLS alert, in OpenSSL's words without its source file and line.
  expect(closed.error).toMatchObject({ code: 'TLS_FAILED' });
  expect(closed.reason).toMatch(/^TLS failed \[ERR_SSL_\w+\] \([a-z0-9 ]+\)$/);
});
