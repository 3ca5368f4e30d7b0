import { runInInjectionContext, type EnvironmentInjector } from '@angular/core';
import type { Client } from '../../lib';
import { channelSignal, provideSocketCluster, SOCKETCLUSTER_CLIENT } from '../../lib/angular';
import { createFakeServer, type FakeServer } from '../../lib/testing';
import { environment } from './environment';

// The way docs/testing.md gives an Angular test its client: provideSocketCluster(server.clientOptions()), one line,
// with no provider of its own in rx-socketcluster/testing (which must not import @angular/core).

const flush = () => jest.advanceTimersByTimeAsync(10);

let server: FakeServer;
let app: EnvironmentInjector;

beforeEach(() => {
  jest.useFakeTimers({ now: 0 });
  server = createFakeServer();
});

afterEach(async () => {
  if (!app.destroyed) app.destroy();
  server.close();
  await flush();
  expect(jest.getTimerCount()).toBe(0);
  jest.useRealTimers();
});

it("provides a client wired to the fake server, which answers the app's calls", async () => {
  app = environment([provideSocketCluster(server.clientOptions())]);
  const client: Client = app.get(SOCKETCLUSTER_CLIENT);
  const answer = client.invoke('sum', { a: 1, b: 2 });
  const result: unknown[] = [];
  answer.subscribe((value) => result.push(value));
  await flush();
  server.expectInvoke('sum').respond(3);
  await flush();
  expect(result).toEqual([3]);
  expect(server.lastSocket().id).toBe('socket-1');
  server.verify();
});

it('feeds the signal helpers from the fake server', async () => {
  app = environment([provideSocketCluster(server.clientOptions())]);
  const news = runInInjectionContext(app, () => channelSignal<string>('news'));
  await flush();
  server.publish('news', 'hello');
  await flush();
  expect(news()).toBe('hello');
});

it("overrides the app's own provideSocketCluster() when put after it", async () => {
  app = environment([
    provideSocketCluster({ url: 'wss://production.example/socketcluster/' }),
    provideSocketCluster(server.clientOptions()),
  ]);
  app.get(SOCKETCLUSTER_CLIENT).connect();
  await flush();
  expect(server.sockets).toHaveLength(1);
});

it('closes the client with the injector: the fake socket sees the close, nothing is left running', async () => {
  app = environment([provideSocketCluster(server.clientOptions())]);
  const client: Client = app.get(SOCKETCLUSTER_CLIENT);
  client.connect();
  await flush();
  const socket = server.lastSocket();
  app.destroy();
  await flush();
  expect(client.state).toMatchObject({ state: 'closed', code: 1000 });
  expect(socket.closedWith).toMatchObject({ code: 1000, by: 'client' });
  expect(server.sockets).toEqual([]);
});
