import type { ConnectionError, HandshakeError } from '../errors';
import { quote } from '../internal/quote';

/** What a {@link UrlPicker} is told about the attempt it picks an endpoint for. */
export interface UrlPickContext {
  /** Attempts since the last successful handshake, this one included (1 for the first). */
  readonly attempt: number;
  /** The endpoint of the previous attempt, `undefined` for the very first. */
  readonly previous: string | undefined;
  /** How the previous attempt or connection ended, when it failed or was lost (absent after `disconnect()`). */
  readonly error: ConnectionError | HandshakeError | undefined;
}

/** Picks the endpoint of each connection attempt (the function form of the `urls` option). */
export type UrlPicker = (context: UrlPickContext) => string;

/** The endpoints of a client: a list rotated through, or a picker. @internal */
export type Endpoints = UrlPicker | readonly string[];

const SCHEMES: Readonly<Record<string, string>> = {
  'ws:': 'ws:',
  'wss:': 'wss:',
  'http:': 'ws:',
  'https:': 'wss:',
};

/**
 * Turns `http(s):` into `ws(s):` and checks the URL.
 * @throws TypeError when it is not a ws(s) or http(s) URL.
 * @internal
 */
export function normalizeUrl(url: string): string {
  if (typeof url !== 'string' || url === '') throw new TypeError('The `url` option is required');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Invalid url: ${quote(url)}`);
  }
  const scheme = SCHEMES[parsed.protocol];
  if (!scheme) throw new TypeError(`The url must use ws:, wss:, http: or https:, got ${parsed.protocol}`);
  parsed.protocol = scheme;
  // The caller's own string when it is already in normal form: clients made with one URL share it.
  return parsed.href === url ? url : parsed.href;
}

/**
 * The endpoints of the `url` and `urls` options: the picker (its results normalized per attempt), or the
 * normalized list.
 * @throws TypeError for an empty list.
 * @internal
 */
export function toEndpoints(
  urls: readonly string[] | UrlPicker | undefined,
  list: readonly string[],
): Endpoints {
  if (typeof urls === 'function') return (context) => normalizeUrl(urls(context));
  if (list.length === 0) throw new TypeError('The `urls` option needs at least one URL');
  return list;
}

/**
 * The endpoint of the next attempt: the picker's choice, or the list's next entry after a failure (the same one
 * otherwise), round the list.
 * @internal
 */
export function pickEndpoint(endpoints: Endpoints, context: UrlPickContext): string {
  if (typeof endpoints === 'function') return endpoints(context);
  const { previous, error } = context;
  const index = previous === undefined ? 0 : endpoints.indexOf(previous) + (error ? 1 : 0);
  return endpoints[index % endpoints.length] as string;
}
