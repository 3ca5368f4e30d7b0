import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import ts from 'typescript';
import { where, type DocBlock } from './doc-blocks';

// Runs the `run=server` and `run=client` blocks of the docs as the files a reader would paste them into: Node
// processes that import `socketcluster-server`, `rxjs` and `rx-socketcluster` by name. They live in a folder under
// node_modules/.cache, which resolves the packages of the repository, plus a link that makes `rx-socketcluster`
// the built package (its `exports`, as an application that installed it sees them). TypeScript blocks are
// transpiled first, types dropped.

/** A child process with everything it printed so far. */
export interface Run {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  exited: Promise<number | string>;
}

/** A scratch folder for the runnable blocks; `remove()` deletes it. */
export function scratchFolder(root: string): { dir: string; remove(): void } {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'doc-blocks-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'rx-socketcluster'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a block as an ES module in `dir` and returns its path. */
export function writeModule(dir: string, block: DocBlock, name: string): string {
  const code =
    block.lang === 'ts'
      ? ts.transpileModule(block.code, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
          fileName: `${name}.ts`,
        }).outputText
      : block.code;
  const path = join(dir, `${name}.mjs`);
  writeFileSync(path, code);
  return path;
}

/** Starts `node <file>` in `dir` with `env` added to the test's environment (`undefined` removes a variable). */
export function start(dir: string, file: string, env: Record<string, string | undefined>): Run {
  const child = spawn(process.execPath, [file], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, output: () => output, exited };
}

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0);
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, 'localhost');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Resolves once `port` accepts connections; rejects if `server` exits first or after `ms`. */
export async function listening(server: Run, port: number, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  let exit: number | string | undefined;
  void server.exited.then((code) => (exit = code));
  while (!(await accepts(port))) {
    if (exit !== undefined)
      throw new Error(`${what} exited (${String(exit)}) before listening:\n${server.output()}`);
    if (Date.now() > end)
      throw new Error(`${what} did not listen on port ${String(port)} in ${String(ms)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The exit code of `run`, or an error naming `what` after `ms`; the process is killed then. */
export async function exitCode(run: Run, what: string, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${String(ms)} ms. Its output:\n${run.output()}`));
    }, ms);
  });
  try {
    return await Promise.race([run.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops a process that may still run. */
export async function stop(run: Run): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) {
    run.child.kill('SIGTERM');
    await run.exited;
  }
}

/** A fresh auth key for a server block, as an operator would generate one. */
export const authKey = (): string => randomBytes(32).toString('hex');

/** The blocks in one server-and-client pair, and the output the client must print (the `output` block). */
export interface RunPair {
  server: DocBlock;
  client: DocBlock;
  output: DocBlock | undefined;
}

/**
 * The pairs of a file's blocks: each `run=client` with the closest `run=server` above it, and with the block right
 * after it when that one is marked `output`. Throws, naming the block, for a client with no server above it.
 */
export function runPairs(blocks: readonly DocBlock[]): RunPair[] {
  const pairs: RunPair[] = [];
  blocks.forEach((block, i) => {
    if (block.marks.get('run') !== 'client') return;
    const server = blocks
      .slice(0, i)
      .reverse()
      .find((b) => b.file === block.file && b.marks.get('run') === 'server');
    if (!server) throw new Error(`${where(block)}: a run=client block needs a run=server block above it`);
    const next = blocks[i + 1];
    const output = next?.file === block.file && next.marks.has('output') ? next : undefined;
    pairs.push({ server, client: block, output });
  });
  return pairs;
}
