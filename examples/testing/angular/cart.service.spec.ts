import { createEnvironmentInjector, Injector, type EnvironmentInjector } from '@angular/core';
import { provideSocketCluster } from 'rx-socketcluster/angular';
import { createFakeServer, type FakeServer } from 'rx-socketcluster/testing';
import { CartService } from './cart.service';

let server: FakeServer;
let app: EnvironmentInjector;
let cart: CartService;
const flush = () => jest.advanceTimersByTimeAsync(10);

beforeEach(() => {
  jest.useFakeTimers();
  server = createFakeServer();
  const root = Injector.create({ providers: [] }) as EnvironmentInjector;
  // The app's client, wired to the fake server; app.destroy() closes it.
  app = createEnvironmentInjector([CartService, provideSocketCluster(server.clientOptions())], root);
  cart = app.get(CartService);
});

afterEach(() => {
  server.verify();
  app.destroy();
  server.close();
  jest.useRealTimers();
});

it('loads the cart', async () => {
  const loaded = cart.load('u1');
  await flush();
  server.expectInvoke('getCart').respond([{ sku: 'tea', quantity: 2 }]);
  await flush();
  await loaded;
  expect(cart.items()).toEqual([{ sku: 'tea', quantity: 2 }]);
  expect(cart.count()).toBe(2);
});

it('shows the deal of the day', async () => {
  await flush();
  server.publish('deals', { sku: 'tea', discount: 10 });
  await flush();
  expect(cart.deal()).toEqual({ sku: 'tea', discount: 10 });
});

it('goes offline when the server drops, and back online after the reconnect', async () => {
  await flush();
  expect(cart.offline()).toBe(false);
  server.refuseConnections(1);
  server.restart();
  await flush();
  expect(cart.offline()).toBe(true);
  await jest.advanceTimersByTimeAsync(5000);
  expect(cart.connection().state).toBe('open');
});
