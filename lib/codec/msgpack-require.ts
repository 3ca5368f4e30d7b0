import type { Codec } from './codec';
import { createMsgpackCodec, type Msgpackr } from './create-msgpack-codec';
import { missingMsgpackr } from './missing-msgpackr';

// The CommonJS entry of rx-socketcluster/codec/msgpack (package.json "exports", `require`); the API and its
// documentation are msgpack.ts's. msgpackr is an optional peer dependency: a `require()` of our own, rather than
// the one Rollup writes for an import at the top of the file, can say what to install when it is missing.

// Only the CommonJS build contains this file, where `require` is the module's own (lib/ has no Node types).
declare const require: (id: string) => unknown;

function loadMsgpackr(): Msgpackr {
  try {
    return require('msgpackr') as Msgpackr;
  } catch (error) {
    throw missingMsgpackr(error);
  }
}

const msgpackr = loadMsgpackr();

/** See msgpack.ts. */
export function msgpackCodec(): Codec {
  return createMsgpackCodec(msgpackr);
}
