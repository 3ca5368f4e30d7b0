import { provideZonelessChangeDetection, type ApplicationConfig } from '@angular/core';
import { provideSocketCluster } from 'rx-socketcluster/angular';

/**
 * Where the SocketCluster server listens: here, the origin the page came from, with SocketCluster's default path
 * (which ends with a slash). The client turns `http:` into `ws:` and `https:` into `wss:`. Elsewhere, give your
 * server's URL, such as `'wss://example.com/socketcluster/'`.
 */
const socketClusterUrl = (): string => new URL('/socketcluster/', location.href).href;

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    // One client for the whole application, created on first use and closed when the application is destroyed.
    provideSocketCluster(() => ({ url: socketClusterUrl() })),
  ],
};
