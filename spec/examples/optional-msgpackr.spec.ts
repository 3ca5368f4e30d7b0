import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// msgpackr is an optional peer dependency, needed by rx-socketcluster/codec/msgpack only. An application that did
// not install it: the packed tarball (the globalSetup of this project has built dist/, as `prepack` does) unpacked
// into a scratch project's node_modules, next to the dependencies it does need (rxjs, ws, jose), linked from this
// repository's node_modules and resolved from there. The package itself is a copy, not a link: a link would resolve
// to this repository, where msgpackr is installed. Nothing is downloaded.

const ROOT = join(__dirname, '../..');
const NEEDED = ['rxjs', 'ws', 'jose'];
const MISSING = 'rx-socketcluster/codec/msgpack needs the msgpackr package: npm install msgpackr';

jest.setTimeout(20_000);

let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'rx-sc-no-msgpackr-'));
  const modules = join(app, 'node_modules');
  const pkg = join(modules, 'rx-socketcluster');
  mkdirSync(pkg, { recursive: true });
  // --ignore-scripts: dist/ is built already; a real `npm pack` runs prepack first.
  const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', app], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const [{ filename }] = JSON.parse(output) as [{ filename: string }];
  execFileSync('tar', ['-xzf', join(app, filename), '-C', pkg, '--strip-components=1']);
  for (const name of NEEDED) symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
});

afterAll(() => {
  rmSync(app, { recursive: true, force: true });
});

/** What a script of the scratch project printed as its last line, parsed. */
function run(file: string, code: string): Record<string, unknown> {
  writeFileSync(join(app, file), code);
  const output = execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop()!) as Record<string, unknown>;
}

/**
 * The body of a script of the scratch project, given `main` (the package's main entry), `net` (node:net) and
 * `loadMsgpack()`: has a client try a port nobody listens on (so the Node entry's `ws` runs), then loads the
 * msgpack entry, and prints the states the client went through and what loading threw, as one JSON line.
 */
const scenario = `
  const port = await new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  const client = main.createClient({ url: \`ws://127.0.0.1:\${port}/socketcluster/\`, reconnect: false });
  const states = [];
  await new Promise((resolve) => {
    client.state$.subscribe(({ state }) => {
      states.push(state);
      if (state === 'closed' && states.includes('connecting')) resolve();
    });
    client.connect();
  });
  client.close();
  let error;
  try {
    await loadMsgpack();
  } catch (thrown) {
    const { message, code, cause } = thrown;
    error = { isError: thrown instanceof Error, message, code, cause: cause?.code };
  }
  console.log(JSON.stringify({ states, error }));
`;

it('packs msgpackr as an optional peer dependency, which this scratch project does not have', () => {
  const manifest = JSON.parse(
    readFileSync(join(app, 'node_modules/rx-socketcluster/package.json'), 'utf8'),
  ) as Record<string, Record<string, unknown> | undefined>;
  expect(manifest.dependencies).not.toHaveProperty('msgpackr');
  expect(manifest.peerDependencies).toHaveProperty('msgpackr');
  expect(manifest.peerDependenciesMeta).toHaveProperty('msgpackr', { optional: true });
  expect(() =>
    execFileSync(process.execPath, ['-e', "require.resolve('msgpackr')"], { cwd: app, stdio: 'pipe' }),
  ).toThrow();
});

it.each([
  [
    'import',
    'app.mjs',
    `import net from 'node:net';
     import * as main from 'rx-socketcluster';
     const loadMsgpack = () => import('rx-socketcluster/codec/msgpack');
     ${scenario}`,
    'ERR_MODULE_NOT_FOUND',
  ],
  [
    'require',
    'app.cjs',
    `const net = require('node:net');
     const main = require('rx-socketcluster');
     const loadMsgpack = async () => require('rx-socketcluster/codec/msgpack');
     (async () => { ${scenario} })();`,
    'MODULE_NOT_FOUND',
  ],
])(
  'with %s, the main entry connects a client and the msgpack entry says to install msgpackr',
  (_, file, code, notFound) => {
    expect(run(file, code)).toEqual({
      states: ['idle', 'connecting', 'closed'],
      error: { isError: true, message: MISSING, code: notFound, cause: notFound },
    });
  },
);

// Last, since it installs msgpackr in the scratch project.
it('loads the msgpack entry, with import and with require, once msgpackr is installed', () => {
  symlinkSync(join(ROOT, 'node_modules/msgpackr'), join(app, 'node_modules/msgpackr'), 'dir');
  const roundTrip = `
    const codec = msgpackCodec();
    const packet = { event: 'sum', data: { a: 1 }, cid: 2 };
    console.log(JSON.stringify(codec.decode(codec.encode(packet))));
  `;
  const expected = { event: 'sum', data: { a: 1 }, cid: 2 };
  expect(
    run('codec.mjs', `import { msgpackCodec } from 'rx-socketcluster/codec/msgpack';${roundTrip}`),
  ).toEqual(expected);
  expect(
    run('codec.cjs', `const { msgpackCodec } = require('rx-socketcluster/codec/msgpack');${roundTrip}`),
  ).toEqual(expected);
});
