/**
 * Projects: fast unit tests on a fake WebSocket; the integration suite against a real server with the default
 * JSON codec; the same integration suite again with MessagePack, the server running sc-codec-min-bin and the
 * client our msgpack codec (spec/support/msgpack-node.ts stands in for lib/node there); the compatibility matrix,
 * which runs one set of scenarios against every socketcluster-server major from 14 to 20 (spec/compat/,
 * docs/compatibility.md); rx-socketcluster/angular with the real @angular/core against a real server
 * (spec/angular/); and the worked examples of the testing guide (examples/testing/).
 */
const common = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/spec/tsconfig.json' }],
  },
  // jose (and uuid, under socketcluster-client) are ESM-only; let ts-jest turn them into CommonJS for the tests.
  transformIgnorePatterns: ['/node_modules/(?!(jose|uuid)/)'],
};

const integration = {
  ...common,
  testMatch: ['<rootDir>/spec/integration/**/*.spec.ts'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/spec/**/*.spec.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/spec/integration/',
        '<rootDir>/spec/compat/',
        '<rootDir>/spec/angular/',
        '<rootDir>/spec/reliability/',
        '<rootDir>/spec/examples/',
        '<rootDir>/spec/testing/contract/',
      ],
    },
    { ...integration, displayName: 'integration' },
    {
      ...integration,
      displayName: 'integration-msgpack',
      // Tests that pin a codec of their own (interop with the official client) run in one project only.
      testPathIgnorePatterns: ['/node_modules/', '\\.json-only\\.spec\\.ts$'],
      setupFiles: ['<rootDir>/spec/support/use-msgpack.ts'],
      moduleNameMapper: { '^\\.\\./\\.\\./lib/node$': '<rootDir>/spec/support/msgpack-node.ts' },
    },
    {
      ...common,
      displayName: 'compat',
      testMatch: ['<rootDir>/spec/compat/**/*.spec.ts'],
    },
    {
      ...common,
      // The contract suite of rx-socketcluster/testing: the same scenarios against real socketcluster-server 20
      // (and 14 with protocol 1, and MessagePack) and against the fake server, which must give the same transcripts.
      displayName: 'contract',
      testMatch: ['<rootDir>/spec/testing/contract/**/*.spec.ts'],
    },
    {
      ...common,
      // The runnable examples (examples/node-pipeline; examples/dashboard and examples/angular in headless
      // Chromium) and the code blocks of README.md and docs/ (docs-snippets.spec.ts), on the built package, which
      // the globalSetup builds once; and the API reference that TypeDoc generates, read in headless Chromium.
      displayName: 'examples',
      testMatch: ['<rootDir>/spec/examples/**/*.spec.ts'],
      globalSetup: '<rootDir>/spec/examples/global-setup.cjs',
    },
    {
      ...common,
      // Faults through a TCP proxy, fuzzed inbound frames, leaks, load, and a SocketCluster cluster.
      displayName: 'reliability',
      testMatch: ['<rootDir>/spec/reliability/**/*.spec.ts'],
    },
    {
      ...common,
      // rx-socketcluster/angular with the real @angular/core (ESM-only: its .mjs files are turned into CommonJS,
      // transpiled only) against a real server; no zone.js, no TestBed.
      displayName: 'angular',
      testMatch: ['<rootDir>/spec/angular/**/*.spec.ts'],
      transform: {
        ...common.transform,
        '^.+\\.mjs$': ['ts-jest', { tsconfig: '<rootDir>/spec/tsconfig.json' }],
      },
      transformIgnorePatterns: ['/node_modules/(?!(jose|uuid|@angular)/)'],
      // The example imports the package by name, as an application would.
      moduleNameMapper: {
        '^rx-socketcluster$': '<rootDir>/lib/index.ts',
        '^rx-socketcluster/angular$': '<rootDir>/lib/angular/index.ts',
      },
    },
    {
      ...common,
      // The worked examples of docs/testing.md (examples/testing/): an Angular service, a marble-tested pipeline
      // and a dashboard widget, each tested against rx-socketcluster/testing. They import the package by name,
      // mapped to lib/ as in the angular project, whose transform of @angular/core they share.
      displayName: 'guide',
      testMatch: ['<rootDir>/examples/testing/**/*.spec.ts'],
      setupFiles: ['<rootDir>/examples/testing/jit.ts'],
      transform: {
        '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/examples/testing/tsconfig.json' }],
        '^.+\\.mjs$': ['ts-jest', { tsconfig: '<rootDir>/spec/tsconfig.json' }],
      },
      transformIgnorePatterns: ['/node_modules/(?!(jose|uuid|@angular)/)'],
      moduleNameMapper: {
        '^rx-socketcluster$': '<rootDir>/lib/index.ts',
        '^rx-socketcluster/angular$': '<rootDir>/lib/angular/index.ts',
        '^rx-socketcluster/testing$': '<rootDir>/lib/testing/index.ts',
      },
    },
  ],
};
