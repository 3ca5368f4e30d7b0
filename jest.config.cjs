/**
 * Four projects: fast unit tests on a fake WebSocket; the integration suite against a real server with the default
 * JSON codec; the same integration suite again with MessagePack, the server running sc-codec-min-bin and the
 * client our msgpack codec (spec/support/msgpack-node.ts stands in for lib/node there); and the compatibility
 * matrix, which runs one set of scenarios against every socketcluster-server major from 14 to 20 (spec/compat/,
 * docs/compatibility.md).
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
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/spec/integration/', '<rootDir>/spec/compat/'],
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
  ],
};
