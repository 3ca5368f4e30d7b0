// The ready-made shared worker script, dist/browser/rx-socketcluster.worker.min.mjs: rxjs and the engine bundled
// in (a worker has no import map), serving the tabs as soon as it starts.
import { serveSharedWorker } from './worker';

serveSharedWorker();
