// What the in-process measurements share (bench/in-process.mjs, bench/in-process-inbound.mjs): a `ws`-style fake
// socket that opens from a later task and answers frames from later tasks, and the import of the client measured.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The fake server's answer to a `#handshake` of call id `cid`. */
export const handshakeReply = (cid) =>
  `{"rid":${cid},"data":{"id":"fake","pingTimeout":20000,"isAuthenticated":false}}`;

/** A `ws`-style socket: a subclass says what it answers (`send`) with {@link FakeWs.reply}. */
export class FakeWs extends EventEmitter {
  readyState = 0;
  binaryType = 'nodebuffer';

  constructor() {
    super();
    setImmediate(() => {
      this.readyState = 1;
      this.emit('open');
    });
  }

  /** Hands `text` to the client as an inbound frame, from a later task. */
  reply(text) {
    const frame = Buffer.from(text);
    setImmediate(() => this.emit('message', frame, false));
  }

  close() {
    this.readyState = 3;
  }
}

/** `createClient` of the built package (`rx`) or of the build in a `dist` directory, for an A/B. */
export async function loadCreateClient(from) {
  const module = await import(
    from === 'rx' ? 'rx-socketcluster' : pathToFileURL(path.resolve(from, 'index.mjs')).href
  );
  return module.createClient;
}
