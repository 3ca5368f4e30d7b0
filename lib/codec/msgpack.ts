/**
 * MessagePack codec on msgpackr that speaks the `sc-codec-min-bin` wire format (`rx-socketcluster/codec/msgpack`).
 *
 * msgpackr is an optional peer dependency of rx-socketcluster, needed by this entry only: `npm install msgpackr`.
 *
 * @packageDocumentation
 * @module rx-socketcluster/codec/msgpack
 */
// This file is the entry for bundlers (package.json "exports", `import` outside the `node` condition): a static
// import, so that a bundler reports a missing msgpackr at build time, and no top-level await, which some bundler
// targets refuse. Node loads msgpack-import.ts or msgpack-require.ts instead, which throw an Error that says what
// to install.
import { Packr, Unpackr } from 'msgpackr';
import type { Codec } from './codec';
import { createMsgpackCodec } from './create-msgpack-codec';

/**
 * A MessagePack codec, wire-compatible with `sc-codec-min-bin`, on msgpackr.
 *
 * Use it on the client against a server that runs sc-codec-min-bin, or on both sides: the same object works as
 * socketcluster-server's `codecEngine`, where clients that run the official client with sc-codec-min-bin keep
 * working. Binary values (`Uint8Array`, `ArrayBuffer`, Node `Buffer`) travel as MessagePack `bin` and come back as
 * `Uint8Array` (a `Buffer` in Node). `undefined` is sent as `nil` and arrives as `null`; send dates as strings or
 * numbers and plain objects rather than `Map` or `Set`, which the official side cannot read. Only plain data is
 * decoded: a frame holding a MessagePack extension (msgpackr's `Error`, `RegExp`, `Set`, `Date`, `BigInt`, typed
 * array, record or structured-clone reference) is refused with a `TypeError`, which the client reports as a
 * `CodecError`. A key `__proto__` in a received map is renamed by msgpackr, so decoded data never changes an
 * object's prototype.
 *
 * msgpackr is an optional peer dependency: install it next to rx-socketcluster (`npm install msgpackr`). Without
 * it, importing `rx-socketcluster/codec/msgpack` in Node throws an Error that says so, and a bundler fails to
 * resolve `msgpackr`.
 *
 * @returns A {@link Codec} whose frames are binary.
 * @example
 * ```ts
 * import { createClient } from 'rx-socketcluster';
 * import { msgpackCodec } from 'rx-socketcluster/codec/msgpack';
 *
 * const client = createClient({ url, codec: msgpackCodec() });
 * // server side: attach(httpServer, { codecEngine: msgpackCodec() })
 * ```
 */
export function msgpackCodec(): Codec {
  return createMsgpackCodec({ Packr, Unpackr });
}
