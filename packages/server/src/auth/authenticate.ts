import type { Store } from '../store/store.js';
import type { User } from '../store/users.js';
import { TokenRefusedError } from './auth-errors.js';
import type { JtiMatcher } from './jti-matcher.js';
import type { TokenClaims, TokenService } from './tokens.js';
import { isLockedAt } from './user-lock.js';

// The one check behind GET and DELETE /v1/session and the reusable plugin, in two steps as
// fastify-jwt has them: verify (signature, expiry, claims), then "is it still trusted?" (the user
// exists and is not locked, the token's jti is the user's current one, and that jti is younger
// than the session max age).

export type Authenticate = (token: string) => Promise<User>;

export interface AuthenticateDeps {
  readonly store: Pick<Store, 'users'>;
  readonly tokens: TokenService;
  readonly jtis: JtiMatcher;
  /**
   * How long one jti may live. Refresh keeps the jti, so without this bound a stolen token could
   * be renewed forever; past it, tokens are refused and the next login spins a fresh jti.
   */
  readonly sessionMaxAgeSeconds: number;
  readonly now?: () => number;
}

/** Whether the user's current jti has outlived the session max age. */
export function sessionTooOld(user: User, sessionMaxAgeSeconds: number, nowMs: number): boolean {
  return nowMs - user.jtiIssuedAt.getTime() >= sessionMaxAgeSeconds * 1000;
}

export function createAuthenticator({ store, tokens, jtis, sessionMaxAgeSeconds, now = Date.now }: AuthenticateDeps): Authenticate {
  /** The second step: whether a verified token still speaks for its user. */
  async function trustedUser(claims: TokenClaims): Promise<User> {
    const user = await store.users.findUserById(claims.sub);
    if (!user || isLockedAt(user.lock, now()) || !jtis.isCurrent(user, claims.jti)) throw new TokenRefusedError('token_revoked');
    if (sessionTooOld(user, sessionMaxAgeSeconds, now())) throw new TokenRefusedError('session_too_old');
    return user;
  }

  return async (token) => {
    const verified = tokens.verify(token);
    if (!verified.ok) throw new TokenRefusedError(verified.reason);
    return trustedUser(verified.claims);
  };
}
