import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAuthenticator } from '../../src/auth/authenticate.js';
import { createJtiMatcher, randomJti } from '../../src/auth/jti-matcher.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { TokenRefusedError } from '../../src/auth/auth-errors.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import type { User } from '../../src/store/users.js';
import { tempDir } from '../support/harness.js';

// The JTI matcher over a real SQLite file: the check compares the whole jti, and a spin revokes
// every token issued before it.

const SECRET = 'jti-matcher-test-secret-jti-matcher-test-secret';
const JTI = '0b6f7c1e-3c2a-4d5e-8f90-123456789abc';

describe('JTI matcher', () => {
  const temp = tempDir();
  let store: Store;
  let alice: User;
  let bob: User;

  before(async () => {
    store = openSqliteStore(join(temp.dir, 'pacerpro.db'));
    alice = await store.users.createUser({ email: 'alice@example.com', passwordHash: 'x', jti: JTI });
    bob = await store.users.createUser({ email: 'bob@example.com', passwordHash: 'x', jti: randomUUID() });
  });
  after(async () => {
    await store.close();
    temp.remove();
  });

  const jtis = () => createJtiMatcher(store);
  const current = async (id: number) => (await store.users.findUserById(id))!;

  test("the user's own jti is current", () => {
    assert.equal(jtis().isCurrent(alice, JTI), true);
  });

  test('a wrong jti of the same length is not current, wherever it differs (compared in full, not by prefix)', () => {
    for (const at of [0, 17, JTI.length - 1]) {
      const wrong = `${JTI.slice(0, at)}${JTI[at] === '0' ? '1' : '0'}${JTI.slice(at + 1)}`;
      assert.equal(wrong.length, JTI.length);
      assert.equal(jtis().isCurrent(alice, wrong), false, `differs at ${at}`);
    }
    assert.equal(jtis().isCurrent(alice, JTI.toUpperCase()), false);
  });

  test('a jti of another byte length is not current, and the check does not throw on it', () => {
    // "é" keeps the string's length but not its UTF-8 length: timingSafeEqual would throw on it.
    const sameCharsMoreBytes = `${JTI.slice(0, -1)}é`;
    for (const wrong of ['', JTI.slice(0, -1), `${JTI}0`, sameCharsMoreBytes]) {
      assert.equal(jtis().isCurrent(alice, wrong), false, JSON.stringify(wrong));
    }
  });

  test('spin stores and returns the injected next jti, and leaves other users alone', async () => {
    const next = randomUUID();
    const bobBefore = await current(bob.id);
    assert.equal(await createJtiMatcher(store, { newJti: () => next }).spin(alice.id), next);
    const after = await current(alice.id);
    assert.equal(after.jti, next);
    assert.equal(jtis().isCurrent(after, next), true);
    assert.equal((await current(bob.id)).jti, bobBefore.jti);
  });

  test('after a spin, tokens carrying the old jti are refused as token_revoked; one with the new jti is accepted', async () => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: 3600 });
    const authenticate = createAuthenticator({ store, tokens, jtis: jtis(), sessionMaxAgeSeconds: 3600 });
    const old = tokens.issue(await current(bob.id)).token;
    assert.equal((await authenticate(old)).id, bob.id);

    const jti = await jtis().spin(bob.id);
    await assert.rejects(authenticate(old), (error: unknown) => error instanceof TokenRefusedError && error.code === 'token_revoked');
    assert.equal((await authenticate(tokens.issue({ id: bob.id, jti }).token)).id, bob.id);
  });

  test('two spins at once leave exactly one of their jtis current', async () => {
    const spun = await Promise.all([jtis().spin(alice.id), jtis().spin(alice.id)]);
    assert.notEqual(spun[0], spun[1]);
    const user = await current(alice.id);
    assert.equal(spun.filter((jti) => jtis().isCurrent(user, jti)).length, 1);
  });

  test('the default generator makes a fresh UUID each time', () => {
    const made = new Set(Array.from({ length: 100 }, randomJti));
    assert.equal(made.size, 100);
    for (const jti of made) assert.match(jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
