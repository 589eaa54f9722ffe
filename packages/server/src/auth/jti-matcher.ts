import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { User } from '../store/users.js';

// Revocation as devise-jwt's JTIMatcher strategy: each user has one current jti, every token
// carries one, and a token is revoked once its jti is no longer the user's. Two operations, the
// check (devise-jwt's jwt_revoked?) and the spin (revoke_jwt), so logout, login's renewal of an
// old session and the CLI's revoke all revoke the same way.

export interface JtiMatcher {
  /** Whether `jti` is the user's current one: the token is not revoked. Constant-time. */
  isCurrent(user: User, jti: string): boolean;
  /**
   * Gives the user a new jti in one atomic update and returns it: every token issued before is
   * refused from now on, on every node sharing the store.
   */
  spin(userId: number): Promise<string>;
}

/** A fresh jti: what every new user, spin and password change gets. */
export const randomJti = (): string => randomUUID();

export interface JtiMatcherOptions {
  /** Where new jtis come from; injectable so tests can know the next one. */
  readonly newJti?: () => string;
}

/** Compares in time that depends on the lengths only, so a wrong guess learns nothing of the jti. */
function sameJti(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createJtiMatcher(store: Pick<Store, 'users'>, { newJti = randomJti }: JtiMatcherOptions = {}): JtiMatcher {
  return {
    isCurrent: (user, jti) => sameJti(user.jti, jti),
    async spin(userId) {
      const jti = newJti();
      await store.users.rotateJti(userId, jti);
      return jti;
    },
  };
}
