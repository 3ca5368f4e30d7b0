import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CodecName } from './compat-server';
import type { Major } from './servers';

// The compatibility matrix: which scenarios run against which server configuration, which outcomes are known and
// why, and the results file the suite checks (or, with COMPAT_UPDATE=1, writes) and scripts/compat-matrix.mjs
// renders into docs/compatibility.md.

/** The scenarios run against every server configuration, in column order. */
export const FEATURES = [
  { key: 'handshake', title: 'Handshake', checks: 'opens; the socket id and pingTimeout are the server’s' },
  {
    key: 'ping',
    title: 'Ping/pong',
    checks: 'the server receives pongs to its pings; no client diagnostics',
  },
  { key: 'rpc', title: 'RPC', checks: '`invoke()` of echo (nested, Unicode, 20 at once) and sum' },
  {
    key: 'remoteError',
    title: 'Remote error',
    checks: 'a named server error keeps its name, message and extra field',
  },
  { key: 'serverEvents', title: 'Server events', checks: '`receiver()` gets transmitted events in order' },
  {
    key: 'clientProcedure',
    title: 'Server → client RPC',
    checks: '`procedure()` answers the server, with a result or an error',
  },
  { key: 'channels', title: 'Channels', checks: 'subscribe, client and server publish, unsubscribe' },
  {
    key: 'restart',
    title: 'Re-subscribe',
    checks: 'channels subscribed again after a server restart on the same port',
  },
  { key: 'kickOut', title: 'Kick-out', checks: '`kickOut()` errors the channel with `ChannelKickOutError`' },
  {
    key: 'disconnect',
    title: 'Server disconnect',
    checks: '`socket.disconnect(4321, reason)`: code and reason seen, then a reconnect',
  },
  {
    key: 'login',
    title: 'Server-set token',
    checks: '`setAuthToken()` from a procedure: the client is authenticated',
  },
  {
    key: 'authenticate',
    title: 'authenticate()',
    checks: 'a server-signed token is accepted; a foreign one refused',
  },
  { key: 'deauthenticate', title: 'deauthenticate()', checks: 'the server socket is signed out' },
  {
    key: 'tokenOnReconnect',
    title: 'Token on reconnect',
    checks: 'the stored token is sent in the next handshake after a restart',
  },
] as const;
export type Feature = (typeof FEATURES)[number]['key'];

/** The scenarios of the mixed set: the official socketcluster-client v20 and this client on one v20 server. */
export const INTEROP_FEATURES = [
  {
    key: 'publishBothWays',
    title: 'Publish both ways',
    checks: 'each client publishes to a channel both subscribe to; both see both messages in order',
  },
  { key: 'serverPublish', title: 'Server publish', checks: 'a server-side publish reaches both clients' },
  {
    key: 'rpcAndEvents',
    title: 'RPC and events',
    checks: 'both clients invoke procedures and receive pushed events on the same server',
  },
] as const;
export type InteropFeature = (typeof INTEROP_FEATURES)[number]['key'];

export type NoteKind = 'client-gap' | 'server-limitation' | 'server-defect';

export interface Note {
  readonly kind: NoteKind;
  readonly title: string;
  readonly text: string;
}

/** Every known difference that makes a cell anything but a plain pass, or that the adapters work around. */
export const NOTES = {
  'v14-protocol-2': {
    kind: 'server-limitation',
    title: 'v14 speaks only protocol version 1',
    text:
      'socketcluster-server 14 has no `protocolVersion` option: it always pings with `#1` and waits for `#2`. A ' +
      'client left at the default `protocolVersion: 2` never answers, so the server closes the socket with 4001 ' +
      'after its `pingTimeout` (20 s by default) and the client reconnects, again and again. The client reports `ProtocolError` (`unexpected-frame`) “Received a protocol 1 ping … set protocolVersion: ' +
      '1” on `errors$`, with either codec (v14 sends its ping through the codec; the client recognises it decoded ' +
      'too, answers it in kind with `protocolVersion: 1`, and reads the reason of v14’s `#disconnect` event as ' +
      'the close reason). Use `protocolVersion: 1` with v14.',
  },
  'v18-stream-demux': {
    kind: 'server-defect',
    title: 'v18.2.0 as npm installs it today wakes only its newest stream loop',
    text:
      'socketcluster-server 18.2.0 depends on stream-demux 9.0.2, which reads `nextConsumerId` from ' +
      'writable-consumable-stream; the `^4.0.1` range now resolves to 4.2.0, which no longer has it, so every ' +
      'consumer gets the id `NaN` and only the most recently started `for await` loop of a server or socket ' +
      'stream (`listener()`, `procedure()`, `receiver()`) ever receives anything. This is a server-side defect ' +
      'that no client can work around; the compat adapter avoids it by keeping one listener loop and serving ' +
      'its procedures through the `requestCreator` option. Applications on v18 should pin ' +
      'writable-consumable-stream or move to v19.',
  },
} as const satisfies Record<string, Note>;
export type NoteId = keyof typeof NOTES;

/** One server configuration: a row of the matrix. */
export interface Row {
  readonly major: Major;
  readonly protocol: 1 | 2;
  readonly codec: CodecName;
}

export type Status = 'pass' | 'gap' | 'limitation' | 'fail';
export interface Cell {
  readonly status: Status;
  readonly note?: NoteId;
}

/** What a scenario is expected to do in a row: pass, or fail for a documented reason. */
export function expectation(row: Row, _feature: Feature): Cell {
  if (row.major === 14 && row.protocol === 2) return { status: 'limitation', note: 'v14-protocol-2' };
  return { status: 'pass' };
}

/** Facts about one server major, probed by the suite with a raw WebSocket. */
export interface ServerFacts {
  readonly major: Major;
  readonly package: string;
  readonly version: string;
  readonly generation: 'callback' | 'async-iterator';
  readonly protocols: readonly (1 | 2)[];
  /** The `pingTimeout` a server started without options advertises in its handshake reply. */
  readonly defaultPingTimeout: number;
  /** The ping frame per codec and requested `protocolVersion`, e.g. `json, protocolVersion 1` → `text "#1"`. */
  readonly pingFrames: Readonly<Record<string, string>>;
  /** What the server does with a `#handshake` that has no `cid`. */
  readonly handshakeWithoutCid: string;
  /** What a client sees of `socket.disconnect(4321, 'bye')`. */
  readonly disconnect: string;
  /** Whether any inbound message (not only a pong) keeps the socket alive. */
  readonly inboundMessagesKeepAlive: boolean;
  /** Whether only the newest `for await` loop of a socket is served (see the v18-stream-demux note). */
  readonly streamDemuxDefect: boolean;
  readonly note?: NoteId;
}

export interface Results {
  readonly $comment: string;
  readonly features: readonly { key: string; title: string; checks: string }[];
  readonly interopFeatures: readonly { key: string; title: string; checks: string }[];
  readonly notes: Readonly<Record<string, Note>>;
  readonly servers: readonly ServerFacts[];
  readonly rows: readonly (Row & { readonly cells: Readonly<Record<string, Cell>> })[];
  readonly interop: readonly {
    readonly server: string;
    readonly codec: CodecName;
    readonly cells: Readonly<Record<string, Cell>>;
  }[];
}

export const RESULTS_FILE = path.join(__dirname, '..', 'results.json');

/** Collects the outcomes of one run, in the order the suite defines them. */
export class Recorder {
  readonly #servers = new Map<Major, ServerFacts>();
  readonly #rows = new Map<string, Row & { cells: Record<string, Cell> }>();
  readonly #interop = new Map<CodecName, { server: string; codec: CodecName; cells: Record<string, Cell> }>();

  /** Declares a row up front, so rows keep the suite's order whatever runs. */
  row(row: Row): void {
    this.#rows.set(rowKey(row), { ...row, cells: {} });
  }

  cell(row: Row, feature: Feature, cell: Cell): void {
    const entry = this.#rows.get(rowKey(row));
    if (!entry) throw new Error(`Row ${rowKey(row)} was not declared`);
    entry.cells[feature] = cell;
  }

  server(facts: ServerFacts): void {
    this.#servers.set(facts.major, facts);
  }

  interop(server: string, codec: CodecName, feature: InteropFeature, cell: Cell): void {
    const entry = this.#interop.get(codec) ?? { server, codec, cells: {} };
    entry.cells[feature] = cell;
    this.#interop.set(codec, entry);
  }

  results(): Results {
    const usedNotes = new Set<string>();
    const rows = [...this.#rows.values()].map((row) => ({ ...row, cells: ordered(row.cells, FEATURES) }));
    const interop = [...this.#interop.values()].map((row) => ({
      ...row,
      cells: ordered(row.cells, INTEROP_FEATURES),
    }));
    const servers = [...this.#servers.values()].sort((a, b) => a.major - b.major);
    for (const cell of [...rows, ...interop].flatMap((row) => Object.values(row.cells))) {
      if (cell.note) usedNotes.add(cell.note);
    }
    for (const facts of servers) if (facts.note) usedNotes.add(facts.note);
    return {
      $comment:
        'Written by `npm run compat:update` (spec/compat/servers.spec.ts) and rendered into docs/compatibility.md ' +
        'by scripts/compat-matrix.mjs. Do not edit by hand.',
      features: FEATURES.map((f) => ({ ...f })),
      interopFeatures: INTEROP_FEATURES.map((f) => ({ ...f })),
      notes: Object.fromEntries(Object.entries(NOTES).filter(([id]) => usedNotes.has(id))),
      servers,
      rows,
      interop,
    };
  }
}

function rowKey(row: Row): string {
  return `${row.major}/p${row.protocol}/${row.codec}`;
}

function ordered(cells: Record<string, Cell>, features: readonly { key: string }[]): Record<string, Cell> {
  return Object.fromEntries(features.filter((f) => f.key in cells).map((f) => [f.key, cells[f.key]!]));
}

export function readResults(): Results | undefined {
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

export function writeResults(results: Results): void {
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
}
