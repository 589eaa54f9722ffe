import { timingSafeEqual } from 'node:crypto';
import type { User, UserStore } from '../store/user-store.js';
import { TokenRefusedError } from './auth-errors.js';
import type { TokenService } from './tokens.js';

// The one check behind refresh, logout and the reusable plugin: a token is good while its
// signature and expiry verify, its user exists and is not locked, its jti is the user's current
// one, and that jti is younger than the session max age.

export type Authenticate = (token: string) => Promise<User>;

export interface AuthenticateDeps {
  readonly store: UserStore;
  readonly tokens: TokenService;
  /**
   * How long one jti may live. Refresh keeps the jti, so without this bound a stolen token could
   * be renewed forever; past it, tokens are refused and the next login spins a fresh jti.
   */
  readonly sessionMaxAgeSeconds: number;
  readonly now?: () => number;
}

function sameJti(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether the user's current jti has outlived the session max age. */
export function sessionTooOld(user: User, sessionMaxAgeSeconds: number, nowMs: number): boolean {
  return nowMs - user.jtiIssuedAt.getTime() >= sessionMaxAgeSeconds * 1000;
}

export function createAuthenticator({ store, tokens, sessionMaxAgeSeconds, now = Date.now }: AuthenticateDeps): Authenticate {
  return async (token) => {
    const verified = tokens.verify(token);
    if (!verified.ok) throw new TokenRefusedError(verified.reason);
    const user = await store.findUserById(verified.claims.sub);
    if (!user || user.locked || !sameJti(user.jti, verified.claims.jti)) throw new TokenRefusedError('token_revoked');
    if (sessionTooOld(user, sessionMaxAgeSeconds, now())) throw new TokenRefusedError('session_too_old');
    return user;
  };
}
