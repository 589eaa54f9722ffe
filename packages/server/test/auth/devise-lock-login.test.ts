import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InvalidCredentialsError, TokenRefusedError } from '../../src/auth/auth-errors.js';
import type { Authenticate } from '../../src/auth/authenticate.js';
import type { PasswordHasher } from '../../src/auth/passwords.js';
import type { SessionService } from '../../src/auth/sessions.js';
import type { TokenService } from '../../src/auth/tokens.js';
import { lockedUntil } from '../../src/auth/user-lock.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { PASSWORD, sessionDomain, sharedHasher, tempDir } from '../support/harness.js';

// A lock that ends (Devise's locked_at + unlock_in) refuses logins and tokens until its end, with
// the same answer and the same work as a wrong password, and then opens by itself.

const START = Date.UTC(2026, 10, 28, 6, 0, 0);
const UNTIL = START + 3_600_000;
let nowMs = START;
const temp = tempDir();
let store: Store;
let sessions: SessionService;
let authenticate: Authenticate;
let tokens: TokenService;
let verifications = 0;
const JTI = randomUUID();

before(async () => {
  const now = () => nowMs;
  store = openSqliteStore(join(temp.dir, 'lock.db'), { now });
  const shared = await sharedHasher();
  const passwords: PasswordHasher = { ...shared, verify: (hash, password) => (verifications++, shared.verify(hash, password)) };
  const hash = await shared.hash(PASSWORD);
  await store.users.importUser({ id: 7, email: 'alice@example.com', passwordHash: hash, jti: JTI, lock: lockedUntil(new Date(UNTIL)) });
  ({ tokens, sessions, authenticate } = sessionDomain(store, { passwords, now, ttlSeconds: 7200, loginMaxFailures: 100 }));
});
after(async () => {
  await store.close();
  temp.remove();
});

test('within the lock, the right password answers as a wrong one, after the same password check', async () => {
  nowMs = UNTIL - 1;
  verifications = 0;
  await assert.rejects(sessions.login({ email: 'alice@example.com', password: PASSWORD }), InvalidCredentialsError);
  await assert.rejects(sessions.login({ email: 'alice@example.com', password: 'wrong' }), InvalidCredentialsError);
  assert.equal(verifications, 2);
});

test('within the lock, a token of the user is refused as revoked', async () => {
  nowMs = UNTIL - 1;
  const token = tokens.issue({ id: 7, jti: JTI }).token;
  await assert.rejects(authenticate(token), (error: unknown) => error instanceof TokenRefusedError && error.code === 'token_revoked');
});

test('at the end of the lock, the password and the token work again (was: a Devise lock never ended)', async () => {
  nowMs = UNTIL;
  assert.ok((await sessions.login({ email: 'alice@example.com', password: PASSWORD })).token);
  assert.equal((await authenticate(tokens.issue({ id: 7, jti: JTI }).token)).id, 7);
});
