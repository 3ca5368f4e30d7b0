// ESLint flat config (STYLE.md §12). Prettier owns formatting; nothing here is about layout.
//   lib/    typescript-eslint strict type-checked (tsconfig.json) + eslint-plugin-rxjs-x
//   spec/   the same with type information from spec/tsconfig.json, loosened where tests need it
//   examples/angular/   the lib/ rules, with examples/angular/tsconfig.json
//   examples/testing/   the lib/ rules, with examples/testing/tsconfig.json and jest's globals
//   *.mjs / *.cjs / *.js (scripts/, examples/, bench/, config files): plain JavaScript for Node
import js from '@eslint/js';
import rxjsX from 'eslint-plugin-rxjs-x';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

/** Rules for every TypeScript file, on top of typescript-eslint's strict type-checked set. */
const typescriptRules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/consistent-type-imports': [
    'error',
    { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: true },
  ],
  // No @ts-ignore or @ts-nocheck at all; @ts-expect-error only with a reason.
  '@typescript-eslint/ban-ts-comment': [
    'error',
    {
      'ts-ignore': true,
      'ts-nocheck': true,
      'ts-check': false,
      'ts-expect-error': 'allow-with-description',
      minimumDescriptionLength: 10,
    },
  ],
  // Numbers in messages (`got ${value}`, close codes, ports) are fine; objects, nullish and `any` are not.
  '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
  // `next: (v) => subject.next(v)`, `() => sub.unsubscribe()`: one-line callbacks are the RxJS idiom, and the
  // callers' types already say void. Still reported in every other position (`return log()`, `a ?? b()` ...).
  '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
  // The client's members are methods on its prototype: `const { invoke } = client` or `mergeMap(client.channelState$)`
  // loses `this` and throws when called. Part of the strict set already; named here because the docs ask users to
  // turn it on for the same reason (docs/getting-started.md).
  '@typescript-eslint/unbound-method': 'error',

  // RxJS: subscriptions, subjects and observables must be handled deliberately.
  'rxjs-x/no-exposed-subjects': 'error',
  'rxjs-x/no-ignored-subscription': 'error',
  'rxjs-x/no-floating-observables': 'error',
  'rxjs-x/no-async-subscribe': 'error',
  'rxjs-x/no-nested-subscribe': 'error',
  'rxjs-x/no-unsafe-takeuntil': 'error',
  'rxjs-x/no-sharereplay': ['error', { allowConfig: true }],
  'rxjs-x/no-internal': 'error',
};

export default defineConfig(
  {
    name: 'rx-socketcluster/ignores',
    ignores: [
      'dist/',
      'coverage/',
      'docs/api/',
      'node_modules/',
      'bench/results/',
      '**/*.d.ts',
      '**/*.d.mts',
      '**/*.d.cts',
    ],
  },
  {
    name: 'rx-socketcluster/linter',
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // ---------------------------------------------------------------------------------------------- JavaScript
  {
    name: 'rx-socketcluster/javascript',
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    name: 'rx-socketcluster/commonjs',
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // Scripts that run in the browser (examples/dashboard).
    name: 'rx-socketcluster/browser',
    files: ['examples/dashboard/dashboard.js'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // ---------------------------------------------------------------------------------------------- library
  {
    name: 'rx-socketcluster/lib',
    files: ['lib/**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked, rxjsX.configs.recommended],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: root },
    },
    rules: typescriptRules,
  },

  // ---------------------------------------------------------------------------------------------- tests
  {
    name: 'rx-socketcluster/spec',
    files: ['spec/**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked, rxjsX.configs.recommended],
    languageOptions: {
      parserOptions: { project: './spec/tsconfig.json', tsconfigRootDir: root },
      globals: { ...globals.node, ...globals.jest },
    },
    rules: {
      ...typescriptRules,
      // Tests assert on values they just checked, and talk to the untyped socketcluster-server.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Empty fakes (`() => {}`, `class FakeSocket { close() {} }`) are normal in tests.
      '@typescript-eslint/no-empty-function': 'off',
      // `jest.fn<void, [Args]>()` is jest's own typing.
      '@typescript-eslint/no-invalid-void-type': 'off',
      // Tests subscribe to collect values; closing the client or the test's teardown ends those subscriptions.
      'rxjs-x/no-ignored-subscription': 'off',
      // `error: (e) => errors.push(e)` collects whatever arrived; the assertions check its type.
      'rxjs-x/no-implicit-any-catch': 'off',
    },
  },
  {
    name: 'rx-socketcluster/examples-angular',
    files: ['examples/angular/**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked, rxjsX.configs.recommended],
    languageOptions: {
      parserOptions: { project: './examples/angular/tsconfig.json', tsconfigRootDir: root },
    },
    rules: typescriptRules,
  },
  {
    // The worked examples of docs/testing.md and their tests: application code under the lib/ rules, with the
    // test globals of jest.
    name: 'rx-socketcluster/examples-testing',
    files: ['examples/testing/**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked, rxjsX.configs.recommended],
    languageOptions: {
      parserOptions: { project: './examples/testing/tsconfig.json', tsconfigRootDir: root },
      globals: { ...globals.node, ...globals.jest },
    },
    rules: typescriptRules,
  },
  {
    // As in spec/: tests subscribe to drive and collect values, and the test's teardown ends those subscriptions.
    name: 'rx-socketcluster/examples-testing-specs',
    files: ['examples/testing/**/*.spec.ts'],
    rules: { 'rxjs-x/no-ignored-subscription': 'off' },
  },
  {
    // Angular's EnvironmentInjector implements Injector rather than extending it, and its API takes an Injector
    // wherever an environment injector is meant to go (runInInjectionContext, `injector` options).
    name: 'rx-socketcluster/spec-angular',
    files: ['spec/angular/**/*.ts', 'examples/testing/angular/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-class-instance-assignment': 'off' },
  },
);
