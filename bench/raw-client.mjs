// The floor: a minimal SocketCluster client on `ws` with JSON.stringify / JSON.parse. It does the handshake (with a
// cid), answers pings with '' once the handshake is done, invokes and matches answers by cid, dispatches server
// events and channel messages through one Map each, and subscribes (#subscribe invoke) and publishes (#publish
// invoke, or #publish transmit without acknowledgement). No reconnect, no timeouts, no batching of its own (it
// reads batches the server might send). request() is invoke() as a Promise, for the awaited rows.
import WebSocket from 'ws';

export class RawClient {
  #ws;
  #cid = 0;
  #open = false;
  #calls = new Map();
  #events = new Map();
  #channels = new Map();

  /** Opens a socket to `url` and resolves with the client once the handshake is answered. */
  static connect(url) {
    const client = new RawClient(url);
    return new Promise((resolve, reject) => {
      client.#ws.once('error', reject);
      client.#ws.once('open', () =>
        client.invoke('#handshake', { authToken: null }, (error) => {
          if (error) return reject(new Error(error.message));
          client.#open = true;
          resolve(client);
        }),
      );
    });
  }

  constructor(url) {
    this.#ws = new WebSocket(url);
    this.#ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
  }

  #receive(data, isBinary) {
    if (!isBinary && data.length === 0) {
      if (this.#open) this.#ws.send('');
      return;
    }
    const packet = JSON.parse(data.toString());
    if (Array.isArray(packet)) for (const one of packet) this.#dispatch(one);
    else this.#dispatch(packet);
  }

  #dispatch(packet) {
    if (typeof packet.event === 'string') {
      if (packet.event === '#publish') this.#channels.get(packet.data.channel)?.(packet.data.data);
      else this.#events.get(packet.event)?.(packet.data);
    } else if (typeof packet.rid === 'number') {
      const done = this.#calls.get(packet.rid);
      if (done) {
        this.#calls.delete(packet.rid);
        done(packet.error, packet.data);
      }
    }
  }

  /** Calls a procedure; `done(error, data)` gets the answer. */
  invoke(event, data, done) {
    const cid = ++this.#cid;
    this.#calls.set(cid, done);
    this.#ws.send(JSON.stringify({ event, data, cid }));
  }

  /** Calls a procedure and resolves with its answer: the awaited form of invoke(), a Promise around its callback. */
  request(event, data) {
    return new Promise((resolve, reject) =>
      this.invoke(event, data, (error, answer) =>
        error ? reject(new Error(error.message)) : resolve(answer),
      ),
    );
  }

  transmit(event, data) {
    this.#ws.send(JSON.stringify({ event, data }));
  }

  /** One listener per server event name. */
  on(event, listener) {
    this.#events.set(event, listener);
  }

  /** Subscribes `channel` with one listener; `done(error)` on the server's answer. */
  subscribe(channel, listener, done) {
    this.#channels.set(channel, listener);
    this.invoke('#subscribe', { channel }, done);
  }

  publish(channel, data, done) {
    this.invoke('#publish', { channel, data }, done);
  }

  close() {
    this.#open = false;
    this.#ws.close();
  }
}
