/** The most characters of a caller's or a peer's string that an error message repeats. */
export const QUOTE_LIMIT = 64;

function cut(value: string): string {
  // Do not split a surrogate pair.
  const code = value.charCodeAt(QUOTE_LIMIT - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? QUOTE_LIMIT - 1 : QUOTE_LIMIT);
}

/**
 * Quotes a string that came from a caller or the server (an event, procedure or channel name, a URL) for an error
 * message: in single quotes, cut after {@link QUOTE_LIMIT} characters with an ellipsis and the full length, so that
 * a 1 MB name does not make a 1 MB message. Errors that have a field for the value (`event`, `channel`) keep it
 * whole there; only the message is bounded.
 */
export function quote(value: string): string {
  return value.length <= QUOTE_LIMIT ? `'${value}'` : `'${cut(value)}…' (${value.length} characters)`;
}

/** {@link quote} without the quotes, for free text (a kick-out message) at the end of an error message. */
export function clip(value: string): string {
  return value.length <= QUOTE_LIMIT ? value : `${cut(value)}… (${value.length} characters)`;
}
