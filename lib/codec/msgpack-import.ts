import type { Codec } from './codec';
import { createMsgpackCodec, type Msgpackr } from './create-msgpack-codec';
import { missingMsgpackr } from './missing-msgpackr';

// The ESM entry of rx-socketcluster/codec/msgpack in Node (package.json "exports", `node` then `import`); the API
// and its documentation are msgpack.ts's. msgpackr is an optional peer dependency. Node resolves a static import
// before any code of the module runs, so a missing msgpackr could only fail as ERR_MODULE_NOT_FOUND; an `import()`
// awaited at the top level fails where we can say what to install. Bundlers get msgpack.ts: some of their targets
// refuse top-level await.
const msgpackr: Msgpackr = await import('msgpackr').catch((error: unknown) => {
  throw missingMsgpackr(error);
});

/** See msgpack.ts. */
export function msgpackCodec(): Codec {
  return createMsgpackCodec(msgpackr);
}
