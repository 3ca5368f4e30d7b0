import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/browser';
import { docFiles, readBlocks, where, type DocBlock } from './support/doc-blocks';
import {
  authKey,
  exitCode,
  freePort,
  listening,
  runPairs,
  scratchFolder,
  start,
  stop,
  writeModule,
  type Run,
} from './support/doc-run';
import { isTypeChecked, typeCheckBlocks, type BlockDiagnostic } from './support/doc-typecheck';

/*
 * Every fenced code block of README.md and docs/*.md (not docs/api/, TypeDoc's output) is checked, shown as is, or
 * marked as a fragment. The marks are words after the language on the opening fence; GitHub shows the language
 * only. docs/README.md tells readers and writers the short version.
 *
 *   ```ts                 Type-checked, the default for ts and js: the block is a module of its own, compiled with
 *                         `strict` against the built package's declarations (resolved through its `exports`) and
 *                         the globals of Node and the DOM, in ONE program for all the blocks. A js block is checked
 *                         for what breaks any JavaScript: syntax, imports that do not resolve or name nothing the
 *                         module exports, undeclared names; its values are not typed.
 *   ```ts with=client     Type-checked after a one-line declaration (PREAMBLES in support/doc-typecheck.ts):
 *                         `client`, a Client created elsewhere, or `url`, a string; both with `with=client,url`.
 *                         For blocks that show a call rather than a program.
 *   ```ts file=app.config.ts
 *                         Names the block's module, so that another block of the page can import it
 *                         (`import { appConfig } from './app.config'`).
 *   ```ts from=examples/testing/pipeline/order-totals.spec.ts
 *                         Shows a file of the repository, which is checked where it lives (type-checked, linted
 *                         and run by its jest project): the block must equal the file's text, so the page cannot
 *                         drift from the code that runs. Not type-checked again with the docs' blocks.
 *   ```ts fragment        Not checked: part of something larger (a class member, a handler for a server shown
 *                         elsewhere, code that calls the reader's own functions), or another library's code.
 *   ```js run=server      A whole server, type-checked, and run with `node` in a child process with PORT (a free
 *                         port) and SC_AUTH_KEY set. Started without SC_AUTH_KEY, it must exit with an error that
 *                         names it: the docs never let socketcluster-server fall back to a random key.
 *   ```js run=client      Type-checked, and run once the closest run=server block above it listens, with the same
 *                         PORT; it must exit with code 0 within 20 s. A ts client is transpiled first.
 *   ```text output        Right after a run=client block: what the client prints, line for line.
 *
 * `sh`, `text` and `mermaid` blocks are shown as is, but every `npm run <script>` in an sh block must name a script
 * of package.json. Any other language (html, json...) must be marked `fragment`.
 *
 * A failure names the Markdown file and the line: `docs/auth.md:45:7 TS2304 Cannot find name 'client'.`
 */

const blocks = docFiles(ROOT).flatMap((file) => readBlocks(ROOT, file));
const checked = blocks.filter(isTypeChecked);
const pairs = runPairs(blocks);
const servers = blocks.filter((block) => block.marks.get('run') === 'server');

const CODE_LANGS = ['ts', 'js'];
const SHOWN_AS_IS = ['sh', 'text', 'mermaid'];
const MARKS = ['fragment', 'with', 'file', 'run', 'output', 'from'];

/** What is wrong with how a block is marked, or `undefined`. */
function markingProblem(block: DocBlock, i: number): string | undefined {
  const unknown = [...block.marks.keys()].filter((mark) => !MARKS.includes(mark));
  if (unknown.length > 0) return `unknown mark ${unknown.join(', ')} (known: ${MARKS.join(', ')})`;
  if (block.lang === '') return 'no language on the fence';
  const code = CODE_LANGS.includes(block.lang);
  if (!code && !SHOWN_AS_IS.includes(block.lang) && !block.marks.has('fragment')) {
    return `\`${block.lang}\` is neither checked nor shown as is: mark it \`fragment\``;
  }
  const run = block.marks.get('run');
  if (run !== undefined && (!code || !['server', 'client'].includes(run))) {
    return `run=${run}: only ts and js blocks run, as run=server or run=client`;
  }
  if (block.marks.has('with') && block.lang !== 'ts') return 'with= declares TypeScript: ts blocks only';
  const from = block.marks.get('from');
  if (from !== undefined) {
    if (!code) return 'from= shows a ts or js file: ts and js blocks only';
    if (!existsSync(join(ROOT, from))) return `from=${from}: no such file`;
    if (block.marks.size > 1) return 'from= takes no other mark: the file is checked where it lives';
  }
  const previous = blocks[i - 1];
  if (
    block.marks.has('output') &&
    (previous?.file !== block.file || previous.marks.get('run') !== 'client')
  ) {
    return 'an output block must follow a run=client block';
  }
  return undefined;
}

const format = (diagnostics: readonly BlockDiagnostic[]): string =>
  diagnostics.map(({ at, message }) => `${at} ${message}`).join('\n');

const lines = (text: string): string[] =>
  text
    .trim()
    .split('\n')
    .map((line) => line.trimEnd());

it('has every block of README.md and docs/*.md checked, shown as is, or marked as a fragment', () => {
  const problems = blocks.flatMap((block, i) => {
    const problem = markingProblem(block, i);
    return problem === undefined ? [] : [`${where(block)}: ${problem}`];
  });
  expect(problems).toEqual([]);
  // The docs are mostly whole programs; a page of fragments would check nothing.
  expect(checked.length).toBeGreaterThan(blocks.filter((block) => block.marks.has('fragment')).length * 2);
});

it('names only scripts of package.json in `npm run` commands', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const missing = blocks
    .filter((block) => block.lang === 'sh')
    .flatMap((block) =>
      [...block.code.matchAll(/npm run ([\w:-]+)/g)]
        .map(([, name]) => name!)
        .filter((name) => !(name in scripts))
        .map((name) => `${where(block)}: npm run ${name}`),
    );
  expect(missing).toEqual([]);
});

describe('blocks that show a file (from=)', () => {
  const shown = blocks.filter((block) => block.marks.has('from'));

  it('include the worked examples of the testing guide', () => {
    expect(shown.filter((block) => block.file === 'docs/testing.md').length).toBeGreaterThanOrEqual(6);
  });

  it.each(shown.map((block) => [where(block), block.marks.get('from')!, block] as const))(
    '%s shows %s as it is',
    (at, from, block) => {
      const path = join(ROOT, from);
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      // Compared line by line, so that a failure points at the first line that differs.
      expect({ at, lines: lines(block.code) }).toEqual({ at, lines: lines(text) });
    },
  );
});

describe('type-checked blocks', () => {
  let results: Map<string, BlockDiagnostic[]>;

  beforeAll(() => {
    results = typeCheckBlocks(ROOT, checked);
  });

  it.each(checked.map((block) => [where(block), block] as const))('%s', (name) => {
    const diagnostics = results.get(name)!;
    if (diagnostics.length > 0)
      throw new Error(`The block at ${name} does not compile:\n${format(diagnostics)}`);
  });
});

describe('runnable servers and clients', () => {
  let scratch: ReturnType<typeof scratchFolder>;
  const running: Run[] = [];

  beforeAll(() => {
    scratch = scratchFolder(ROOT);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map(stop));
  });

  afterAll(() => {
    scratch.remove();
  });

  it('has at least the pair of the getting-started guide', () => {
    expect(pairs.map(({ client }) => client.file)).toContain('docs/getting-started.md');
  });

  it.each(pairs.map((pair) => [where(pair.client), where(pair.server), pair] as const))(
    '%s runs against the server at %s',
    async (name, serverName, { server, client, output }) => {
      const port = await freePort();
      const env = { PORT: String(port), SC_AUTH_KEY: authKey() };
      const serverFile = writeModule(scratch.dir, server, `server-${String(server.line)}`);
      const serverRun = start(scratch.dir, serverFile, env);
      running.push(serverRun);
      await listening(serverRun, port, `The server at ${serverName}`);

      const clientRun = start(
        scratch.dir,
        writeModule(scratch.dir, client, `client-${String(client.line)}`),
        env,
      );
      running.push(clientRun);
      const code = await exitCode(clientRun, `The client at ${name}`, 20_000);
      const printed = clientRun.output();
      if (code !== 0) {
        throw new Error(
          `The client at ${name} exited with ${String(code)}. It printed:\n${printed}\n` +
            `The server at ${serverName} printed:\n${serverRun.output()}`,
        );
      }
      if (output) {
        expect({ at: where(output), printed: lines(printed) }).toEqual({
          at: where(output),
          printed: lines(output.code),
        });
      }
    },
    30_000,
  );

  it.each(servers.map((server) => [where(server), server] as const))(
    '%s refuses to start without SC_AUTH_KEY',
    async (name, server) => {
      const file = writeModule(scratch.dir, server, `server-${String(server.line)}`);
      const serverRun = start(scratch.dir, file, { PORT: String(await freePort()), SC_AUTH_KEY: undefined });
      running.push(serverRun);
      const code = await exitCode(serverRun, `The server at ${name} without SC_AUTH_KEY`, 5000);
      expect({ at: name, exitedWithError: code !== 0 }).toEqual({ at: name, exitedWithError: true });
      expect(serverRun.output()).toContain('SC_AUTH_KEY');
    },
    10_000,
  );
});
