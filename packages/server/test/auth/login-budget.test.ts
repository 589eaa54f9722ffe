import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InvalidCredentialsError, LoginThrottledError } from '../../src/auth/auth-errors.js';
import { blockSchedule } from '../../src/auth/login-throttle.js';
import type { SessionService } from '../../src/auth/sessions.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { PASSWORD, sessionDomain, sharedHasher, tempDir } from '../support/harness.js';

// The budget SECURITY.md states ("Login throttling"), held against the session service on a real
// SQLite store with an injected clock: an attacker who guesses the very moment each block ends,
// from addresses the account never used, over two simulated hours, while the owner logs in from
// its usual address every ten minutes and must get in at the first try every time.

const MAX_FAILURES = 10; // the default PACERPRO_LOGIN_MAX_FAILURES
/** SECURITY.md: at most this many checked guesses in the first hour … */
const FIRST_HOUR_BUDGET = MAX_FAILURES + 12;
/** … and at most this many in each hour after it (15-minute blocks). */
const LATER_HOUR_BUDGET = 4;

const temp = tempDir();
let nowMs = Date.UTC(2026, 11, 1);
let store: Store;
let sessions: SessionService;
let checks = 0;

before(async () => {
  const now = () => nowMs;
  store = openSqliteStore(join(temp.dir, 'budget.db'), { now });
  const hasher = await sharedHasher();
  const passwords = {
    ...hasher,
    verify: (hash: string, password: string) => (checks++, hasher.verify(hash, password)),
    verifyDummy: (password: string) => (checks++, hasher.verifyDummy(password)),
  };
  await store.users.createUser({ email: 'owner@example.com', passwordHash: await hasher.hash(PASSWORD), jti: randomUUID() });
  ({ sessions } = sessionDomain(store, { passwords, now, ttlSeconds: 3600, loginMaxFailures: MAX_FAILURES }));
});
after(async () => {
  await store.close();
  temp.remove();
});

test('the budget written in SECURITY.md is what the throttle policy gives', () => {
  const schedule = blockSchedule({ maxFailures: MAX_FAILURES });
  let t = 0;
  let guesses = MAX_FAILURES; // all at once, at t = 0
  for (let n = MAX_FAILURES; t + schedule[Math.min(n, schedule.length) - 1]! <= 3_600_000; n++) {
    t += schedule[Math.min(n, schedule.length) - 1]!;
    guesses++;
  }
  assert.equal(guesses, FIRST_HOUR_BUDGET);
  assert.equal(3_600_000 / schedule.at(-1)!, LATER_HOUR_BUDGET);
});

test('an attacker guessing at each block end, from unknown addresses, gets no more checks an hour than the budget, and never keeps the owner out', async () => {
  const owner = { email: 'owner@example.com', password: PASSWORD };
  await sessions.login(owner, { address: '192.0.2.10' }); // the owner's usual address becomes known
  const start = nowMs;
  const attackerChecks = [0, 0];
  let ownerLogins = 0;
  let nextOwnerLogin = start;
  let attempt = 0;
  while (nowMs < start + 2 * 3_600_000) {
    if (nowMs >= nextOwnerLogin) {
      const result = await sessions.login(owner, { address: '192.0.2.10' }); // a refusal throws: the test fails
      assert.equal(result.lane, 'known_address');
      ownerLogins++;
      nextOwnerLogin += 10 * 60_000;
    }
    const hour = Math.floor((nowMs - start) / 3_600_000);
    const before = checks;
    try {
      // A new address every time: the attacker has a botnet.
      await sessions.login({ email: 'owner@example.com', password: `guess ${attempt}` }, { address: `198.51.100.${attempt++ % 250}` });
      assert.fail('a wrong guess logged in');
    } catch (error) {
      if (!(error instanceof LoginThrottledError)) assert.ok(error instanceof InvalidCredentialsError);
      else {
        assert.equal(error.lane, 'unknown');
        // Guess again the very moment the block ends (or when the owner comes back first).
        nowMs = Math.min(nextOwnerLogin, nowMs + error.retryAfterSeconds * 1000);
      }
    }
    attackerChecks[hour]! += checks - before;
  }
  assert.equal(ownerLogins, 12, 'the owner got in at the first try, every ten minutes');
  assert.ok(attackerChecks[0]! >= MAX_FAILURES, 'the attacker got its first guesses checked: the test measures something');
  assert.ok(attackerChecks[0]! <= FIRST_HOUR_BUDGET, `first hour: ${attackerChecks[0]} checked guesses`);
  assert.ok(attackerChecks[1]! <= LATER_HOUR_BUDGET, `second hour: ${attackerChecks[1]} checked guesses`);
});
