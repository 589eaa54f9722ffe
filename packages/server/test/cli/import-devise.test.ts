import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPostgresRows } from '../../src/cli/import-devise.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { afterDatabaseNote, runCli } from '../support/cli.js';
import { DEVISE_USERS_TABLE, deviseHash, deviseJwt } from '../support/devise.js';
import { call, decodeJwt, login, tempDir } from '../support/harness.js';
import { adminQuery, freshSchema, postgresSkip, type TestSchema } from '../support/postgres.js';

// Moving a Devise + devise-jwt user base over: `pacerpro-auth import devise` (the built bin) from a
// Rails PostgreSQL table and from a CSV, then the imported users and their existing tokens at work.

const SECRET = 'the devise-jwt secret of the rails app, shared with us';
const PEPPER = 'devise-pepper-from-config';

const skip = await postgresSkip();
if (skip) console.log(skip);

const importCli = (args: string[], env: Record<string, string> = {}) => runCli(['import', 'devise', ...args], { env });

async function serve(databaseUrl: string, pepper?: string): Promise<RunningServer> {
  const env = { DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'silent', PACERPRO_JWT_SECRET: SECRET };
  return startServer(loadConfig(pepper ? { ...env, PACERPRO_DEVISE_PEPPER: pepper } : env), createLogger('silent'));
}

/** A user's password hash, read through the server's own store. */
async function hashOf(server: RunningServer, email: string): Promise<string> {
  return (await server.store.users.findUserByEmail(email))!.passwordHash;
}

/** Log in with the Devise password, then log out with the old devise-jwt token: both tokens die. */
async function assertLoginUpgradesThenLogoutRevokes(server: RunningServer, email: string, password: string, deviseToken: string) {
  assert.match(await hashOf(server, email), /^\$2[aby]\$/);
  const first = await login(server.url, { email, password });
  assert.equal(first.res.status, 200, JSON.stringify(first.json));
  assert.match(await hashOf(server, email), /^\$argon2id\$/);
  assert.equal((await login(server.url, { email, password })).res.status, 200); // now verified by argon2id
  assert.equal((await call(server.url, 'GET', `Bearer ${deviseToken}`)).res.status, 200); // a login revokes nothing

  assert.equal((await call(server.url, 'DELETE', deviseToken)).res.status, 200);
  assert.equal((await call(server.url, 'GET', `Bearer ${deviseToken}`)).res.status, 401);
  assert.equal((await call(server.url, 'GET', `Bearer ${first.json.jwtToken as string}`)).res.status, 401);
}

describe('import devise --from a Rails database on PostgreSQL', { skip }, () => {
  let rails: TestSchema;
  let target: TestSchema;
  const alice = { id: 3, email: 'alice@example.com', password: 'alice devise password', jti: randomUUID() };
  const RECENTLY = new Date(Date.now() - 60_000);
  const SKIPPED = [
    'skipped id 9: encrypted_password is empty: the account has no password to log in with',
    'skipped id 11: email "not-an-email" is not an e-mail address',
  ];

  before(async () => {
    [rails, target] = await Promise.all([freshSchema(), freshSchema()]);
    await adminQuery(`SET search_path TO ${rails.name}; ${DEVISE_USERS_TABLE}`);
    const rows = [
      // Devise's default cost is 12; the others use 10 to keep the test quick.
      [alice.id, alice.email, await deviseHash(alice.password, { cost: 12, pepper: PEPPER }), alice.jti, null, 0],
      [
        5,
        'carol@example.com',
        await deviseHash('carol devise password', { pepper: PEPPER, prefix: '$2y$' }),
        randomUUID(),
        // Locked by Devise a minute ago: within unlock_in (1h by default), so still locked here.
        RECENTLY.toISOString().replace('T', ' ').replace('Z', ''),
        20,
      ],
      // Locked long ago: past unlock_in, so Devise would let the right password in, and so do we.
      [6, 'pat@example.com', await deviseHash('pat devise password', { pepper: PEPPER }), randomUUID(), '2025-06-01 12:00:00', 20],
      [7, 'Bob@Example.com', await deviseHash('bob devise password', { pepper: PEPPER, prefix: '$2b$' }), randomUUID(), null, 1],
      [9, 'dave@example.com', '', randomUUID(), null, 0],
      [11, 'not-an-email', await deviseHash('x', { cost: 4 }), randomUUID(), null, 0],
    ];
    for (const row of rows) {
      await adminQuery(
        `INSERT INTO ${rails.name}.users (id, email, encrypted_password, jti, locked_at, failed_attempts) VALUES ($1, $2, $3, $4, $5, $6)`,
        row,
      );
    }
  });

  after(async () => {
    await Promise.all([rails?.drop(), target?.drop()]);
  });

  it('--dry-run reports what it would do and writes no user', async () => {
    const result = await importCli(['--from', rails.url, '--dry-run', '--database-url', target.url]);
    assert.equal(result.stdout, `${['dry run, nothing written: would import 4, unchanged 0, skipped 2', ...SKIPPED].join('\n')}\n`);
    assert.equal(result.code, 1, 'rows were skipped');
    assert.deepEqual(await adminQuery(`SELECT id FROM ${target.name}.users`), []);
  });

  it('imports ids, jtis, hashes and locks, reports bad rows, changes nothing the second time', async () => {
    const first = await importCli(['--from', rails.url, '--database-url', target.url]);
    assert.equal(first.stdout, `${['imported 4, unchanged 0, skipped 2', ...SKIPPED].join('\n')}\n`);
    assert.equal(afterDatabaseNote(first.stderr), '');
    const users = await adminQuery(`SELECT id, email, password_hash, jti, locked, locked_until FROM ${target.name}.users ORDER BY id`);
    // A Devise lock ends unlock_in (1h) after locked_at, which Rails writes in UTC.
    const source = await adminQuery(
      `SELECT id, email, encrypted_password AS password_hash, jti, false AS locked, (locked_at + interval '1 hour') AT TIME ZONE 'UTC' AS locked_until
       FROM ${rails.name}.users WHERE id <= 7 ORDER BY id`,
    );
    assert.deepEqual(users, source);

    const again = await importCli(['--from', rails.url, '--database-url', target.url, '--json']);
    const summary = JSON.parse(again.stdout) as Record<string, unknown>;
    assert.deepEqual(
      { ...summary, skipped: (summary.skipped as unknown[]).length },
      { dryRun: false, imported: 0, unchanged: 4, skipped: 2, notes: [] },
    );
    assert.deepEqual(
      await adminQuery(`SELECT id, email, password_hash, jti, locked, locked_until FROM ${target.name}.users ORDER BY id`),
      users,
    );

    // The id sequence continues above the highest imported id.
    const added = await runCli(['users', 'add', 'erin@example.com', '--password-stdin', '--database-url', target.url], {
      stdin: 'erin new password',
    });
    assert.equal(added.stdout, 'added erin@example.com (id 8)\n');
  });

  it("accepts devise-jwt's tokens, upgrades bcrypt to argon2id at login, and a logout refuses them", async () => {
    const server = await serve(target.url, PEPPER);
    try {
      const token = deviseJwt(SECRET, { sub: alice.id, jti: alice.jti });
      const refreshed = await call(server.url, 'GET', `Bearer ${token}`);
      assert.equal(refreshed.res.status, 200, JSON.stringify(refreshed.json));
      assert.deepEqual(
        [decodeJwt(refreshed.json.jwtToken as string).payload.sub, decodeJwt(refreshed.json.jwtToken as string).payload.jti],
        [3, alice.jti],
      );

      // Locked within unlock_in: neither the password nor the token opens it.
      assert.equal((await login(server.url, { email: 'carol@example.com', password: 'carol devise password' })).res.status, 401);
      assert.equal(
        (await call(server.url, 'GET', `Bearer ${deviseJwt(SECRET, { sub: 5, jti: (await server.store.users.findUserById(5))!.jti })}`)).res
          .status,
        401,
      );
      // Locked past unlock_in: open, as in Devise (was: every locked_at imported as a permanent lock).
      assert.equal((await login(server.url, { email: 'pat@example.com', password: 'pat devise password' })).res.status, 200);
      // $2b$ with the pepper, e-mail matched case-insensitively.
      assert.equal((await login(server.url, { email: 'bob@example.com', password: 'bob devise password' })).res.status, 200);

      await assertLoginUpgradesThenLogoutRevokes(server, alice.email, alice.password, token);
    } finally {
      await server.close();
    }
    // Importing again after all that restores nothing: not the bcrypt hash, not the revoked jti.
    assert.match((await importCli(['--from', rails.url, '--database-url', target.url])).stdout, /^imported 0, unchanged 4, skipped 2\n/);
    const [row] = await adminQuery<{ password_hash: string; jti: string }>(
      `SELECT password_hash, jti FROM ${target.name}.users WHERE id = 3`,
    );
    assert.match(row!.password_hash, /^\$argon2id\$/);
    assert.notEqual(row!.jti, alice.jti);
  });

  // warden-jwt_auth has written String(sub) since 0.1.3, so tokens of a real devise-jwt backend carry "sub":"7".
  it('a devise-jwt token with the string sub warden-jwt_auth writes ("7") is accepted, not refused as invalid', async () => {
    const server = await serve(target.url, PEPPER);
    try {
      const token = deviseJwt(SECRET, { sub: '7', jti: (await server.store.users.findUserById(7))!.jti });
      assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 200);
    } finally {
      await server.close();
    }
  });

  it('reads a large table page by page in numeric id order (11 after 9), not text order, which repeated rows across pages', async () => {
    const ids = [];
    for await (const { row } of readPostgresRows(rails.url, 'users', 2000, 2)) ids.push(row.id);
    assert.deepEqual(ids, ['3', '5', '6', '7', '9', '11']);
  });

  it('fails in one line when the source cannot be read', async () => {
    const noTable = await importCli(['--from', rails.url, '--table', 'members', '--database-url', target.url]);
    assert.equal(noTable.code, 1);
    assert.match(
      afterDatabaseNote(noTable.stderr),
      /^pacerpro-auth: cannot read the Devise users from "members" at 127\.0\.0\.1:5432\/test: relation "members" does not exist\n$/,
    );
  });
});

describe('import devise --csv into SQLite', () => {
  const temp = tempDir();
  const database = join(temp.dir, 'pacerpro.db');
  const csv = join(temp.dir, 'users.csv');
  const frank = { id: 12, email: 'frank@example.com', password: 'frank devise password', jti: randomUUID() };

  before(async () => {
    const hashed = await deviseHash(frank.password);
    const other = await deviseHash('another password', { cost: 4 });
    writeFileSync(
      csv,
      [
        'id,email,encrypted_password,jti,locked_at,failed_attempts',
        `${frank.id},${frank.email},${hashed},${frank.jti},,0`,
        `15,"grace@example.com",${other},${randomUUID()},"2025-01-01 10:00:00 UTC",5\r`,
        `16,heidi@example.com,${other},,,0`,
        `17,ivan@example.com,${other}`,
        `18,,${other},${randomUUID()},,0`,
        '',
      ].join('\n'),
    );
  });
  after(() => temp.remove());

  it('imports, reports bad rows by line, notes a new jti, and is idempotent; ids continue above', async () => {
    // The Rails app unlocks by e-mail only: grace's lock of 2025 has no end.
    const first = await importCli(['--csv', csv, '--database-url', database], { PACERPRO_DEVISE_UNLOCK_IN: 'never' });
    assert.equal(
      first.stdout,
      `${[
        'imported 3, unchanged 0, skipped 2',
        'skipped line 5, id 17: has 3 fields where the header names 6',
        'skipped line 6, id 18: email "" is not an e-mail address',
        'note line 4, id 16: jti is missing or not a UUID: a new one was made, so tokens issued before are refused',
      ].join('\n')}\n`,
    );
    assert.equal(first.code, 1);
    assert.match((await importCli(['--csv', csv, '--database-url', database])).stdout, /^imported 0, unchanged 3, skipped 2\n/);
    const added = await runCli(['users', 'add', 'judy@example.com', '--password-stdin', '--database-url', database], {
      stdin: 'judy new password',
    });
    assert.equal(added.stdout, 'added judy@example.com (id 17)\n');
  });

  it("accepts devise-jwt's tokens for the imported users, upgrades at login, revokes at logout", async () => {
    const server = await serve(database);
    try {
      const token = deviseJwt(SECRET, { sub: frank.id, jti: frank.jti });
      assert.equal((await call(server.url, 'GET', `Bearer ${token}`)).res.status, 200);
      assert.deepEqual((await server.store.users.findUserById(15))!.lock, { kind: 'locked' }); // unlock_in never
      await assertLoginUpgradesThenLogoutRevokes(server, frank.email, frank.password, token);
    } finally {
      await server.close();
    }
  });

  it('refuses a CSV without the required columns, and a usage mistake, in one line each', async () => {
    writeFileSync(join(temp.dir, 'bad.csv'), 'id,email\n1,a@example.com\n');
    const bad = await importCli(['--csv', join(temp.dir, 'bad.csv'), '--database-url', database]);
    assert.equal(bad.code, 1);
    assert.match(
      afterDatabaseNote(bad.stderr),
      /^pacerpro-auth: \S+bad\.csv has no column encrypted_password, jti: expected id,email,encrypted_password,jti\[,locked_at,failed_attempts\]\n$/,
    );
    const both = await importCli(['--csv', csv, '--from', 'postgres://x/y']);
    assert.deepEqual([both.code, both.stderr], [2, 'pacerpro-auth: give exactly one of --from postgres://… and --csv FILE\n']);
  });

  it('a bad --from URL is named as --from, not DATABASE_URL, and stops before the target database is created', async () => {
    const target = join(temp.dir, 'never-created.db');
    const cases: Array<[string, string]> = [
      ['postgres://bad url', 'pacerpro-auth: --from is not a valid URL: expected postgres://user:password@host:5432/database.\n'],
      [
        'postgres://127.0.0.1/rails?schema=Bad',
        'pacerpro-auth: --from ?schema="Bad" is not valid: expected a lower-case name like pacerpro_auth (a to z, 0 to 9 and _, at most 63, not starting with a digit).\n',
      ],
    ];
    for (const [from, stderr] of cases) {
      const result = await importCli(['--from', from, '--database-url', target]);
      assert.deepEqual([result.code, result.stderr], [2, stderr], from);
    }
    assert.equal(existsSync(target), false, 'no database was created for an import that could not start');
  });
});
