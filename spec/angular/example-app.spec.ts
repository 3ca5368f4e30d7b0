import {
  createEnvironmentInjector,
  runInInjectionContext,
  type EnvironmentInjector,
  type Signal,
} from '@angular/core';
import type { Client, ConnectionState } from '../../lib';
import { SOCKETCLUSTER_CLIENT } from '../../lib/angular';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/wait';
import { appWithClient } from './environment';

// The example component of examples/angular, instantiated in an injection context of an application injector
// (no renderer: its template is the Angular compiler's business), against a real server.

/** The members of the example's AppComponent that the tests use. */
interface AppComponent {
  readonly connection: Signal<ConnectionState>;
  readonly retryIn: Signal<number | undefined>;
  readonly news: Signal<{ title: string }[]>;
  readonly pending: Signal<boolean>;
  readonly result: Signal<number | undefined>;
  readonly error: Signal<string | undefined>;
  sum(a: number, b: number): Promise<void>;
}

// Loaded rather than imported: the example imports the package by name ('rx-socketcluster/angular'), which this
// jest project maps to lib/ and the example's own tsconfig type-checks, but spec/tsconfig.json cannot resolve.
const { AppComponent } = jest.requireActual<{ AppComponent: new () => AppComponent }>(
  '../../examples/angular/app.component',
);

let server: TestServer;
let app: EnvironmentInjector;
let client: Client;
let view: EnvironmentInjector;
let component: AppComponent;

beforeEach(async () => {
  server = await startTestServer();
  app = appWithClient(server);
  client = app.get(SOCKETCLUSTER_CLIENT);
  view = createEnvironmentInjector([], app, 'AppComponent');
  component = runInInjectionContext(view, () => new AppComponent());
});

afterEach(async () => {
  app.destroy();
  await server.stop();
});

it('shows the connection state: its news feed opens the connection', async () => {
  await until(() => component.connection().state === 'open');
  expect(component.retryIn()).toBeUndefined();
});

it('shows the last five news, newest first', async () => {
  await until(() => client.channelState('news') === 'subscribed');
  expect(component.news()).toEqual([]);
  for (let i = 1; i <= 6; i++) await server.agServer.exchange.transmitPublish('news', { title: `news ${i}` });
  await until(() => component.news()[0]?.title === 'news 6');
  const titles = component.news().map((item) => item.title);
  expect(titles).toEqual(['news 6', 'news 5', 'news 4', 'news 3', 'news 2']);
});

it('asks the server for a sum, showing the pending call and then the answer', async () => {
  const call = component.sum(2, 3);
  expect(component.pending()).toBe(true);
  await call;
  expect(component.pending()).toBe(false);
  expect(component.result()).toBe(5);
  expect(component.error()).toBeUndefined();
});

it("shows the server's error when the call fails", async () => {
  // NaN travels as null in JSON, which the server's sum refuses.
  await component.sum(Number.NaN, 3);
  expect(component.error()).toBe('a and b must be numbers');
  expect(component.pending()).toBe(false);
});

it('leaves the news channel when the component is destroyed', async () => {
  await until(() => client.channelState('news') === 'subscribed');
  view.destroy();
  expect(client.channelState('news')).toBe('unsubscribed');
});
