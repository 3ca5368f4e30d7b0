import type { RemoteError } from '../errors';
import { hydrateError } from '../protocol/remote-error';

/** The server's answer to `authenticate()`. */
export interface AuthenticateResult {
  /** Whether the server accepted the token. */
  readonly isAuthenticated: boolean;
  /** Why it did not, when it said (for example a middleware refusal). */
  readonly authError?: RemoteError;
}

/** Reads the server's answer to `#authenticate`: only a literal `true` means accepted. @internal */
export function readAuthenticateReply(reply: unknown): AuthenticateResult {
  const answer = reply as { isAuthenticated?: unknown; authError?: unknown } | null | undefined;
  if (answer?.isAuthenticated === true) return { isAuthenticated: true };
  const authError = hydrateError(answer?.authError);
  return authError ? { isAuthenticated: false, authError } : { isAuthenticated: false };
}
