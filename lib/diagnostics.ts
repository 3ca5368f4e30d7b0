/**
 * Diagnostics, as their own entry point (`rx-socketcluster/diagnostics`), so that applications that do not use them
 * ship none of their code: `logging()`, a log of the client's life for the `features` option of `createClient`, and
 * `clientStats(client)`, samples of a client's traffic and health.
 *
 * @packageDocumentation
 * @module rx-socketcluster/diagnostics
 */
export { clientStats } from './client/client-stats';
export type { ClientStats } from './engine/stats';
export { logging, type LoggingOptions } from './logging/logging';
export type { Logger, LogLevel } from './logging/log';
