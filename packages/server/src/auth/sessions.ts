import { randomUUID, timingSafeEqual } from 'node:crypto';
import { ApiProblem } from '../errors.js';
import type { User, UserStore } from '../store/user-store.js';
import type { PasswordHasher } from './passwords.js';
import type { IssuedToken, TokenService } from './tokens.js';

// Login, refresh and logout as plain functions over a store: no HTTP in here, so the same rules
// serve the routes, the CLI and the reusable plugin.

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export interface SessionService {
  login(credentials: Credentials): Promise<IssuedToken>;
  /** Checks a token against the user's current jti; returns the user it belongs to. */
  authenticate(token: string): Promise<User>;
  /** A new token for the same user and the same jti, with a later expiry. */
  refresh(token: string): Promise<IssuedToken>;
  /** Spins a new jti: every token of the user, on every node, is refused from now on. */
  logout(token: string): Promise<void>;
}

export interface SessionDeps {
  readonly store: UserStore;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  /**
   * How long one jti may live. Refresh keeps the jti, so without this bound a stolen token could
   * be renewed forever; past it, tokens are refused and the next login spins a fresh jti.
   */
  readonly sessionMaxAgeSeconds: number;
  readonly now?: () => number;
  readonly newJti?: () => string;
}

function sameJti(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createSessionService({
  store,
  passwords,
  tokens,
  sessionMaxAgeSeconds,
  now = Date.now,
  newJti = randomUUID,
}: SessionDeps): SessionService {
  const tooOld = (user: User) => now() - user.jtiIssuedAt.getTime() >= sessionMaxAgeSeconds * 1000;

  async function authenticate(token: string): Promise<User> {
    const verified = tokens.verify(token);
    if (!verified.ok) throw new ApiProblem(verified.reason);
    const user = await store.findUserById(verified.claims.sub);
    if (!user || user.locked || !sameJti(user.jti, verified.claims.jti)) throw new ApiProblem('token_revoked');
    if (tooOld(user)) throw new ApiProblem('session_too_old');
    return user;
  }

  return {
    async login({ email, password }) {
      const user = await store.findUserByEmail(email);
      if (!user) {
        // Same work as a wrong password, so timing does not reveal which e-mails have accounts.
        await passwords.verifyDummy(password);
        throw new ApiProblem('invalid_credentials');
      }
      const matches = await passwords.verify(user.passwordHash, password);
      // A locked account answers exactly like a wrong password, after the same work.
      if (!matches || user.locked) throw new ApiProblem('invalid_credentials');
      if (passwords.needsRehash(user.passwordHash)) {
        await store.updatePasswordHash(user.id, await passwords.hash(password));
      }
      if (tooOld(user)) {
        const jti = newJti();
        await store.rotateJti(user.id, jti);
        return tokens.issue({ id: user.id, jti });
      }
      return tokens.issue(user);
    },
    authenticate,
    async refresh(token) {
      return tokens.issue(await authenticate(token));
    },
    async logout(token) {
      const user = await authenticate(token);
      await store.rotateJti(user.id, newJti());
    },
  };
}
