import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { createAuditTrail, type NewAuditEvent } from '../../src/audit/audit-trail.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { AuditEvent, AuditStore } from '../../src/store/audit.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';
import { PASSWORD, login, sharedHasher, tempDir } from '../support/harness.js';
import { PG_URL, freshSchema, postgresSkip } from '../support/postgres.js';

// The audit trail commits every event before its request answers (a kill -9 then loses no row of
// an answered request): record() resolves only after the commit, the events of one turn go in one
// commit (and those of the turns while it is in flight in the next), and a commit that fails fails
// the request instead of being reported as done.

const temp = tempDir();
after(() => temp.remove());

const logger = createLogger('silent');
const all = { limit: 1000 };
const refreshed = (userId: number): NewAuditEvent => ({ event: 'session_refreshed', userId, requestId: `req-${userId}` });

/** Resolves to true when `promise` has settled within `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

describe('audit trail', () => {
  test('record() does not resolve before its row is committed: a foreign BEGIN IMMEDIATE holds the SQLite commit', async () => {
    const path = join(temp.dir, 'held.db');
    const store = openSqliteStore(path, { busyTimeoutMs: 10_000 });
    const trail = createAuditTrail({ store: store.audit, logger });
    const foreign = new Database(path);
    try {
      foreign.exec('BEGIN IMMEDIATE');
      const recorded = trail.record(refreshed(1));
      assert.equal(await settledWithin(recorded, 400), false, 'record() waits while the commit cannot happen');
      foreign.exec('COMMIT');
      await recorded;
      assert.deepEqual(
        foreign.prepare('SELECT request_id FROM audit_trail').all(),
        [{ request_id: 'req-1' }],
        'committed once record() resolved',
      );
    } finally {
      foreign.close();
      await trail.close();
      await store.close();
    }
  });

  test('record() does not resolve before its row is committed: a PostgreSQL table lock holds the commit', async (t) => {
    const skip = await postgresSkip();
    if (skip) return t.skip(skip);
    const schema = await freshSchema();
    const store = await openPostgresStore(schema.url);
    const trail = createAuditTrail({ store: store.audit, logger });
    const foreign = new pg.Client({ connectionString: PG_URL });
    await foreign.connect();
    try {
      await foreign.query('BEGIN');
      await foreign.query(`LOCK TABLE ${schema.name}.audit_events IN EXCLUSIVE MODE`);
      const recorded = trail.record(refreshed(1));
      assert.equal(await settledWithin(recorded, 400), false, 'record() waits while the insert cannot happen');
      await foreign.query('COMMIT');
      await recorded;
      const { rows } = await foreign.query(`SELECT request_id FROM ${schema.name}.audit_events`);
      assert.deepEqual(rows, [{ request_id: 'req-1' }], 'committed once record() resolved');
    } finally {
      await foreign.end();
      await trail.close();
      await store.close();
      await schema.drop();
    }
  });

  test('the events of one turn go to the store in one commit, not one commit each', async () => {
    const store = openSqliteStore(join(temp.dir, 'turns.db'));
    const batches: number[] = [];
    // The real store, told only how many events each call brings.
    const counted: AuditStore = {
      ...store.audit,
      appendAuditEvents: (events: readonly AuditEvent[]) => (batches.push(events.length), store.audit.appendAuditEvents(events)),
    };
    const trail = createAuditTrail({ store: counted, logger });
    try {
      await Promise.all([trail.record(refreshed(1)), trail.record(refreshed(2)), trail.record(refreshed(3))]);
      await trail.record(refreshed(4));
      assert.deepEqual(batches, [3, 1]);
      assert.deepEqual(
        (await store.audit.listAuditEvents(all)).map((e) => e.userId),
        [1, 2, 3, 4],
      );
    } finally {
      await trail.close();
      await store.close();
    }
  });

  test('events that arrive while a commit is held go together in the next commit, not one commit per turn', async () => {
    const path = join(temp.dir, 'coalesced.db');
    const store = openSqliteStore(path, { busyTimeoutMs: 10_000 });
    const batches: number[] = [];
    const counted: AuditStore = {
      ...store.audit,
      appendAuditEvents: (events: readonly AuditEvent[]) => (batches.push(events.length), store.audit.appendAuditEvents(events)),
    };
    const trail = createAuditTrail({ store: counted, logger });
    const foreign = new Database(path);
    try {
      foreign.exec('BEGIN IMMEDIATE');
      const first = trail.record(refreshed(1));
      await sleep(50); // its commit is now waiting for the lock
      const later: Promise<void>[] = [];
      for (const userId of [2, 3, 4]) {
        later.push(trail.record(refreshed(userId)));
        await new Promise(setImmediate); // each in a turn of its own
      }
      assert.deepEqual(batches, [1], 'nothing more is sent while a commit is in flight');
      foreign.exec('COMMIT');
      await Promise.all([first, ...later]);
      assert.deepEqual(batches, [1, 3]);
      assert.deepEqual(
        (await store.audit.listAuditEvents(all)).map((e) => e.userId),
        [1, 2, 3, 4],
      );
    } finally {
      foreign.close();
      await trail.close();
      await store.close();
    }
  });

  test('a failed audit commit rejects record() instead of reporting the event as written', async () => {
    const path = join(temp.dir, 'refused.db');
    const store = openSqliteStore(path, { busyTimeoutMs: 50 });
    const trail = createAuditTrail({ store: store.audit, logger });
    const foreign = new Database(path);
    try {
      foreign.exec('BEGIN IMMEDIATE');
      await assert.rejects(trail.record(refreshed(1)), StoreUnavailableError);
      foreign.exec('COMMIT');
      await trail.record(refreshed(2)); // the next commit, after the lock, succeeds
      assert.deepEqual(
        (await store.audit.listAuditEvents(all)).map((e) => e.userId),
        [2],
      );
    } finally {
      foreign.close();
      await trail.close();
      await store.close();
    }
  });

  test('a refresh whose audit row cannot be committed answers 503 with Retry-After, not 200 with a token', async () => {
    const path = join(temp.dir, 'refresh-refused.db');
    const store = openSqliteStore(path, { busyTimeoutMs: 50 });
    const hasher = await sharedHasher();
    await store.users.createUser({ email: 'alice@example.com', passwordHash: await hasher.hash(PASSWORD), jti: crypto.randomUUID() });
    const app = await buildApp(loadConfig({ DATABASE_URL: path, LOG_LEVEL: 'silent', PACERPRO_IP_LOGIN_LIMIT: '0' }), {
      store,
      passwords: hasher,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/session`;
    const foreign = new Database(path);
    try {
      const token = (await login(url.replace('/v1/session', ''))).json.jwtToken as string;
      const refresh = () => fetch(url, { headers: { authorization: `Bearer ${token}` } });
      foreign.exec('BEGIN IMMEDIATE'); // the audit row cannot be written; a refresh writes nothing else
      const refused = await refresh();
      assert.equal(refused.status, 503);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal(refused.headers.get('authorization'), null, 'no token handed out');
      assert.equal(((await refused.json()) as { jwtToken?: string }).jwtToken, undefined);
      foreign.exec('COMMIT');
      assert.equal((await refresh()).status, 200);
      assert.deepEqual(
        (await store.audit.listAuditEvents(all)).map((e) => e.event),
        ['login_succeeded', 'session_refreshed'],
      );
    } finally {
      foreign.close();
      await app.close();
      await store.close();
    }
  });
});
