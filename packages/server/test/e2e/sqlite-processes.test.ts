import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startServe } from '../support/cli.js';
import { PASSWORD, call, login, seedUsers, tempDir } from '../support/harness.js';

// Several processes on one SQLite file: a logout on one is in force on the other at once, and a
// foreign write lock answers 503 instead of a lost logout.

const require = createRequire(import.meta.url);
const temp = tempDir();
after(() => temp.remove());

test('several processes share one SQLite file: a logout on one is in force on the other at once', async () => {
  const db = join(temp.dir, 'shared.db');
  await seedUsers(db, 1);
  const env = { PACERPRO_JWT_SECRET: 'shared-file-secret-shared-file-secret', LOG_LEVEL: 'info' };
  const [a, b] = await Promise.all([startServe(['--database-url', db], env), startServe(['--database-url', db], env)]);
  try {
    const token = (await login(a.url, { email: 'user0@example.com', password: PASSWORD })).json.jwtToken as string;
    const refreshed = await call(b.url, 'GET', `Bearer ${token}`);
    assert.equal(refreshed.res.status, 200);
    assert.equal((await call(b.url, 'DELETE', `Bearer ${refreshed.json.jwtToken}`)).res.status, 200);
    assert.equal((await call(a.url, 'GET', `Bearer ${token}`)).res.status, 401);
  } finally {
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
  }
});

test('logouts made together while another process holds the write lock answer 503 and revoke nothing; then they go through', async () => {
  const db = join(temp.dir, 'locked.db');
  const emails = await seedUsers(db, 3);
  const env = { PACERPRO_JWT_SECRET: 'locked-file-secret-locked-file-secret', LOG_LEVEL: 'info' };
  const server = await startServe(['--database-url', db, '--sqlite-busy-timeout-ms', '100'], env);
  const other = new Database(db);
  try {
    const tokens = await Promise.all(
      emails.map(async (email) => (await login(server.url, { email, password: PASSWORD })).json.jwtToken as string),
    );
    const logOutAll = () => Promise.all(tokens.map((token) => call(server.url, 'DELETE', `Bearer ${token}`)));
    const refreshStatuses = async () =>
      Promise.all(tokens.map(async (token) => (await call(server.url, 'GET', `Bearer ${token}`)).res.status));

    other.exec('BEGIN IMMEDIATE'); // another process writing, for longer than the busy timeout
    const refused = await logOutAll();
    assert.deepEqual(
      refused.map((r) => r.res.status),
      [503, 503, 503],
    );
    assert.equal(refused[0]!.json.code, 'service_unavailable');
    assert.equal(refused[0]!.res.headers.get('retry-after'), '1');
    // A refresh writes its audit row before it answers, so under the lock it is refused too: no
    // token is handed out whose refresh left no trace. The health check, which writes nothing, goes on.
    assert.deepEqual(await refreshStatuses(), [503, 503, 503], 'no refresh answered without its audit row');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'reads go on meanwhile');

    other.exec('ROLLBACK');
    assert.deepEqual(await refreshStatuses(), [200, 200, 200], 'a refused logout revoked nothing');
    assert.deepEqual(
      (await logOutAll()).map((r) => r.res.status),
      [200, 200, 200],
    );
    assert.deepEqual(await refreshStatuses(), [401, 401, 401]);
  } finally {
    other.close();
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

test('a foreign write lock held 5 s does not freeze the server: /healthz answers at once, refreshes and logouts 503 within the busy timeout (their writes cannot commit), then succeed', async () => {
  const db = join(temp.dir, 'frozen.db');
  const [email] = await seedUsers(db, 1);
  const busyTimeoutMs = 1000;
  const env = { PACERPRO_JWT_SECRET: 'frozen-file-secret-frozen-file-secret', LOG_LEVEL: 'info' };
  const server = await startServe(['--database-url', db, '--sqlite-busy-timeout-ms', String(busyTimeoutMs)], env);
  // Logged in before the lock: a login writes too (its audit row), and would wait for the lock.
  const token = await login(server.url, { email, password: PASSWORD }).then(
    (answer) => answer.json.jwtToken as string,
    (error: unknown) => {
      server.child.kill('SIGTERM');
      throw error;
    },
  );
  // Another process holds BEGIN IMMEDIATE for 5 s, as the sqlite3 shell or a backup would.
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(db)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, 5000);
  `,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const released = new Promise((resolve) => holder.on('exit', resolve));
  try {
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    const timed = async <T>(work: () => Promise<T>) => {
      const started = performance.now();
      const value = await work();
      return { value, ms: performance.now() - started };
    };
    // Both wait for the lock off the event loop: the logout for its jti, the refresh for its audit
    // row, which must be committed before a refresh may answer 200.
    const logout = timed(() => call(server.url, 'DELETE', `Bearer ${token}`));
    const refresh = timed(() => call(server.url, 'GET', `Bearer ${token}`));
    let slowestHealth = 0;
    const until = performance.now() + 1500;
    while (performance.now() < until) {
      const health = await timed(() => fetch(`${server.url}/healthz`));
      assert.equal(health.value.status, 200);
      slowestHealth = Math.max(slowestHealth, health.ms);
    }
    assert.ok(slowestHealth < 250, `/healthz took ${slowestHealth} ms while a logout and a refresh waited for the lock`);
    for (const [name, answer] of [
      ['logout', await logout],
      ['refresh', await refresh],
    ] as const) {
      assert.equal(answer.value.res.status, 503, name);
      assert.equal(answer.value.res.headers.get('retry-after'), '1', name);
      assert.ok(answer.ms < busyTimeoutMs + 250, `the ${name} answered after ${answer.ms} ms, busy timeout ${busyTimeoutMs} ms`);
    }

    await released;
    assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 200, 'the refused logout revoked nothing');
    assert.equal((await call(server.url, 'DELETE', `Bearer ${token}`)).res.status, 200, 'once the lock is gone the logout succeeds');
    assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 401);
  } finally {
    holder.kill();
    server.child.kill('SIGTERM');
    await server.exited;
  }
});
