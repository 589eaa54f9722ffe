import type { Store } from '../store/store.js';
import type { User } from '../store/users.js';
import { InvalidCredentialsError, LoginThrottledError } from './auth-errors.js';
import { sessionTooOld } from './authenticate.js';
import { emailKey } from './email.js';
import type { JtiMatcher } from './jti-matcher.js';
import { blockDurationMs, retryAfterSeconds } from './login-throttle.js';
import type { PasswordHasher } from './passwords.js';
import type { IssuedToken, TokenService } from './tokens.js';
import { isLockedAt } from './user-lock.js';

// Login, refresh and logout as plain functions over a store: no HTTP in here. Refresh and logout
// act on a user the authenticator (authenticate.ts) has already let through.

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** A token and whose it is (for the audit trail; never sent on the wire). */
export interface UserToken extends IssuedToken {
  readonly userId: number;
}

export interface SessionService {
  /** Throws InvalidCredentialsError, or LoginThrottledError with the seconds to wait. */
  login(credentials: Credentials): Promise<UserToken>;
  /** A new token for the same user and the same jti, with a later expiry. */
  refresh(user: User): UserToken;
  /** Spins a new jti: every token of the user, on every node, is refused from now on. */
  logout(user: User): Promise<void>;
}

export interface SessionDeps {
  readonly store: Pick<Store, 'users' | 'loginFailures'>;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  readonly jtis: JtiMatcher;
  /** How long one jti may live: a login past it spins a fresh one (authenticate.ts refuses its tokens). */
  readonly sessionMaxAgeSeconds: number;
  /** Consecutive failed logins of one e-mail before it is throttled. */
  readonly loginMaxFailures: number;
  readonly now?: () => number;
}

export function createSessionService({
  store,
  passwords,
  tokens,
  jtis,
  sessionMaxAgeSeconds,
  loginMaxFailures,
  now = Date.now,
}: SessionDeps): SessionService {
  // Password checks of each e-mail in flight on this process. The failure count is read before the
  // check and written after it, so without this, guesses sent at once would all be checked before
  // the first failure counted: 40 parallel guesses got 40 checks against a limit of 10.
  const checking = new Map<string, number>();
  const tooOld = (user: User) => sessionTooOld(user, sessionMaxAgeSeconds, now());

  /** Counts a failure of the submitted e-mail — account or not, so throttling reveals nothing. */
  async function failed(key: string): Promise<never> {
    const failures = await store.loginFailures.recordLoginFailure(key);
    const blockMs = blockDurationMs(failures, { maxFailures: loginMaxFailures });
    if (blockMs > 0) await store.loginFailures.blockLogins(key, new Date(now() + blockMs));
    throw new InvalidCredentialsError();
  }

  const issue = (id: number, jti: string): UserToken => {
    const { token, expiresAt } = tokens.issue({ id, jti });
    return { token, expiresAt, userId: id };
  };

  return {
    async login({ email, password }) {
      const key = emailKey(email);
      const [throttle, user] = await Promise.all([store.loginFailures.getLoginFailures(key), store.users.findUserByEmail(key)]);
      const wait = retryAfterSeconds(throttle?.blockedUntil, now());
      // Checked before any password work: a throttled guess costs the attacker a request, us nothing.
      if (wait !== undefined) throw new LoginThrottledError(wait);
      // Each check in flight counts as a failure until it is known not to be one: below the threshold
      // as many run at once as failures are left; past it (its block over), one at a time.
      const inFlight = checking.get(key) ?? 0;
      const failures = throttle?.failures ?? 0;
      if (inFlight >= Math.max(1, loginMaxFailures - failures)) throw new LoginThrottledError(1);
      checking.set(key, inFlight + 1);
      try {
        return await checkPassword(key, user, password, throttle !== undefined);
      } finally {
        const left = checking.get(key)! - 1;
        if (left === 0) checking.delete(key);
        else checking.set(key, left);
      }
    },
    refresh: (user) => issue(user.id, user.jti),
    async logout(user) {
      await jtis.spin(user.id);
    },
  };

  async function checkPassword(key: string, user: User | undefined, password: string, hadFailures: boolean): Promise<UserToken> {
    if (!user) {
      // Same work as a wrong password, so timing does not reveal which e-mails have accounts.
      await passwords.verifyDummy(password);
      return failed(key);
    }
    const matches = await passwords.verify(user.passwordHash, password);
    // A locked account answers exactly like a wrong password, after the same work.
    if (!matches || isLockedAt(user.lock, now())) return failed(key);
    if (hadFailures) await store.loginFailures.clearLoginFailures(key);
    if (passwords.needsRehash(user.passwordHash)) {
      await store.users.updatePasswordHash(user.id, await passwords.hash(password));
    }
    if (tooOld(user)) return issue(user.id, await jtis.spin(user.id));
    return issue(user.id, user.jti);
  }
}
