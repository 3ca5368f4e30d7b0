/**
 * rx-socketcluster/angular: Angular providers and signal helpers for the rx-socketcluster client.
 *
 * `provideSocketCluster(options)` gives an application (or a route) one client, closed with its injector;
 * `injectSocketCluster()` returns it; `connectionStateSignal()`, `authStateSignal()`, `channelSignal(name)`,
 * `statsSignal()` and `clientSignal(project)` turn its streams into signals for the life of a component. No zone.js
 * needed.
 *
 * @packageDocumentation
 * @module rx-socketcluster/angular
 */
export { SOCKETCLUSTER_CLIENT, injectSocketCluster, provideSocketCluster } from './provide-socket-cluster';
export {
  authStateSignal,
  channelSignal,
  clientSignal,
  connectionStateSignal,
  statsSignal,
  type ClientSignalOptions,
  type SignalOptions,
  type StatsSignalOptions,
} from './client-signal';
