import { provideZonelessChangeDetection, type ApplicationConfig } from '@angular/core';
import { provideSocketCluster } from 'rx-socketcluster/angular';

/** Where the SocketCluster server listens; SocketCluster's default path ends with a slash. */
export const SOCKETCLUSTER_URL = 'ws://localhost:8000/socketcluster/';

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    // One client for the whole application, closed when the application is destroyed.
    provideSocketCluster({ url: SOCKETCLUSTER_URL }),
  ],
};
