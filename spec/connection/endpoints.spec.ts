import { ConnectionError } from '../../lib/errors';
import { memoryTokenStore } from '../../lib/auth/token-store';
import type { UrlPickContext } from '../../lib/connection/endpoints';
import { fakeClient as setup } from '../support/fake-client';
import { fakeJwt } from '../support/jwt';

// Several endpoints (`urls`): which one each attempt uses, on a fake WebSocket and jest's fake clock.

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  jest.useRealTimers();
});

const A = 'ws://a.test/socketcluster/';
const B = 'ws://b.test/socketcluster/';
const C = 'ws://c.test/socketcluster/';

describe('urls', () => {
  it('starts on the first endpoint and says which one in state$', () => {
    const { ws, client, states } = setup({ url: undefined, urls: [A, B], reconnectDelay: () => 100 });
    client.connect();
    expect(ws.last().url).toBe(A);
    expect(states.at(-1)).toEqual({ state: 'connecting', attempt: 1, url: A });
    ws.last().handshake({ id: 'x' });
    expect(states.at(-1)).toMatchObject({ state: 'open', url: A, id: 'x' });
    client.close();
  });

  it('moves to the next endpoint after a lost connection, round the list', () => {
    const { ws, client, states } = setup({ url: undefined, urls: [A, B, C], reconnectDelay: () => 100 });
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(100);
    expect(ws.last().url).toBe(B);
    ws.last().handshake();
    expect(states.at(-1)).toMatchObject({ state: 'open', url: B });
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(100);
    expect(ws.last().url).toBe(C);
    ws.last().serverClose(1006); // a failed connect moves on too
    jest.advanceTimersByTime(100);
    expect(ws.last().url).toBe(A);
    expect(ws.sockets.map((s) => s.url)).toEqual([A, B, C, A]);
    client.close();
  });

  it('stays on the same endpoint after disconnect() and connect()', () => {
    const { ws, client } = setup({ url: undefined, urls: [A, B] });
    client.connect();
    ws.last().handshake();
    client.disconnect();
    client.connect();
    expect(ws.sockets.map((s) => s.url)).toEqual([A, A]);
    client.close();
  });

  it('normalizes and checks every URL of the list at creation', () => {
    const { ws, client } = setup({ url: undefined, urls: ['http://a.test/socketcluster/'] });
    client.connect();
    expect(ws.last().url).toBe('ws://a.test/socketcluster/');
    client.close();
    expect(() => setup({ url: undefined, urls: [A, 'ftp://b.test/'] })).toThrow(TypeError);
    expect(() => setup({ url: undefined, urls: [] })).toThrow(/at least one URL/);
  });

  it('keeps the token across endpoints: one store key, named after the first URL', async () => {
    const token = fakeJwt({ sub: 'ann' });
    const tokenStore = memoryTokenStore({ 'socketcluster.authToken.a.test:8000': token });
    const a = 'ws://a.test:8000/socketcluster/';
    const { ws, client } = setup({ url: undefined, urls: [a, B], tokenStore, reconnectDelay: () => 100 });
    client.connect();
    await jest.advanceTimersByTimeAsync(0); // the stored token loads before the socket opens
    ws.last().open();
    expect(ws.last().packets[0]).toMatchObject({ event: '#handshake', data: { authToken: token } });
    ws.last().handshake();
    ws.last().serverClose(1006);
    await jest.advanceTimersByTimeAsync(100);
    expect(ws.last().url).toBe(B);
    ws.last().open();
    expect(ws.last().packets[0]).toMatchObject({ event: '#handshake', data: { authToken: token } });
    client.close();
  });

  it('names the token key after the first URL as normalized (https: is port 443)', async () => {
    const token = fakeJwt({ sub: 'ann' });
    const tokenStore = memoryTokenStore({ 'socketcluster.authToken.a.test:443': token });
    const { ws, client } = setup({ url: undefined, urls: ['https://a.test/socketcluster/', B], tokenStore });
    client.connect();
    await jest.advanceTimersByTimeAsync(0);
    ws.last().open();
    expect(ws.last().packets[0]).toMatchObject({ event: '#handshake', data: { authToken: token } });
    client.close();
  });

  it('asks a picker function for each attempt, with the previous endpoint and the failure', () => {
    const seen: UrlPickContext[] = [];
    const { ws, client } = setup({
      url: undefined,
      reconnectDelay: () => 100,
      urls: (context) => {
        seen.push(context);
        return context.error ? 'http://backup.test/sc/' : A;
      },
    });
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(100);
    expect(ws.last().url).toBe('ws://backup.test/sc/');
    expect(seen).toEqual([
      { attempt: 1, previous: undefined, error: undefined },
      { attempt: 1, previous: A, error: expect.any(ConnectionError) },
    ]);
    expect((seen[1]?.error as ConnectionError).closeCode).toBe(1006);
    client.close();
  });

  it('fails the attempt and retries when the picker throws or returns a bad URL', () => {
    let calls = 0;
    const { ws, client, states } = setup({
      url: undefined,
      reconnectDelay: () => 100,
      urls: () => (++calls === 1 ? 'not a url' : A),
    });
    client.connect();
    expect(ws.sockets).toHaveLength(0);
    expect(states.at(-1)).toMatchObject({
      state: 'closed',
      code: 1006,
      reason: 'No endpoint to connect to',
      retryIn: 100,
    });
    jest.advanceTimersByTime(100);
    expect(ws.last().url).toBe(A);
    client.close();
  });

  it('needs url or urls', () => {
    expect(() => setup({ url: undefined })).toThrow(/url/);
  });
});
