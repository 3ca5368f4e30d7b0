import { startAsyncServer } from './async-server';
import { startCallbackServer } from './callback-server';
import type { CompatServer, CompatServerOptions } from './compat-server';

// The socketcluster-server majors under test, installed side by side as npm aliases (package.json): sc-server-14
// to sc-server-19, and socketcluster-server itself for v20.

export const MAJORS = [14, 15, 16, 17, 18, 19, 20] as const;
export type Major = (typeof MAJORS)[number];

/** The npm package (alias) of a major. */
export function packageOf(major: Major): string {
  return major === 20 ? 'socketcluster-server' : `sc-server-${major}`;
}

/** The API generation of a major: v14 is the callback (EventEmitter) generation, v15 on use async iterators. */
export function generationOf(major: Major): 'callback' | 'async-iterator' {
  return major === 14 ? 'callback' : 'async-iterator';
}

/** The protocol versions a major can speak: v14 only 1 (it has no `protocolVersion` option), later both. */
export function protocolsOf(major: Major): readonly (1 | 2)[] {
  return major === 14 ? [1] : [1, 2];
}

/** Starts a server of `major` on 127.0.0.1 with the compat procedures. */
export function startServer(major: Major, options: CompatServerOptions = {}): Promise<CompatServer> {
  return generationOf(major) === 'callback'
    ? startCallbackServer(packageOf(major), options)
    : startAsyncServer(major, packageOf(major), options);
}
