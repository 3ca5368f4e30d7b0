import { jsonCodec } from '../../lib/codec/json';

interface ScFormatter {
  encode(packet: unknown): string;
  decode(frame: unknown): unknown;
}
// sc-formatter (no types) is the default codec of socketcluster-server, which depends on it: resolve it from there.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const scFormatter = require(
  require.resolve('sc-formatter', { paths: [require.resolve('socketcluster-server')] }),
) as ScFormatter;

const codec = jsonCodec();
/** Encodes with the codec under test, whose frames are always text. */
function encode(packet: unknown): string {
  const frame = codec.encode(packet);
  if (typeof frame !== 'string') throw new TypeError(`expected a text frame, got ${String(frame)}`);
  return frame;
}
const text = (value: string) => new TextEncoder().encode(value);
const bytes = (...values: number[]) => new Uint8Array(values);
const wrapper = (data: string) => ({ base64: true, data });

/** Asserts `value` is a Uint8Array with exactly `expected` as content. */
function expectBytes(value: unknown, expected: ArrayLike<number>): void {
  expect(value).toBeInstanceOf(Uint8Array);
  expect(Array.from(value as Uint8Array)).toEqual(Array.from(expected));
}

describe('jsonCodec', () => {
  it('is named json', () => {
    expect(codec.name).toBe('json');
  });

  it('encodes to text frames', () => {
    expect(typeof codec.encode({ event: 'a', data: bytes(1) })).toBe('string');
  });

  describe('plain packets', () => {
    const packets: [string, unknown][] = [
      ['handshake', { event: '#handshake', data: { authToken: null }, cid: 1 }],
      ['transmit', { event: 'chat', data: { room: 'r1', text: 'héllo ✓ 😀' } }],
      ['transmit without data', { event: 'ping' }],
      ['response', { rid: 7, data: [1, 'two', { three: 3 }, null, true] }],
      ['error response', { rid: 8, error: { name: 'BadArgs', message: 'nope', extra: 42 } }],
      ['publish', { event: '#publish', data: { channel: 'news', data: 'hi' } }],
      ['numbers', { event: 'n', data: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER] }],
      [
        'JSON rules',
        { event: 'r', data: { u: undefined, d: new Date(0), nan: NaN, arr: [undefined], f: () => 1 } },
      ],
      ['an object with base64-looking keys', { event: 'w', data: { base64: 'true', data: 'AQI=' } }],
      ['null', null],
      ['a string', 'hello'],
    ];

    it.each(packets)('encodes a %s byte-equal to JSON.stringify', (_label, packet) => {
      expect(encode(packet)).toBe(JSON.stringify(packet));
    });

    it.each(packets.filter(([label]) => label !== 'JSON rules'))('round-trips a %s', (_label, packet) => {
      expect(codec.decode(encode(packet))).toEqual(packet);
    });

    it('decodes to what JSON.parse gives', () => {
      const frame = '{"rid":3,"data":{"a":[1,2,{"b":null}],"s":"x"}}';
      expect(codec.decode(frame)).toEqual(JSON.parse(frame));
    });

    it('follows JSON.stringify rules for undefined, Date, NaN and functions', () => {
      const frame = encode({
        event: 'r',
        data: { u: undefined, d: new Date(0), nan: NaN, arr: [undefined], f: () => 1 },
      });
      expect(codec.decode(frame)).toEqual({
        event: 'r',
        data: { d: '1970-01-01T00:00:00.000Z', nan: null, arr: [null] },
      });
    });
  });

  describe('batches', () => {
    const batch = [
      { event: 'a', data: 1 },
      { event: 'b', data: { x: 'y' }, cid: 2 },
      { rid: 5, data: null },
    ];

    it('encodes an array of packets as one JSON array', () => {
      expect(encode(batch)).toBe(JSON.stringify(batch));
    });

    it('decodes a JSON array into an array of packets', () => {
      expect(codec.decode(JSON.stringify(batch))).toEqual(batch);
    });

    it('converts binary in any packet of a batch', () => {
      const frame = encode([
        { event: 'a', data: 1 },
        { event: 'b', data: { file: bytes(1, 2, 3) } },
      ]);
      expect(JSON.parse(frame)).toEqual([
        { event: 'a', data: 1 },
        { event: 'b', data: { file: wrapper('AQID') } },
      ]);
      const decoded = codec.decode(frame) as [unknown, { data: { file: unknown } }];
      expect(decoded[0]).toEqual({ event: 'a', data: 1 });
      expectBytes(decoded[1].data.file, [1, 2, 3]);
    });
  });

  describe('binary', () => {
    const hello = [104, 101, 108, 108, 111];

    it('encodes a Uint8Array as {"base64":true,"data":...}', () => {
      expect(encode({ event: 'up', data: bytes(...hello) })).toBe(
        '{"event":"up","data":{"base64":true,"data":"aGVsbG8="}}',
      );
    });

    it('encodes an ArrayBuffer the same way', () => {
      expect(encode({ event: 'up', data: bytes(...hello).buffer })).toBe(
        '{"event":"up","data":{"base64":true,"data":"aGVsbG8="}}',
      );
    });

    it('encodes only the bytes of a view with a byteOffset', () => {
      const backing = bytes(0, 0, ...hello, 9, 9);
      const view = backing.subarray(2, 7);
      expect(view.byteOffset).toBe(2);
      expect(encode({ event: 'up', data: view })).toBe(
        '{"event":"up","data":{"base64":true,"data":"aGVsbG8="}}',
      );
    });

    it('encodes a DataView over part of a buffer by its bytes', () => {
      const backing = bytes(7, ...hello, 7);
      const view = new DataView(backing.buffer, 1, 5);
      expect(encode({ event: 'up', data: view })).toBe(
        '{"event":"up","data":{"base64":true,"data":"aGVsbG8="}}',
      );
    });

    it('encodes a Node Buffer by its bytes, not its toJSON form', () => {
      const buffer = Buffer.from('hello'); // small Buffers share a pool, at a byteOffset
      expect(buffer.toJSON()).toEqual({ type: 'Buffer', data: [104, 101, 108, 108, 111] });
      expect(encode({ event: 'x', data: { foo: 123, buff: buffer } })).toBe(
        '{"event":"x","data":{"foo":123,"buff":{"base64":true,"data":"aGVsbG8="}}}',
      );
    });

    it('encodes empty binary as an empty base64 string and decodes it back', () => {
      const frame = encode({ event: 'e', data: new ArrayBuffer(0) });
      expect(frame).toBe('{"event":"e","data":{"base64":true,"data":""}}');
      expectBytes((codec.decode(frame) as { data: unknown }).data, []);
    });

    it('encodes every byte value with standard padded base64', () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      for (const length of [1, 2, 3, 4, 255, 256]) {
        const slice = all.subarray(256 - length);
        const frame = encode({ event: 'e', data: slice });
        expect(JSON.parse(frame).data).toEqual(wrapper(Buffer.from(slice).toString('base64')));
      }
    });

    it('encodes binary larger than one conversion chunk', () => {
      const big = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) & 0xff);
      const frame = encode({ event: 'e', data: big });
      expect(JSON.parse(frame).data.data).toBe(Buffer.from(big).toString('base64'));
      expectBytes((codec.decode(frame) as { data: unknown }).data, big);
    });

    it.each([
      ['Uint8Array', () => bytes(...hello)],
      ['ArrayBuffer', () => bytes(...hello).buffer],
      ['Uint8Array view with byteOffset', () => bytes(1, 2, ...hello, 3).subarray(2, 7)],
      ['Node Buffer', () => Buffer.from('hello')],
    ])('decodes an encoded %s back to a Uint8Array with equal bytes', (_label, make) => {
      const decoded = codec.decode(encode({ event: 'e', data: make() })) as { data: unknown };
      expectBytes(decoded.data, hello);
      expect(Buffer.isBuffer(decoded.data)).toBe(false);
    });

    it('converts binary inside arrays and nested objects, both ways', () => {
      const packet = {
        event: 'files',
        data: {
          name: 'bundle',
          parts: [bytes(1), { deep: { deeper: [bytes(2, 3).buffer] } }, 'text'],
          meta: { thumb: Buffer.from([4, 5, 6]), size: 3 },
        },
      };
      const frame = encode(packet);
      expect(JSON.parse(frame)).toEqual({
        event: 'files',
        data: {
          name: 'bundle',
          parts: [wrapper('AQ=='), { deep: { deeper: [wrapper('AgM=')] } }, 'text'],
          meta: { thumb: wrapper('BAUG'), size: 3 },
        },
      });
      const decoded = codec.decode(frame) as typeof packet;
      expect(decoded.data.name).toBe('bundle');
      expectBytes(decoded.data.parts[0], [1]);
      expectBytes((decoded.data.parts[1] as { deep: { deeper: unknown[] } }).deep.deeper[0], [2, 3]);
      expect(decoded.data.parts[2]).toBe('text');
      expectBytes(decoded.data.meta.thumb, [4, 5, 6]);
      expect(decoded.data.meta.size).toBe(3);
    });

    it('converts a wrapper at the top of data, and leaves look-alikes alone', () => {
      const frame = JSON.stringify({
        rid: 1,
        data: {
          real: wrapper('AQI='),
          extraKey: { base64: true, data: 'AQI=', more: 1 },
          notTrue: { base64: 'true', data: 'AQI=' },
          notString: { base64: true, data: [1, 2] },
        },
      });
      const decoded = codec.decode(frame) as { data: Record<string, unknown> };
      expectBytes(decoded.data.real, [1, 2]);
      expect(decoded.data.extraKey).toEqual({ base64: true, data: 'AQI=', more: 1 });
      expect(decoded.data.notTrue).toEqual({ base64: 'true', data: 'AQI=' });
      expect(decoded.data.notString).toEqual({ base64: true, data: [1, 2] });
    });

    it('leaves a wrapper whose data is not base64 as it is, and loses nothing else of the frame', () => {
      const frame = JSON.stringify([
        { rid: 7, data: 3 },
        { event: '#publish', data: { channel: 'room', data: { base64: true, data: 'not base64!' } } },
        { event: 'bin', data: wrapper('AQI=') },
      ]);
      const [answer, publish, bin] = codec.decode(frame) as { data: unknown }[];
      expect(answer).toEqual({ rid: 7, data: 3 });
      expect(publish).toEqual({
        event: '#publish',
        data: { channel: 'room', data: { base64: true, data: 'not base64!' } },
      });
      expectBytes(bin?.data, [1, 2]);
    });

    it('converts a wrapper nested deeper than the call stack would allow a recursive walk', () => {
      const depth = 50_000;
      const frame = `{"event":"deep","data":${'['.repeat(depth)}{"base64":true,"data":"AAEC"}${']'.repeat(depth)}}`;
      let node = (codec.decode(frame) as { data: unknown }).data;
      for (let i = 0; i < depth; i++) node = (node as unknown[])[0];
      expectBytes(node, [0, 1, 2]);
    });
  });

  describe('binary frames holding JSON text', () => {
    const json = '{"event":"e","data":{"a":[1,"é"],"b":{"base64":true,"data":"AQI="}}}';

    it('decodes an ArrayBuffer frame', () => {
      const decoded = codec.decode(text(json).buffer) as { data: { a: unknown; b: unknown } };
      expect(decoded.data.a).toEqual([1, 'é']);
      expectBytes(decoded.data.b, [1, 2]);
    });

    it('decodes a Uint8Array frame', () => {
      expect(codec.decode(text('[{"rid":1,"data":2}]'))).toEqual([{ rid: 1, data: 2 }]);
    });

    it('decodes only the bytes of a Uint8Array frame at a byteOffset', () => {
      const payload = text('{"rid":1,"data":"ok"}');
      const backing = new Uint8Array(payload.length + 8).fill(0x7b); // '{' garbage around it
      backing.set(payload, 4);
      expect(codec.decode(backing.subarray(4, 4 + payload.length))).toEqual({ rid: 1, data: 'ok' });
    });

    it('decodes a Node Buffer frame', () => {
      expect(codec.decode(Buffer.from('{"rid":2,"data":[true]}'))).toEqual({ rid: 2, data: [true] });
    });
  });

  describe('invalid input', () => {
    it.each(['not json', '{', '{"a":}', '', '#1'])('throws a SyntaxError on %j', (frame) => {
      expect(() => codec.decode(frame)).toThrow(SyntaxError);
    });

    it('throws a SyntaxError on a binary frame that is not JSON', () => {
      expect(() => codec.decode(bytes(0xff, 0x00, 0x7b))).toThrow(SyntaxError);
    });

    it('throws a TypeError on cyclic data', () => {
      const data: Record<string, unknown> = { a: 1 };
      data.self = data;
      expect(() => encode({ event: 'c', data })).toThrow(TypeError);
    });

    it('throws a TypeError on cyclic data that also holds binary', () => {
      const data: Record<string, unknown> = { file: bytes(1) };
      data.self = data;
      expect(() => encode({ event: 'c', data })).toThrow(TypeError);
    });

    it('throws a TypeError on a cyclic batch', () => {
      const batch: unknown[] = [{ event: 'a' }];
      batch.push(batch);
      expect(() => encode(batch)).toThrow(TypeError);
    });
  });

  describe('__proto__ keys', () => {
    afterEach(() => {
      // clean up if a test failed by polluting
      delete (Object.prototype as Record<string, unknown>).polluted;
    });

    it('stay own data properties and do not pollute Object.prototype', () => {
      const decoded = codec.decode('{"rid":1,"data":{"__proto__":{"polluted":true}}}') as { data: object };
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(decoded.data, '__proto__')?.value).toEqual({ polluted: true });
    });

    it('stay harmless when the frame also holds binary wrappers', () => {
      const decoded = codec.decode(
        '{"rid":1,"data":{"__proto__":{"polluted":true},"inner":{"__proto__":{"base64":true,"data":"AQI="}},"b":{"base64":true,"data":"AQ=="}}}',
      ) as { data: { inner: object; b: unknown } };
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(decoded.data, '__proto__')?.value).toEqual({ polluted: true });
      expect(Object.getPrototypeOf(decoded.data.inner)).toBe(Object.prototype);
      expectBytes(Object.getOwnPropertyDescriptor(decoded.data.inner, '__proto__')?.value, [1, 2]);
      expectBytes(decoded.data.b, [1]);
    });
  });

  describe('interop with sc-formatter', () => {
    it('encodes plain packets exactly as sc-formatter does', () => {
      const packet = { event: 'chat', data: { room: 'r', list: [1, null, 'x'], when: new Date(5) }, cid: 3 };
      expect(encode(packet)).toBe(scFormatter.encode(packet));
    });

    it('encodes ArrayBuffer payloads exactly as sc-formatter does', () => {
      const packet = { event: 'up', data: { a: bytes(104, 105).buffer, list: [bytes(0, 255, 7).buffer] } };
      expect(encode(packet)).toBe(scFormatter.encode(packet));
    });

    it('encodes Buffer payloads exactly as sc-formatter does', () => {
      const packet = { event: 'up', data: { foo: 123, buff: Buffer.from('hello'), list: [Buffer.alloc(0)] } };
      expect(encode(packet)).toBe(scFormatter.encode(packet));
      expect(encode({ event: 'up', data: Buffer.from([1, 2, 3, 4]) })).toBe(
        scFormatter.encode({ event: 'up', data: Buffer.from([1, 2, 3, 4]) }),
      );
    });

    it('encodes binary batches exactly as sc-formatter does', () => {
      const batch = [
        { event: 'a', data: Buffer.from('x') },
        { event: 'b', data: { z: bytes(9).buffer } },
      ];
      expect(encode(batch)).toBe(scFormatter.encode(batch));
    });

    it('encodes a Uint8Array as sc-formatter encodes a Buffer of the same bytes (sc-formatter itself would not)', () => {
      const view = bytes(0, 1, 2, 3, 250).subarray(1);
      expect(encode({ event: 'e', data: view })).toBe(
        scFormatter.encode({ event: 'e', data: Buffer.from(view) }),
      );
    });

    it('decodes what sc-formatter encodes from a Buffer to a Uint8Array', () => {
      const frame = scFormatter.encode({ rid: 4, data: { foo: 123, buff: Buffer.from('hello') } });
      const decoded = codec.decode(frame) as { rid: number; data: { foo: number; buff: unknown } };
      expect(decoded.rid).toBe(4);
      expect(decoded.data.foo).toBe(123);
      expectBytes(decoded.data.buff, Buffer.from('hello'));
    });

    it('decodes what sc-formatter encodes from an ArrayBuffer to a Uint8Array', () => {
      const frame = scFormatter.encode({ event: 'e', data: [bytes(1, 2, 3, 4, 5).buffer] });
      const decoded = codec.decode(frame) as { data: unknown[] };
      expectBytes(decoded.data[0], [1, 2, 3, 4, 5]);
    });

    it('produces frames sc-formatter decodes to the same packet (binary as its wrapper)', () => {
      const frame = encode({ event: 'e', data: { n: 1, file: bytes(104, 105) } });
      expect(scFormatter.decode(frame)).toEqual({ event: 'e', data: { n: 1, file: wrapper('aGk=') } });
      expect(scFormatter.decode(Buffer.from(frame))).toEqual(scFormatter.decode(frame));
    });
  });
});

describe('binary outside data', () => {
  it('is found anywhere in the packet, for example in an error answer', () => {
    const frame = jsonCodec().encode({
      rid: 1,
      error: { name: 'E', message: 'm', blob: new Uint8Array([104, 105]) },
    });
    expect(JSON.parse(frame as string)).toEqual({
      rid: 1,
      error: { name: 'E', message: 'm', blob: { base64: true, data: 'aGk=' } },
    });
  });
});

describe('batch()', () => {
  it('joins encoded frames into the frame of their array', () => {
    const codec = jsonCodec();
    const packets = [
      { event: 'a', data: 1 },
      { rid: 2, data: 'x' },
    ];
    const joined = codec.batch!(packets.map((p) => codec.encode(p)));
    expect(joined).toBe(JSON.stringify(packets));
    expect(codec.decode(joined)).toEqual(packets);
  });
});
