import { Packr } from 'msgpackr';
import { msgpackCodec } from '../../lib/codec/msgpack';

// Interop with sc-codec-min-bin (msgpack-lite underneath), the binary codec of SocketCluster deployments.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS package without types
const minBin = require('sc-codec-min-bin') as {
  encode(packet: unknown): Uint8Array;
  decode(frame: Uint8Array): unknown;
};

const codec = msgpackCodec();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
// sc-codec-min-bin rewrites the elements of a batch in place: give it its own copy.
const theirs = (packet: unknown) => minBin.encode(structuredClone(packet));

/** Normalises decoded values for comparison: binary as byte arrays, undefined as null. */
function plain(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return { bytes: [...new Uint8Array(value)] };
  if (ArrayBuffer.isView(value))
    return { bytes: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
  if (Array.isArray(value)) return value.map(plain);
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const nested = { list: [1, [2, [3, { deep: true }]]], map: { a: { b: { c: 'd' } } }, empty: {}, none: [] };

/** Packets whose bytes must be identical. */
const identical: [string, unknown][] = [
  ['handshake', { event: '#handshake', data: { authToken: null }, cid: 1 }],
  ['transmit without data', { event: 'ping' }],
  ['transmit', { event: 'chat', data: { text: 'hello', n: 3 } }],
  ['invoke', { event: 'sum', data: { a: 1, b: 2 }, cid: 42 }],
  [
    'response with data',
    { rid: 42, data: { id: 'x5HHynPjeEs_iokkAAAA', pingTimeout: 30_000, isAuthenticated: false } },
  ],
  ['response without data', { rid: 7 }],
  ['response with error', { rid: 3, error: { message: 'nope', name: 'MyError', extra: 42 } }],
  ['publish invoke', { event: '#publish', data: { channel: 'chA', data: 'msg1' }, cid: 6 }],
  ['publish delivery', { event: '#publish', data: { channel: 'ch1', data: { x: [1, 2] } } }],
  ['publish without data object', { event: '#publish' }],
  ['subscribe', { event: '#subscribe', data: { channel: 'private', waitForAuth: true }, cid: 5 }],
  ['unsubscribe', { event: '#unsubscribe', data: 'ch1' }],
  [
    'batch',
    [
      { event: 'a', data: 1 },
      { rid: 4, data: 2 },
      { event: '#publish', data: { channel: 'c', data: null } },
    ],
  ],
  ['one-element batch', [{ event: 'welcome', data: 1 }]],
  [
    'small and negative integers',
    { event: 'n', data: [0, 1, 127, 128, 255, 256, 65535, 65536, -1, -32, -33, -128, -129, -32768, -32769] },
  ],
  ['32-bit signed limits', { event: 'n', data: [2 ** 31 - 1, -(2 ** 31), -(2 ** 31) - 1] }],
  ['floats', { event: 'f', data: [0.5, -0.5, 3.14159, 1e21, -1e-7, Number.MAX_VALUE] }],
  ['safe integer limits', { event: 'n', data: [2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 32, 2 ** 40] }],
  ['unicode', { event: 'u', data: { greeting: 'héllo wörld', cjk: '你好', emoji: '🎉🚀', rtl: 'שלום' } }],
  [
    'long strings',
    {
      event: 's',
      data: ['x'.repeat(31), 'y'.repeat(32), 'z'.repeat(255), 'w'.repeat(256), 'v'.repeat(70_000)],
    },
  ],
  ['nested maps and arrays', { event: 'nest', data: nested }],
  ['empty values', { event: 'e', data: { s: '', a: [], o: {}, zero: 0, f: false } }],
  ['null', { event: 'n', data: null, cid: 9 }],
  ['undefined fields as nil', { event: 'u', data: { gone: undefined, kept: 1 } }],
  ['large map', { event: 'm', data: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])) }],
  ['ArrayBuffer payload', { event: 'bin', data: new Uint8Array([1, 2, 3, 250]).buffer }],
];

describe('msgpackCodec: bytes identical to sc-codec-min-bin', () => {
  it.each(identical)('%s', (_name, packet) => {
    expect(hex(codec.encode(structuredClone(packet)) as Uint8Array)).toBe(hex(theirs(packet)));
  });

  it('matches the reference bytes of the protocol notes', () => {
    expect(hex(codec.encode({ event: '#handshake', data: { authToken: null }, cid: 1 }) as Uint8Array)).toBe(
      '81a16593aa2368616e647368616b6581a961757468546f6b656ec001',
    );
    expect(hex(codec.encode({ rid: 2 }) as Uint8Array)).toBe('81a17293' + '02c0c0');
  });
});

describe('msgpackCodec: where the bytes differ, each side decodes the other', () => {
  const differing: [string, unknown][] = [
    // msgpackr writes uint32 where msgpack-lite writes float64 (protocol notes, 6.4).
    ['integers in [2^31, 2^32)', { event: 'n', data: [2 ** 31, 2 ** 32 - 1, 3_000_000_000] }],
    // msgpack-lite sends only ArrayBuffer as bin; Uint8Array and Buffer become bin on our side.
    ['Uint8Array payload', { event: 'bin', data: { blob: new Uint8Array([0, 1, 2, 255]) } }],
    ['Buffer payload', { event: 'bin', data: Buffer.from('hello') }],
  ];

  it.each(differing)('%s', (_name, packet) => {
    const ours = codec.encode(structuredClone(packet)) as Uint8Array;
    expect(plain(minBin.decode(ours))).toEqual(plain(codec.decode(ours)));
    expect(plain(codec.decode(ours))).toMatchObject(plain(packet) as object);
  });

  it.each(identical)('decodes what sc-codec-min-bin encodes: %s', (_name, packet) => {
    expect(plain(codec.decode(theirs(packet)))).toEqual(plain(minBin.decode(theirs(packet))));
  });

  it.each(identical)('is decoded by sc-codec-min-bin: %s', (_name, packet) => {
    const ours = codec.encode(structuredClone(packet)) as Uint8Array;
    expect(plain(minBin.decode(ours))).toEqual(plain(codec.decode(ours)));
  });
});

describe('msgpackCodec: packets', () => {
  it('round-trips events, invokes, responses, publishes and batches', () => {
    const batch = [
      { event: 'a', data: 1 },
      { event: 'b', data: { x: 'y' }, cid: 3 },
      { rid: 3, data: 'ok' },
      { rid: 4, error: { name: 'E', message: 'm' } },
      { event: '#publish', data: { channel: 'c', data: [1, 2] }, cid: 8 },
    ];
    expect(codec.decode(codec.encode(batch) as Uint8Array)).toEqual([
      { event: 'a', data: 1 },
      { event: 'b', data: { x: 'y' }, cid: 3 },
      { rid: 3, error: null, data: 'ok' },
      { rid: 4, error: { name: 'E', message: 'm' }, data: null },
      { event: '#publish', data: { channel: 'c', data: [1, 2] }, cid: 8 },
    ]);
  });

  it('returns binary payloads as Uint8Array', () => {
    const decoded = codec.decode(codec.encode({ event: 'b', data: new Uint8Array([9, 8, 7]) })) as {
      data: Uint8Array;
    };
    expect(decoded.data).toBeInstanceOf(Uint8Array);
    expect([...decoded.data]).toEqual([9, 8, 7]);
  });

  it('decodes ArrayBuffer frames as well as Uint8Array ones', () => {
    const bytes = codec.encode({ event: 'x', data: 1 }) as Uint8Array;
    const copy = new Uint8Array(bytes).buffer; // a copy: Node's Buffer may be a view of a shared pool
    expect(codec.decode(copy)).toEqual({ event: 'x', data: 1 });
  });

  it('does not let a packet encoded later overwrite an earlier frame', () => {
    const first = codec.encode({ event: 'first', data: 'a' }) as Uint8Array;
    const snapshot = hex(first);
    codec.encode({ event: 'second', data: 'b'.repeat(1000) });
    expect(hex(first)).toBe(snapshot);
  });

  it.each([1, 15, 16, 300])('joins %i encoded frames into one frame holding their array', (count) => {
    const packets = Array.from({ length: count }, (_, i) => ({ event: 'e', data: i, cid: i + 1 }));
    const joined = codec.batch!(packets.map((p) => codec.encode(p)));
    expect(codec.decode(joined)).toEqual(packets);
    expect(hex(joined as Uint8Array)).toBe(hex(codec.encode(packets) as Uint8Array));
    expect(minBin.decode(joined as Uint8Array)).toEqual(packets);
  });

  it('does not modify the packet it encodes', () => {
    const batch = [{ event: 'a', data: 1, cid: 2 }];
    codec.encode(batch);
    expect(batch).toEqual([{ event: 'a', data: 1, cid: 2 }]);
  });

  it('throws on a text frame and on bytes that are not MessagePack', () => {
    expect(() => codec.decode('{"event":"x"}')).toThrow(TypeError);
    expect(() => codec.decode(new Uint8Array([0x92, 0x01]))).toThrow(); // an array of two with one element
  });

  it('never lets a __proto__ key change a prototype', () => {
    // {"__proto__": {"polluted": 1}} written by hand: msgpackr would not produce such a key itself.
    const evil = Buffer.from('81a95f5f70726f746f5f5f81a8706f6c6c7574656401', 'hex');
    const decoded = codec.decode(evil) as object;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('msgpackCodec: plain data only', () => {
  // msgpackr's own writers, with every extension it has turned on.
  const rich = new Packr({ moreTypes: true, useRecords: false, useBigIntExtension: true });
  const clones = new Packr({ structuredClone: true, useRecords: false });
  const records = new Packr({ useRecords: true });
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);

  const extensions: [string, Uint8Array][] = [
    ['an Error', rich.pack({ event: 'x', data: new Error('boom') })],
    ['a RegExp', rich.pack({ event: 'x', data: /a+$/ })],
    ['a Set', rich.pack({ event: 'x', data: new Set([1, 2]) })],
    ['a BigInt beyond 64 bits', rich.pack({ event: 'x', data: 2n ** 70n })],
    ['a Date', rich.pack({ event: 'x', data: new Date(0) })],
    ['a typed array (written by hand: msgpackr writes bin here)', Buffer.from('81a165d5740101', 'hex')],
    ['a cycle (structured clone)', clones.pack({ event: 'x', data: cyclic })],
    [
      'records',
      records.pack([
        { event: 'x', data: 1 },
        { event: 'y', data: 2 },
      ]),
    ],
    ['ext 0 (undefined in notepack)', Buffer.from('81a165d40000', 'hex')],
    [
      'an extension inside a batch, deep down',
      rich.pack([{ e: ['ok', 1] }, { e: ['x', { a: [1, { b: new Set() }] }] }]),
    ],
    ['an ext 8 of an unknown type', Buffer.from('81a165c70205abcd', 'hex')],
    ['an ext 16', Buffer.from('81a165c800020507', 'hex')],
    ['an ext 32', Buffer.from('81a165c9000000010507', 'hex')],
  ];

  it.each(extensions)('refuses %s with a TypeError instead of building objects', (_name, frame) => {
    expect(() => codec.decode(frame)).toThrow(TypeError);
    expect(() => codec.decode(frame)).toThrow(
      /MessagePack extension \(type -?\d+, at byte \d+\): it decodes plain data only/,
    );
  });

  it('names the extension type and where it is', () => {
    expect(() => codec.decode(rich.pack({ event: 'x', data: new Error('boom') }))).toThrow(
      'The msgpack codec received a MessagePack extension (type 101, at byte 16): it decodes plain data only',
    );
    expect(() => codec.decode(rich.pack(new Date(0)))).toThrow('(type -1, at byte 0)');
  });

  it('refuses the never-used byte 0xc1', () => {
    expect(() => codec.decode(new Uint8Array([0x91, 0xc1]))).toThrow('never-used byte 0xc1 (at byte 1)');
  });

  it('still reads every plain type, extension bytes inside strings and binaries included', () => {
    const plainData = {
      nil: null,
      t: true,
      f: false,
      ints: [0, 127, -32, 200, -100, 40_000, -40_000, 2 ** 31, -(2 ** 31) - 1, 2 ** 40, -(2 ** 40)],
      floats: [0.5, 1e300],
      s: 'ab\u00d4\u00c1', // bytes 0xd4 and 0xc1 inside UTF-8 text
      longs: ['x'.repeat(40), 'y'.repeat(300), 'z'.repeat(70_000)],
      bin: new Uint8Array([0xd4, 0xc1, 0xc7, 0xd8]),
      bigBin: new Uint8Array(70_000).fill(0xc9),
      bigArray: Array.from({ length: 70 }, (_, i) => i),
      bigMap: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])),
    };
    const decoded = codec.decode(codec.encode({ event: 'all', data: plainData, cid: 3 }));
    expect(plain(decoded)).toEqual(plain({ event: 'all', data: plainData, cid: 3 }));
  });

  it('still reads what sc-codec-min-bin writes for dates, maps and other objects (plain maps)', () => {
    const decoded = codec.decode(theirs({ event: 'x', data: { when: new Date(0), map: new Map([[1, 2]]) } }));
    expect(decoded).toEqual({ event: 'x', data: { when: {}, map: {} } });
  });
});
