import { InjectionToken, inject, runInInjectionContext, type EnvironmentInjector } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { ConnectionError, RemoteError, type Client } from '../../lib';
import { SOCKETCLUSTER_CLIENT, injectSocketCluster, provideSocketCluster } from '../../lib/angular';
import { startTestServer, type TestServer } from '../support/test-server';
import { leftoverResources, until, waitForState } from '../support/wait';
import { appWithClient, clientOptions, environment } from './environment';

// provideSocketCluster() and injectSocketCluster() with the real @angular/core, against a real server.

let server: TestServer;
let app: EnvironmentInjector;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  if (!app.destroyed) app.destroy();
  await server.stop();
});

interface MathApi {
  invoke: { sum: { request: { a: number; b: number }; response: number } };
}

describe('provideSocketCluster()', () => {
  it('provides one client per injector, created on first injection and inert until needed', () => {
    app = appWithClient(server);
    const client = runInInjectionContext(app, () => injectSocketCluster());
    expect(app.get(SOCKETCLUSTER_CLIENT)).toBe(client);
    expect(runInInjectionContext(app, () => inject(SOCKETCLUSTER_CLIENT))).toBe(client);
    expect(client.state).toMatchObject({ state: 'idle', attempt: 0 });
    expect(server.sockets).toHaveLength(0);
  });

  it('gives a client that connects and answers RPCs, typed by the API the caller names', async () => {
    app = appWithClient(server);
    const client = runInInjectionContext(app, () => injectSocketCluster<MathApi>());
    const sum: number = await firstValueFrom(client.invoke('sum', { a: 20, b: 22 }));
    expect(sum).toBe(42);
    expect(client.state.state).toBe('open');
    expect(server.sockets).toHaveLength(1);
    const error = await firstValueFrom(
      runInInjectionContext(app, () => injectSocketCluster()).invoke('sum', { a: 1 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
  });

  it('runs an options function in the injection context, on first injection', async () => {
    const URL_TOKEN = new InjectionToken<string>('socket url');
    const factory = jest.fn(() => clientOptions(server, { url: inject(URL_TOKEN) }));
    app = environment([{ provide: URL_TOKEN, useValue: server.url }, provideSocketCluster(factory)]);
    expect(factory).not.toHaveBeenCalled();
    const client = app.get(SOCKETCLUSTER_CLIENT);
    app.get(SOCKETCLUSTER_CLIENT);
    expect(factory).toHaveBeenCalledTimes(1);
    await expect(firstValueFrom(client.invoke('echo', 'hi'))).resolves.toBe('hi');
  });

  it("lets the last provideSocketCluster() win, so a server config can override the app's", () => {
    const first = jest.fn(() => clientOptions(server));
    const last = jest.fn(() => clientOptions(server));
    app = environment([provideSocketCluster(first), provideSocketCluster(last)]);
    app.get(SOCKETCLUSTER_CLIENT);
    expect(first).not.toHaveBeenCalled();
    expect(last).toHaveBeenCalledTimes(1);
  });

  it('gives separate injectors separate clients', () => {
    app = appWithClient(server);
    const other = appWithClient(server);
    try {
      expect(other.get(SOCKETCLUSTER_CLIENT)).not.toBe(app.get(SOCKETCLUSTER_CLIENT));
    } finally {
      other.destroy();
    }
  });

  it('closes the client with its injector: streams complete, the socket goes, no handle is left', async () => {
    const baseline = process.getActiveResourcesInfo();
    app = appWithClient(server);
    const client: Client = app.get(SOCKETCLUSTER_CLIENT);
    const completed: string[] = [];
    client.state$.subscribe({ complete: () => completed.push('state$') });
    client.channel('news').subscribe({ complete: () => completed.push('channel') });
    client.connect();
    await waitForState(client.state$, (s) => s.state === 'open');
    await until(() => client.channelState('news') === 'subscribed');

    app.destroy();

    expect(client.state).toMatchObject({ state: 'closed', code: 1000 });
    expect(completed.sort()).toEqual(['channel', 'state$']);
    expect(() => client.connect()).toThrow(expect.objectContaining({ code: 'CLIENT_CLOSED' }));
    await until(() => server.agServer.clientsCount === 0);
    // As in the integration suite: the client's side of the close handshake ends a moment later; wait for it.
    expect(await leftoverResources(baseline)).toEqual([]);
  });
});

describe('injectSocketCluster()', () => {
  it('says what is missing when no provideSocketCluster() is in scope', () => {
    app = environment([]);
    expect(() => runInInjectionContext(app, () => injectSocketCluster())).toThrow(/provideSocketCluster/);
    expect(() => injectSocketCluster({ injector: app })).toThrow(/provideSocketCluster/);
  });

  it('needs an injection context or an injector', () => {
    app = appWithClient(server);
    expect(() => injectSocketCluster()).toThrow(/NG0203/);
    expect(injectSocketCluster({ injector: app })).toBe(app.get(SOCKETCLUSTER_CLIENT));
  });
});

describe('during server-side rendering', () => {
  it('provides a client that does not connect unless given a WebSocket', async () => {
    app = environment([provideSocketCluster({ url: server.url })], 'server');
    const client = app.get(SOCKETCLUSTER_CLIENT);
    const error = await firstValueFrom(client.invoke('echo', 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).cause).toEqual(
      new TypeError(
        'No connection during server-side rendering: give provideSocketCluster() a `WebSocket` to connect there',
      ),
    );
    expect(client.state).toMatchObject({ state: 'closed' });
    expect(client.state).not.toHaveProperty('retryAt');
    expect(server.sockets).toHaveLength(0);
  });

  it('connects there when given a WebSocket', async () => {
    app = appWithClient(server, {}, 'server');
    await expect(firstValueFrom(app.get(SOCKETCLUSTER_CLIENT).invoke('echo', 1))).resolves.toBe(1);
  });
});
