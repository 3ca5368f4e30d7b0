import type { Codec } from '../codec/codec';
import {
  CodecError,
  ConnectionError,
  ScClientError,
  toErrorRecord,
  type AnyScError,
  type ErrorRecord,
} from '../errors';
import type { SharedOptions } from './messages';

/**
 * Why a hub turns a tab away, as a typed error: the shared worker lacks the codec the tab's client uses (`held`
 * absent), or the shared connection already speaks another codec (`held`, the first tab's). The tab reports it on
 * `errors$` and holds a connection of its own.
 * @internal
 */
export function codecRefusal(name: string, held?: string): CodecError {
  const message =
    held === undefined
      ? `The shared worker has no codec named "${name}": pass the same codec to serveSharedWorker({ codecs }) in the worker's script`
      : `This client uses the codec "${name}" but the shared connection uses "${held}": give every tab's client the same codec`;
  const error = new CodecError(`${message}. This tab holds a connection of its own meanwhile.`);
  return Object.assign(error, { codec: name });
}

/** Throws the refusal of a tab whose codec is not the one the hub's connection speaks (a shared worker's tabs). */
export function checkCodec(codec: Codec, options: SharedOptions | undefined): void {
  if (options && options.codec !== codec.name) throw codecRefusal(options.codec, codec.name);
}

/**
 * A failure to make the hub's engine for a tab, as a record that crosses a port: a typed error as it is, anything
 * else as a `ConnectionError` (1011) that carries its message (not the error itself, which may not clone).
 * @internal
 */
export function refusalRecord(error: unknown): ErrorRecord {
  if (error instanceof ScClientError) return toErrorRecord(error as AnyScError);
  const reason = error instanceof Error ? error.message : String(error);
  return toErrorRecord(
    new ConnectionError(1011, `The shared connection could not be made: ${reason}`, 'connectAbort'),
  );
}
