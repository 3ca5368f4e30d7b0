import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

// What the browser tests of the examples share: Chromium (the one npm installs with @sparticuz/chromium, or
// CHROMIUM_PATH to use another), and an example's server run in a child process (Jest cannot import the
// examples' ES modules) and driven over IPC.

export const ROOT = join(__dirname, '../../..');

/** A Chromium to launch: its executable, what to add to its environment, and the flags it asks for. */
interface ChromiumBuild {
  executablePath: string;
  env: Record<string, string>;
  args: string[];
}

// Flags of @sparticuz/chromium (tuned for AWS Lambda) left out here. Chromium keeps only the last of a repeated
// switch, so the package's --disable-features/--enable-features would replace Playwright's, which keep Chromium
// from calling Google's services. Playwright opens every page in a browser context of its own, which a
// --single-process Chromium cannot do. And the pages must run under a browser's usual rules.
const UNWANTED = [
  '--single-process',
  '--disable-features',
  '--enable-features',
  '--disable-web-security',
  '--allow-running-insecure-content',
];
// Without the background-networking flags, Chromium keeps trying to reach hosts a closed network refuses.
const CLOSED_NETWORK_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const switchName = (arg: string) => arg.split('=')[0]!;

/** The package's flags less the unwanted ones, then ours; one of each switch. */
function mergeArgs(recommended: readonly string[]): string[] {
  const merged = new Map<string, string>();
  for (const arg of recommended) if (!UNWANTED.includes(switchName(arg))) merged.set(switchName(arg), arg);
  for (const arg of CLOSED_NETWORK_ARGS) merged.set(switchName(arg), arg);
  return [...merged.values()];
}

let build: ChromiumBuild | undefined;

/**
 * CHROMIUM_PATH if set; otherwise the Chromium of @sparticuz/chromium, which support/chromium.mjs unpacks (the
 * examples' globalSetup has done that already) and describes. Throws with what to do when neither works.
 */
function chromiumBuild(): ChromiumBuild {
  if (build) return build;
  const custom = process.env.CHROMIUM_PATH;
  if (custom) {
    if (!existsSync(custom)) throw new Error(`CHROMIUM_PATH is ${custom}, which does not exist`);
    return (build = { executablePath: custom, env: {}, args: mergeArgs(['--headless']) });
  }
  const run = spawnSync(process.execPath, [join(__dirname, 'chromium.mjs')], { encoding: 'utf8' });
  if (run.status !== 0) {
    const output = run.stderr || String(run.error);
    throw new Error(
      'The Chromium of @sparticuz/chromium (a devDependency: `npm ci` installs it) could not be unpacked or ' +
        `does not start here; set CHROMIUM_PATH to use another Chromium.\n${output}`,
    );
  }
  const found = JSON.parse(run.stdout) as ChromiumBuild;
  return (build = { ...found, args: mergeArgs(found.args) });
}

/** Fails with what to do when there is no Chromium to run, and when `built` (a file of dist/) was not built. */
export function checkPrerequisites(what: string, built?: string): void {
  try {
    chromiumBuild();
  } catch (error) {
    throw new Error(`The ${what} test runs the page in a real browser. ${(error as Error).message}`);
  }
  if (built !== undefined && !existsSync(join(ROOT, built)))
    throw new Error(`${built} is missing: the globalSetup build did not run`);
}

/** Headless Chromium with the flags that work on a machine without outside network. */
export function launchChromium(): Promise<Browser> {
  const { executablePath, env, args } = chromiumBuild();
  return chromium.launch({ executablePath, args, env: { ...process.env, ...env } });
}

/** A message between a test and its harness process. */
export interface HarnessMessage {
  type: string;
  url?: string;
  port?: number;
  message?: string;
}

/** An example's server in a child process (a harness in spec/examples/support/), driven over IPC. */
export class HarnessProcess {
  private readonly messages: HarnessMessage[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  readonly #name: string;

  constructor(harness: string, name: string) {
    this.#name = name;
    this.child = fork(join(__dirname, harness), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = once(this.child, 'exit');
    this.child.on('message', (message: HarnessMessage) => {
      this.messages.push(message);
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  /** The next message of `type` (an `error` message rejects), within `ms`. */
  async next(type: string, ms = 10_000): Promise<HarnessMessage> {
    const end = Date.now() + ms;
    for (;;) {
      const index = this.messages.findIndex((m) => m.type === type || m.type === 'error');
      if (index >= 0) {
        const [message] = this.messages.splice(index, 1);
        if (message!.type === 'error') throw new Error(`${this.#name}: ${message!.message}`);
        return message!;
      }
      if (this.child.exitCode !== null) throw new Error(`${this.#name} exited (${this.child.exitCode})`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for the ${this.#name}'s "${type}"`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends `{ type }` and waits for the answer of type `answer`. */
  async request(type: string, answer: string): Promise<HarnessMessage> {
    this.child.send({ type });
    return this.next(answer);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
