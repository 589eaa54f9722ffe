import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OPEN } from '../../src/auth/user-lock.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';
import { runBin } from '../support/cli.js';
import { call, login, startTestServer } from '../support/harness.js';

// Real storage faults under the SQLite store: a small tmpfs filled up, a read-only filesystem, a
// file this process may not write. Mounting needs root; elsewhere these tests skip and say why.

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA';

function tryMount(dir: string): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
  }
}

/** A fresh directory with a 2 MiB tmpfs on it for `body`; unmounted and removed afterwards. */
async function onSmallTmpfs(t: { skip(reason: string): void }, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pacerpro-tmpfs-'));
  const problem = tryMount(dir);
  if (problem) {
    rmSync(dir, { recursive: true, force: true });
    return t.skip(problem);
  }
  try {
    await body(dir);
  } finally {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fills the filesystem of `dir` with a file of zeros until it is full. */
function fillDisk(dir: string): string {
  const filler = join(dir, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4096'], { stdio: 'pipe' });
  } catch {
    // dd stops with "No space left on device": that is the point.
  }
  return filler;
}

/** Resolves with the outcome: the value, or the error it rejected with. */
async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

function assertUnavailable(error: unknown, what: string): void {
  assert.ok(error instanceof StoreUnavailableError, `${what} rejected with ${String(error)}, not StoreUnavailableError`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('on a full disk no SQLite write is reported done that was not written, and every failed one is StoreUnavailableError', async (t) => {
  await onSmallTmpfs(t, async (dir) => {
    const path = join(dir, 'full.db');
    const store = openSqliteStore(path);
    try {
      const alice = await store.users.createUser({ email: 'alice@example.com', passwordHash: HASH, jti: randomUUID() });
      const filler = fillDisk(dir);
      // Rows big enough to need new pages, so each write must really reach the disk; between the
      // failures some small writes may commit into the WAL's slack, and then they must be there.
      const big = 'x'.repeat(3000);
      const created: string[] = [];
      let refused = 0;
      for (let i = 0; i < 100; i++) {
        const email = `u${i}@example.com`;
        const r = await outcome(store.users.createUser({ email, passwordHash: HASH + big, jti: randomUUID() }));
        if (r.ok) created.push(email);
        else assertUnavailable(r.error, 'createUser'), refused++;
      }
      assert.ok(refused > 0, 'the disk really is full');
      const counted: string[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await outcome(store.loginFailures.chargeAttempt(`e:victim-${i}-${big}`, { maxFailures: 10 }));
        if (r.ok) counted.push(`e:victim-${i}-${big}`);
        else assertUnavailable(r.error, 'chargeAttempt');
      }
      const auditAt = new Date(Date.now() + 3_600_000);
      let audited = 0;
      for (let i = 0; i < 30; i++) {
        const r = await outcome(store.audit.appendAuditEvents([{ at: auditAt, event: 'login_failed', email: `a${i}`, userAgent: big }]));
        if (r.ok) audited++;
        else assertUnavailable(r.error, 'appendAuditEvents');
      }
      const newJti = randomUUID();
      const rotated = await outcome(store.users.rotateJti(alice.id, newJti));
      const others: Record<string, () => Promise<unknown>> = {
        updatePasswordHash: () => store.users.updatePasswordHash(alice.id, HASH + big),
        changePassword: () => store.users.changePassword(alice.id, HASH + big, randomUUID()),
        setLocked: () => store.users.setLocked(alice.id, false),
        importUser: () =>
          store.users.importUser({ id: 900, email: `imported${big}@example.com`, passwordHash: HASH, jti: randomUUID(), lock: OPEN }),
        clearLoginFailures: () => store.loginFailures.clearLoginFailures(['e:nobody']),
        addDeviceCredential: () => store.knownClients.addDeviceCredential(`d${big}`, alice.id, 20),
        touchDeviceCredential: () => store.knownClients.touchDeviceCredential('d'),
        rememberAddress: () => store.knownClients.rememberAddress(alice.id, `192.0.2.1${big}`, 10),
        forgetAccountClients: () => store.knownClients.forgetAccountClients(alice.id),
        pruneKnownClients: () => store.knownClients.pruneKnownClients(new Date(0), new Date(0)),
        pruneLoginFailures: () => store.loginFailures.pruneLoginFailures(new Date(0), 1_000_000),
        pruneAuditEvents: () => store.audit.pruneAuditEvents(new Date(0)),
        getOrCreateJwtSecret: () => store.settings.getOrCreateJwtSecret('s'.repeat(64)),
        deleteUser: () => store.users.deleteUser(999_999),
      };
      for (const [name, write] of Object.entries(others)) {
        const r = await outcome(write());
        if (!r.ok) assertUnavailable(r.error, name);
      }
      await assert.rejects(store.ping(), StoreUnavailableError, 'not ready while writes fail for want of space');

      // What the store said was done is what is there, read back on a connection of its own.
      const check = new Database(path, { readonly: true });
      try {
        const emails = check
          .prepare<[], { email: string }>(`SELECT email FROM users WHERE email LIKE 'u%'`)
          .all()
          .map((row) => row.email);
        assert.deepEqual(emails.sort(), [...created].sort(), 'createUser resolved exactly for the rows that exist');
        const keys = check
          .prepare<[], { lane_key: string }>('SELECT lane_key FROM login_failures')
          .all()
          .map((row) => row.lane_key);
        assert.deepEqual(keys.sort(), [...counted].sort(), 'chargeAttempt resolved exactly for the charges recorded');
        const rows = check.prepare<[number], { n: number }>('SELECT count(*) AS n FROM audit_trail WHERE at = ?').get(auditAt.getTime())!.n;
        assert.equal(rows, audited, 'appendAuditEvents resolved exactly for the batches written');
        const jti = check.prepare<[number], { jti: string }>('SELECT jti FROM users WHERE id = ?').get(alice.id)!.jti;
        assert.equal(jti, rotated.ok ? newJti : alice.jti, 'rotateJti resolved only when the new jti is there');
      } finally {
        check.close();
      }

      // Space returns: readiness and writes come back without a restart.
      rmSync(filler);
      await sleep(1100); // the probe runs at most once a second
      await store.ping();
      const late = await store.users.createUser({ email: 'late@example.com', passwordHash: HASH, jti: randomUUID() });
      assert.equal((await store.users.findUserById(late.id))?.email, 'late@example.com');
    } finally {
      await store.close();
    }
  });
});

test('on a full disk audit rows that cannot be moved stay committed and listed, the log says why, and they move once space returns', async (t) => {
  await onSmallTmpfs(t, async (dir) => {
    const path = join(dir, 'settle.db');
    openSqliteStore(path).close();
    // Rows committed into audit_events_incoming and not yet moved, as a crash leaves them.
    const raw = new Database(path);
    const insert = raw.prepare('INSERT INTO audit_events_incoming (at, event, user_id, user_agent) VALUES (?, ?, ?, ?)');
    raw.transaction(() => {
      for (let n = 1; n <= 300; n++) insert.run(1_800_000_000_000 + n, 'session_refreshed', n, 'x'.repeat(1000));
    })();
    raw.close();
    const warnings: string[] = [];
    const store = openSqliteStore(path, { warn: (message) => warnings.push(message) });
    const filler = fillDisk(dir);
    try {
      // The first audit write starts the settler; on the full disk it fails itself, as it must.
      await assert.rejects(
        store.audit.appendAuditEvents([{ at: new Date(), event: 'session_refreshed', userId: 0 }]),
        StoreUnavailableError,
      );
      for (let waited = 0; warnings.length === 0 && waited < 5000; waited += 50) await sleep(50);
      assert.equal(warnings.length, 1, 'one warning for the failure, not one per round');
      assert.match(warnings[0]!, /SQLITE_FULL/, 'naming the cause');
      assert.match(warnings[0]!, /stay committed in audit_events_incoming/, 'and saying that nothing is lost');
      const listed = await store.audit.listAuditEvents({ since: new Date(0), limit: 1000 });
      assert.equal(listed.length, 300, 'every row is still listed');
      rmSync(filler);
      const check = new Database(path);
      try {
        const incoming = () => check.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_events_incoming').get()!.n;
        for (let waited = 0; incoming() > 0 && waited < 5000; waited += 50) await sleep(50);
        assert.equal(incoming(), 0, 'moved once space returned, without a restart');
        assert.equal(check.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_events').get()!.n, 300);
      } finally {
        check.close();
      }
    } finally {
      await store.close();
    }
  });
});

test('on a full disk logins, refreshes and logouts answer 503 with Retry-After and /readyz 503; once space returns, 200 again without a restart', async (t) => {
  await onSmallTmpfs(t, async (dir) => {
    let checks = 0;
    const server = await startTestServer({
      databasePath: join(dir, 'http.db'),
      passwords: (h) => ({ ...h, verify: (a, b) => (checks++, h.verify(a, b)), verifyDummy: (p) => (checks++, h.verifyDummy(p)) }),
    });
    try {
      await server.addUser('alice@example.com');
      const tokens = await Promise.all([1, 2, 3].map(async () => (await login(server.url)).json.jwtToken as string));
      const filler = fillDisk(dir);

      const logouts = await Promise.all(tokens.map((token) => call(server.url, 'DELETE', `Bearer ${token}`)));
      for (const { res, json } of logouts) {
        assert.equal(res.status, 503);
        assert.equal(res.headers.get('retry-after'), '1');
        assert.equal(json.code, 'service_unavailable');
      }
      checks = 0;
      for (let i = 0; i < 15; i++) {
        const wrong = await login(server.url, { email: 'alice@example.com', password: `wrong password ${i}` });
        assert.equal(wrong.res.status, 503, 'a failure that cannot be counted is not answered 401: the throttle would be off');
        assert.equal(wrong.res.headers.get('retry-after'), '1');
      }
      assert.equal(checks, 0, 'a guess whose check cannot be charged is not checked at all');
      assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the process itself is fine');
      const refresh = await call(server.url, 'GET', `Bearer ${tokens[0]}`);
      assert.equal(refresh.res.status, 503, 'a refresh whose audit row cannot be committed is not answered 200');
      assert.equal(refresh.res.headers.get('retry-after'), '1');

      rmSync(filler);
      await sleep(1100);
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      assert.equal((await call(server.url, 'GET', `Bearer ${tokens[0]}`)).res.status, 200, 'a refused logout revoked nothing');
      assert.equal((await call(server.url, 'DELETE', `Bearer ${tokens[0]}`)).res.status, 200);
      assert.equal((await call(server.url, 'GET', `Bearer ${tokens[1]}`)).res.status, 401, 'the logout went through');
    } finally {
      await server.close();
    }
  });
});

test('a database on a read-only filesystem stops start-up with a message naming the file and the cause', async (t) => {
  await onSmallTmpfs(t, async (dir) => {
    const path = join(dir, 'ro.db');
    await openSqliteStore(path).close();
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    assert.throws(
      () => openSqliteStore(path),
      (error: unknown) =>
        error instanceof StoreUnavailableError && error.message.includes(path) && /SQLITE_(CANTOPEN|READONLY)/.test(error.message),
    );
    const serve = await runBin(['serve', '--port', '0', '--database-url', path], { env: { PACERPRO_JWT_SECRET: 's'.repeat(40) } });
    assert.notEqual(serve.code, 0, 'serve does not start');
    assert.ok(serve.stderr.includes(path) || serve.stdout.includes(path), `serve names the file:\n${serve.stderr}${serve.stdout}`);
  });
});

test('a database file this process may not write stops start-up instead of starting ready and failing every logout', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('running the server as nobody needs root');
  const dir = mkdtempSync(join(tmpdir(), 'pacerpro-ro-'));
  try {
    const path = join(dir, 'readonly.db');
    await openSqliteStore(path).close();
    chmodSync(dir, 0o777);
    chmodSync(path, 0o444); // the directory stays writable: SQLite can make its -wal and -shm files, not write the database
    const nobody = Number(execFileSync('id', ['-u', 'nobody']).toString().trim());
    const script = `import('${join(process.cwd(), 'packages/server/dist/store/sqlite.js').replace(/\\/g, '/')}').then(({ openSqliteStore }) => openSqliteStore(${JSON.stringify(path)}))`;
    let stderr = '';
    try {
      execFileSync('setpriv', [`--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', process.execPath, '-e', script], {
        stdio: 'pipe',
      });
    } catch (error) {
      stderr = String((error as { stderr?: unknown }).stderr);
    }
    assert.match(stderr, /StoreUnavailableError/);
    assert.ok(stderr.includes(path), `the message names the file:\n${stderr}`);
    assert.match(stderr, /SQLITE_READONLY|SQLITE_CANTOPEN/, 'and the cause');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
