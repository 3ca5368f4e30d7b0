/**
 * Where the client keeps the signed auth token between connections (and, with `localStorage`, between page loads).
 * Each method may answer synchronously or with a Promise.
 *
 * @example
 * ```ts
 * // Keep the token in an encrypted store of your own.
 * const store: TokenStore = {
 *   load: (key) => secureStorage.get(key),
 *   save: (key, token) => secureStorage.set(key, token),
 *   remove: (key) => secureStorage.delete(key),
 * };
 * createClient({ url, tokenStore: store });
 * ```
 */
export interface TokenStore {
  /** The token stored under `key`, or `null`. */
  load(key: string): string | null | Promise<string | null>;
  /** Stores `token` under `key`. */
  save(key: string, token: string): void | Promise<void>;
  /** Removes the token stored under `key`. */
  remove(key: string): void | Promise<void>;
}

/**
 * A token store in memory: the default in Node. Tokens last as long as the store object.
 *
 * @param initial - Tokens to start with, by key.
 */
export function memoryTokenStore(initial?: Readonly<Record<string, string>>): TokenStore {
  return new MemoryTokenStore(initial);
}

// A class, not an object of closures: every Node client has one by default.
class MemoryTokenStore implements TokenStore {
  #tokens: Map<string, string> | undefined;

  constructor(initial: Readonly<Record<string, string>> | undefined) {
    if (initial) this.#tokens = new Map(Object.entries(initial));
  }

  load(key: string): string | null {
    return this.#tokens?.get(key) ?? null;
  }

  save(key: string, token: string): void {
    (this.#tokens ??= new Map()).set(key, token);
  }

  remove(key: string): void {
    this.#tokens?.delete(key);
  }
}

/** The part of the Web Storage API the store uses. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function usable(storage: StorageLike | undefined): storage is StorageLike {
  if (storage === undefined) return false;
  try {
    // Safari's private mode (and a full quota) make writes throw.
    storage.setItem('__scLocalStorageTest', '1');
    storage.removeItem('__scLocalStorageTest');
    return true;
  } catch {
    return false;
  }
}

/**
 * A token store in `localStorage` (or another Web Storage): the default in browsers. Where the storage is missing
 * or refuses writes (Safari's private mode), the token is kept in memory instead.
 *
 * Anything that runs on the page can read `localStorage`: an XSS flaw exposes the token. See docs/auth.md.
 *
 * @param storage - The storage. Default: `globalThis.localStorage`.
 */
export function localStorageTokenStore(storage?: StorageLike): TokenStore {
  const target = storage ?? (globalThis as { localStorage?: StorageLike }).localStorage;
  if (!usable(target)) return memoryTokenStore();
  const fallback = memoryTokenStore();
  return {
    load: (key) => {
      try {
        return target.getItem(key) ?? fallback.load(key);
      } catch {
        return fallback.load(key);
      }
    },
    save: (key, token) => {
      try {
        target.setItem(key, token);
      } catch {
        // A full quota: keep the token in memory, and drop the older one so that load() does not prefer it.
        try {
          target.removeItem(key);
        } catch {
          // The storage refuses everything; memory alone holds the token.
        }
        return fallback.save(key, token);
      }
    },
    remove: (key) => {
      try {
        target.removeItem(key);
      } finally {
        void fallback.remove(key);
      }
    },
  };
}

/** `localStorage` where it works, else memory. @internal */
export function defaultTokenStore(): TokenStore {
  return localStorageTokenStore();
}

/**
 * The storage key of the official client, so that applications moving to this client keep their users signed in:
 * `socketcluster.authToken.<host>:<port>`, the port being the URL's or the scheme's default (80 or 443).
 * @internal
 */
export function defaultTokenKey(url: string | undefined): string {
  if (url === undefined) return 'socketcluster.authToken';
  const { hostname, port, protocol } = new URL(url);
  // Joined, not a template literal: V8 keeps a literal's pieces and their joins (about 150 B per client, for as long
  // as the client lives); `join` makes one flat string of about 60 B.
  return ['socketcluster.authToken.', hostname, ':', port || (protocol === 'wss:' ? '443' : '80')].join('');
}
