/**
 * The layers of lib/, enforced by `npm run lint` (docs/architecture.md explains them). Each folder is one layer
 * and imports only from the layers below it; `channels` and `auth` are siblings and import neither each other.
 * Type-only imports count: a type cycle is a cycle too.
 *
 *   internal, errors, codec                  leaves
 *   transport <- protocol <- connection <- rpc <- channels | auth <- engine <- logging | refresh <- share <- client
 *   <- index, verify, diagnostics, refresh, recovery, worker <- worker-main <- node <- angular <- testing <- server
 *
 * The entries sit on the facade (node.ts re-exports index.ts with `ws`); angular/ uses the public entry only.
 * testing/ (rx-socketcluster/testing, a fake server) plays the server's side of the wire: it may use the public
 * entry, the codecs, the protocol's packet shapes and the leaves, and nothing else; nothing imports it.
 * recovery/ (rx-socketcluster/recovery) sits on the facade beside the entries. server/ (rx-socketcluster/server,
 * the recovery companion for socketcluster-server) shares only the wire of recovery with the client.
 * refresh/ (the `tokenRefresh()` feature of rx-socketcluster/refresh) is code only its entry and the shared worker
 * load: the rest of lib/ may read its types (the sharing of tabs reads a feature's function), never import its code.
 */
const LAYERS = [
  ['internal'],
  ['errors'],
  ['codec'],
  ['transport'],
  ['protocol'],
  ['connection'],
  ['rpc'],
  ['channels', 'auth'],
  ['engine'],
  ['logging', 'refresh'],
  ['share'],
  ['client'],
  ['index.ts', 'verify.ts', 'diagnostics.ts', 'refresh.ts', 'recovery', 'worker.ts'],
  ['worker-main.ts'],
  ['node.ts'],
  ['angular'],
  ['testing'],
  ['server'],
];

/** What server/ (rx-socketcluster/server, Node only) may import besides itself: the wire of recovery and the leaves. */
const SERVER_USES = ['protocol', 'internal'];

/** What may import the code of refresh/ (rx-socketcluster/refresh): its entry, and the shared worker's script. */
const REFRESH_USERS = ['refresh.ts', 'worker.ts', 'refresh'];

/** What testing/ may import besides itself: the fake server talks to a real client only through these. */
const TESTING_USES = ['index.ts', 'codec', 'protocol', 'errors', 'internal'];

const pathOf = (name) => (name.endsWith('.ts') ? `^lib/${name.replace('.', '\\.')}$` : `^lib/${name}/`);
const any = (names) => `(${names.map(pathOf).join('|')})`;

// A layer may import only the layers before it (and itself): everything after it, and its siblings, are forbidden.
const layerRules = LAYERS.flatMap((layer, i) =>
  layer.map((name) => {
    const above = LAYERS.slice(i + 1).flat();
    const siblings = layer.filter((other) => other !== name);
    return {
      name: `layer-${name.replace('.ts', '')}`,
      comment: `lib/${name} may import only from the layers below it`,
      severity: 'error',
      from: { path: pathOf(name) },
      to: { path: any([...above, ...siblings]) },
    };
  }),
).filter((rule) => rule.to.path !== '()');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles (type-only ones included) make the layers meaningless.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'layers-cover-lib',
      comment: 'Every file of lib/ belongs to a layer: a new folder must be placed in LAYERS.',
      severity: 'error',
      from: { path: '^lib/', pathNot: any(LAYERS.flat()) },
      to: {},
    },
    ...layerRules,
    {
      name: 'testing-uses-public-entry',
      comment: 'lib/testing may import only the public entry, the codecs, the protocol and the leaves',
      severity: 'error',
      from: { path: pathOf('testing') },
      to: { path: '^lib/', pathNot: any([...TESTING_USES, 'testing']) },
    },
    {
      name: 'core-without-refresh',
      comment:
        'Only rx-socketcluster/refresh and the shared worker load the token refresh: the core may import its types, never its code',
      severity: 'error',
      from: { path: '^lib/', pathNot: any(REFRESH_USERS) },
      to: { path: pathOf('refresh'), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'server-uses-protocol',
      comment: 'lib/server may import only the protocol (the wire of recovery) and the leaves',
      severity: 'error',
      from: { path: pathOf('server') },
      to: { path: '^lib/', pathNot: any([...SERVER_USES, 'server']) },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
