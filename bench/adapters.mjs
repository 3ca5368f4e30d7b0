// The clients behind one small interface, each written the way its users write it:
//   rx          rx-socketcluster (the built package, by name): receiver() and channel() Observables; calls awaited
//               with firstValueFrom() as its README shows, or invoke()/publish() subscribed with callbacks.
//   rx-changes  the same client, except that subscribeEach awaits all the channels through one channelChanges$
//               subscription (its subscribeAll): the channels-await workload compares the two ways.
//   rx-recover  the same client, except that its channels are subscribed through recoverChannel
//               (rx-socketcluster/recovery) piped through messages(), as docs/delivery.md shows: the pubsub-recovered
//               workload compares it with rx on the same channel.
//   official    socketcluster-client v20: awaited promises from invoke()/invokePublish(), `for await` over
//               receiver() and channel streams.
//   raw         bench/raw-client.mjs: callbacks straight off `ws`, or a Promise around each callback when awaited.
//
// connect(url, { defaults }) resolves, after the handshake, with a connection. With `defaults` the client is
// created with its default options, as its README shows (reconnect on); without, as the callback-style rows always
// were (reconnect off). BENCH_RX_OPTIONS applies to both. The connection has:
//   invoke(event, data)              invoke, as a Promise of the answer, awaited by the caller
//   publishAwaited(channel, data)    publish with acknowledgement, as a Promise, awaited by the caller
//   transmitPublish(channel, data)   publish without acknowledgement (fire and forget)
//   call(event, data, done)          invoke; done(error, data)
//   onEvent(event, listener)         server transmits of `event`
//   subscribeAll(names, listener)    one subscriber per channel; resolves once every #subscribe is acknowledged,
//                                    counted by one listener for all channels
//   subscribeEach(names, listener)   the same, with every channel's acknowledgement awaited on its own
//   publish(channel, data, done)     publish with acknowledgement; done(error)
//   close()
// Each library is imported only by its own adapter, so a measurement process holds only the client it measures.
import { createRequire } from 'node:module';
import { RawClient } from './raw-client.mjs';

const require = createRequire(import.meta.url);

// Extra createClient options for experiments, as JSON: BENCH_RX_OPTIONS='{"batchWrites":false}' npm run bench
const rxOptions = JSON.parse(process.env.BENCH_RX_OPTIONS || '{}');

async function rx() {
  const { createClient } = await import('rx-socketcluster');
  const { Observable, filter, firstValueFrom, skipWhile } = await import('rxjs');
  return {
    async connect(url, { defaults = false } = {}) {
      let client;
      if (defaults) {
        // As the README shows: default options; whenOpen() errors if the client gives up.
        client = createClient({ url, ...rxOptions });
        await firstValueFrom(client.whenOpen());
      } else {
        client = createClient({ url, reconnect: false, ...rxOptions });
        client.connect();
        const state = await firstValueFrom(
          client.state$.pipe(
            skipWhile((s) => s.state !== 'connecting'),
            filter((s) => s.state !== 'connecting'),
          ),
        );
        if (state.state !== 'open')
          throw new Error(`rx-socketcluster did not connect: ${state.code} ${state.reason}`);
      }
      const keep = [];
      return {
        invoke: (event, data) => firstValueFrom(client.invoke(event, data)),
        publishAwaited: (channel, data) => firstValueFrom(client.publish(channel, data)),
        transmitPublish: (channel, data) => client.transmitPublish(channel, data),
        call: (event, data, done) =>
          client
            .invoke(event, data)
            .subscribe({ next: (value) => done(undefined, value), error: (e) => done(e) }),
        onEvent: (event, listener) => keep.push(client.receiver(event).subscribe(listener)),
        async subscribeAll(names, listener) {
          let acked = 0;
          const all = firstValueFrom(
            client.channelChanges$.pipe(filter((c) => c.state === 'subscribed' && ++acked === names.length)),
          );
          for (const name of names) keep.push(client.channel(name).subscribe(listener));
          await all;
        },
        subscribeEach(names, listener) {
          const subscribed = (s) => s === 'subscribed';
          return Promise.all(
            names.map((name) => {
              keep.push(client.channel(name).subscribe(listener));
              return firstValueFrom(client.channelState$(name).pipe(filter(subscribed)));
            }),
          );
        },
        publish: (channel, data, done) =>
          client.publish(channel, data).subscribe({ complete: () => done(), error: (e) => done(e) }),
        close: () => client.close(),
        client,
      };
    },
    // What any RxJS API costs per subscription (a Subscriber and its finalizers), whatever the library behind it.
    bareSubscription(n, heap) {
      const source = new Observable(() => () => undefined);
      const onMessage = () => undefined;
      const before = heap();
      const keep = Array.from({ length: n }, () => source.subscribe(onMessage));
      const bytes = (heap() - before) / n;
      keep.forEach((s) => s.unsubscribe());
      return bytes;
    },
  };
}

async function official() {
  const { create } = require('socketcluster-client');
  const consume = async (stream, listener) => {
    for await (const data of stream) listener(data);
  };
  return {
    async connect(url, { defaults = false } = {}) {
      const { hostname, port } = new URL(url);
      // With defaults as its README shows (autoReconnect on); the callback-style rows turn reconnect off.
      const socket = create(
        defaults ? { hostname, port: Number(port) } : { hostname, port: Number(port), autoReconnect: false },
      );
      const abort = socket.listener('connectAbort').once();
      const opened = await Promise.race([
        socket
          .listener('connect')
          .once()
          .then(() => true),
        abort,
      ]);
      socket.killListener('connectAbort');
      if (opened !== true)
        throw new Error(`socketcluster-client did not connect: ${opened.code} ${opened.reason}`);
      return {
        invoke: (event, data) => socket.invoke(event, data),
        publishAwaited: (channel, data) => socket.invokePublish(channel, data),
        transmitPublish: (channel, data) => socket.transmitPublish(channel, data),
        call: (event, data, done) =>
          socket.invoke(event, data).then(
            (value) => done(undefined, value),
            (e) => done(e),
          ),
        onEvent: (event, listener) => void consume(socket.receiver(event), listener),
        async subscribeAll(names, listener) {
          let acked = 0;
          const all = (async () => {
            for await (const { channel } of socket.listener('subscribe'))
              if (channel && ++acked === names.length) break;
          })();
          for (const name of names) void consume(socket.subscribe(name), listener);
          await all;
        },
        subscribeEach(names, listener) {
          return Promise.all(
            names.map((name) => {
              const channel = socket.subscribe(name);
              void consume(channel, listener);
              return channel.listener('subscribe').once();
            }),
          );
        },
        publish: (channel, data, done) => socket.invokePublish(channel, data).then(() => done(), done),
        close: () => socket.disconnect(),
      };
    },
  };
}

async function raw() {
  return {
    async connect(url) {
      const client = await RawClient.connect(url);
      const subscribeAll = (names, listener) =>
        new Promise((resolve, reject) => {
          let acked = 0;
          const done = (error) =>
            error ? reject(new Error(error.message)) : ++acked === names.length && resolve();
          for (const name of names) client.subscribe(name, listener, done);
        });
      return {
        invoke: (event, data) => client.request(event, data),
        publishAwaited: (channel, data) => client.request('#publish', { channel, data }),
        transmitPublish: (channel, data) => client.transmit('#publish', { channel, data }),
        call: (event, data, done) => client.invoke(event, data, done),
        onEvent: (event, listener) => client.on(event, listener),
        subscribeAll,
        // Every acknowledgement already reaches a callback of its own channel.
        subscribeEach: subscribeAll,
        publish: (channel, data, done) => client.publish(channel, data, done),
        close: () => client.close(),
      };
    },
  };
}

// rx-socketcluster awaiting every channel through the one channelChanges$ stream, as a client of its own (so that it
// runs in a process of its own, in the rotation).
async function rxChanges() {
  const adapter = await rx();
  return {
    ...adapter,
    async connect(url, options) {
      const conn = await adapter.connect(url, options);
      return { ...conn, subscribeEach: conn.subscribeAll };
    },
  };
}

// rx-socketcluster with its channels recovered: recoverChannel per channel, as docs/delivery.md shows.
async function rxRecover() {
  const base = await rx();
  const { messages, recoverChannel } = await import('rx-socketcluster/recovery');
  return {
    ...base,
    async connect(url, options) {
      const conn = await base.connect(url, options);
      const client = conn.client;
      const { filter, firstValueFrom } = await import('rxjs');
      const keep = [];
      const subscribeAll = (names, listener) =>
        Promise.all(
          names.map((name) => {
            keep.push(recoverChannel(client, name).pipe(messages()).subscribe(listener));
            return firstValueFrom(client.channelState$(name).pipe(filter((s) => s === 'subscribed')));
          }),
        );
      return { ...conn, subscribeAll, subscribeEach: subscribeAll };
    },
  };
}

export const adapters = { rx, 'rx-changes': rxChanges, 'rx-recover': rxRecover, official, raw };
