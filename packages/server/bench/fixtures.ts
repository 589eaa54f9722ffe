import { randomUUID } from 'node:crypto';
import { createTokenService, type TokenService } from '../src/auth/tokens.js';
import type { Store } from '../src/store/store.js';

// Users and tokens for the load runs, made through the store API. Every user shares one argon2id
// hash (of one password), made once: seeding thousands of users costs inserts, not hashes. Tokens
// are minted with the server's own secret from the jti each user was created with, so a refresh or
// logout run needs no login first.

export const BENCH_PASSWORD = 'correct horse battery staple';

export interface SeededUser {
  readonly id: number;
  readonly email: string;
  readonly token: string;
}

export function tokenMinter(secret: string): TokenService {
  return createTokenService({ secret, ttlSeconds: 3600 });
}

/** Creates `count` users named `<prefix>-<n>@bench.test`, a few at a time (PostgreSQL has a pool). */
export async function seedUsers(
  store: Store,
  tokens: TokenService,
  { prefix, count, passwordHash }: { prefix: string; count: number; passwordHash: string },
): Promise<SeededUser[]> {
  const users: SeededUser[] = [];
  const batch = store.dialect === 'sqlite' ? 5000 : 20;
  for (let start = 0; start < count; start += batch) {
    const created = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, (_, i) =>
        store.users.createUser({ email: `${prefix}-${start + i}@bench.test`, passwordHash, jti: randomUUID() }),
      ),
    );
    for (const user of created) users.push({ id: user.id, email: user.email, token: tokens.issue(user).token });
  }
  return users;
}
