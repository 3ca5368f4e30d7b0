import {
  DestroyRef,
  InjectionToken,
  PLATFORM_ID,
  inject,
  makeEnvironmentProviders,
  type EnvironmentProviders,
  type Injector,
} from '@angular/core';
import {
  createClient,
  type Client,
  type ClientOptions,
  type ScApi,
  type UntypedApi,
  type WebSocketConstructor,
} from '../index';

/**
 * The DI token of the client that {@link provideSocketCluster} creates. Prefer {@link injectSocketCluster}, which
 * fails with a clearer message when the provider is missing and takes an API type argument.
 *
 * @example
 * ```ts
 * const client = inject(SOCKETCLUSTER_CLIENT);
 * ```
 * @see {@link provideSocketCluster}
 */
export const SOCKETCLUSTER_CLIENT = new InjectionToken<Client>('rx-socketcluster client');

/**
 * Provides one SocketCluster client to an environment injector (the application, or a route with `providers`).
 *
 * The client is created the first time something injects it, with `createClient` from `rx-socketcluster`, and is
 * inert until a stream or call needs the connection. It is closed (`client.close()`) when the injector is
 * destroyed, which for the application injector means `ApplicationRef.destroy()`. Nothing here depends on
 * zone.js: the helpers feed signals, so zoneless change detection picks their changes up.
 *
 * The WebSocket constructor is the global `WebSocket` unless `options.WebSocket` gives one; browsers, Node 22 and
 * later, Deno and Bun have a global one. During server-side rendering (`PLATFORM_ID` is `'server'`) the client
 * connects only when `options.WebSocket` is given: otherwise its calls fail at once with a `ConnectionError`.
 * `options` may also be a function, run in the injector's injection context on first use, to build them from
 * other providers.
 *
 * @param options - The client's options (at least `url`), or a function that returns them.
 * @returns Providers for `bootstrapApplication`, `ApplicationConfig.providers` or a route's `providers`.
 * @example
 * ```ts
 * export const appConfig: ApplicationConfig = {
 *   providers: [
 *     provideZonelessChangeDetection(),
 *     provideSocketCluster({ url: 'wss://example.com/socketcluster/' }),
 *   ],
 * };
 * ```
 * @see {@link injectSocketCluster}
 */
export function provideSocketCluster(options: ClientOptions | (() => ClientOptions)): EnvironmentProviders {
  return makeEnvironmentProviders([
    {
      provide: SOCKETCLUSTER_CLIENT,
      useFactory: (): Client => {
        const given = typeof options === 'function' ? options() : options;
        const onServer = inject(PLATFORM_ID, { optional: true }) === 'server';
        const client = createClient(onServer && !given.WebSocket ? offlineOnServer(given) : given);
        inject(DestroyRef).onDestroy(() => client.close());
        return client;
      },
    },
  ]);
}

/**
 * During server-side rendering, a client given no `WebSocket` never connects: a render must not open sockets by
 * accident (the global `WebSocket` of Node 22 would), and Node 20 has no WebSocket to open them with. Creating
 * and injecting the client still works; a call fails at once with a `ConnectionError` whose cause says why.
 */
function offlineOnServer(options: ClientOptions): ClientOptions {
  const refuse = function () {
    throw new TypeError(
      'No connection during server-side rendering: give provideSocketCluster() a `WebSocket` to connect there',
    );
  } as unknown as WebSocketConstructor;
  return { ...options, WebSocket: refuse, reconnect: false };
}

/**
 * Returns the client of the nearest {@link provideSocketCluster}. Call it in an injection context (a constructor,
 * a field initializer, a provider factory), or pass an `injector`.
 *
 * The type argument types the client's calls; DI cannot check it, so it must match the server's API.
 *
 * @typeParam Api - An `ScApi` describing the application's events, procedures and channels.
 * @param options - `injector`: the injector to read from, outside an injection context.
 * @returns The client.
 * @throws Error when no `provideSocketCluster` is in scope; NG0203 outside an injection context without an
 *   `injector`.
 * @example
 * ```ts
 * export class SumComponent {
 *   readonly #client = injectSocketCluster<ShopApi>();
 *   readonly cart = signal<Cart | undefined>(undefined);
 *   load(): void {
 *     this.#client.invoke('getCart', { userId: 'u1' }).subscribe((cart) => this.cart.set(cart));
 *   }
 * }
 * ```
 * @see {@link provideSocketCluster}
 */
export function injectSocketCluster<Api extends ScApi = UntypedApi>(
  options: { injector?: Injector } = {},
): Client<Api> {
  const client = options.injector
    ? options.injector.get(SOCKETCLUSTER_CLIENT, null, { optional: true })
    : inject(SOCKETCLUSTER_CLIENT, { optional: true });
  if (!client) {
    throw new Error(
      'No SocketCluster client in this injector: add provideSocketCluster({ url }) to the application providers',
    );
  }
  // The token holds an untyped client, which TypeScript lets pass as any Client<Api>: the caller vouches for the
  // API type, as with createClient<Api>().
  return client;
}
