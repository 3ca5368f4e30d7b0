import {
  defaultTokenKey,
  localStorageTokenStore,
  memoryTokenStore,
  type StorageLike,
  type TokenStore,
} from '../../lib/auth/token-store';
import { fakeClient } from '../support/fake-client';
import { fakeJwt } from '../support/jwt';

// The token stores and the default storage key.

// socketcluster-client ships no types; only its default storage key is used here. It requires uuid, which is
// ESM-only and not transformed for jest: its clientId does not matter here.
jest.mock('uuid', () => ({ v4: () => 'client-id' }));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const officialClient = require('socketcluster-client') as {
  create(options: Record<string, unknown>): { authTokenName: string; uri(): string; disconnect(): void };
};

/** A Web Storage stand-in that records each call and can be told to refuse writes. */
/** The store's methods, checked to answer synchronously (as the memory and localStorage stores must). */
function synchronous(store: TokenStore) {
  return {
    load(key: string): string | null {
      const token = store.load(key);
      if (token !== null && typeof token !== 'string') throw new Error('load() did not answer synchronously');
      return token;
    },
    save(key: string, token: string): void {
      if (store.save(key, token) !== undefined) throw new Error('save() did not answer synchronously');
    },
    remove(key: string): void {
      if (store.remove(key) !== undefined) throw new Error('remove() did not answer synchronously');
    },
  };
}

class FakeStorage implements StorageLike {
  readonly items = new Map<string, string>();
  readonly calls: string[] = [];
  refuseWrites = false;

  getItem(key: string): string | null {
    this.calls.push(`get ${key}`);
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.calls.push(`set ${key}`);
    if (this.refuseWrites) {
      // What Safari's private mode (and a full quota) throw.
      throw Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    }
    this.items.set(key, value);
  }

  removeItem(key: string): void {
    this.calls.push(`remove ${key}`);
    this.items.delete(key);
  }
}

describe('memoryTokenStore', () => {
  it('saves, loads and removes tokens by key, synchronously', () => {
    const store = synchronous(memoryTokenStore());
    expect(store.load('a')).toBeNull();
    store.save('a', 'token-a');
    store.save('b', 'token-b');
    expect(store.load('a')).toBe('token-a');
    expect(store.load('b')).toBe('token-b');
    store.save('a', 'token-a2');
    expect(store.load('a')).toBe('token-a2');
    store.remove('a');
    expect(store.load('a')).toBeNull();
    expect(store.load('b')).toBe('token-b');
    store.remove('missing'); // removing nothing is fine
  });

  it('starts with the initial tokens, and copies them', () => {
    const initial = { k: 'token-k' };
    const store = synchronous(memoryTokenStore(initial));
    expect(store.load('k')).toBe('token-k');
    store.remove('k');
    expect(store.load('k')).toBeNull();
    expect(initial).toEqual({ k: 'token-k' });
  });

  it('keeps separate tokens per store', () => {
    const one = synchronous(memoryTokenStore());
    const two = synchronous(memoryTokenStore());
    one.save('k', 'token');
    expect(two.load('k')).toBeNull();
  });
});

describe('localStorageTokenStore', () => {
  it('keeps tokens in the storage, leaving no probe key behind', () => {
    const storage = new FakeStorage();
    const store = synchronous(localStorageTokenStore(storage));
    expect(storage.items.size).toBe(0);
    store.save('k', 'token');
    expect(storage.items.get('k')).toBe('token');
    expect(store.load('k')).toBe('token');
    store.remove('k');
    expect(storage.items.has('k')).toBe(false);
    expect(store.load('k')).toBeNull();
    expect(storage.calls).toEqual([
      'set __scLocalStorageTest', // the probe, as the official client's
      'remove __scLocalStorageTest',
      'set k',
      'get k',
      'remove k',
      'get k',
    ]);
  });

  it('reads tokens that are already in the storage (another tab, the official client)', () => {
    const storage = new FakeStorage();
    storage.items.set('socketcluster.authToken.example.com:443', 'old-token');
    expect(localStorageTokenStore(storage).load('socketcluster.authToken.example.com:443')).toBe('old-token');
  });

  it('falls back to memory when the storage refuses writes, as in Safari private mode', () => {
    const storage = new FakeStorage();
    storage.refuseWrites = true;
    const store = synchronous(localStorageTokenStore(storage));
    expect(() => store.save('k', 'token')).not.toThrow();
    expect(store.load('k')).toBe('token');
    store.remove('k');
    expect(store.load('k')).toBeNull();
    // After the failed probe the storage is not touched again.
    expect(storage.calls).toEqual(['set __scLocalStorageTest']);
    expect(storage.items.size).toBe(0);
  });

  it('keeps a token in memory when a write fails later (a full quota), and removes it from both', () => {
    const storage = new FakeStorage();
    const store = synchronous(localStorageTokenStore(storage));
    storage.refuseWrites = true;
    expect(() => store.save('k', 'token')).not.toThrow();
    expect(storage.items.has('k')).toBe(false);
    expect(store.load('k')).toBe('token');
    store.remove('k');
    expect(store.load('k')).toBeNull();
  });

  it('does not let an older token in the storage shadow a newer one kept in memory', () => {
    const storage = new FakeStorage();
    const store = synchronous(localStorageTokenStore(storage));
    store.save('k', 'older');
    storage.refuseWrites = true; // the quota fills up
    store.save('k', 'newer');
    expect(store.load('k')).toBe('newer');
    store.remove('k');
    expect(store.load('k')).toBeNull();
  });

  it('uses memory when there is no storage at all', () => {
    const global = globalThis as { localStorage?: StorageLike };
    expect(global.localStorage).toBeUndefined(); // Node
    const store = synchronous(localStorageTokenStore(undefined));
    store.save('k', 'token');
    expect(store.load('k')).toBe('token');
    store.remove('k');
    expect(store.load('k')).toBeNull();
  });

  it('uses globalThis.localStorage by default', () => {
    const global = globalThis as { localStorage?: StorageLike };
    const storage = new FakeStorage();
    global.localStorage = storage;
    try {
      synchronous(localStorageTokenStore()).save('k', 'token');
    } finally {
      delete global.localStorage;
    }
    expect(storage.items.get('k')).toBe('token');
  });
});

describe('defaultTokenKey', () => {
  it.each([
    ['ws://example.com/socketcluster/', 'socketcluster.authToken.example.com:80'],
    ['wss://example.com/socketcluster/', 'socketcluster.authToken.example.com:443'],
    ['ws://example.com:80/socketcluster/', 'socketcluster.authToken.example.com:80'],
    ['wss://example.com:443/socketcluster/', 'socketcluster.authToken.example.com:443'],
    ['ws://localhost:8000/socketcluster/', 'socketcluster.authToken.localhost:8000'],
    ['wss://example.com:8443/socketcluster/', 'socketcluster.authToken.example.com:8443'],
    ['ws://example.com:443/socketcluster/', 'socketcluster.authToken.example.com:443'],
    ['ws://127.0.0.1:8000/socketcluster/?x=1', 'socketcluster.authToken.127.0.0.1:8000'],
    ['ws://[::1]:8000/socketcluster/', 'socketcluster.authToken.[::1]:8000'],
    ['wss://[2001:db8::1]/socketcluster/', 'socketcluster.authToken.[2001:db8::1]:443'],
  ])('%s -> %s', (url, key) => {
    expect(defaultTokenKey(url)).toBe(key);
  });

  it.each([
    [{ hostname: 'example.com' }, 'ws://example.com/socketcluster/'],
    [{ hostname: 'example.com', secure: true }, 'wss://example.com/socketcluster/'],
    [{ hostname: 'localhost', port: 8000 }, 'ws://localhost:8000/socketcluster/'],
    [{ hostname: 'example.com', port: 8443, secure: true }, 'wss://example.com:8443/socketcluster/'],
    [{ hostname: 'example.com', port: 443, secure: true }, 'wss://example.com/socketcluster/'],
    [{ hostname: '127.0.0.1', port: 8000 }, 'ws://127.0.0.1:8000/socketcluster/'],
    // The official client needs the brackets in `hostname` to build a valid IPv6 URL.
    [{ hostname: '[::1]', port: 8000 }, 'ws://[::1]:8000/socketcluster/'],
  ])("matches socketcluster-client's authTokenName for %j", (options, url) => {
    const official = officialClient.create({ ...options, autoConnect: false });
    try {
      expect(official.uri()).toBe(url);
      expect(defaultTokenKey(url)).toBe(official.authTokenName);
    } finally {
      official.disconnect();
    }
  });

  it('is the key createClient uses by default: the stored token goes into the handshake', () => {
    const token = fakeJwt({ username: 'ann' });
    for (const url of [
      'ws://example.test/socketcluster/',
      'wss://example.test:8443/socketcluster/',
      'http://[::1]:8000/',
    ]) {
      const store = memoryTokenStore({ [defaultTokenKey(url.replace(/^http/, 'ws'))]: token });
      const { client, ws } = fakeClient({ url, tokenStore: store });
      client.connect();
      ws.last().open();
      expect(ws.last().packets[0]).toMatchObject({ event: '#handshake', data: { authToken: token } });
      client.close();
    }
  });

  it('gives way to the authTokenKey option', () => {
    const token = fakeJwt({ username: 'ann' });
    const store = memoryTokenStore({ 'my-key': token, 'socketcluster.authToken.example.test:80': 'other' });
    const { client, ws } = fakeClient({ tokenStore: store, authTokenKey: 'my-key' });
    client.connect();
    ws.last().open();
    expect(ws.last().packets[0]).toMatchObject({ event: '#handshake', data: { authToken: token } });
    client.close();
  });
});
