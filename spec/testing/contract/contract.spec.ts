import { startFakeTarget } from './fake-target';
import { startRealTarget } from './real-target';
import { SCENARIOS, type ScenarioName, type Transcript } from './scenarios';
import type { ContractTarget } from './target';

// Every scenario runs against the reference, a real socketcluster-server 20 (JSON, protocol 2), whose transcript
// must meet the expectations below (so that the scenarios themselves are known to observe what they claim). Every
// other target must then give the very same transcript as the reference, scenario by scenario: socketcluster-server
// 14 with protocol 1, socketcluster-server 20 with MessagePack, and the fake server.

interface ComparedTarget {
  readonly name: string;
  start(): Promise<ContractTarget>;
  /** The scenarios it runs (default: all). */
  readonly scenarios?: readonly ScenarioName[];
  /** Makes both transcripts alike where the target legitimately differs from the reference (before comparing). */
  readonly alike?: (transcript: Transcript) => Transcript;
}

/** Leaves out `isBadToken`, which socketcluster-server 14 does not add to the token errors it sends. */
function withoutBadTokenFlag(transcript: Transcript): Transcript {
  return JSON.parse(JSON.stringify(transcript), (key, value: unknown) =>
    key === 'isBadToken' ? undefined : value,
  ) as Transcript;
}

/** MessagePack has no `undefined`: sc-codec-min-bin (and our codec, to match it) carries a missing value as nil. */
function undefinedAsNull(transcript: Transcript): Transcript {
  return JSON.parse(JSON.stringify(transcript).replaceAll('"<undefined>"', 'null')) as Transcript;
}

const COMPARED: readonly ComparedTarget[] = [
  {
    name: 'socketcluster-server 14, protocol 1',
    start: () => startRealTarget({ version: 14, protocolVersion: 1 }),
    alike: withoutBadTokenFlag,
  },
  {
    name: 'socketcluster-server 20, MessagePack',
    start: () => startRealTarget({ codec: 'msgpack' }),
    alike: undefinedAsNull,
  },
  // The fake server of rx-socketcluster/testing, compared exactly: a difference is a bug in the fake.
  { name: 'fake', start: () => startFakeTarget() },
  { name: 'fake, protocol 1', start: () => startFakeTarget({ protocolVersion: 1 }) },
  { name: 'fake, MessagePack', start: () => startFakeTarget({ codec: 'msgpack' }), alike: undefinedAsNull },
];

const NAMES = Object.keys(SCENARIOS) as ScenarioName[];

async function run(start: () => Promise<ContractTarget>, name: ScenarioName): Promise<Transcript> {
  const target = await start();
  try {
    return await SCENARIOS[name](target);
  } finally {
    await target.stop();
  }
}

const references = new Map<ScenarioName, Transcript>();

/** The reference transcript of a scenario (run once, against socketcluster-server 20). */
async function reference(name: ScenarioName): Promise<Transcript> {
  let transcript = references.get(name);
  if (!transcript) {
    transcript = await run(() => startRealTarget(), name);
    references.set(name, transcript);
  }
  return transcript;
}

// ---------------------------------------------------------------------------------------------------------------
// What the reference transcripts must show (matched with toMatchObject: arrays in full, objects in part)

const OPEN = { state: 'open', isAuthenticated: false };
const OPENED = ['idle', 'connecting', OPEN];
const ANONYMOUS = { states: OPENED, auth: ['unauthenticated'], errors: [] };
const LOST_1006 = { state: 'closed', code: 1006, error: { class: 'ConnectionError', closeCode: 1006 } };
const RESTARTED = ['idle', 'connecting', OPEN, LOST_1006, 'connecting', OPEN];
const remote = (remoteName: string, message: string, details: Record<string, unknown> = {}) => ({
  class: 'RemoteError',
  code: 'REMOTE_ERROR',
  remoteName,
  message,
  details,
});
const lost = (code: number, reason: string) => ({
  state: 'closed',
  code,
  reason,
  error: { class: 'ConnectionError', code: 'CONNECTION_CLOSED', closeCode: code, reason },
});
const authenticated = (claims: Record<string, unknown>) => ({ state: 'authenticated', claims });
const timedOut = (event: string) => ({
  error: { class: 'AckTimeoutError', code: 'ACK_TIMEOUT', event, timeout: 200 },
});
const refusedHandshake = (statusCode: number, remoteName: string, message: string) => ({
  state: 'closed',
  code: statusCode,
  error: { class: 'HandshakeError', statusCode, remote: remote(remoteName, message, { statusCode }) },
});

const EXPECTED: Record<ScenarioName, Transcript> = {
  'handshake without a token': { ...ANONYMOUS, serverAuthenticated: false },
  'handshake with a stored token': {
    states: ['idle', 'connecting', { state: 'open', isAuthenticated: true }],
    auth: ['unauthenticated', authenticated({ user: 'ann', role: 'admin' })],
    serverAuthenticated: true,
    kept: true,
  },
  'handshake with an expired token': {
    ...ANONYMOUS,
    errors: [{ class: 'AuthTokenExpiredError', code: 'AUTH_TOKEN_EXPIRED' }],
    serverAuthenticated: false,
    kept: false,
  },
  'handshake with a token of another key': {
    states: [
      'idle',
      'connecting',
      { ...OPEN, authError: remote('AuthTokenInvalidError', 'invalid signature', { isBadToken: true }) },
    ],
    auth: ['unauthenticated'],
    serverAuthenticated: false,
    kept: false,
  },
  'rpc answers': {
    ...ANONYMOUS,
    echoes: [
      { value: { text: 'héllo ✓ 𝄞', n: [1, 2.5, -3, 2 ** 40], nested: { ok: true, none: null, list: [] } } },
      { value: 42 },
      { value: 'text' },
      { value: null },
      { value: true },
      { value: [1, [2, [3]]] },
    ],
    sum: { value: 5 },
    later: { value: { later: 'x' } },
  },
  'rpc with no data and no answer': {
    ...ANONYMOUS,
    answer: { value: '<undefined>' },
    withData: { value: '<undefined>' },
    seen: ['<undefined>', { a: 1 }],
  },
  'rpc calls answered out of order': { ...ANONYMOUS, results: [60, 10, 40, 0, 20] },
  'remote error with extra fields': {
    ...ANONYMOUS,
    thrown: {
      error: remote('BadArgs', 'a and b must be numbers', { field: 'b', limits: { min: 0, max: 10 } }),
    },
    rejected: { error: remote('Forbidden', 'not yours', { status: 403 }) },
    plainError: { error: remote('Error', 'plain failure') },
  },
  'ack timeout of an unanswered procedure': {
    ...ANONYMOUS,
    result: timedOut('never'),
    after: { value: 'still here' },
  },
  'ack timeout of a procedure nobody serves': { ...ANONYMOUS, result: timedOut('nobody') },
  'transmit to the server': {
    ...ANONYMOUS,
    first: { text: 'sent before the connection opened' },
    later: [{ n: 1 }, { n: 2 }, { n: 3 }],
    nothing: '<undefined>',
  },
  'server events': { ...ANONYMOUS, ticks: { value: [{ n: 1 }, { n: 2 }, { n: 3 }] } },
  'server event nobody listens to': {
    ...ANONYMOUS,
    errors: [
      { class: 'ProtocolError', kind: 'unhandled-event', message: "No receiver for the event 'unheard'" },
    ],
  },
  'server invokes a client procedure': { ...ANONYMOUS, answers: [{ value: 42 }, { value: 0 }] },
  'client procedure answers with an error': {
    ...ANONYMOUS,
    answer: { error: { name: 'Refused', message: 'not today', retryable: false, detail: { why: 'closed' } } },
  },
  'server invokes a procedure the client does not handle': {
    states: OPENED,
    answer: { error: { name: 'UnhandledProcedureError', message: "No procedure 'missing' on this client" } },
    errors: [{ class: 'ProtocolError', kind: 'unhandled-procedure' }],
  },
  'channel subscribe, publish and receive': {
    ...ANONYMOUS,
    server: ['news'],
    messages: { value: [{ from: 'server', n: 1 }, 'two', null] },
    after: [],
    channels: [
      'news: unsubscribed -> pending',
      'news: pending -> subscribed',
      'news: subscribed -> unsubscribed',
    ],
  },
  'own publish is echoed before the acknowledgement': {
    ...ANONYMOUS,
    order: [{ message: { text: 'hi' } }, 'ack'],
  },
  'transmitPublish reaches subscribers': { ...ANONYMOUS, messages: { value: ['one', { two: 2 }] } },
  'publish to a channel nobody subscribes to': { ...ANONYMOUS, ack: { value: '<undefined>' }, server: [] },
  'channels re-subscribe after a restart, highest priority first': {
    afterRestart: [
      'low: subscribed -> pending',
      'high: subscribed -> pending',
      'mid: subscribed -> pending',
      'high: pending -> subscribed',
      'mid: pending -> subscribed',
      'low: pending -> subscribed',
    ],
    server: ['high', 'low', 'mid'],
  },
  'waitForAuth channel waits for a login': {
    beforeLogin: { client: 'pending', server: [] },
    messages: { value: ['for members'] },
    auth: ['unauthenticated', authenticated({ user: 'ann', ttl: 86400 })],
  },
  'waitForAuth channel after a login': {
    messages: { value: ['welcome'] },
    channels: [
      'secret: unsubscribed -> pending',
      'secret: pending -> subscribed',
      'secret: subscribed -> unsubscribed',
    ],
  },
  'refused subscription': {
    ...ANONYMOUS,
    result: {
      error: {
        class: 'ChannelSubscribeError',
        code: 'CHANNEL_SUBSCRIBE_REJECTED',
        channel: 'vault',
        remote: remote('NoEntryError', 'members only'),
      },
    },
    state: 'unsubscribed',
    server: [],
    channels: ['vault: unsubscribed -> pending', 'vault: pending -> unsubscribed'],
  },
  'kick-out': {
    ...ANONYMOUS,
    result: { error: { class: 'ChannelKickOutError', channel: 'vip', kickOutMessage: 'members only' } },
    state: 'unsubscribed',
    server: [],
  },
  'unsubscribe with linger': {
    ...ANONYMOUS,
    lingering: { client: 'subscribed', server: ['ticker'] },
    final: 'unsubscribed',
    channels: [
      'ticker: unsubscribed -> pending',
      'ticker: pending -> subscribed',
      'ticker: subscribed -> unsubscribed',
    ],
  },
  'server sets the token': {
    states: OPENED,
    auth: ['unauthenticated', authenticated({ user: 'ann', roles: ['admin', 'ops'], ttl: 86400 })],
    serverAuthenticated: true,
  },
  'server sets an expiring token': {
    auth: ['unauthenticated', authenticated({ user: 'tmp', ttl: 60 })],
    serverAuthenticated: true,
  },
  'server removes the token': {
    auth: ['unauthenticated', authenticated({ user: 'ann' }), 'unauthenticated'],
    serverAuthenticated: false,
  },
  'authenticate() accepted': {
    result: { value: { isAuthenticated: true } },
    auth: ['unauthenticated', authenticated({ user: 'bob', ttl: 3600 })],
    serverAuthenticated: true,
  },
  'authenticate() refused': {
    result: { error: remote('AuthTokenInvalidError', 'invalid signature', { isBadToken: true }) },
    auth: ['unauthenticated', authenticated({ user: 'ann' }), 'unauthenticated'],
    serverAuthenticated: false,
  },
  'authenticate() with an expired token': {
    result: { error: remote('AuthTokenExpiredError', 'jwt expired', { isBadToken: true }) },
    auth: ['unauthenticated'],
    serverAuthenticated: false,
  },
  'client deauthenticates': {
    auth: ['unauthenticated', authenticated({ user: 'dan' }), 'unauthenticated'],
    serverAuthenticated: false,
  },
  'token survives a restart': {
    states: ['idle', 'connecting', OPEN, LOST_1006, 'connecting', { state: 'open', isAuthenticated: true }],
    auth: ['unauthenticated', authenticated({ user: 'cat' })],
    serverAuthenticated: true,
  },
  'disconnect 4100 is retried': {
    states: ['idle', 'connecting', OPEN, lost(4100, 'come back later'), 'connecting', OPEN],
  },
  'disconnect 4500 stops': { states: ['idle', 'connecting', OPEN, lost(4500, 'go away')] },
  'disconnect 1000 stops': { states: ['idle', 'connecting', OPEN, lost(1000, 'bye')] },
  'call in flight when the connection drops': {
    result: { error: { class: 'ConnectionError', closeCode: 4100, reason: 'dropped', phase: 'disconnect' } },
    states: ['idle', 'connecting', OPEN, lost(4100, 'dropped'), 'connecting', OPEN],
  },
  'restart and re-subscribe': {
    states: RESTARTED,
    messages: { value: ['after restart'] },
    rpc: { value: 'again' },
    server: ['room'],
    channels: [
      'room: unsubscribed -> pending',
      'room: pending -> subscribed',
      'room: subscribed -> pending',
      'room: pending -> subscribed',
      'room: subscribed -> unsubscribed',
    ],
  },
  'transmits queued during a restart are delivered after': {
    states: RESTARTED,
    delivered: [{ n: 1 }, { n: 2 }, { n: 3 }],
  },
  'calls made during a restart are sent after': { states: RESTARTED, result: { value: 'queued call' } },
  'ping timeout when the server goes silent': {
    states: ['idle', 'connecting', OPEN, lost(4000, 'Server ping timed out'), 'connecting', OPEN],
  },
  'refused handshake (4008) is retried': {
    states: [
      'idle',
      'connecting',
      refusedHandshake(4008, 'BusyError', 'try again later'),
      'connecting',
      refusedHandshake(4008, 'BusyError', 'try again later'),
    ],
  },
  'refused handshake (4501) stops': {
    open: { error: { class: 'HandshakeError', statusCode: 4501 } },
    states: ['idle', 'connecting', refusedHandshake(4501, 'BannedError', 'no entry')],
  },
};

// ---------------------------------------------------------------------------------------------------------------

describe('contract: socketcluster-server 20 (the reference)', () => {
  test.each(NAMES)('%s', async (name) => {
    expect(await reference(name)).toMatchObject(EXPECTED[name]);
  });
});

describe.each(COMPARED)('contract: $name gives the reference transcripts', (target) => {
  test.each([...(target.scenarios ?? NAMES)])('%s', async (name) => {
    const alike = target.alike ?? ((transcript: Transcript) => transcript);
    const expected = alike(await reference(name));
    expect(alike(await run(() => target.start(), name))).toEqual(expected);
  });
});
