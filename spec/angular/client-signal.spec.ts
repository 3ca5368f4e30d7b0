import { createEnvironmentInjector, type EnvironmentInjector, type Signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { ChannelSubscribeError, type Client } from '../../lib';
import {
  SOCKETCLUSTER_CLIENT,
  authStateSignal,
  channelSignal,
  clientSignal,
  connectionStateSignal,
  statsSignal,
} from '../../lib/angular';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/wait';
import { appWithClient } from './environment';

// The signal helpers with the real @angular/core, fed by a client of a real server. Each "component" is a child
// injector of the application's: what it subscribes, its destruction ends, as a component's destruction would.

let server: TestServer;
let app: EnvironmentInjector;
let client: Client;

async function start(platform?: string): Promise<void> {
  server = await startTestServer();
  app = appWithClient(server, {}, platform);
  client = app.get(SOCKETCLUSTER_CLIENT);
}

afterEach(async () => {
  if (!app.destroyed) app.destroy();
  await server.stop();
});

/** A component-like injection context inside the application. */
function component(): EnvironmentInjector {
  return createEnvironmentInjector([], app, 'component');
}

/** What reading `value` throws, if it throws. */
function errorOf(value: Signal<unknown>): unknown {
  try {
    value();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Waits until `check` holds for the signal's value. */
function untilSignal<T>(value: Signal<T>, check: (current: T) => boolean): Promise<void> {
  return until(() => check(value()));
}

describe('connectionStateSignal()', () => {
  it('follows state$ through open, a disconnect and the reconnect, and does not connect by itself', async () => {
    await start();
    const state = connectionStateSignal({ injector: component() });
    expect(state()).toMatchObject({ state: 'idle', attempt: 0 });
    expect(client.state.state).toBe('idle');

    client.connect();
    await untilSignal(state, (s) => s.state === 'open');
    const first = state();
    expect(first).toBe(client.state);
    expect(first).toMatchObject({ state: 'open', id: server.sockets[0].id });

    await firstValueFrom(client.invoke('kick', { code: 4100, reason: 'move along' }));
    await untilSignal(state, (s) => s.state === 'closed');
    expect(state()).toMatchObject({ state: 'closed', code: 4100, reason: 'move along', retryIn: 20 });
    await untilSignal(state, (s) => s.state === 'open');
    expect(state()).toMatchObject({ state: 'open', id: server.sockets[1].id });
  });

  it('stops following when its injection context is destroyed', async () => {
    await start();
    const context = component();
    const state = connectionStateSignal({ injector: context });
    context.destroy();
    client.connect();
    await until(() => client.state.state === 'open');
    expect(state().state).toBe('idle');
  });

  it('needs an injection context or an injector', async () => {
    await start();
    expect(() => connectionStateSignal()).toThrow(/NG0203.*connectionStateSignal/s);
    expect(() => channelSignal('news')).toThrow(/NG0203.*channelSignal/s);
  });
});

describe('channelSignal()', () => {
  it('holds the latest message, subscribing on creation and leaving with its context', async () => {
    await start();
    const context = component();
    const news = channelSignal<{ title: string }>('news', { injector: context });
    expect(news()).toBeUndefined();
    await until(() => client.channelState('news') === 'subscribed');
    expect(client.state.state).toBe('open');

    await server.agServer.exchange.transmitPublish('news', { title: 'first' });
    await untilSignal(news, (n) => n?.title === 'first');
    await firstValueFrom(client.publish('news', { title: 'second' }));
    await untilSignal(news, (n) => n?.title === 'second');

    context.destroy();
    expect(client.channelState('news')).toBe('unsubscribed');
    await until(() => server.frames.some((frame) => frame.includes('#unsubscribe')));
    expect(client.state.state).toBe('open');
  });

  it('rethrows a refused subscription where the signal is read', async () => {
    await start();
    server.agServer.setMiddleware(server.agServer.MIDDLEWARE_INBOUND, async (stream) => {
      for await (const action of stream) {
        if (action.type === action.SUBSCRIBE && action.channel === 'forbidden') {
          action.block(Object.assign(new Error('not for you'), { name: 'Forbidden' }));
        } else {
          action.allow();
        }
      }
    });
    const forbidden = channelSignal('forbidden', { injector: component() });
    await until(() => errorOf(forbidden) !== undefined);
    expect(errorOf(forbidden)).toBeInstanceOf(ChannelSubscribeError);
    expect(client.channelState('forbidden')).toBe('unsubscribed');
    expect(() => forbidden()).toThrow("Subscription to 'forbidden' refused: not for you");
  });
});

describe('clientSignal()', () => {
  it('mirrors any stream of the client, starting from initialValue', async () => {
    await start();
    const tick = clientSignal((c) => c.receiver<{ i: number }>('tick'), {
      injector: component(),
      initialValue: 'none' as const,
    });
    expect(tick()).toBe('none');
    await firstValueFrom(client.invoke('pushMe', { event: 'tick', count: 3 }));
    await untilSignal(tick, (t) => t !== 'none' && t.i === 2);
  });
});

describe('statsSignal()', () => {
  it('holds a sample at once, follows the traffic at its period, and stops with its context', async () => {
    await start();
    const context = component();
    const stats = statsSignal({ injector: context, period: 20 });
    expect(stats()).toMatchObject({ state: 'idle', framesIn: 0, framesOut: 0 });
    expect(client.state.state).toBe('idle'); // reading it does not connect
    // The first call waits in the outbox for the connection; the second, sent at once, times the round trip.
    await firstValueFrom(client.invoke('echo', 'hello'));
    await firstValueFrom(client.invoke('echo', 'again'));
    await untilSignal(stats, (s) => s !== undefined && s.framesIn >= 2 && s.rtt !== undefined);
    expect(stats()).toMatchObject({ state: 'open', callsInFlight: 0 });
    context.destroy();
    const last = stats();
    await firstValueFrom(client.invoke('echo', 'once more'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(stats()).toBe(last);
  });

  it('keeps undefined during server-side rendering', async () => {
    await start('server');
    expect(statsSignal({ injector: component() })()).toBeUndefined();
  });
});

describe('authStateSignal()', () => {
  it('follows the authentication state', async () => {
    await start();
    const auth = authStateSignal({ injector: component() });
    expect(auth()).toEqual({ state: 'unauthenticated' });
    await firstValueFrom(client.invoke('login', { payload: { username: 'ann' } }));
    await untilSignal(auth, (a) => a.state === 'authenticated');
    expect(auth()).toMatchObject({ state: 'authenticated', claims: { username: 'ann' } });
  });
});

describe('on the server platform', () => {
  it('subscribes to nothing and keeps the initial values, so rendering opens no socket', async () => {
    await start('server');
    const injector = component();
    const state = connectionStateSignal({ injector });
    const news = channelSignal('news', { injector });
    const tick = clientSignal((c) => c.receiver('tick'), { injector, initialValue: 0 });

    expect([state().state, news(), tick()]).toEqual(['idle', undefined, 0]);
    // Any demand would have started connecting synchronously.
    expect(client.state).toMatchObject({ state: 'idle', attempt: 0 });
    expect(client.channels()).toEqual([]);
    expect(server.sockets).toHaveLength(0);
  });
});
