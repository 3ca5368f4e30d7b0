import { memoryTokenStore, type TokenStore } from '../../lib/auth/token-store';
import { TokenWriter } from '../../lib/auth/token-writer';
import { TokenStoreError, type ScClientError } from '../../lib/errors';

// The token writer: store operations one after another, synchronous stores kept synchronous, failures reported.

const KEY = 'socketcluster.authToken.example.test:80';

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

/** A store whose operations each take `delays[operation]` ms of (fake) time; every step is logged. */
function slowStore(delays: { load?: number; save?: number; remove?: number }) {
  let value: string | null = null;
  const log: string[] = [];
  const after = (ms: number) =>
    ms === 0 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, ms));
  const store: TokenStore = {
    load: async () => {
      log.push('load');
      await after(delays.load ?? 0);
      return value;
    },
    save: async (_key, token) => {
      log.push(`save ${token} start`);
      await after(delays.save ?? 0);
      value = token;
      log.push(`save ${token} done`);
    },
    remove: async () => {
      log.push('remove start');
      await after(delays.remove ?? 0);
      value = null;
      log.push('remove done');
    },
  };
  return { store, log, value: () => value };
}

function writerOf(store: TokenStore) {
  const reported: ScClientError[] = [];
  const writer = new TokenWriter(store, KEY, { report: (error) => reported.push(error) });
  return { writer, reported };
}

/** Subscribes to `load()` and records what it emits and how it ends. */
function loadInto(writer: TokenWriter) {
  const result: { values: (string | null)[]; error?: unknown; done: boolean } = { values: [], done: false };
  writer.load().subscribe({
    next: (v) => result.values.push(v),
    error: (e: unknown) => (result.error = e),
    complete: () => (result.done = true),
  });
  return result;
}

describe('ordering', () => {
  it('runs a remove after a slow save, so the remove wins', async () => {
    const { store, log, value } = slowStore({ save: 50, remove: 1 });
    const { writer } = writerOf(store);
    writer.save('A');
    writer.remove();
    expect(log).toEqual(['save A start']); // the remove waits
    await jest.advanceTimersByTimeAsync(49);
    expect(log).toEqual(['save A start']);
    await jest.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['save A start', 'save A done', 'remove start']);
    await jest.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['save A start', 'save A done', 'remove start', 'remove done']);
    expect(value()).toBeNull();
  });

  it('runs a save after a slow remove, so the save wins, and keeps several writes in call order', async () => {
    const { store, log, value } = slowStore({ save: 5, remove: 30 });
    const { writer } = writerOf(store);
    writer.remove();
    writer.save('B');
    writer.save('C');
    await jest.advanceTimersByTimeAsync(100);
    expect(log).toEqual([
      'remove start',
      'remove done',
      'save B start',
      'save B done',
      'save C start',
      'save C done',
    ]);
    expect(value()).toBe('C');
  });

  it('lets load wait for pending writes', async () => {
    const { store, log } = slowStore({ save: 50, remove: 20 });
    const { writer } = writerOf(store);
    writer.save('A');
    const first = loadInto(writer);
    await jest.advanceTimersByTimeAsync(49);
    expect(first).toEqual({ values: [], done: false });
    expect(log).toEqual(['save A start']); // not even read yet
    await jest.advanceTimersByTimeAsync(1);
    expect(first).toEqual({ values: ['A'], done: true });

    writer.remove();
    const second = loadInto(writer);
    await jest.advanceTimersByTimeAsync(19);
    expect(second.values).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(second).toEqual({ values: [null], done: true });
    expect(log).toEqual(['save A start', 'save A done', 'load', 'remove start', 'remove done', 'load']);
  });

  it('goes on with the queue after a failed write', async () => {
    let value: string | null = 'A';
    const store: TokenStore = {
      load: () => Promise.resolve(value),
      save: (_key, token) =>
        new Promise<void>((resolve, reject) =>
          setTimeout(
            () => (token === 'B' ? reject(new Error('disk full')) : resolve(void (value = token))),
            10,
          ),
        ),
      remove: () => void (value = null),
    };
    const { writer, reported } = writerOf(store);
    writer.save('B'); // fails after 10 ms
    writer.remove(); // still runs, after it
    writer.save('C');
    await jest.advanceTimersByTimeAsync(10);
    expect(value).toBeNull();
    await jest.advanceTimersByTimeAsync(10);
    expect(value).toBe('C');
    expect(reported).toEqual([new TokenStoreError('save')]);
    const loaded = loadInto(writer);
    await jest.advanceTimersByTimeAsync(0);
    expect(loaded).toEqual({ values: ['C'], done: true });
  });
});

describe('synchronous stores', () => {
  it('are written and read synchronously', () => {
    const store = memoryTokenStore();
    const { writer, reported } = writerOf(store);
    writer.save('A');
    expect(store.load(KEY)).toBe('A');
    expect(loadInto(writer)).toEqual({ values: ['A'], done: true });
    writer.remove();
    expect(store.load(KEY)).toBeNull();
    expect(loadInto(writer)).toEqual({ values: [null], done: true });
    expect(reported).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('wait behind a pending asynchronous write, then are synchronous again', async () => {
    let value: string | null = null;
    const removes: number[] = [];
    const store: TokenStore = {
      load: () => value,
      save: (_key, token) =>
        new Promise<void>((resolve) => setTimeout(() => resolve(void (value = token)), 10)),
      remove: () => {
        removes.push(Date.now());
        value = null;
      },
    };
    const { writer } = writerOf(store);
    writer.save('A');
    writer.remove();
    expect(removes).toEqual([]); // queued behind the save
    await jest.advanceTimersByTimeAsync(10);
    expect(removes).toHaveLength(1);
    expect(value).toBeNull();
    writer.remove(); // nothing pending now
    expect(removes).toHaveLength(2);
    expect(loadInto(writer)).toEqual({ values: [null], done: true });
  });

  it('treat an empty or missing token as none', () => {
    for (const stored of ['', undefined]) {
      const store: TokenStore = {
        load: () => stored as string | null,
        save: () => undefined,
        remove: () => undefined,
      };
      expect(loadInto(writerOf(store).writer)).toEqual({ values: [null], done: true });
    }
  });
});

describe('failures', () => {
  it('report a TokenStoreError with the cause for a write that throws or rejects, without throwing', async () => {
    const thrown = new Error('quota exceeded');
    const rejected = new Error('disk gone');
    const store: TokenStore = {
      load: () => null,
      save: () => {
        throw thrown;
      },
      remove: () => Promise.reject(rejected),
    };
    const { writer, reported } = writerOf(store);
    expect(() => writer.save('A')).not.toThrow();
    expect(reported).toHaveLength(1);
    expect(() => writer.remove()).not.toThrow();
    await jest.advanceTimersByTimeAsync(0);
    expect(reported).toEqual([new TokenStoreError('save'), new TokenStoreError('remove')]);
    expect(reported).toMatchObject([
      { code: 'TOKEN_STORE_FAILED', operation: 'save', cause: thrown },
      { code: 'TOKEN_STORE_FAILED', operation: 'remove', cause: rejected },
    ]);
    expect(reported[0]).toBeInstanceOf(TokenStoreError);
  });

  it('error load() with the TokenStoreError it reports, for a throwing or rejecting load', async () => {
    for (const load of [
      () => {
        throw new Error('no access');
      },
      () => Promise.reject(new Error('no access')),
    ]) {
      const { writer, reported } = writerOf({ load, save: () => undefined, remove: () => undefined });
      const result = loadInto(writer);
      await jest.advanceTimersByTimeAsync(0);
      expect(result.values).toEqual([]);
      expect(result.error).toBeInstanceOf(TokenStoreError);
      expect(result.error).toMatchObject({ operation: 'load', cause: new Error('no access') });
      expect(reported).toEqual([result.error]);
    }
  });
});
