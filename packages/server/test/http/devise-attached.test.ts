import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { sign } from '../support/crafted-tokens.js';
import { runCli } from '../support/cli.js';
import { DEVISE_USERS_TABLE } from '../support/devise.js';
import { call, decodeJwt, login, sharedHasher, startTestServer, type TestServer } from '../support/harness.js';
import { adminQuery, freshSchema, postgresSkip, type TestSchema } from '../support/postgres.js';

// Attached mode (PACERPRO_DEVISE_USERS_TABLE) beside a live Devise app, on the real PostgreSQL:
// the Rails app's users table lives in one schema, ours in another, and two nodes serve beside
// it. The Rails side is played by SQL on its table, by bcryptjs (a bcrypt of its own, not the
// binding the server hashes with) and by tokens in warden-jwt_auth's exact shape.

// Rails writes its times as UTC in `timestamp without time zone`; a node in another zone must not
// shift Devise's locks by its offset (the driver reads such a column as local time). Set before any
// time is read, for this test process only.
process.env.TZ = 'Pacific/Auckland';

const skip = await postgresSkip();
if (skip) console.log(skip);

const SECRET = 'devise-attached-test-secret-devise-attached-test';
const PEPPER = 'rails-pepper-for-the-attached-test';
const ISSUER = 'https://rails.example';
// Devise's default is 12 outside its test environment; 5 keeps the test quick and is still told apart from bcryptjs's default of 10.
const STRETCHES = 5;

/** The users table as `rails g devise User` with :lockable and devise-jwt leave it: timestamps NOT NULL without a default. */
const RAILS_TABLE = DEVISE_USERS_TABLE.replaceAll(' NOT NULL DEFAULT now()', ' NOT NULL');

/** A hash as Devise::Encryptor writes it, with Ruby's $2a$: bcrypt of password + pepper at its stretches. */
const railsHash = (password: string) => `$2a$${bcrypt.hashSync(password + PEPPER, STRETCHES).slice(4)}`;

/** Whether Devise would accept `password` for `hash`: bcrypt of password + pepper, checked by bcryptjs. */
const deviseAccepts = (hash: string, password: string) => bcrypt.compareSync(password + PEPPER, hash);

/** A token as warden-jwt_auth issues it: bare {"alg":"HS256"}, string sub, iat, aud null, and the app's jwt_payload claims. */
function railsToken(user: { id: number; jti: string }, nowMs: number, extra: Record<string, unknown> = {}): string {
  const iat = Math.floor(nowMs / 1000);
  return sign({ alg: 'HS256' }, { sub: String(user.id), scp: 'user', aud: null, iat, exp: iat + 600, jti: user.jti, ...extra }, SECRET);
}

interface Rails {
  readonly schema: TestSchema;
  readonly table: string;
  /** A user created the way Rails creates one; its password is `${email} password`. */
  add(email: string): Promise<{ id: number; jti: string; password: string }>;
  row(id: number): Promise<{ email: string; encrypted_password: string; jti: string; created_at: Date | null; locked_at: Date | null }>;
  /** A Rails logout: devise-jwt's JTIMatcher revoke_jwt spins the jti column. */
  logout(id: number): Promise<string>;
}

async function railsApp(table = RAILS_TABLE): Promise<Rails> {
  const schema = await freshSchema();
  await adminQuery(`SET search_path TO ${schema.name}; ${table}`);
  const qualified = `${schema.name}.users`;
  return {
    schema,
    table: qualified,
    async add(email) {
      const password = `${email} password`;
      const jti = randomUUID();
      const [row] = await adminQuery<{ id: string }>(
        `INSERT INTO ${qualified} (email, encrypted_password, jti, created_at, updated_at)
         VALUES ($1, $2, $3, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC') RETURNING id`,
        [email, railsHash(password), jti],
      );
      return { id: Number(row!.id), jti, password };
    },
    async row(id) {
      const [row] = await adminQuery(
        `SELECT email, encrypted_password, jti, created_at AT TIME ZONE 'UTC' AS created_at, locked_at AT TIME ZONE 'UTC' AS locked_at
         FROM ${qualified} WHERE id = $1`,
        [id],
      );
      assert.ok(row, `no row ${id} in the Rails table`);
      return row as Awaited<ReturnType<Rails['row']>>;
    },
    async logout(id) {
      const jti = randomUUID();
      await adminQuery(`UPDATE ${qualified} SET jti = $1 WHERE id = $2`, [jti, id]);
      return jti;
    },
  };
}

/** The settings of a node attached to `rails`, with our tables in `ours`. */
const attachedEnv = (rails: Rails, extra: Record<string, string> = {}) => ({
  PACERPRO_JWT_SECRET: SECRET,
  PACERPRO_DEVISE_USERS_TABLE: rails.table,
  PACERPRO_DEVISE_PEPPER: PEPPER,
  PACERPRO_DEVISE_STRETCHES: String(STRETCHES),
  ...extra,
});

const bearer = (token: unknown) => `Bearer ${token as string}`;

describe('attached to a live Devise app, two nodes', { skip }, () => {
  let rails: Rails;
  let ours: TestSchema;
  let a: TestServer;
  let b: TestServer;
  let nowMs = Date.UTC(2026, 11, 7, 12);
  const now = () => nowMs;

  before(async () => {
    [rails, ours] = await Promise.all([railsApp(), freshSchema()]);
    // The app makes its hasher from the settings, as `serve` does: bcrypt at Devise's stretches.
    const options = { postgresUrl: ours.url, env: attachedEnv(rails), appHasher: true, now };
    [a, b] = await Promise.all([startTestServer(options), startTestServer(options)]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([rails?.schema.drop(), ours?.drop()]);
  });

  test('a Rails token, with or without app claims, refreshes on both nodes with the jti of the shared column (was: logged out by the move)', async () => {
    const alice = await rails.add('alice@example.com');
    for (const extra of [{}, { email: 'alice@example.com', role: 'admin' }]) {
      for (const node of [a, b]) {
        const { res, json } = await call(node.url, 'GET', bearer(railsToken(alice, nowMs, extra)));
        assert.equal(res.status, 200, JSON.stringify(extra));
        assert.equal(decodeJwt(json.jwtToken as string).payload.jti, (await rails.row(alice.id)).jti);
      }
    }
  });

  test('a logout here refuses the Rails tokens at once on both nodes, and Rails sees the new jti (was: our copy of the jti drifted)', async () => {
    const bob = await rails.add('bob@example.com');
    const token = railsToken(bob, nowMs);
    for (const node of [a, b]) assert.equal((await call(node.url, 'GET', bearer(token))).res.status, 200);
    assert.equal((await call(a.url, 'DELETE', bearer(token))).res.status, 200);
    for (const node of [a, b]) assert.equal((await call(node.url, 'GET', bearer(token))).res.status, 401);
    assert.notEqual((await rails.row(bob.id)).jti, bob.jti);
  });

  test('a jti rotated by SQL (a Rails logout) refuses our tokens at once on both nodes (was: a Rails logout left our tokens valid)', async () => {
    const carol = await rails.add('carol@example.com');
    const { res, json } = await login(a.url, { email: 'carol@example.com', password: carol.password });
    assert.equal(res.status, 200);
    for (const node of [a, b]) assert.equal((await call(node.url, 'GET', bearer(json.jwtToken))).res.status, 200);
    const newJti = await rails.logout(carol.id);
    for (const node of [a, b]) assert.equal((await call(node.url, 'GET', bearer(json.jwtToken))).res.status, 401);
    // The Rails side's next token, with its new jti, works here.
    assert.equal((await call(b.url, 'GET', bearer(railsToken({ id: carol.id, jti: newJti }, nowMs)))).res.status, 200);
  });

  test('a password set by Rails logs in here and its hash stays as Devise wrote it (was: argon2id rehash locked users out of Rails)', async () => {
    const dave = await rails.add('dave@example.com');
    const before = (await rails.row(dave.id)).encrypted_password;
    for (const node of [a, b]) {
      assert.equal((await login(node.url, { email: 'dave@example.com', password: dave.password })).res.status, 200);
    }
    assert.equal((await rails.row(dave.id)).encrypted_password, before);
    // A password changed in Rails works at the next login.
    await adminQuery(`UPDATE ${rails.table} SET encrypted_password = $1 WHERE id = $2`, [railsHash('changed in rails 1'), dave.id]);
    assert.equal((await login(b.url, { email: 'dave@example.com', password: 'changed in rails 1' })).res.status, 200);
    assert.equal((await login(a.url, { email: 'dave@example.com', password: dave.password })).res.status, 401);
  });

  test('users passwd writes a hash Devise accepts: bcrypt of password + pepper at its stretches (was: a password changed here unknown to Rails)', async () => {
    const erin = await rails.add('erin@example.com');
    const token = railsToken(erin, nowMs);
    const passwd = await runCli(['users', 'passwd', 'erin@example.com', '--password-stdin'], {
      stdin: 'a new one set beside Rails\n',
      env: { DATABASE_URL: ours.url, ...attachedEnv(rails) },
    });
    assert.equal(passwd.code, 0, passwd.stderr);
    const row = await rails.row(erin.id);
    assert.match(row.encrypted_password, new RegExp(`^\\$2a\\$0${STRETCHES}\\$`));
    assert.equal(deviseAccepts(row.encrypted_password, 'a new one set beside Rails'), true);
    assert.equal(bcrypt.compareSync('a new one set beside Rails', row.encrypted_password), false, 'the pepper is part of the hash');
    // The new password logs in here, and every earlier token died with the old one, on both sides.
    assert.equal((await login(a.url, { email: 'erin@example.com', password: 'a new one set beside Rails' })).res.status, 200);
    assert.notEqual(row.jti, erin.jti);
    assert.equal((await call(b.url, 'GET', bearer(token))).res.status, 401);
  });

  test('users add writes a row Devise can use: timestamps filled, e-mail as Devise keeps it, bcrypt with the pepper (was: NOT NULL created_at refused the insert)', async () => {
    const added = await runCli(['users', 'add', 'Frank@Example.com', '--password-stdin', '--json'], {
      stdin: 'frank added beside Rails\n',
      env: { DATABASE_URL: ours.url, ...attachedEnv(rails) },
    });
    assert.equal(added.code, 0, added.stderr);
    const { id } = JSON.parse(added.stdout) as { id: number };
    const row = await rails.row(id);
    assert.equal(row.email, 'frank@example.com');
    assert.ok(row.created_at instanceof Date && Math.abs(row.created_at.getTime() - Date.now()) < 3600_000, String(row.created_at));
    assert.equal(deviseAccepts(row.encrypted_password, 'frank added beside Rails'), true);
    assert.match(row.jti, /^[0-9a-f-]{36}$/);
    const { json } = await login(b.url, { email: 'frank@example.com', password: 'frank added beside Rails' });
    assert.equal(decodeJwt(json.jwtToken as string).payload.jti, row.jti);
  });

  test('a Devise lock within unlock_in refuses the password and the tokens, and past it both work (was: read as a lock that never ends, or none)', async () => {
    const gina = await rails.add('gina@example.com');
    await adminQuery(`UPDATE ${rails.table} SET locked_at = ($1::timestamptz AT TIME ZONE 'UTC'), failed_attempts = 20 WHERE id = $2`, [
      new Date(nowMs - 10 * 60_000),
      gina.id,
    ]);
    const credentials = { email: 'gina@example.com', password: gina.password };
    assert.equal((await login(a.url, credentials)).res.status, 401);
    assert.equal((await call(b.url, 'GET', bearer(railsToken(gina, nowMs)))).res.status, 401);
    nowMs += 3600_000; // the default unlock_in (1h) after locked_at has passed
    assert.equal((await call(b.url, 'GET', bearer(railsToken(gina, nowMs)))).res.status, 200);
    assert.equal((await login(a.url, credentials)).res.status, 200);
    // We read the lock and leave Devise's columns to Devise (docs/devise.md).
    assert.ok((await rails.row(gina.id)).locked_at !== null);
  });

  test("users unlock clears Devise's lock in the Rails row too, as unlock_access! does (was: unlocked here, still locked in Rails)", async () => {
    const judy = await rails.add('judy@example.com');
    await adminQuery(
      `UPDATE ${rails.table} SET locked_at = ($1::timestamptz AT TIME ZONE 'UTC'), failed_attempts = 20, unlock_token = 'token' WHERE id = $2`,
      [new Date(nowMs - 60_000), judy.id],
    );
    const unlocked = await runCli(['users', 'unlock', 'judy@example.com'], { env: { DATABASE_URL: ours.url, ...attachedEnv(rails) } });
    assert.equal(unlocked.code, 0, unlocked.stderr);
    const [row] = await adminQuery(`SELECT locked_at, failed_attempts, unlock_token, jti FROM ${rails.table} WHERE id = $1`, [judy.id]);
    assert.deepEqual(row, { locked_at: null, failed_attempts: 0, unlock_token: null, jti: judy.jti });
    assert.equal((await login(a.url, { email: 'judy@example.com', password: judy.password })).res.status, 200);
  });

  test('nothing but bcrypt ever reaches the Rails table, and the store refuses an argon2id hash outright (was: argon2id written where Devise reads)', async () => {
    const hank = await rails.add('hank@example.com');
    const argon2 = await (await sharedHasher()).hash('an argon2id hash');
    await assert.rejects(a.store.users.updatePasswordHash(hank.id, argon2), /refusing to write a password hash other than bcrypt/);
    await assert.rejects(
      a.store.users.changePassword(hank.id, argon2, randomUUID()),
      /refusing to write a password hash other than bcrypt/,
    );
    // After every login, passwd and add of the tests above: every hash in the table is Devise's bcrypt.
    const hashes = await adminQuery<{ encrypted_password: string }>(`SELECT encrypted_password FROM ${rails.table}`);
    assert.ok(hashes.length >= 8);
    for (const { encrypted_password } of hashes) assert.match(encrypted_password, /^\$2a\$\d{2}\$/);
  });

  test('Rails deletes a user who logged in here, and its tokens are refused at once (was: our known clients blocking the delete by a foreign key)', async () => {
    const kate = await rails.add('kate@example.com');
    const { json } = await login(a.url, { email: 'kate@example.com', password: kate.password });
    const [known] = await adminQuery(`SELECT count(*)::int AS n FROM ${ours.name}.known_addresses WHERE user_id = $1`, [kate.id]);
    assert.equal(known!.n, 1, 'the login remembered its address');
    await adminQuery(`DELETE FROM ${rails.table} WHERE id = $1`, [kate.id]);
    for (const node of [a, b]) assert.equal((await call(node.url, 'GET', bearer(json.jwtToken))).res.status, 401);
  });

  test('users delete and import are refused while attached, saying why (was: our CLI deleting rows the Rails app owns)', async () => {
    await rails.add('ivan@example.com');
    const env = { DATABASE_URL: ours.url, ...attachedEnv(rails) };
    const deleted = await runCli(['users', 'delete', 'ivan@example.com'], { env });
    assert.equal(deleted.code, 1);
    assert.match(deleted.stderr, /users delete is refused while attached to .*: the Rails app owns its users; delete the user there/);
    assert.equal((await adminQuery(`SELECT 1 FROM ${rails.table} WHERE email = 'ivan@example.com'`)).length, 1);
    const imported = await runCli(['import', 'devise', '--from', ours.url], { env });
    assert.equal(imported.code, 2);
    assert.match(
      imported.stderr,
      /import devise is refused while attached \(PACERPRO_DEVISE_USERS_TABLE is .*\): its users are read in place/,
    );
  });
});

describe('attached, with PACERPRO_JWT_ISSUER', { skip }, () => {
  let rails: Rails;
  let ours: TestSchema;
  let node: TestServer;

  before(async () => {
    [rails, ours] = await Promise.all([railsApp(), freshSchema()]);
    node = await startTestServer({ postgresUrl: ours.url, env: attachedEnv(rails, { PACERPRO_JWT_ISSUER: ISSUER }), appHasher: true });
  });
  after(async () => {
    await node?.close();
    await Promise.all([rails?.schema.drop(), ours?.drop()]);
  });

  test('a Rails token with the issuer and app claims refreshes, and our tokens carry iss and the shared jti (was: refused with iss, or unusable in Rails)', async () => {
    const alice = await rails.add('alice@example.com');
    const refreshed = await call(node.url, 'GET', bearer(railsToken(alice, Date.now(), { iss: ISSUER, email: 'alice@example.com' })));
    assert.equal(refreshed.res.status, 200);
    const { json } = await login(node.url, { email: 'alice@example.com', password: alice.password });
    for (const token of [refreshed.json.jwtToken, json.jwtToken]) {
      const { payload } = decodeJwt(token as string);
      assert.deepEqual([payload.iss, payload.jti, payload.sub], [ISSUER, (await rails.row(alice.id)).jti, alice.id]);
    }
  });
});

describe('devise detach', { skip }, () => {
  test('every session lives through the detach, and hashes are upgraded only in our own table afterwards (was: a cut-over logged everybody out)', async () => {
    const [rails, ours] = await Promise.all([railsApp(), freshSchema()]);
    let attached: TestServer | undefined;
    let detached: TestServer | undefined;
    try {
      attached = await startTestServer({ postgresUrl: ours.url, env: attachedEnv(rails), appHasher: true });
      const alice = await rails.add('alice@example.com');
      const bob = await rails.add('bob@example.com');
      const railsIssued = railsToken(alice, Date.now());
      const oursIssued = (await login(attached.url, { email: 'bob@example.com', password: bob.password })).json.jwtToken;
      const carol = await rails.add('carol@example.com');
      const env = { DATABASE_URL: ours.url, ...attachedEnv(rails) };
      // An operator's lock lives in our schema (Devise has no column for it), and goes along.
      const locked = await runCli(['users', 'lock', 'carol@example.com'], { env });
      assert.equal(locked.code, 0);
      assert.match(locked.stderr, /locked here only: lock carol@example\.com in the Rails app too/);

      const detach = await runCli(['devise', 'detach'], { env });
      assert.deepEqual([detach.code, detach.stdout], [0, 'copied 3, unchanged 0, skipped 0\n'], detach.stderr);
      // Run again, it changes nothing: the copy's later logouts and rehashes are never undone.
      assert.equal((await runCli(['devise', 'detach'], { env })).stdout, 'copied 0, unchanged 3, skipped 0\n');
      await attached.close();
      attached = undefined;

      // The same database, without PACERPRO_DEVISE_USERS_TABLE: our own users table.
      const { PACERPRO_DEVISE_USERS_TABLE: _, ...own } = attachedEnv(rails);
      detached = await startTestServer({ postgresUrl: ours.url, env: own, appHasher: true });
      assert.equal((await call(detached.url, 'GET', bearer(railsIssued))).res.status, 200);
      assert.equal((await call(detached.url, 'GET', bearer(oursIssued))).res.status, 200);
      assert.equal((await login(detached.url, { email: 'alice@example.com', password: alice.password })).res.status, 200);
      assert.equal((await login(detached.url, { email: 'carol@example.com', password: carol.password })).res.status, 401);
      const [copy] = await adminQuery<{ password_hash: string }>(`SELECT password_hash FROM ${ours.name}.users WHERE id = $1`, [alice.id]);
      assert.match(copy!.password_hash, /^\$argon2id\$/);
      assert.match((await rails.row(alice.id)).encrypted_password, /^\$2a\$/);
    } finally {
      await attached?.close();
      await detached?.close();
      await Promise.all([rails.schema.drop(), ours.drop()]);
    }
  });
});

describe('attached mode refuses what cannot work, saying what to fix', { skip }, () => {
  test('start-up is refused naming the table and the column when the Rails table has no jti (was: every login failing at run time)', async () => {
    const [rails, ours] = await Promise.all([
      railsApp(RAILS_TABLE.replace(/,\s*jti character varying NOT NULL/, '').replace(/CREATE UNIQUE INDEX index_users_on_jti.*;/, '')),
      freshSchema(),
    ]);
    try {
      const started = await runCli(['users', 'list'], { env: { DATABASE_URL: ours.url, ...attachedEnv(rails) } });
      assert.equal(started.code, 1);
      assert.match(
        started.stderr,
        new RegExp(`PACERPRO_DEVISE_USERS_TABLE is ${rails.table}, which has no column jti \\(devise-jwt's JTIMatcher adds jti`),
      );
      const missing = await runCli(['users', 'list'], {
        env: { DATABASE_URL: ours.url, ...attachedEnv(rails), PACERPRO_DEVISE_USERS_TABLE: `${rails.schema.name}.people` },
      });
      assert.match(missing.stderr, /PACERPRO_DEVISE_USERS_TABLE is \S+\.people, which is not a table of .* that this role can see/);
    } finally {
      await Promise.all([rails.schema.drop(), ours.drop()]);
    }
  });

  test('users add is refused, naming the column, when the Rails table has a NOT NULL column only Rails can fill (was: a row Devise cannot use)', async () => {
    const [rails, ours] = await Promise.all([
      railsApp(RAILS_TABLE.replace('jti character varying NOT NULL', 'jti character varying NOT NULL, tenant_id bigint NOT NULL')),
      freshSchema(),
    ]);
    try {
      const added = await runCli(['users', 'add', 'kim@example.com', '--password-stdin'], {
        stdin: 'kim added beside Rails\n',
        env: { DATABASE_URL: ours.url, ...attachedEnv(rails) },
      });
      assert.equal(added.code, 1);
      assert.match(
        added.stderr,
        /users add cannot add a row to \S+: its column tenant_id is NOT NULL without a default.*add the user in Rails/,
      );
      assert.equal((await adminQuery(`SELECT 1 FROM ${rails.table}`)).length, 0);
    } finally {
      await Promise.all([rails.schema.drop(), ours.drop()]);
    }
  });
});

describe('attached, the session max age', { skip }, () => {
  test('counts from when this server first saw the jti, and a jti Rails spun starts a new session (was: Rails sessions never aging out here, or aged from nothing)', async () => {
    const [rails, ours] = await Promise.all([railsApp(), freshSchema()]);
    let nowMs = Date.UTC(2026, 11, 7, 12);
    const node = await startTestServer({
      postgresUrl: ours.url,
      env: attachedEnv(rails, { PACERPRO_SESSION_MAX_AGE: '1h' }),
      appHasher: true,
      now: () => nowMs,
    });
    try {
      const alice = await rails.add('alice@example.com');
      const refresh = async () => (await call(node.url, 'GET', bearer(railsToken(alice, nowMs)))).res.status;
      assert.equal(await refresh(), 200); // first seen now
      nowMs += 59 * 60_000;
      assert.equal(await refresh(), 200);
      nowMs += 2 * 60_000;
      const tooOld = await call(node.url, 'GET', bearer(railsToken(alice, nowMs)));
      assert.deepEqual([tooOld.res.status, tooOld.json.code], [401, 'session_too_old']);
      alice.jti = await rails.logout(alice.id); // a Rails logout, then a Rails login: a new session
      assert.equal(await refresh(), 200);
    } finally {
      await node.close();
      await Promise.all([rails.schema.drop(), ours.drop()]);
    }
  });
});
