import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AuditEventType } from '../../src/store/audit.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { startServe } from '../support/cli.js';
import { PASSWORD, call, login, seedUsers, sharedHasher, tempDir } from '../support/harness.js';
import { freshSchema, postgresSkip } from '../support/postgres.js';

// SIGKILL in the middle of a flood of logouts and refreshes: every logout that was answered 200
// is still in force after a restart, and the database is intact. SIGKILL under a mix of logins,
// refreshes and logouts: every answered request's audit row is in the table, on both stores.

const temp = tempDir();
after(() => temp.remove());

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

const SECRET = { PACERPRO_JWT_SECRET: 'crash-test-secret-crash-test-secret-01', LOG_LEVEL: 'info' };

/** What each answered request must have left in the audit trail, by its X-Request-Id. */
type Answered = Map<string, AuditEventType>;

async function sessionRequest(url: string, requestId: string, method: 'POST' | 'GET' | 'DELETE', init: { token?: string; body?: unknown }) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(`${url}/v1/session`, { method, headers, ...(init.body ? { body: JSON.stringify(init.body) } : {}) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * Logins (right and wrong passwords), refreshes and logouts from several clients at once, until
 * SIGKILL; returns the event each answered request must have recorded. A login that answered 401
 * counts as a failure (login_failed); the e-mails of wrong logins are new each time, so none is
 * throttled.
 */
async function killUnderMix(db: string, emails: string[]): Promise<Answered> {
  const server = await startServe(['--database-url', db], { ...SECRET, PACERPRO_IP_LOGIN_LIMIT: '0' });
  const answered: Answered = new Map();
  let killed = false;
  let n = 0;
  const id = (kind: string) => `${kind}-${++n}`;
  const ask = async (
    kind: string,
    method: 'POST' | 'GET' | 'DELETE',
    init: { token?: string; body?: unknown },
    onStatus: Partial<Record<number, AuditEventType>>,
  ) => {
    const requestId = id(kind);
    const answer = await sessionRequest(server.url, requestId, method, init).catch(() => undefined);
    const event = answer && onStatus[answer.status];
    if (event) answered.set(requestId, event);
    return answer;
  };
  let enough!: () => void;
  const killNow = new Promise<void>((resolve) => (enough = resolve));
  const count = (event: AuditEventType) => [...answered.values()].filter((e) => e === event).length;
  const check = () => {
    if (count('logged_out') >= 6 && count('login_succeeded') >= 6 && count('login_failed') >= 6 && count('session_refreshed') >= 20)
      enough();
  };
  // Each user logs in, refreshes a few times and logs out, again and again; two clients fail logins.
  const users = emails.map(async (email) => {
    while (!killed) {
      const logged = await ask('login', 'POST', { body: { email, password: PASSWORD } }, { 200: 'login_succeeded' });
      const token = logged?.json.jwtToken as string | undefined;
      if (!token) continue;
      for (let i = 0; i < 5 && !killed; i++) await ask('refresh', 'GET', { token }, { 200: 'session_refreshed' });
      if (!killed) await ask('logout', 'DELETE', { token }, { 200: 'logged_out' });
      check();
    }
  });
  const failing = [1, 2].map(async () => {
    while (!killed) {
      await ask(
        'failed',
        'POST',
        { body: { email: `nobody-${randomUUID()}@example.com`, password: 'wrong password' } },
        { 401: 'login_failed' },
      );
      check();
    }
  });
  await killNow;
  killed = true;
  server.child.kill('SIGKILL');
  await Promise.all([server.exited, ...users, ...failing]);
  return answered;
}

async function assertAudited(store: Store, answered: Answered): Promise<void> {
  const events = await store.audit.listAuditEvents({ limit: 1_000_000 });
  const recorded = new Map(events.map((e) => [e.requestId, e.event]));
  const missing = [...answered].filter(([requestId, event]) => recorded.get(requestId) !== event);
  assert.deepEqual(missing, [], `${missing.length} of ${answered.size} answered requests have no audit row`);
}

test("an answered request's audit row is not lost to SIGKILL under logins, refreshes and logouts (SQLite)", {
  timeout: 90_000,
}, async () => {
  const db = join(temp.dir, 'audit-crash.db');
  const emails = await seedUsers(db, 8);
  const answered = await killUnderMix(db, emails);
  const store = openSqliteStore(db);
  try {
    await assertAudited(store, answered);
  } finally {
    await store.close();
  }
});

test("an answered request's audit row is not lost to SIGKILL under logins, refreshes and logouts (PostgreSQL)", {
  timeout: 90_000,
}, async (t) => {
  const skip = await postgresSkip();
  if (skip) return t.skip(skip);
  const schema = await freshSchema();
  try {
    const seeding = await openPostgresStore(schema.url);
    const hash = await (await sharedHasher()).hash(PASSWORD);
    const emails = Array.from({ length: 8 }, (_, i) => `user${i}@example.com`);
    for (const email of emails) await seeding.users.createUser({ email, passwordHash: hash, jti: randomUUID() });
    await seeding.close();
    const answered = await killUnderMix(schema.url, emails);
    const store = await openPostgresStore(schema.url);
    try {
      await assertAudited(store, answered);
    } finally {
      await store.close();
    }
  } finally {
    await schema.drop();
  }
});
