/** What stands in for a secret in the log. */
export const REDACTED = '[redacted]';

/** Names of fields that hold credentials: `token`, `authToken`, `signedAuthToken`, `password`, `secret`... */
const SECRET_NAME = /token|jwt|authorization|password|secret/i;

/**
 * A JWT anywhere in a string (three base64url segments, the first a JSON header, so `eyJ`), and the value of a URL
 * query parameter with a secret's name: both are cut out of every string logged, messages and reasons included.
 * (The parameter's name is kept through a group rather than a lookbehind, which Safari before 16.4 cannot parse.)
 */
const SECRET_TEXT =
  /eyJ[\w-]+\.[\w-]*\.[\w-]*|([?&][\w.-]*(?:token|jwt|authorization|password|secret)[\w.-]*=)[^&#\s]+/gi;

const hide = (_match: string, parameter: string | undefined) => (parameter ?? '') + REDACTED;

/** Deeper than this, a value is not copied (a log line needs no more, and it bounds a cycle). */
const MAX_DEPTH = 12;

/**
 * A copy of `value` fit for a log: every field with a secret's name replaced, every JWT-looking string cut out,
 * binary data shown as its size, stacks left out, errors turned into plain objects (name, message, own fields and
 * cause). It never throws and never changes `value`.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_TEXT, hide);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[...]';
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  // An error's name, message and cause are not enumerable (on most errors): they are read one by one.
  const source = (
    value instanceof Error
      ? Object.assign({ name: value.name, message: value.message }, value, { cause: value.cause })
      : value
  ) as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key !== 'stack' && source[key] !== undefined)
      copy[key] = SECRET_NAME.test(key) ? REDACTED : redact(source[key], depth + 1);
  }
  return copy;
}
