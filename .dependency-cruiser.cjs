/**
 * The layers of lib/, enforced by `npm run lint` (docs/architecture.md explains them). Each folder is one layer
 * and imports only from the layers below it; `channels` and `auth` are siblings and import neither each other.
 * Type-only imports count: a type cycle is a cycle too.
 *
 *   internal, errors, codec                  leaves
 *   transport <- protocol <- connection <- rpc <- channels | auth <- engine <- logging <- client <- index, verify
 *   <- node <- angular
 *
 * The entries sit on the facade (node.ts re-exports index.ts with `ws`); angular/ uses the public entry only.
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
  ['logging'],
  ['client'],
  ['index.ts', 'verify.ts'],
  ['node.ts'],
  ['angular'],
];

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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
