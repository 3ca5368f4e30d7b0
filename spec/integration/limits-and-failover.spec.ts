import { filter, firstValueFrom, timeout } from 'rxjs';
import { ConnectionError, type ConnectionState } from '../../lib/node';
import { Harness, ag, storeWith } from '../support/harness';
import { until, waitForState } from '../support/wait';

// Inbound size limits and failover between endpoints, against real socketcluster-server v20 instances.

const harness = new Harness();

afterEach(async () => {
  await harness.closeAll();
});

describe('maxPayload', () => {
  it('closes with 1009 when the server sends more, reports it on errors$, fails the call and reconnects', async () => {
    const server = await harness.start();
    const client = harness.connect(server, { maxPayload: 4096 });
    expect(await firstValueFrom(client.invoke('echo', 'x'.repeat(1000)))).toBe('x'.repeat(1000));
    const big = firstValueFrom(client.invoke('echo', 'x'.repeat(8000)));
    await expect(big).rejects.toBeInstanceOf(ConnectionError);
    await expect(big).rejects.toMatchObject({ closeCode: 1009 });
    const errors = harness.errorsOf(client);
    expect(errors).toMatchObject([
      {
        code: 'MESSAGE_TOO_LARGE',
        closeCode: 1009,
        reason: 'An inbound message exceeded maxPayload (4096 bytes)',
      },
    ]);
    await waitForState(client.state$, (s) => s.state === 'open');
    expect(await firstValueFrom(client.invoke('sum', { a: 1, b: 2 }))).toBe(3);
  });
});

describe('urls (failover between endpoints)', () => {
  it('moves to the next endpoint when its server goes away, keeping its channels and its token', async () => {
    const a = await harness.start();
    const b = await harness.start();
    const token = await ag(a).auth.signToken({ username: 'ann' }, ag(a).signatureKey, { expiresIn: 3600 });
    const client = harness.connect(a, {
      url: undefined,
      urls: [a.url, b.url],
      tokenStore: storeWith(a, token),
      reconnectDelay: undefined, // the default backoff: 0.5 to 1 s
    });
    const news: unknown[] = [];
    client.channel('news').subscribe((m) => news.push(m));
    const first = (await waitForState(client.state$, (s) => s.state === 'open')) as Extract<
      ConnectionState,
      { state: 'open' }
    >;
    expect(first).toMatchObject({ url: a.url, isAuthenticated: true });
    await firstValueFrom(
      client.channelState$('news').pipe(
        filter((s) => s === 'subscribed'),
        timeout(3000),
      ),
    );

    const stoppedAt = Date.now();
    await harness.stop(a);
    const moved = (await waitForState(
      client.state$,
      (s) => s.state === 'open' && s.url !== a.url,
      3000,
    )) as Extract<ConnectionState, { state: 'open' }>;
    const failoverMs = Date.now() - stoppedAt;
    expect(moved).toMatchObject({ url: b.url, isAuthenticated: true });
    expect(failoverMs).toBeLessThan(2000); // a first delay of 0.5 to 1 s, then a handshake and a #subscribe
    await firstValueFrom(
      client.channelState$('news').pipe(
        filter((s) => s === 'subscribed'),
        timeout(3000),
      ),
    );
    await ag(b).exchange.transmitPublish('news', 'from b');
    await until(() => news.length > 0);
    expect(news).toEqual(['from b']);
  });
});
