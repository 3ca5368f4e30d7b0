import { RemoteError } from '../errors';

/**
 * Rebuilds an error sent by the server (`{ message, name, ...fields }`) as a {@link RemoteError}, keeping the
 * name, the message and every other field. Returns `undefined` for `null` / `undefined` (binary codecs send
 * `error: null` on every successful response).
 */
export function hydrateError(wire: unknown): RemoteError | undefined {
  if (wire == null) return undefined;
  if (typeof wire !== 'object') {
    const message =
      typeof wire === 'string' || typeof wire === 'number' || typeof wire === 'boolean'
        ? `${wire}`
        : 'Invalid error message format';
    return new RemoteError(message, 'Error', {});
  }
  const { message, name, ...details } = wire as Record<string, unknown>;
  return new RemoteError(
    typeof message === 'string' ? message : 'Invalid error message format',
    typeof name === 'string' ? name : 'Error',
    details,
  );
}

/**
 * Serialises an error for the server the way SocketCluster peers do: `message`, `name`, and the error's own
 * enumerable fields. Non-error values are sent as they are.
 */
export function dehydrateError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const wire: Record<string, unknown> = { name: err.name, message: err.message };
  for (const key of Object.keys(err)) {
    const value = (err as unknown as Record<string, unknown>)[key];
    if (typeof value !== 'function') wire[key] = value;
  }
  if (err instanceof RemoteError) {
    wire.name = err.remoteName;
    delete wire.remoteName;
    delete wire.details;
    delete wire.code;
    Object.assign(wire, err.details);
  }
  return wire;
}
