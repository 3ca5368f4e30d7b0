import { createFakeServer, type FakeServer } from 'rx-socketcluster/testing';
import { mountPriceWidget, type PricesApi } from './price-widget';

let server: FakeServer;
const flush = () => jest.advanceTimersByTimeAsync(10);

beforeEach(() => {
  jest.useFakeTimers();
  server = createFakeServer();
});

afterEach(() => {
  server.close();
  jest.useRealTimers();
});

it('shows the latest price, live', async () => {
  const target = { textContent: '', className: '' };
  const widget = mountPriceWidget(server.createClient<PricesApi>(), 'ACME', target);
  await flush();
  expect(target).toEqual({ textContent: 'ACME - (live)', className: 'price' });

  server.publish('price:ACME', { price: 12.5 });
  server.publish('price:OTHER', { price: 99 });
  await flush();
  expect(target.textContent).toBe('ACME 12.50 (live)');
  widget.unsubscribe();
});

it('marks the price stale while the server is down, and live again after the reconnect', async () => {
  const target = { textContent: '', className: '' };
  const client = server.createClient<PricesApi>({ backoff: { initialDelay: 2000, randomness: 0 } });
  const widget = mountPriceWidget(client, 'ACME', target);
  await flush();
  server.publish('price:ACME', { price: 12.5 });
  await flush();

  server.restart();
  await flush();
  expect(target).toEqual({ textContent: 'ACME 12.50 (reconnecting in 2 s)', className: 'price stale' });

  await jest.advanceTimersByTimeAsync(2000);
  server.publish('price:ACME', { price: 13 });
  await flush();
  expect(target).toEqual({ textContent: 'ACME 13.00 (live)', className: 'price' });
  expect(server.lastSocket().subscriptions).toEqual(['price:ACME']);
  widget.unsubscribe();
});
