import { of } from 'rxjs';
import { memoryTokenStore } from '../../lib/auth/token-store';
import { logging, type Logger } from '../../lib/diagnostics';
import { tokenRefresh } from '../../lib/refresh';
import { fakeClient } from '../support/fake-client';
import { FAKE_TOKEN_KEY as KEY, fakeJwt } from '../support/jwt';

// The tokenRefresh() feature of rx-socketcluster/refresh, through the public API on a fake WebSocket and jest's fake
// clock: its checks, a client without it, and the feature beside another one. What the refresh does once installed
// is in spec/auth/auth-controller.spec.ts ('refresh'), spec/share/shared-refresh.spec.ts and the integration suite.

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const inSeconds = (s: number) => Math.floor(NOW / 1000) + s;
const FIRST = fakeJwt({ username: 'ann', iat: inSeconds(0), exp: inSeconds(600) });
const SECOND = fakeJwt({ username: 'ann', iat: inSeconds(540), exp: inSeconds(1200) });
/** The default margin (60 s) before FIRST expires. */
const DUE = 540_000;

beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
});

afterEach(() => {
  jest.useRealTimers();
});

/** A client signed in with FIRST (from its store), its connection open. */
function signedIn(options = {}) {
  const setup = fakeClient({
    tokenStore: memoryTokenStore({ [KEY]: FIRST }),
    pingTimeoutDisabled: true, // the fake server sends no pings over these ten minutes
    ...options,
  });
  setup.client.connect();
  const socket = setup.ws.last().handshake({ isAuthenticated: true });
  const authenticates = () => socket.packets.filter((p) => p.event === '#authenticate');
  return { ...setup, socket, authenticates };
}

describe('tokenRefresh()', () => {
  it('throws a TypeError without a function, and a RangeError for a margin a timer cannot take', () => {
    expect(() => tokenRefresh(undefined as never)).toThrow(
      new TypeError('tokenRefresh() needs a function that fetches a token'),
    );
    for (const margin of [-1, Number.NaN, 2 ** 31]) {
      expect(() => tokenRefresh(() => of(SECOND), { margin })).toThrow(RangeError);
    }
    expect(() => tokenRefresh(() => of(SECOND), { margin: 0 })).not.toThrow();
  });

  it('is what refreshes: a client without it sends no #authenticate as its token nears expiry', async () => {
    const { client, authenticates, errors } = signedIn();
    expect(client.authState).toMatchObject({ state: 'authenticated', token: FIRST });
    await jest.advanceTimersByTimeAsync(DUE + 60_000);
    expect(authenticates()).toEqual([]);
    expect(errors).toEqual([]);
    client.close();
  });

  it.each([
    ['after', (log: Logger) => [logging({ level: 'trace', logger: log }), tokenRefresh(() => of(SECOND))]],
    ['before', (log: Logger) => [tokenRefresh(() => of(SECOND)), logging({ level: 'trace', logger: log })]],
  ])(
    'refreshes %s logging() in `features`, whose trace shows the #authenticate, redacted',
    async (_, features) => {
      const lines: unknown[][] = [];
      const logger: Logger = {
        error: () => undefined,
        warn: () => undefined,
        info: () => undefined,
        debug: (...line: unknown[]) => lines.push(line),
      };
      const { client, socket, authenticates } = signedIn({ features: features(logger) });
      await jest.advanceTimersByTimeAsync(DUE);
      const [sent] = authenticates();
      expect(sent).toMatchObject({ data: SECOND });
      socket.receive({ rid: sent!.cid, data: { isAuthenticated: true } });
      expect(client.authState).toMatchObject({ state: 'authenticated', token: SECOND });
      const traced = lines.find(([message]) =>
        String(message).startsWith('[rx-socketcluster] > #authenticate'),
      );
      expect(traced?.[1]).toMatchObject({ event: '#authenticate', data: '[redacted]' });
      expect(JSON.stringify(lines)).not.toContain(SECOND);
      client.close();
    },
  );
});
