import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { buildApp } from '../../src/app.js';
import type { PasswordHasher } from '../../src/auth/passwords.js';
import { loadConfig } from '../../src/config.js';
import { startHousekeeping } from '../../src/housekeeping.js';
import { createLogger } from '../../src/logger.js';
import type { AuditEvent } from '../../src/store/audit.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { runCli } from '../support/cli.js';
import { PASSWORD, login, sharedHasher, startTestServer, tempDir } from '../support/harness.js';
import { chargedChecks } from '../support/lane-probe.js';

// Brute force against one e-mail is slowed, never locks anyone out for good, and reveals nothing;
// every security event lands in the log and in the audit_events table.

const answer = async (res: Response) => ({
  status: res.status,
  retryAfter: res.headers.get('retry-after'),
  body: await res.text(),
});
const attempt = (url: string, email: string, password: string) =>
  fetch(`${url}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  }).then(answer);

describe('per-e-mail throttling', () => {
  test('after N failures the e-mail waits 1 s, then 2 s, …; existing or not, the answers are the same', async () => {
    let nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
    let verifications = 0;
    const counting = (h: PasswordHasher): PasswordHasher => ({
      ...h,
      verify: (a, b) => (verifications++, h.verify(a, b)),
      verifyDummy: (p) => (verifications++, h.verifyDummy(p)),
    });
    const server = await startTestServer({ env: { PACERPRO_LOGIN_MAX_FAILURES: '3' }, now: () => nowMs, passwords: counting });
    try {
      await server.addUser('alice@example.com');
      const sequence = async (email: string) => {
        const seen = [];
        for (let i = 0; i < 3; i++) seen.push(await attempt(server.url, email, 'wrong password'));
        verifications = 0;
        seen.push(await attempt(server.url, email, PASSWORD)); // right password, but throttled
        assert.equal(verifications, 0, 'a throttled attempt costs no password verification');
        return seen;
      };
      const existing = await sequence('alice@example.com');
      const unknown = await sequence('nobody@example.com');
      assert.deepEqual(
        existing.map((a) => a.status),
        [401, 401, 401, 429],
      );
      assert.deepEqual(unknown, existing, 'throttling reveals nothing about which e-mails have accounts');
      assert.equal(existing[3]!.retryAfter, '1');
      assert.equal(JSON.parse(existing[3]!.body).code, 'login_throttled');

      nowMs += 1000; // the block is over; one more failure doubles it
      assert.equal((await attempt(server.url, 'alice@example.com', 'wrong password')).status, 401);
      const blocked = await attempt(server.url, 'alice@example.com', PASSWORD);
      assert.deepEqual([blocked.status, blocked.retryAfter], [429, '2']);

      nowMs += 2000; // a success resets the count
      assert.equal((await attempt(server.url, 'ALICE@example.com ', PASSWORD)).status, 200);
      assert.equal((await attempt(server.url, 'alice@example.com', 'wrong password')).status, 401);
      assert.equal((await attempt(server.url, 'alice@example.com', PASSWORD)).status, 200);
    } finally {
      await server.close();
    }
  });

  test('guesses sent all at once get no more password checks than the failures left allow (3 of 12, the rest 429), not a check each', async () => {
    const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
    let verifications = 0;
    const counting = (h: PasswordHasher): PasswordHasher => ({ ...h, verify: (a, b) => (verifications++, h.verify(a, b)) });
    const server = await startTestServer({ env: { PACERPRO_LOGIN_MAX_FAILURES: '3' }, now: () => nowMs, passwords: counting });
    try {
      await server.addUser('alice@example.com');
      const answers = await Promise.all(Array.from({ length: 12 }, () => attempt(server.url, 'alice@example.com', 'wrong password')));
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [...Array(3).fill(401), ...Array(9).fill(429)]);
      assert.equal(verifications, 3);
      assert.ok(answers.every((a) => a.status === 401 || (a.retryAfter !== null && JSON.parse(a.body).code === 'login_throttled')));
    } finally {
      await server.close();
    }
  });

  test('every process on the database shares the count, and `users unlock` lifts the throttle', async () => {
    const temp = tempDir();
    const databasePath = `${temp.dir}/shared.db`;
    const env = { PACERPRO_LOGIN_MAX_FAILURES: '2' };
    const a = await startTestServer({ databasePath, env });
    const b = await startTestServer({ databasePath, env });
    try {
      await a.addUser('alice@example.com');
      assert.equal((await attempt(a.url, 'alice@example.com', 'wrong password')).status, 401);
      assert.equal((await attempt(b.url, 'alice@example.com', 'wrong password')).status, 401);
      assert.equal((await attempt(a.url, 'alice@example.com', PASSWORD)).status, 429);
      assert.equal((await attempt(b.url, 'alice@example.com', PASSWORD)).status, 429);
      const unlocked = await runCli(['users', 'unlock', 'alice@example.com', '--database-url', databasePath]);
      assert.equal(unlocked.code, 0, unlocked.stderr);
      assert.equal((await attempt(b.url, 'alice@example.com', PASSWORD)).status, 200);
    } finally {
      await a.close();
      await b.close();
      temp.remove();
    }
  });

  test('housekeeping forgets failures after a day, known clients past their time, and audit events after their retention', async () => {
    const temp = tempDir();
    let nowMs = Date.UTC(2026, 0, 1);
    const store = openSqliteStore(`${temp.dir}/housekeeping.db`, { now: () => nowMs });
    const logger = createLogger('silent');
    try {
      await store.loginFailures.chargeAttempt('e:junk@example.com', { maxFailures: 10 });
      await store.audit.appendAuditEvents([{ at: new Date(nowMs), event: 'login_failed', email: 'junk@example.com' }]);
      const alice = await store.users.createUser({ email: 'alice@example.com', passwordHash: 'h', jti: crypto.randomUUID() });
      await store.knownClients.rememberAddress(alice.id, '192.0.2.1', 10);
      await store.knownClients.addDeviceCredential('device', alice.id, 20);
      const housekeeping = startHousekeeping({
        store,
        logger,
        auditRetentionSeconds: 7 * 86_400,
        deviceCredentialTtlSeconds: 2 * 86_400,
        now: () => nowMs,
      });
      housekeeping.stop();
      nowMs += 25 * 3600_000;
      await housekeeping.runOnce();
      assert.equal(await chargedChecks(store, 'e:junk@example.com', nowMs), 0, 'forgotten after a day');
      assert.notEqual(await store.knownClients.findDeviceCredential('device'), undefined, 'within its 2 days');
      nowMs += 2 * 86_400_000;
      await housekeeping.runOnce();
      assert.equal(await store.knownClients.findDeviceCredential('device'), undefined, 'unused for 2 days');
      assert.deepEqual((await store.knownClients.listAccountClients(alice.id)).addresses, ['192.0.2.1'], 'known for 30 days');
      assert.equal((await store.audit.listAuditEvents({ limit: 10 })).length, 1, 'still within retention');
      nowMs += 30 * 86_400_000;
      await housekeeping.runOnce();
      assert.equal((await store.audit.listAuditEvents({ limit: 10 })).length, 0);
      assert.deepEqual((await store.knownClients.listAccountClients(alice.id)).addresses, []);
    } finally {
      await store.close();
      temp.remove();
    }
  });
});

describe('audit trail', () => {
  test('logins, refreshes and logouts are in the log and the table, with IP, agent and request id — never a secret', async () => {
    const temp = tempDir();
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const databasePath = `${temp.dir}/audit.db`;
    const store = openSqliteStore(databasePath);
    const hasher = await sharedHasher();
    await store.users.createUser({ email: 'alice@example.com', passwordHash: await hasher.hash(PASSWORD), jti: crypto.randomUUID() });
    const config = loadConfig({ DATABASE_URL: databasePath, PACERPRO_IP_LOGIN_LIMIT: '0' });
    const app = await buildApp(config, { store, passwords: hasher, logger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const headers = { 'content-type': 'application/json', 'user-agent': 'Swagger-Codegen/0.2.1/ruby' };
    let token = '';
    let events: AuditEvent[] = [];
    try {
      await fetch(`${url}/v1/session`, {
        method: 'POST',
        headers: { ...headers, 'x-request-id': 'req-failed-1' },
        body: JSON.stringify({ email: 'Alice@example.com', password: 'nope nope' }),
      });
      const ok = await login(url);
      token = ok.json.jwtToken as string;
      const refreshed = await fetch(`${url}/v1/session`, { headers: { ...headers, authorization: `Bearer ${token}` } });
      assert.equal(refreshed.status, 200);
      assert.equal(
        (await fetch(`${url}/v1/session`, { method: 'DELETE', headers: { ...headers, authorization: `Bearer ${token}` } })).status,
        200,
      );
      // Read once the last answer came, before close(): every row was committed before its answer.
      events = await store.audit.listAuditEvents({ limit: 10 });
    } finally {
      await app.close();
    }
    await store.close();
    temp.remove();

    assert.deepEqual(
      events.map((e) => e.event),
      ['login_failed', 'login_succeeded', 'session_refreshed', 'logged_out'],
    );
    assert.deepEqual(
      { ...events[0], at: undefined },
      {
        at: undefined,
        event: 'login_failed',
        userId: undefined,
        email: 'alice@example.com',
        ip: '127.0.0.1',
        userAgent: 'Swagger-Codegen/0.2.1/ruby',
        requestId: 'req-failed-1',
        lane: 'unknown',
      },
    );
    assert.equal(events[1]!.lane, 'unknown', 'the first success is from an address the account did not know yet');
    assert.deepEqual(
      events.slice(1).map((e) => e.userId),
      [1, 1, 1],
    );
    for (const e of events) assert.ok(e.requestId && e.ip === '127.0.0.1' && e.at instanceof Date);

    const log = lines.join('');
    const audited = lines.map((l) => JSON.parse(l) as { audit?: { event: string; requestId: string } }).filter((l) => l.audit);
    assert.deepEqual(
      audited.map((l) => l.audit!.event),
      ['login_failed', 'login_succeeded', 'session_refreshed', 'logged_out'],
    );
    assert.equal(audited[0]!.audit!.requestId, 'req-failed-1');
    for (const secret of [token, PASSWORD, 'nope nope']) {
      assert.equal(log.includes(secret) || JSON.stringify(events).includes(secret), false);
    }
  });

  test('`pacerpro-auth audit` shows user changes and logins, filtered by user and time', async () => {
    const temp = tempDir();
    const db = `${temp.dir}/cli-audit.db`;
    const cli = (args: string[], stdin?: string) => runCli([...args, '--database-url', db], stdin === undefined ? {} : { stdin });
    try {
      assert.equal((await cli(['users', 'add', 'alice@example.com', '--password-stdin'], PASSWORD)).code, 0);
      assert.equal((await cli(['users', 'add', 'bob@example.com', '--password-stdin'], PASSWORD)).code, 0);
      assert.equal((await cli(['users', 'lock', 'bob@example.com'])).code, 0);
      const server = await startTestServer({ databasePath: db });
      try {
        await login(server.url, { email: 'alice@example.com', password: PASSWORD });
      } finally {
        await server.close();
      }

      const json = await cli(['audit', '--user', 'ALICE@example.com', '--json']);
      assert.equal(json.code, 0, json.stderr);
      const events = JSON.parse(json.stdout) as Array<{ event: string; email: string; userAgent?: string }>;
      assert.deepEqual(
        events.map((e) => e.event),
        ['user_added', 'login_succeeded'],
      );
      assert.equal(events[0]!.userAgent, 'pacerpro-auth cli');

      const text = await cli(['audit', '--since', '1h']);
      assert.equal(text.code, 0, text.stderr);
      const rows = text.stdout.trim().split('\n');
      assert.equal(rows.length, 4);
      assert.match(
        rows[2]!,
        /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}user_locked +user=2 {2}email=bob@example\.com {2}ip=- {2}request=- {2}lane=- {2}agent="pacerpro-auth cli"$/,
      );
      assert.equal((await cli(['audit', '--limit', '1'])).stdout.trim().split('\n').length, 1);

      const bad = await cli(['audit', '--since', 'yesterday']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^pacerpro-auth: --since="yesterday" is not valid: expected a duration such as 90m, 24h or 7d\n$/);
    } finally {
      temp.remove();
    }
  });
});
