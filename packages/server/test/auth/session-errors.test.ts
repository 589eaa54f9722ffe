import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InvalidCredentialsError, LoginThrottledError, TokenRefusedError } from '../../src/auth/auth-errors.js';
import type { Authenticate } from '../../src/auth/authenticate.js';
import type { SessionService } from '../../src/auth/sessions.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { PASSWORD, sessionDomain, sharedHasher, tempDir } from '../support/harness.js';

// The session logic fails with domain errors that carry what a caller needs (the seconds to wait,
// why a token is refused) and no HTTP, so the CLI and other apps can use it as the routes do.

const START = Date.UTC(2026, 10, 28, 6, 0, 0);
let nowMs = START;
const temp = tempDir();
let store: Store;
let sessions: SessionService;
let authenticate: Authenticate;

before(async () => {
  const now = () => nowMs;
  store = openSqliteStore(join(temp.dir, 'sessions.db'), { now });
  const passwords = await sharedHasher();
  await store.users.createUser({ email: 'alice@example.com', passwordHash: await passwords.hash(PASSWORD), jti: randomUUID() });
  ({ sessions, authenticate } = sessionDomain(store, { passwords, now, sessionMaxAgeSeconds: 100, loginMaxFailures: 2 }));
});
after(async () => {
  await store.close();
  temp.remove();
});

const isHttpFree = (error: object) => !('status' in error) && !('headers' in error);

test('a throttled login is a LoginThrottledError with the seconds left of the block, and no HTTP in it', async () => {
  const wrong = { email: 'Alice@Example.com', password: 'wrong' };
  for (let i = 0; i < 2; i++) await assert.rejects(sessions.login(wrong), InvalidCredentialsError);
  nowMs += 1000; // the block after the 2nd failure (1 s) is over; the 3rd failure blocks for 2 s
  await assert.rejects(sessions.login(wrong), InvalidCredentialsError);
  nowMs += 400; // 1.6 s of the block are left, rounded up
  await assert.rejects(sessions.login(wrong), (error: unknown) => {
    assert.ok(error instanceof LoginThrottledError);
    assert.equal(error.code, 'login_throttled');
    assert.equal(error.retryAfterSeconds, 2);
    assert.ok(isHttpFree(error));
    return true;
  });
  nowMs += 1600;
  assert.ok((await sessions.login({ email: 'alice@example.com', password: PASSWORD })).token);
});

test('a refused token is a TokenRefusedError from the authenticator whose code says why', async () => {
  const refusal = async (token: string) => {
    const error = await authenticate(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof TokenRefusedError, String(error));
    assert.ok(isHttpFree(error));
    return error.code;
  };
  assert.equal(await refusal('not.a.token'), 'invalid_token');
  const { token } = await sessions.login({ email: 'alice@example.com', password: PASSWORD });
  nowMs += 61_000;
  assert.equal(await refusal(token), 'token_expired');
  const fresh = await sessions.login({ email: 'alice@example.com', password: PASSWORD });
  await sessions.logout(await authenticate(fresh.token));
  assert.equal(await refusal(fresh.token), 'token_revoked');
  const next = await sessions.login({ email: 'alice@example.com', password: PASSWORD });
  nowMs += 50_000;
  const renewed = sessions.refresh(await authenticate(next.token)); // valid for 60 s more, but its jti is 100 s old in 51
  nowMs += 51_000;
  assert.equal(await refusal(renewed.token), 'session_too_old');
});
