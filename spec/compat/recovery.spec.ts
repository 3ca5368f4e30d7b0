import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom } from 'rxjs';
import { createClient, type Client } from '../../lib/node';
import { recoverChannel, type ChannelEvent } from '../../lib/recovery';
import { attachRecovery } from '../../lib/server';
import { until } from '../support/wait';
import { hasStreamDemuxDefect } from './support/async-server';
import { MAJORS, packageOf, type Major } from './support/servers';

// The recovery companion on every socketcluster-server major of the async-iterator generation (15 to 20): a client
// that misses messages while disconnected gets them back, in order, and a plain subscriber on the same channel gets
// the original payloads, with the application serving its own procedure beside the companion. v14 (the callback
// generation, with another broker) is not supported.

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- untyped CommonJS */
function attach(major: Major, httpServer: http.Server): any {
  const sc = require(packageOf(major)) as { attach(server: http.Server, options: object): any };
  return sc.attach(httpServer, { authKey: 'compat-recovery-only' });
}
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */

const subscribed = (client: Client, name: string) =>
  firstValueFrom(client.channelState$(name).pipe(filter((s) => s === 'subscribed')));

describe.each(MAJORS.filter((major) => major >= 15))('socketcluster-server %i', (major) => {
  it('recovers what a client missed while disconnected; a plain subscriber gets the payloads unchanged', async () => {
    const httpServer = http.createServer();
    const agServer = attach(major, httpServer);
    const recovery = attachRecovery(agServer, { channels: ['feed'] });
    // The application's own procedure, served beside the companion's; except on a server with the stream-demux
    // defect (18.2.0 as npm installs it today), where only one `for await` loop per emitter ever wakes, so that the
    // companion works there only with an application that has no loop of its own (docs/delivery.md says so).
    const appLoops = !hasStreamDemuxDefect(packageOf(major));
    if (appLoops)
      void (async () => {
        for await (const { socket } of agServer.listener('connection')) {
          void (async () => {
            for await (const request of socket.procedure('echo')) request.end(request.data);
          })();
        }
      })();
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    const url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/socketcluster/`;
    const subscriber = createClient({ url });
    const plain = createClient({ url });
    try {
      const events: ChannelEvent<unknown>[] = [];
      recoverChannel(subscriber, 'feed').subscribe((event) => events.push(event));
      const plainReceived: unknown[] = [];
      plain.channel('feed').subscribe((m) => plainReceived.push(m));
      await Promise.all([subscribed(subscriber, 'feed'), subscribed(plain, 'feed')]);
      const delivered = () => events.flatMap((e) => (e.type === 'message' ? [e.data] : []));

      await agServer.exchange.transmitPublish('feed', { n: 1 });
      await until(() => delivered().length === 1);
      subscriber.disconnect();
      await agServer.exchange.transmitPublish('feed', { n: 2 });
      await agServer.exchange.transmitPublish('feed', { n: 3 });
      subscriber.connect();
      await until(() => events.some((e) => e.type === 'recovered'));
      await agServer.exchange.transmitPublish('feed', { n: 4 });
      await until(() => delivered().length === 4 && plainReceived.length === 4);

      expect(delivered()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
      if (appLoops) {
        await expect(firstValueFrom(subscriber.invoke('echo', 'still served'))).resolves.toBe('still served');
      }
      expect(events.filter((e) => e.type !== 'message')).toEqual([
        { type: 'recovered', channel: 'feed', epoch: recovery.epochOf('feed'), from: 2, to: 3 },
      ]);
      expect(plainReceived).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    } finally {
      subscriber.close();
      plain.close();
      recovery.detach();
      agServer.closeAllListeners();
      await agServer.close();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    }
  }, 20_000);
});
