import {
  EnvironmentInjector,
  Injector,
  PLATFORM_ID,
  createEnvironmentInjector,
  provideZonelessChangeDetection,
  type EnvironmentProviders,
  type Provider,
} from '@angular/core';
import WebSocket from 'ws';
import type { ClientOptions, WebSocketConstructor } from '../../lib';
import { provideSocketCluster } from '../../lib/angular';
import type { TestServer } from '../support/test-server';

// What an Angular application gives its providers, without TestBed, zone.js (not even installed) or a platform: an
// environment injector, with zoneless change detection as in the example's app.config.ts, whose parent is a plain
// root injector. Destroying it is what ApplicationRef.destroy() does to the application's injector.

/** Client options for `server`: `ws` as the WebSocket (the angular entry otherwise uses the global one). */
export function clientOptions(server: TestServer, options: Partial<ClientOptions> = {}): ClientOptions {
  return {
    url: server.url,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnectDelay: () => 20,
    ...options,
  };
}

/** An application-like injector holding `providers`, on the given platform (`browser` unless told). */
export function environment(
  providers: (Provider | EnvironmentProviders)[],
  platform = 'browser',
): EnvironmentInjector {
  const root = Injector.create({ providers: [{ provide: PLATFORM_ID, useValue: platform }] });
  if (!(root instanceof EnvironmentInjector)) {
    throw new Error('Injector.create() no longer returns an EnvironmentInjector');
  }
  return createEnvironmentInjector(
    [provideZonelessChangeDetection(), ...providers],
    root,
    'test application',
  );
}

/** An application injector with `provideSocketCluster()` for `server`. */
export function appWithClient(
  server: TestServer,
  options: Partial<ClientOptions> = {},
  platform?: string,
): EnvironmentInjector {
  return environment([provideSocketCluster(clientOptions(server, options))], platform);
}
