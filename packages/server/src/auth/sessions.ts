import { randomUUID } from 'node:crypto';
import type { User } from '../store/user-store.js';
import { InvalidCredentialsError, LoginThrottledError } from './auth-errors.js';
import { createAuthenticator, sessionTooOld, type AuthenticateDeps } from './authenticate.js';
import { emailKey } from './email.js';
import { blockDurationMs, retryAfterSeconds } from './login-throttle.js';
import type { PasswordHasher } from './passwords.js';
import type { IssuedToken } from './tokens.js';

// Login, refresh and logout as plain functions over a store: no HTTP in here, so the same rules
// serve the routes, the CLI and the reusable plugin.

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
  /** Checks a token against the user's current jti; returns the user it belongs to. */
  authenticate(token: string): Promise<User>;
  /** A new token for the same user and the same jti, with a later expiry. */
  refresh(token: string): Promise<UserToken>;
  /** Spins a new jti: every token of the user, on every node, is refused from now on. */
  logout(token: string): Promise<{ readonly userId: number }>;
}

export interface SessionDeps extends AuthenticateDeps {
  readonly passwords: PasswordHasher;
  /** Consecutive failed logins of one e-mail before it is throttled. */
  readonly loginMaxFailures: number;
  readonly newJti?: () => string;
}

export function createSessionService({
  store,
  passwords,
  tokens,
  sessionMaxAgeSeconds,
  loginMaxFailures,
  now = Date.now,
  newJti = randomUUID,
}: SessionDeps): SessionService {
  const authenticate = createAuthenticator({ store, tokens, sessionMaxAgeSeconds, now });
  // Password checks of each e-mail in flight on this process. The failure count is read before the
  // check and written after it, so without this, guesses sent at once would all be checked before
  // the first failure counted: 40 parallel guesses got 40 checks against a limit of 10.
  const checking = new Map<string, number>();
  const tooOld = (user: User) => sessionTooOld(user, sessionMaxAgeSeconds, now());

  /** Counts a failure of the submitted e-mail — account or not, so throttling reveals nothing. */
  async function failed(key: string): Promise<never> {
    const failures = await store.recordLoginFailure(key);
    const blockMs = blockDurationMs(failures, { maxFailures: loginMaxFailures });
    if (blockMs > 0) await store.blockLogins(key, new Date(now() + blockMs));
    throw new InvalidCredentialsError();
  }

  const issue = (id: number, jti: string): UserToken => {
    const { token, expiresAt } = tokens.issue({ id, jti });
    return { token, expiresAt, userId: id };
  };

  return {
    async login({ email, password }) {
      const key = emailKey(email);
      const [throttle, user] = await Promise.all([store.getLoginFailures(key), store.findUserByEmail(key)]);
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
    authenticate,
    async refresh(token) {
      const user = await authenticate(token);
      return issue(user.id, user.jti);
    },
    async logout(token) {
      const user = await authenticate(token);
      await store.rotateJti(user.id, newJti());
      return { userId: user.id };
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
    if (!matches || user.locked) return failed(key);
    if (hadFailures) await store.clearLoginFailures(key);
    if (passwords.needsRehash(user.passwordHash)) {
      await store.updatePasswordHash(user.id, await passwords.hash(password));
    }
    if (tooOld(user)) {
      const jti = newJti();
      await store.rotateJti(user.id, jti);
      return issue(user.id, jti);
    }
    return issue(user.id, user.jti);
  }
}
