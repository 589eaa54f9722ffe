import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { startServe } from '../support/cli.js';
import { PASSWORD, call, login, sharedHasher, tempDir } from '../support/harness.js';

// SIGKILL in the middle of a flood of logouts and refreshes: every logout that was answered 200
// is still in force after a restart, and the database is intact.

const temp = tempDir();
after(() => temp.remove());

async function seedUsers(db: string, count: number): Promise<string[]> {
  const store = openSqliteStore(db);
  const hash = await (await sharedHasher()).hash(PASSWORD);
  const emails = Array.from({ length: count }, (_, i) => `user${i}@example.com`);
  for (const email of emails) await store.users.createUser({ email, passwordHash: hash, jti: randomUUID() });
  await store.close();
  return emails;
}

test('answered logouts survive SIGKILL; PRAGMA integrity_check is ok', { timeout: 60_000 }, async () => {
  const db = join(temp.dir, 'crash.db');
  const emails = await seedUsers(db, 24);
  const first = await startServe(['--database-url', db], {
    PACERPRO_JWT_SECRET: 'crash-test-secret-crash-test-secret-01',
    LOG_LEVEL: 'info',
  });
  const tokens = new Map<string, string>();
  for (const email of emails) tokens.set(email, (await login(first.url, { email, password: PASSWORD })).json.jwtToken as string);

  const answeredLogouts: string[] = [];
  let killed = false;
  let enoughLogouts!: () => void;
  const killNow = new Promise<void>((resolve) => (enoughLogouts = resolve));
  // Half the users refresh in a loop; the other half log out one after another.
  const refreshers = emails.slice(0, 12).map(async (email) => {
    while (!killed) await call(first.url, 'GET', `Bearer ${tokens.get(email)}`).catch(() => undefined);
  });
  const loggingOut = (async () => {
    for (const email of emails.slice(12)) {
      const answer = await call(first.url, 'DELETE', `Bearer ${tokens.get(email)}`).catch(() => undefined);
      if (answer?.res.status === 200) answeredLogouts.push(email);
      if (answeredLogouts.length === 6) enoughLogouts();
      if (killed) break;
    }
  })();

  await killNow;
  killed = true;
  first.child.kill('SIGKILL');
  await Promise.all([first.exited, loggingOut, ...refreshers]);
  assert.ok(answeredLogouts.length >= 6);

  const second = await startServe(['--database-url', db], {
    PACERPRO_JWT_SECRET: 'crash-test-secret-crash-test-secret-01',
    LOG_LEVEL: 'info',
  });
  try {
    for (const email of answeredLogouts) {
      assert.equal((await call(second.url, 'GET', `Bearer ${tokens.get(email)}`)).res.status, 401, `${email} logged out before the crash`);
    }
    for (const email of emails.slice(0, 12)) {
      assert.equal((await call(second.url, 'GET', `Bearer ${tokens.get(email)}`)).res.status, 200, `${email} never logged out`);
    }
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
  const check = new Database(db, { readonly: true });
  assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
  check.close();
});
