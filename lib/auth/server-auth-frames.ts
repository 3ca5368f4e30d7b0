import type { Observable, Subscription } from 'rxjs';
import type { Codec } from '../codec/codec';
import type { Session } from '../connection/session';
import { ProtocolError, type ScClientError } from '../errors';
import type { Candidate } from './token-claims';

/** What the server's auth frames need of the auth controller. @internal */
export interface ServerAuthHost {
  /** The token and claims when the client can use the token, else `undefined` (it reports why). */
  checkServerToken(token: string): Observable<Candidate | undefined>;
  /** Authenticates with a checked token and stores it. */
  acceptServerToken(candidate: Candidate): void;
  /** Signs out on both sides. */
  deauthenticate(): void;
  /** Forgets the token (the server removed it). */
  forget(): void;
  report(error: ScClientError): void;
}

/** The check of a server-set token still running (with a verifier), and how to answer it if it is cancelled. */
interface Check {
  readonly subscription: Subscription;
  readonly cid: number | undefined;
  readonly session: Session | undefined;
}

/**
 * The server's `#setAuthToken` and `#removeAuthToken`, applied in their order and answered when the server asked
 * for an answer (a `cid`). With a verifier a set token is checked before it is used; a newer frame (or a sign-out)
 * cancels a check still running.
 * @internal
 */
export class ServerAuthFrames {
  readonly #codec: Codec;
  readonly #host: ServerAuthHost;
  #check: Check | undefined;

  constructor(codec: Codec, host: ServerAuthHost) {
    this.#codec = codec;
    this.#host = host;
  }

  /** Handles the server's `#setAuthToken`: the token is stored and the client authenticated. */
  onSetAuthToken(data: unknown, cid: number | undefined, session: Session | undefined): void {
    const token = (data as { token?: unknown } | null | undefined)?.token;
    if (typeof token !== 'string' || token === '') {
      this.#host.report(new ProtocolError('malformed-packet', 'Received #setAuthToken without a token'));
      this.#answer(cid, session, {
        name: 'InvalidMessageError',
        message: 'No token data provided by #setAuthToken event',
      });
      return;
    }
    this.cancel(true);
    const subscription = this.#host.checkServerToken(token).subscribe((candidate) => {
      this.#check = undefined;
      if (candidate) {
        this.#host.acceptServerToken(candidate);
        this.#answer(cid, session);
      } else {
        this.#answer(cid, session, {
          name: 'AuthTokenInvalidError',
          message: 'The client could not use the token',
        });
        // The server now holds a token the client refuses: sign out on both sides rather than disagree.
        this.#host.deauthenticate();
      }
    });
    // Without a verifier the check is over already.
    if (!subscription.closed) this.#check = { subscription, cid, session };
  }

  /** Handles the server's `#removeAuthToken`. */
  onRemoveAuthToken(_data: unknown, cid: number | undefined, session: Session | undefined): void {
    this.cancel(true);
    this.#host.forget();
    this.#answer(cid, session);
  }

  /** Cancels a check still running; with `answer`, tells the server its token was superseded. */
  cancel(answer: boolean): void {
    const check = this.#check;
    if (!check) return;
    this.#check = undefined;
    check.subscription.unsubscribe();
    if (answer) {
      this.#answer(check.cid, check.session, {
        name: 'AuthError',
        message: 'A later auth change superseded the token',
      });
    }
  }

  #answer(cid: number | undefined, session: Session | undefined, error?: object): void {
    if (cid === undefined || !session) return;
    session.send(this.#codec.encode(error ? { rid: cid, error } : { rid: cid }));
  }
}
