import http from 'node:http';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import { ROOT } from './browser';

// The pages of the cross-tab sharing test (sharing.spec.ts): one origin that serves the package's browser bundle,
// its sharing chunk and its shared worker script from dist/browser/, rx-socketcluster/refresh from dist/ (the ESM
// build, with its chunks), rxjs as one ES module for the import map (as examples/dashboard does), and a page whose
// script drives a client through `window.t`.

/** The page's script: a client with the query's options, and what the test reads or does through `window.t`. */
const PAGE_SCRIPT = `
import { firstValueFrom } from 'rxjs';
import { createClient } from 'rx-socketcluster';

const query = new URLSearchParams(location.search);
// Leader-tab mode as a browser without SharedWorker has it.
if (query.has('noWorker')) delete globalThis.SharedWorker;
const share = query.get('share');
const name = query.get('name');
// With \`refresh\` (a margin in ms): the tokenRefresh() feature, whose function hands out \`t.nextToken\`.
const { tokenRefresh } = query.has('refresh') ? await import('rx-socketcluster/refresh') : {};
const features = tokenRefresh
  ? [
      tokenRefresh(
        (current) => {
          t.refreshedFrom.push(current.token);
          return Promise.resolve(t.nextToken);
        },
        { margin: Number(query.get('refresh')) },
      ),
    ]
  : [];
// Every message of the shared connection this page can see: its own port's (shared worker), or every tab's
// (BroadcastChannel), to check where the hub sends what.
const seen = [];
if (share !== 'off') new BroadcastChannel('rx-socketcluster:' + name).onmessage = (event) => seen.push(event.data);
const client = createClient({
  url: query.get('ws'),
  share,
  name,
  ackTimeout: 4000,
  backoff: { initialDelay: 100, maxDelay: 500 },
  features,
  worker: (workerName) => {
    const worker = new SharedWorker('/dist/browser/rx-socketcluster.worker.min.mjs', { type: 'module', name: workerName });
    worker.port.addEventListener('message', (event) => seen.push(event.data));
    return worker;
  },
});
const subscriptions = {};
const t = {
  client,
  seen,
  share: undefined,
  auth: undefined,
  token: undefined,
  nextToken: undefined,
  refreshedFrom: [],
  state: undefined,
  states: [],
  messages: {},
  channelStates: {},
  subscribe(channel) {
    t.messages[channel] ??= [];
    subscriptions[channel] = client.channel(channel).subscribe((data) => t.messages[channel].push(data));
    client.channelState$(channel).subscribe((state) => (t.channelStates[channel] = state));
  },
  unsubscribe(channel) {
    subscriptions[channel].unsubscribe();
    delete subscriptions[channel];
  },
  invoke: (event, data) => firstValueFrom(client.invoke(event, data)),
  authenticate: (token) => firstValueFrom(client.authenticate(token)),
  /** The hub's answers to call ids addressed to this tab. */
  answersToMe: () =>
    seen.filter((m) => m.t === 'evt' && m.to === t.share?.tab && m.m.name === 'callResult').length,
};
client.share$.subscribe((state) => (t.share = state));
client.authState$.subscribe((state) => {
  t.auth = state.state;
  t.token = state.token;
});
client.state$.subscribe((state) => {
  t.state = state.state;
  t.states.push(state.state);
});
window.t = t;
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>share</title>
    <link rel="icon" href="data:," />
    <script type="importmap">
      {
        "imports": {
          "rx-socketcluster": "/dist/browser/rx-socketcluster.min.mjs",
          "rx-socketcluster/refresh": "/dist/refresh.mjs",
          "rxjs": "/vendor/rxjs.mjs"
        }
      }
    </script>
    <script type="module" src="/page.mjs"></script>
  </head>
  <body></body>
</html>
`;

/** rxjs as one ES module (its dist/esm has extensionless imports that a browser cannot load). */
async function rxjsModule(): Promise<string> {
  const bundle = await rollup({
    input: 'rxjs',
    plugins: [
      nodeResolve({ rootDir: ROOT, browser: true, exportConditions: ['es2015', 'import', 'default'] }),
    ],
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

export interface ShareSite {
  /** The page's URL with these query parameters. */
  page(query: Record<string, string>): string;
  close(): Promise<void>;
}

/** Serves the sharing test's pages on 127.0.0.1, on a free port. */
export async function startShareSite(): Promise<ShareSite> {
  const rxjs = await rxjsModule();
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const send = (type: string, body: string | Buffer) => {
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    const file = /^\/dist\/((?:browser\/)?[\w.-]+\.mjs)$/.exec(path)?.[1];
    if (path === '/') send('text/html; charset=utf-8', PAGE);
    else if (path === '/page.mjs') send('text/javascript', PAGE_SCRIPT);
    else if (path === '/vendor/rxjs.mjs') send('text/javascript', rxjs);
    else if (!file) response.writeHead(404).end();
    else {
      readFile(join(ROOT, 'dist', file)).then(
        (body) => send('text/javascript', body),
        () => response.writeHead(404).end(),
      );
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    page: (query) => `http://127.0.0.1:${port}/?${new URLSearchParams(query).toString()}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
