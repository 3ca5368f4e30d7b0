import type { Packr, Unpackr } from 'msgpackr';
import type { Codec } from './codec';

// The MessagePack codec in the sc-codec-min-bin wire format, on the msgpackr classes it is given. The entries of
// rx-socketcluster/codec/msgpack (msgpack.ts for bundlers, msgpack-import.ts and msgpack-require.ts for Node's ESM
// and CommonJS) differ only in how they load msgpackr, an optional peer dependency; nothing here imports it at run
// time.

/** The part of msgpackr the codec uses. @internal */
export interface Msgpackr {
  readonly Packr: typeof Packr;
  readonly Unpackr: typeof Unpackr;
}

type Packet = Record<string, unknown>;

// The packet reshaping of sc-codec-min-bin: an event becomes `{e: [event, data, cid?]}`, a publish with data
// `{p: [channel, data, cid?]}`, a response `{r: [rid, error, data]}` (always three elements). Other keys (none in
// practice) stay, ahead of the new one, as in the original.

function isPacket(value: unknown): value is Packet {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function compress(packet: Packet): Packet {
  const { event, data, cid, rid, error } = packet;
  const out: Packet = {};
  for (const key of Object.keys(packet)) {
    if (key !== 'event' && key !== 'data' && key !== 'cid' && key !== 'rid' && key !== 'error')
      out[key] = packet[key];
  }
  let dataLeft = 'data' in packet;
  if (event != null) {
    const payload = data as { channel?: unknown; data?: unknown } | null | undefined;
    const publish = event === '#publish' && payload != null;
    const tuple = publish ? [payload.channel, payload.data] : [event, data];
    if (cid != null) tuple.push(cid);
    out[publish ? 'p' : 'e'] = tuple;
    dataLeft = false;
  } else if (cid !== undefined) {
    out.cid = cid;
  }
  if (rid != null) {
    out.r = [rid, error, dataLeft ? data : undefined];
  } else {
    if (error !== undefined) out.error = error;
    if (dataLeft) out.data = data;
  }
  return out;
}

function isTuple(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function expand(packet: unknown): unknown {
  if (!isPacket(packet)) return packet;
  const { e, p, r } = packet as { e?: unknown; p?: unknown; r?: unknown };
  if (isTuple(e)) {
    packet.event = e[0];
    packet.data = e[1];
    if (e[2] != null) packet.cid = e[2];
    delete packet.e;
  }
  if (isTuple(p)) {
    packet.event = '#publish';
    packet.data = { channel: p[0], data: p[1] };
    if (p[2] != null) packet.cid = p[2];
    delete packet.p;
  }
  if (isTuple(r)) {
    packet.rid = r[0];
    packet.error = r[1];
    packet.data = r[2];
    delete packet.r;
  }
  return packet;
}

function toBytes(frame: string | ArrayBuffer | Uint8Array): Uint8Array {
  if (typeof frame === 'string') throw new TypeError('The msgpack codec received a text frame');
  return frame instanceof Uint8Array ? frame : new Uint8Array(frame);
}

/**
 * Throws unless `bytes` holds plain MessagePack data: nil, booleans, numbers, strings, `bin`, arrays and maps. The
 * extension types (msgpackr reads its own as `Error`, `RegExp`, `Set`, `Date`, `BigInt`, typed arrays, records and
 * the references of structured clones; msgpack-lite writes none for ordinary data) and the never-used byte `0xc1`
 * are refused before msgpackr turns them into objects. One pass over the tokens: strings and binaries are skipped
 * by their length, nothing is built.
 */
function checkPlain(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  let at = 0;
  // The values still to read: each array adds its length, each map twice its size.
  let pending = 1;
  while (pending > 0 && at < end) {
    pending--;
    const token = view.getUint8(at++);
    if (token < 0x80 || token >= 0xe0) continue; // positive and negative fixint
    if (token < 0x90)
      pending += (token & 0x0f) * 2; // fixmap
    else if (token < 0xa0)
      pending += token & 0x0f; // fixarray
    else if (token < 0xc0)
      at += token & 0x1f; // fixstr
    else {
      switch (token) {
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          break;
        case 0xc4: // bin 8
        case 0xd9: // str 8
          at += 1 + view.getUint8(at);
          break;
        case 0xc5:
        case 0xda:
          at += 2 + view.getUint16(at);
          break;
        case 0xc6:
        case 0xdb:
          at += 4 + view.getUint32(at);
          break;
        case 0xcc: // uint 8
        case 0xd0: // int 8
          at += 1;
          break;
        case 0xcd:
        case 0xd1:
          at += 2;
          break;
        case 0xca: // float 32
        case 0xce:
        case 0xd2:
          at += 4;
          break;
        case 0xcb: // float 64
        case 0xcf:
        case 0xd3:
          at += 8;
          break;
        case 0xdc: // array 16
          pending += view.getUint16(at);
          at += 2;
          break;
        case 0xdd:
          pending += view.getUint32(at);
          at += 4;
          break;
        case 0xde: // map 16
          pending += view.getUint16(at) * 2;
          at += 2;
          break;
        case 0xdf:
          pending += view.getUint32(at) * 2;
          at += 4;
          break;
        default:
          throw new TypeError(notPlain(bytes, token, at - 1));
      }
    }
  }
}

function notPlain(bytes: Uint8Array, token: number, at: number): string {
  if (token === 0xc1) return `The msgpack codec received the never-used byte 0xc1 (at byte ${at})`;
  // fixext 1 to 16 put the type right after the token; ext 8, 16 and 32 after a length of 1, 2 or 4 bytes.
  const offset = token >= 0xd4 ? 1 : token === 0xc7 ? 2 : token === 0xc8 ? 3 : 5;
  const type = ((bytes[at + offset] ?? 0) << 24) >> 24;
  return `The msgpack codec received a MessagePack extension (type ${type}, at byte ${at}): it decodes plain data only`;
}

/**
 * Creates the codec on `msgpackr`'s `Packr` and `Unpackr`. The public entry, with its documentation, is
 * `msgpackCodec()` in msgpack.ts.
 *
 * @internal
 */
export function createMsgpackCodec({ Packr, Unpackr }: Msgpackr): Codec {
  // The settings under which msgpack-lite (behind sc-codec-min-bin) reads our bytes and we read its: no records
  // extension, smallest map headers, undefined as nil, and 64-bit integers read as numbers.
  const packr = new Packr({ useRecords: false, variableMapSize: true, encodeUndefinedAsNil: true });
  const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
  return {
    name: 'msgpack',
    binaryType: 'arraybuffer',
    encode(packet: unknown): Uint8Array {
      if (Array.isArray(packet)) {
        return packr.pack(packet.map((item: unknown) => (isPacket(item) ? compress(item) : item)));
      }
      if (isPacket(packet) && (packet.event != null || packet.rid != null))
        return packr.pack(compress(packet));
      return packr.pack(packet);
    },
    // A MessagePack array is its header followed by its elements' encodings: the frames, as they are.
    batch(frames: readonly (string | Uint8Array)[]): Uint8Array {
      const parts = frames.map(toBytes);
      const count = parts.length;
      const header =
        count < 16
          ? [0x90 | count]
          : count < 0x10000
            ? [0xdc, count >> 8, count & 0xff]
            : [0xdd, count >>> 24, (count >> 16) & 0xff, (count >> 8) & 0xff, count & 0xff];
      const out = new Uint8Array(header.length + parts.reduce((sum, part) => sum + part.length, 0));
      out.set(header, 0);
      let offset = header.length;
      for (const part of parts) {
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    },
    decode(frame: string | ArrayBuffer | Uint8Array): unknown {
      const bytes = toBytes(frame);
      checkPlain(bytes);
      const value: unknown = unpackr.unpack(bytes);
      if (Array.isArray(value)) {
        for (const item of value) expand(item);
        return value;
      }
      return expand(value);
    },
  };
}
