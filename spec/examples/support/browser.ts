import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

// What the browser tests of the examples share: the system's Chromium (CHROMIUM_PATH to use another), and an
// example's server run in a child process (Jest cannot import the examples' ES modules) and driven over IPC.

export const ROOT = join(__dirname, '../../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags, Chromium keeps trying to reach hosts a closed network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with what to install when Chromium is missing, and when `built` (a file of dist/) was not built. */
export function checkPrerequisites(what: string, built: string): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM}. The ${what} test runs the page in a real browser: install ` +
        'Chromium (Debian and Ubuntu: `apt-get install chromium`) or set CHROMIUM_PATH to its executable.',
    );
  }
  if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: the globalSetup build did not run`);
}

/** Headless Chromium with the flags that work on a machine without outside network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
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
