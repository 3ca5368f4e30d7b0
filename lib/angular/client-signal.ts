import {
  DestroyRef,
  Injector,
  PLATFORM_ID,
  assertInInjectionContext,
  computed,
  inject,
  signal,
  type Signal,
} from '@angular/core';
import type { Observable } from 'rxjs';
import type { AuthState, ChannelOptions, Client, ConnectionState, ScApi, UntypedApi } from '../index';
import { clientStats, type ClientStats } from '../diagnostics';
import { injectSocketCluster } from './provide-socket-cluster';

/** Options of the signal helpers. */
export interface SignalOptions {
  /**
   * The injector that supplies the client and whose destruction ends the subscription. Default: the current
   * injection context (a component's, so the subscription ends with the component).
   */
  injector?: Injector;
}

/** Options of {@link statsSignal}. */
export interface StatsSignalOptions extends SignalOptions {
  /** Time between samples, in ms. Default: 1000. */
  period?: number;
}

/** Options of {@link clientSignal}. */
export interface ClientSignalOptions<I> extends SignalOptions {
  /** The value until the stream emits (and for good during server-side rendering). Default: `undefined`. */
  initialValue?: I;
}

type Outcome<T> = { readonly value: T } | { readonly error: unknown };

/**
 * Mirrors `source` into a signal for the life of `injector`. On the server platform it does not subscribe: a
 * server render must not open a socket just to draw a live value that the browser will draw anyway.
 */
function streamSignal<T>(source: Observable<T>, initialValue: T, injector: Injector): Signal<T> {
  const outcome = signal<Outcome<T>>({ value: initialValue });
  if (injector.get(PLATFORM_ID, null) !== 'server') {
    const subscription = source.subscribe({
      next: (value) => outcome.set({ value }),
      error: (error: unknown) => outcome.set({ error }),
    });
    injector.get(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
  // As with Angular's toSignal(): an error is rethrown where the signal is read.
  return computed(() => {
    const current = outcome();
    if ('error' in current) throw current.error;
    return current.value;
  });
}

/** The given injector, else the current injection context's; `caller` names the helper in Angular's NG0203 error. */
function contextInjector(options: SignalOptions, caller: (...args: never[]) => unknown): Injector {
  if (options.injector) return options.injector;
  assertInInjectionContext(caller);
  return inject(Injector);
}

/**
 * A signal of any stream of the provided client, subscribed for the life of the injection context.
 *
 * Call it in an injection context (a component's constructor or field initializer) or pass an `injector`. The
 * subscription starts at once, so a stream that needs the connection opens it, and ends when the context is
 * destroyed (for a component, when the component is). The signal holds the latest value; when the stream errors,
 * reading the signal throws that error (handle it upstream with `catchError` to keep a value instead). During
 * server-side rendering it does not subscribe and keeps `initialValue`.
 *
 * @typeParam T - The stream's values.
 * @typeParam I - The initial value's type.
 * @typeParam Api - The client's API type, inferred from an annotated `client` parameter.
 * @param project - Picks the stream from the client.
 * @param options - `initialValue` (default `undefined`) and `injector`.
 * @returns A read-only signal of the latest value.
 * @example
 * ```ts
 * readonly ticker = clientSignal((client) => client.receiver<{ price: number }>('ticker'));
 * readonly deals = clientSignal((client: Client<ShopApi>) => client.channel('deals:today'), { initialValue: null });
 * ```
 * @see {@link channelSignal}
 * @see {@link connectionStateSignal}
 */
export function clientSignal<T, I = undefined, Api extends ScApi = UntypedApi>(
  project: (client: Client<Api>) => Observable<T>,
  options: ClientSignalOptions<I> = {},
): Signal<T | I> {
  const injector = contextInjector(options, clientSignal);
  const client = injectSocketCluster<Api>({ injector });
  return streamSignal<T | I>(project(client), options.initialValue as I, injector);
}

/**
 * The client's connection state as a signal: `connecting`, `open` or `closed`, with the details `state$` carries.
 * Reading it does not open the connection. Call it in an injection context or pass an `injector`.
 *
 * @param options - `injector`.
 * @returns A read-only signal of the current {@link ConnectionState}.
 * @example
 * ```ts
 * readonly connection = connectionStateSignal();
 * readonly online = computed(() => this.connection().state === 'open');
 * ```
 * @see {@link clientSignal}
 */
export function connectionStateSignal(options: SignalOptions = {}): Signal<ConnectionState> {
  const injector = contextInjector(options, connectionStateSignal);
  const client = injectSocketCluster({ injector });
  return streamSignal(client.state$, client.state, injector);
}

/**
 * The client's traffic and health as a signal, sampled every `period` ms (see `clientStats()` in `rx-socketcluster/diagnostics`): frames and bytes, the
 * reconnects, the time connected, the outbox, the calls waiting and the round trip. It holds the first sample as
 * soon as it is created (`undefined` during server-side rendering), and stops sampling when its injection context
 * is destroyed. Reading it does not open the connection. Call it in an injection context or pass an `injector`.
 *
 * @param options - `period` (default 1000 ms) and `injector`.
 * @returns A read-only signal of the latest {@link ClientStats}.
 * @example
 * ```ts
 * readonly stats = statsSignal({ period: 5000 });
 * readonly rtt = computed(() => this.stats()?.rtt);
 * ```
 * @see {@link connectionStateSignal}
 */
export function statsSignal(options: StatsSignalOptions = {}): Signal<ClientStats | undefined> {
  const injector = contextInjector(options, statsSignal);
  const client = injectSocketCluster({ injector });
  return streamSignal<ClientStats | undefined>(clientStats(client, options.period), undefined, injector);
}

/**
 * The client's authentication state as a signal: `unauthenticated`, or `authenticated` with the token's claims.
 * Reading it does not open the connection. Call it in an injection context or pass an `injector`.
 *
 * @param options - `injector`.
 * @returns A read-only signal of the current {@link AuthState}.
 * @example
 * ```ts
 * readonly auth = authStateSignal();
 * readonly userName = computed(() => {
 *   const auth = this.auth();
 *   return auth.state === 'authenticated' ? String(auth.claims.username) : null;
 * });
 * ```
 * @see {@link clientSignal}
 */
export function authStateSignal(options: SignalOptions = {}): Signal<AuthState> {
  const injector = contextInjector(options, authStateSignal);
  const client = injectSocketCluster({ injector });
  return streamSignal(client.authState$, client.authState, injector);
}

/**
 * The latest message of a pub/sub channel as a signal, `undefined` until the first one. Creating it subscribes to
 * the channel (opening the connection); the channel is left when the injection context is destroyed and no one
 * else holds it. Reading it throws the channel's error after a refused subscription or a kick-out.
 *
 * @typeParam T - The messages' type.
 * @param name - The channel.
 * @param options - The channel's options (`waitForAuth`, `priority`, `data`, `linger`) and `injector`.
 * @returns A read-only signal of the latest message.
 * @example
 * ```ts
 * readonly latestNews = channelSignal<{ title: string }>('news');
 * ```
 * @see {@link clientSignal}
 */
export function channelSignal<T = unknown>(
  name: string,
  options: ChannelOptions & SignalOptions = {},
): Signal<T | undefined> {
  const { injector: given, ...channelOptions } = options;
  const injector = contextInjector({ injector: given }, channelSignal);
  const client = injectSocketCluster({ injector });
  return streamSignal<T | undefined>(client.channel<T>(name, channelOptions), undefined, injector);
}
