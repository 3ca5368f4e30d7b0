import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { config, firstValueFrom, type Subscription } from 'rxjs';
import type { Client } from '../../lib';
import { msgpackCodec } from '../../lib/codec/msgpack';
import { ChannelKickOutError, ScClientError } from '../../lib/errors';
import { fakeClient } from '../support/fake-client';
import type { FakeWebSocket } from '../support/fake-web-socket';
import { until } from '../support/wait';

// Hostile and malformed frames from a fake server, after (and during) the handshake. Whatever arrives, the client
// must not throw, reject or pollute a prototype; it reports what it cannot use on errors$ with a typed error and
// goes on (a valid frame right after the junk still gets through), or closes and comes back. Each property feeds a
// fixed number of frames per run, so the counts in the test names are exact.

// ---------------------------------------------------------------------------------------------------------------
// Generators. Frames are built as text where JSON matters: a JavaScript object cannot hold a `__proto__` key (the
// literal sets the prototype) nor a number such as 1e400, but JSON text can, and a server can send it.

interface Frame {
  readonly text?: string;
  readonly bytes?: Uint8Array;
}

const text = (t: string): Frame => ({ text: t });
const str = (s: string) => JSON.stringify(s);

const EVENTS = [
  'probe',
  'other',
  '#publish',
  '#kickOut',
  '#setAuthToken',
  '#removeAuthToken',
  '#subscribe',
  '#unsubscribe',
  '#handshake',
  '#authenticate',
  '#disconnect',
  '#1',
  '#2',
  '',
  '#',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
];
const CHANNELS = ['room', 'elsewhere', '', '__proto__', 'constructor', 'prototype', 'toString', 'room '];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
const HUGE_NUMBERS = [
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '0.0',
  '9007199254740993',
  '-9007199254740993',
  '123456789012345678901234567890',
  '1.7976931348623157e308',
  '5e-324',
  '4294967296',
  '2147483648',
  '-2147483649',
  '1e21',
  '0.1e-7',
  '1' + '0'.repeat(400),
  '0.' + '0'.repeat(400) + '1',
  '-' + '9'.repeat(330),
];
const POLLUTER = '{"polluted":true,"isAdmin":true,"toString":"x","valueOf":1}';

const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ...[
        'event',
        'data',
        'cid',
        'rid',
        'error',
        'channel',
        'message',
        'name',
        'base64',
        'token',
        'polluted',
      ],
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

/** Any JSON value, as text, with hostile keys and numbers in the mix. */
const { json } = fc.letrec<{ json: string; leaf: string; array: string; object: string }>((tie) => ({
  json: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
  leaf: fc.oneof(
    fc.constantFrom('null', 'true', 'false', '0', '""', '"base64"', POLLUTER),
    fc.constantFrom(...HUGE_NUMBERS),
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    fc.string({ maxLength: 10 }).map(str),
    fc.constantFrom(...EVENTS, ...CHANNELS).map(str),
  ),
  array: fc.array(tie('json'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(fc.tuple(key, tie('json')), { maxLength: 4 })
    .map((entries) => `{${entries.map(([k, v]) => `${str(k)}:${v}`).join(',')}}`),
}));

/** A field value of a packet: usually of the wrong type. */
const fieldValue = fc.oneof(
  json,
  fc.constantFrom(...EVENTS, ...CHANNELS).map(str),
  fc.constantFrom(...HUGE_NUMBERS),
  fc.integer({ min: -5, max: 1_000_000 }).map(String),
);

/** An object with packet fields, each present or not, plus extra (often prototype) keys, in any order. */
const packetText = fc
  .tuple(
    fc.array(
      fc.tuple(fc.constantFrom('event', 'data', 'cid', 'rid', 'error', ...PROTO_KEYS, 'base64'), fieldValue),
      {
        maxLength: 6,
      },
    ),
    fc.boolean(),
  )
  .map(([entries, marked]) => {
    const fields = entries.map(([k, v]) => `${str(k)}:${v}`);
    // The JSON codec only looks for binary wrappers when the frame mentions them: make some frames do so.
    if (marked) fields.push('"x":{"base64":true,"data":"AAEC"}');
    return `{${fields.join(',')}}`;
  });

/** A JWT-shaped string: three base64url parts, the payload being hostile JSON. */
const jwtLike = fc
  .tuple(json, fc.string({ maxLength: 8 }))
  .map(([payload, sig]) => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(payload)}.${b64url(sig)}`);

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

/** Reserved events with bad data: #publish above all, and the other channel and auth events. */
const reservedJunk = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom('#publish'), publishData()) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('#kickOut'), kickOutData()) },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constantFrom('#setAuthToken'),
      fc.oneof(
        json,
        jwtLike.map((t) => `{"token":${str(t)}}`),
        fieldValue.map((v) => `{"token":${v}}`),
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom('#removeAuthToken', '#subscribe', '#unsubscribe', '#authenticate'),
      json,
    ),
  },
);

function publishData(): fc.Arbitrary<string> {
  return fc.oneof(
    json,
    fc.constantFrom(
      'null',
      '"room"',
      '[]',
      '{}',
      '{"channel":null}',
      '{"channel":{"name":"room"}}',
      '{"channel":["room"]}',
    ),
    fc
      .tuple(fieldValue, fc.option(json))
      .map(([channel, data]) => `{"channel":${channel}${data === null ? '' : `,"data":${data}`}}`),
    fc
      .tuple(fc.constantFrom(...CHANNELS), fc.option(json), fc.constantFrom(...PROTO_KEYS))
      .map(
        ([channel, data, proto]) =>
          `{${str(proto)}:${POLLUTER},"channel":${str(channel)},"data":${data ?? POLLUTER}}`,
      ),
  );
}

function kickOutData(): fc.Arbitrary<string> {
  return fc.oneof(
    json,
    fc
      .tuple(fieldValue, fc.option(json))
      .map(([channel, message]) => `{"channel":${channel},"message":${message ?? 'null'}}`),
  );
}

const reservedPacket = fc
  .tuple(reservedJunk, fc.option(fc.constantFrom('1', '0', '-1', '1e400', '"7"')))
  .map(
    ([[event, data], cid]) => `{"event":${str(event)},"data":${data}${cid === null ? '' : `,"cid":${cid}`}}`,
  );

/** Deep nesting, 10,000 levels at most, except one frame in twenty at 100,000. */
const deep = fc
  .record({
    depth: fc.oneof(
      { weight: 3, arbitrary: fc.constant(10_000) },
      { weight: 16, arbitrary: fc.integer({ min: 100, max: 10_000 }) },
      { weight: 1, arbitrary: fc.constant(100_000) },
    ),
    shape: fc.constantFrom(
      'array',
      'object',
      'event-data',
      'response-error',
      'publish',
      'batch',
      'binary-wrapper',
      'proto',
    ),
  })
  .map(({ depth, shape }) => {
    const nest = (open: string, close: string, leaf: string) =>
      open.repeat(depth) + leaf + close.repeat(depth);
    switch (shape) {
      case 'array':
        return nest('[', ']', '1');
      case 'object':
        return nest('{"a":', '}', '1');
      case 'event-data':
        return `{"event":"probe","data":${nest('[', ']', '"x"')}}`;
      case 'response-error':
        return `{"rid":1,"error":${nest('{"message":', '}', '"deep"')}}`;
      case 'publish':
        return `{"event":"#publish","data":{"channel":"room","data":${nest('{"m":', '}', 'null')}}}`;
      case 'batch':
        return nest('[', ']', '{"event":"probe","data":0}');
      case 'binary-wrapper':
        return nest('[', ']', '{"base64":true,"data":"AAEC"}');
      default:
        return nest('{"__proto__":', '}', POLLUTER);
    }
  });

const hugeNumberPacket = fc
  .tuple(
    fc.constantFrom('rid', 'cid', 'event', 'data', 'error'),
    fc.constantFrom(...HUGE_NUMBERS),
    fc.option(fc.constantFrom('probe', '#publish', 'other')),
  )
  .map(([field, number, event]) => {
    if (field === 'cid' || field === 'data')
      return `{"event":${str(event ?? 'probe')},${str(field)}:${number}}`;
    if (field === 'error')
      return `{"rid":${number},"error":{"message":${number},"name":${number},"statusCode":${number}}}`;
    return `{${str(field)}:${number}${event === null ? '' : `,"data":${number}`}}`;
  });

const protoPacket = fc
  .tuple(
    fc.constantFrom(...PROTO_KEYS),
    fc.constantFrom('top', 'data', 'error', 'publish', 'setAuthToken', 'nested', 'wrapped'),
    fc.oneof(fc.constant(POLLUTER), json),
  )
  .map(([proto, where, value]) => {
    const p = str(proto);
    switch (where) {
      case 'top':
        return `{${p}:${value},"event":"probe","data":1}`;
      case 'data':
        return `{"event":"probe","data":{${p}:${value},"base64":true}}`;
      case 'error':
        return `{"rid":1,"error":{${p}:${value},"message":"m","name":"N"}}`;
      case 'publish':
        return `{"event":"#publish","data":{${p}:${value},"channel":"room","data":{${p}:${value}}}}`;
      case 'setAuthToken': {
        const token = `${b64url('{}')}.${b64url(`{${p}:${value}}`)}.c2ln`;
        return `{"event":"#setAuthToken","data":{${p}:${value},"token":${str(token)}}}`;
      }
      case 'nested':
        return `{"event":"probe","data":[{"a":{${p}:{${p}:${value}}}}]}`;
      default:
        return `{"event":"probe","data":{${p}:{"base64":true,"data":"AAEC"},"x":"base64\\":true"}}`;
    }
  });

const unknownRid = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 1_000, max: 2 ** 31 }),
      fc.integer({ min: -1_000_000, max: 0 }),
      fc.double({ noNaN: true }).map((n) => JSON.stringify(n)),
      fc.constantFrom(...HUGE_NUMBERS),
    ),
    fc.oneof(
      fc.constant(''),
      json.map((d) => `,"data":${d}`),
      json.map((e) => `,"error":${e}`),
    ),
  )
  .map(([rid, rest]) => `{"rid":${rid}${rest}}`);

const anyJunkPacket = fc.oneof(packetText, json, reservedPacket, hugeNumberPacket, protoPacket, unknownRid);
const validPacket = fc.oneof(
  fc.integer().map((i) => `{"event":"probe","data":${i}}`),
  json.map((d) => `{"event":"#publish","data":{"channel":"room","data":${d}}}`),
);
const batch = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: anyJunkPacket },
      { weight: 1, arbitrary: validPacket },
      { weight: 1, arbitrary: fc.constant('[]') },
    ),
    { maxLength: 20 },
  )
  .map((items) => `[${items.join(',')}]`);

const nearJsonString = fc
  .array(
    fc.constantFrom(
      ...['{', '}', '[', ']', '"', ':', ',', '0', '1', '-', 'e', '.', 'true', 'null', '#', ' ', '\\'],
      ...['event', 'rid', '\u0000', '\ud800'],
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

const randomString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 48 }),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  nearJsonString,
  fc.constantFrom('', '#1', '#2', ' ', '""', '"#1"', '#', '\n', 'null', '[]', '{}', '[[]]', '"', '\u0000'),
);

const randomBytes = fc.uint8Array({ maxLength: 64 }).map((bytes): Frame => ({ bytes }));
/** Binary frames holding text (the JSON codec decodes binary frames as UTF-8). */
const binaryText = fc
  .oneof(anyJunkPacket, validPacket)
  .map((t): Frame => ({ bytes: new TextEncoder().encode(t) }));

// ---------------------------------------------------------------------------------------------------------------
// The client under attack.

type Verdict = 'went on' | 'closed and came back';

const ALLOWED_CODES = new Set(['PROTOCOL_ERROR', 'CODEC_ERROR', 'AUTH_TOKEN_INVALID']);

/** What the frames of one category did: errors by code (and kind), and how the client fared. */
interface Outcome {
  frames: number;
  errors: Map<string, number>;
  verdicts: Map<Verdict, number>;
}

function snapshot(target: object): [string, PropertyDescriptor | undefined][] {
  return Reflect.ownKeys(target).map((k) => [String(k), Reflect.getOwnPropertyDescriptor(target, k)]);
}

type Descriptors = [string, PropertyDescriptor | undefined][];

function sameDescriptors(a: Descriptors, b: Descriptors): boolean {
  return (
    a.length === b.length &&
    a.every(([k, d], i) => {
      const [k2, d2] = b[i]!;
      return (
        k === k2 &&
        d?.value === d2?.value &&
        d?.get === d2?.get &&
        d?.set === d2?.set &&
        d?.writable === d2?.writable
      );
    })
  );
}

const PROTOTYPES: object[] = [
  Object.prototype,
  Array.prototype,
  Function.prototype,
  String.prototype,
  Number.prototype,
];
const pristine = PROTOTYPES.map(snapshot);

function assertNoPollution(): void {
  PROTOTYPES.forEach((proto, i) => expect(sameDescriptors(snapshot(proto), pristine[i]!)).toBe(true));
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(probe.isAdmin).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

/**
 * Whether `value`'s prototype (if it is an object) is a real class's: decoded data has no functions, so a prototype
 * whose `constructor` is a function that points back to it was not made from a frame.
 */
function hasGenuinePrototype(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  if (proto === null) return true;
  const ctor = Object.prototype.hasOwnProperty.call(proto, 'constructor') ? proto.constructor : undefined;
  return typeof ctor === 'function' && (ctor as { prototype?: unknown }).prototype === proto;
}

/** Failures that escape the client: RxJS's unhandled errors, unhandled rejections, uncaught exceptions. */
const escaped: unknown[] = [];
const onEscape = (error: unknown) => void escaped.push(error);
let previousOnUnhandledError: typeof config.onUnhandledError;

beforeAll(() => {
  previousOnUnhandledError = config.onUnhandledError;
  config.onUnhandledError = onEscape;
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
});

afterAll(() => {
  config.onUnhandledError = previousOnUnhandledError;
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
});

/** A client on a fake socket that has completed its handshake, with a receiver, a channel and probes. */
class Target {
  readonly fake: ReturnType<typeof fakeClient>;
  readonly client: Client;
  socket!: FakeWebSocket;
  readonly probes: unknown[] = [];
  readonly roomMessages: unknown[] = [];
  #room: Subscription | undefined;
  #roomError: unknown;
  #seq = 0;
  readonly #binary: boolean;

  constructor(binary = false) {
    this.#binary = binary;
    // Reconnect at once, so that a client that closes comes back within the run.
    this.fake = fakeClient({ reconnectDelay: () => 0, ...(binary ? { codec: msgpackCodec() } : {}) });
    this.client = this.fake.client;
    this.client.receiver('probe').subscribe({ next: (v) => this.probes.push(v), error: onEscape });
  }

  /** Encodes a packet the way this client's codec expects it. */
  encode(packet: unknown): string | ArrayBuffer {
    if (!this.#binary) return JSON.stringify(packet);
    const bytes = msgpackCodec().encode(packet) as Uint8Array;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  /** The packets the client sent on the current socket. */
  sentPackets(): Record<string, unknown>[] {
    const codec = this.#binary ? msgpackCodec() : undefined;
    return this.socket.sent.flatMap((frame) => {
      if (frame === '') return [];
      const decoded: unknown = codec ? codec.decode(frame as Uint8Array) : JSON.parse(frame as string);
      return (Array.isArray(decoded) ? decoded : [decoded]) as Record<string, unknown>[];
    });
  }

  /** The call id of the last packet sent for `event`. */
  lastCid(event: string): number {
    const packets = this.sentPackets();
    for (let i = packets.length - 1; i >= 0; i--)
      if (packets[i]!.event === event) return packets[i]!.cid as number;
    throw new Error(`the client sent no ${event}`);
  }

  start(): void {
    this.client.connect();
    this.#handshake();
  }

  #handshake(): void {
    this.socket = this.fake.ws.last();
    this.socket.open();
    const reply = { id: 'fuzz', pingTimeout: 30_000, isAuthenticated: false };
    this.socket.receive(this.encode({ rid: this.lastCid('#handshake'), data: reply }));
    this.#ensureRoom();
  }

  /** (Re)subscribes to `room` when needed, and answers the client's #subscribe. */
  #ensureRoom(): void {
    if (this.#room === undefined || this.#roomError !== undefined) {
      expect(this.#roomError === undefined || this.#roomError instanceof ChannelKickOutError).toBe(true);
      this.#roomError = undefined;
      this.#room = this.client.channel('room').subscribe({
        next: (m) => this.roomMessages.push(m),
        error: (e: unknown) => (this.#roomError = e),
      });
    }
    if (this.client.channelState('room') === 'pending') {
      this.socket.receive(this.encode({ rid: this.lastCid('#subscribe') }));
    }
    expect(this.client.channelState('room')).toBe('subscribed');
  }

  inject(frame: Frame): void {
    const { text: frameText, bytes } = frame;
    if (frameText !== undefined) this.socket.receive(frameText);
    // A copy into an ArrayBuffer of its own (msgpackr returns Buffers that share one large buffer).
    else if (bytes !== undefined) this.socket.receive(new Uint8Array(bytes).buffer);
  }

  /**
   * After junk: every error typed, no prototype touched, and the client still serving (or back after closing): an
   * event, an RPC answer and a channel message each get through.
   */
  async check(outcome: Outcome): Promise<void> {
    let verdict: Verdict = 'went on';
    if (this.socket.readyState !== 1 || this.fake.ws.last() !== this.socket) {
      verdict = 'closed and came back';
      const previous = this.socket;
      await until(() => this.fake.ws.last() !== previous, 2000);
      this.#handshake();
    }
    outcome.verdicts.set(verdict, (outcome.verdicts.get(verdict) ?? 0) + 1);

    for (const error of this.fake.errors.splice(0)) {
      expect(error).toBeInstanceOf(ScClientError);
      expect(ALLOWED_CODES.has(error.code)).toBe(true);
      expect(typeof error.message).toBe('string');
      const label = 'kind' in error ? `${error.code}/${String(error.kind)}` : error.code;
      outcome.errors.set(label, (outcome.errors.get(label) ?? 0) + 1);
    }
    expect(escaped).toEqual([]);
    assertNoPollution();
    // Objects the client delivered kept a genuine prototype, whatever keys they came with.
    for (const value of [...this.probes, ...this.roomMessages]) expect(hasGenuinePrototype(value)).toBe(true);

    this.#ensureRoom();
    const seq = ++this.#seq;
    this.probes.length = 0;
    this.roomMessages.length = 0;
    this.socket.receive(this.encode({ event: 'probe', data: { seq } }));
    expect(this.probes).toEqual([{ seq }]);
    this.socket.receive(this.encode({ event: '#publish', data: { channel: 'room', data: { seq } } }));
    expect(this.roomMessages).toEqual([{ seq }]);
    const answer = firstValueFrom(this.client.invoke('probe-rpc', seq));
    this.socket.receive(this.encode({ rid: this.lastCid('probe-rpc'), data: seq * 2 }));
    await expect(answer).resolves.toBe(seq * 2);
    this.probes.length = 0;
    this.roomMessages.length = 0;
    this.socket.sent.length = 0;
    expect(this.fake.errors).toEqual([]);
  }

  close(): void {
    this.client.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The runs. Each category: numRuns runs of `perRun` frames.

const outcomes = new Map<string, Outcome>();

async function attack(
  category: string,
  arbitrary: fc.Arbitrary<Frame>,
  numRuns: number,
  perRun: number,
  binary = false,
): Promise<Outcome> {
  const target = new Target(binary);
  target.start();
  const outcome: Outcome = { frames: 0, errors: new Map(), verdicts: new Map() };
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(arbitrary, { minLength: perRun, maxLength: perRun }), async (frames) => {
        for (const frame of frames) target.inject(frame);
        outcome.frames += frames.length;
        await target.check(outcome);
      }),
      { numRuns },
    );
  } finally {
    target.close();
  }
  outcomes.set(category, outcome);
  return outcome;
}

function errorsOf(outcome: Outcome, prefix: string): number {
  return [...outcome.errors].filter(([label]) => label.startsWith(prefix)).reduce((sum, [, n]) => sum + n, 0);
}

it('random bytes as binary frames: 13,000 frames', async () => {
  const outcome = await attack('random bytes', randomBytes, 65, 200);
  expect(outcome.frames).toBe(13_000);
  expect(errorsOf(outcome, 'CODEC_ERROR')).toBeGreaterThan(0);
});

it('random and near-JSON strings as text frames: 12,000 frames', async () => {
  const outcome = await attack('random strings', randomString.map(text), 60, 200);
  expect(outcome.frames).toBe(12_000);
  expect(errorsOf(outcome, 'CODEC_ERROR')).toBeGreaterThan(0);
});

it('valid JSON of the wrong types and shapes: 15,000 frames', async () => {
  const outcome = await attack('wrong types', fc.oneof(json, packetText).map(text), 75, 200);
  expect(outcome.frames).toBe(15_000);
  expect(errorsOf(outcome, 'PROTOCOL_ERROR/malformed-packet')).toBeGreaterThan(0);
});

it('huge, tiny and out-of-range numbers in every field: 10,000 frames', async () => {
  const outcome = await attack('huge numbers', hugeNumberPacket.map(text), 50, 200);
  expect(outcome.frames).toBe(10_000);
  expect(errorsOf(outcome, 'PROTOCOL_ERROR/unknown-rid')).toBeGreaterThan(0);
});

it('deep nesting, up to 10,000 levels (and some at 100,000): 1,000 frames', async () => {
  const outcome = await attack('deep nesting', deep.map(text), 20, 50);
  expect(outcome.frames).toBe(1_000);
});

it('__proto__, constructor and prototype keys everywhere: 10,000 frames', async () => {
  const outcome = await attack('prototype keys', protoPacket.map(text), 50, 200);
  expect(outcome.frames).toBe(10_000);
});

it('responses to call ids never issued: 10,000 frames', async () => {
  const outcome = await attack('unknown rids', unknownRid.map(text), 50, 200);
  expect(outcome.frames).toBe(10_000);
  expect(errorsOf(outcome, 'PROTOCOL_ERROR/unknown-rid')).toBeGreaterThan(0);
});

it('#publish, #kickOut and auth events with bad data: 12,000 frames', async () => {
  const outcome = await attack('reserved events', reservedPacket.map(text), 60, 200);
  expect(outcome.frames).toBe(12_000);
  expect(errorsOf(outcome, 'PROTOCOL_ERROR/malformed-packet')).toBeGreaterThan(0);
  expect(errorsOf(outcome, 'PROTOCOL_ERROR/unknown-channel')).toBeGreaterThan(0);
});

it('batches mixing junk and valid packets, and binary frames holding text: 8,000 frames', async () => {
  const frames = fc.oneof({ weight: 3, arbitrary: batch.map(text) }, { weight: 1, arbitrary: binaryText });
  const outcome = await attack('batches', frames, 40, 200);
  expect(outcome.frames).toBe(8_000);
});

it('MessagePack client: random bytes and hostile MessagePack: 8,000 frames', async () => {
  const packr = new Packr({ useRecords: false, variableMapSize: true, encodeUndefinedAsNil: true });
  const pack = (value: unknown): Frame => ({ bytes: packr.pack(value) });
  const value = json.map((t) => JSON.parse(t) as unknown);
  const frames = fc.oneof(
    randomBytes,
    value.map(pack),
    fc
      .tuple(fc.constantFrom('e', 'p', 'r'), fc.array(value, { maxLength: 4 }))
      .map(([k, tuple]) => pack({ [k]: tuple })),
    fc
      .array(fc.tuple(fc.constantFrom('e', 'p', 'r', ...PROTO_KEYS), value), { maxLength: 3 })
      .map((entries) => {
        // Own keys only: `__proto__` stays a key, as a hostile encoder would write it.
        const map = JSON.parse(
          `{${entries.map(([k, v]) => `${str(k)}:${JSON.stringify(v)}`).join(',')}}`,
        ) as unknown;
        return pack(map);
      }),
    fc.string({ maxLength: 16 }).map(text),
    // Nested one-element arrays (0x91), up to 10,000 levels, some at 100,000.
    fc
      .oneof(
        { weight: 9, arbitrary: fc.integer({ min: 100, max: 10_000 }) },
        { weight: 1, arbitrary: fc.constant(100_000) },
      )
      .map((depth): Frame => {
        const bytes = new Uint8Array(depth + 1).fill(0x91);
        bytes[depth] = 0x01;
        return { bytes };
      }),
  );
  const outcome = await attack('msgpack', frames, 40, 200, true);
  expect(outcome.frames).toBe(8_000);
  expect(errorsOf(outcome, 'CODEC_ERROR')).toBeGreaterThan(0);
});

it('junk during the handshake: the client opens, or closes with a typed error and comes back: 2,000 frames', async () => {
  const replyData = fc.oneof(
    json,
    fc.constantFrom(
      '{"id":"x","pingTimeout":30000}',
      '{"id":"x","pingTimeout":0.5}',
      '{"id":"x","pingTimeout":1e400}',
      '{"id":1,"pingTimeout":"1"}',
      '{"id":"x","pingTimeout":30000,"isAuthenticated":"true"}',
    ),
  );
  const reply = fc.oneof(
    replyData.map((d) => `{"rid":1,"data":${d}}`),
    json.map((e) => `{"rid":1,"error":${e}}`),
    fc
      .constantFrom('4000', '4500', '4999', '5000', '1000', '-1', '"4501"', '1e400')
      .map((code) => `{"rid":1,"error":{"name":"No","message":"no","statusCode":${code}}}`),
  );
  const before = fc.array(fc.oneof(anyJunkPacket, randomString, fc.constantFrom('', '#1')), {
    minLength: 9,
    maxLength: 9,
  });
  const outcome: Outcome = { frames: 0, errors: new Map(), verdicts: new Map() };
  await fc.assert(
    fc.asyncProperty(before, reply, async (junk, answer) => {
      // A fresh client per run: its first call id, and so its handshake's, is 1.
      const fake = fakeClient({ reconnectDelay: () => 0 });
      const { client, ws } = fake;
      const probes: unknown[] = [];
      client.receiver('probe').subscribe((v) => probes.push(v));
      try {
        const socket = ws.last();
        socket.open();
        for (const frame of [...junk, answer]) socket.receive(frame);
        outcome.frames += junk.length + 1;
        let verdict: Verdict = 'went on';
        if (client.state.state !== 'open') {
          // A refused handshake: the client closed the socket with the refusal's code.
          verdict = 'closed and came back';
          expect(socket.closedWith?.code).toBeGreaterThanOrEqual(4000);
          expect(socket.closedWith?.code).toBeLessThanOrEqual(4999);
          // Stopped (a code of 4500 or more): the next demand starts again. Otherwise a retry is under way.
          if (client.state.state === 'closed' && client.state.retryAt === undefined) client.connect();
          await until(() => ws.last() !== socket, 2000);
          ws.last().handshake();
          expect(client.state.state).toBe('open');
        }
        outcome.verdicts.set(verdict, (outcome.verdicts.get(verdict) ?? 0) + 1);
        // A refused handshake is reported once, as the HandshakeError that closed the socket.
        const refusals = fake.errors.filter((error) => error.code === 'HANDSHAKE_REJECTED');
        expect(refusals).toHaveLength(verdict === 'went on' ? 0 : 1);
        for (const error of fake.errors.splice(0)) {
          expect(error).toBeInstanceOf(ScClientError);
          expect(ALLOWED_CODES.has(error.code) || error.code === 'HANDSHAKE_REJECTED').toBe(true);
          const label = 'kind' in error ? `${error.code}/${String(error.kind)}` : error.code;
          outcome.errors.set(label, (outcome.errors.get(label) ?? 0) + 1);
        }
        expect(escaped).toEqual([]);
        assertNoPollution();
        ws.last().receive({ event: 'probe', data: 'after' });
        expect(probes.at(-1)).toBe('after');
      } finally {
        client.close();
      }
    }),
    { numRuns: 200 },
  );
  outcomes.set('handshake', outcome);
  expect(outcome.frames).toBe(2_000);
  expect(outcome.verdicts.get('went on')).toBeGreaterThan(0);
  expect(outcome.verdicts.get('closed and came back')).toBeGreaterThan(0);
});

it('fed at least 100,000 hostile frames in all', () => {
  const total = [...outcomes.values()].reduce((sum, o) => sum + o.frames, 0);
  expect(total).toBeGreaterThanOrEqual(100_000);
});
