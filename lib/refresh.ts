/**
 * Token refresh, as its own entry point (`rx-socketcluster/refresh`), so that applications that do not refresh
 * tokens ship none of its code: `tokenRefresh()`, a feature for the `features` option of `createClient` that fetches
 * a new token shortly before the current one expires and authenticates with it.
 *
 * @packageDocumentation
 * @module rx-socketcluster/refresh
 */
export { tokenRefresh, type TokenRefreshOptions } from './refresh/token-refresh';
export type { RefreshToken } from './auth/refresh-host';
export type { AuthenticatedState } from './auth/auth-state';
