import pg from 'pg';
import { emailKey } from '../auth/email.js';
import { ConfigError } from '../config.js';
import { createBatchLoader } from './batch-loader.js';
import { loadMigrations, schemaBehind } from './migrations.js';
import {
  DuplicateEmailError,
  StoreUnavailableError,
  type AuditEventType,
  type ImportedUser,
  type NewUser,
  type User,
  type UserStore,
} from './user-store.js';

// The store for many nodes: every node talks to one PostgreSQL through its own pool. Each operation
// is one statement, so a logout (one UPDATE of the jti) is seen by every node's next read.
// Failures of the database or the network become StoreUnavailableError (503 + Retry-After), and
// every wait is bounded, so a request never hangs on a database that does not answer.

export interface PostgresOptions {
  readonly poolSize?: number;
  readonly statementTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Milliseconds since the epoch, for the timestamps the store writes. */
  readonly now?: () => number;
}

interface UserRow {
  id: string; // bigint arrives as a string; ids stay far below 2^53
  email: string;
  password_hash: string;
  jti: string;
  jti_issued_at: Date;
  locked: boolean;
  created_at: Date;
  updated_at: Date;
}

interface AuditRow {
  at: Date;
  event: AuditEventType;
  user_id: string | null;
  email_key: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

const { Pool, Client, DatabaseError } = pg;

// Past the server-side statement timeout, the client gives up on its own: when the network is cut,
// not even the server's cancellation can arrive. The margin lets the server's cleaner error win.
const CLIENT_TIMEOUT_MARGIN_MS = 500;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
// SQLSTATE classes that mean "not now" rather than "wrong": connection exception (08),
// insufficient resources (53, e.g. too many connections), operator intervention (57: statement
// timeout, shutdown, cannot connect now).
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/;

function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    email: row.email,
    passwordHash: row.password_hash,
    jti: row.jti,
    jtiIssuedAt: row.jti_issued_at,
    locked: row.locked,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface PostgresTarget {
  /** The URL without our own `schema` parameter, as pg understands it. */
  readonly connectionString: string;
  /** From `?schema=`: created if missing and put first on the search_path. */
  readonly schema: string | undefined;
  /** host:port/database, for messages: never the password. */
  readonly display: string;
}

/** Reads a postgres:// URL, taking out `?schema=NAME` (pg itself only knows `options=-c search_path=`). */
export function parsePostgresUrl(databaseUrl: string): PostgresTarget {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema !== undefined) {
    if (!SCHEMA_NAME.test(schema)) {
      throw new ConfigError(`DATABASE_URL ?schema=${schema} is not valid: expected a lower-case name like pacerpro_auth.`);
    }
    if (url.searchParams.has('options')) {
      throw new ConfigError('DATABASE_URL has both ?schema= and ?options=: give the schema in one of them only.');
    }
    url.searchParams.delete('schema');
  }
  return { connectionString: url.toString(), schema, display: `${url.host}${url.pathname}` };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message || error.constructor.name : String(error);
}

/** Turns "the database is not there right now" into StoreUnavailableError; anything else passes. */
export function translatePostgresError(error: unknown, display: string): unknown {
  if (error instanceof StoreUnavailableError || error instanceof TypeError || error instanceof RangeError) return error;
  if (error instanceof DatabaseError && !UNAVAILABLE_SQLSTATE.test(error.code ?? '')) return error;
  // pg reports refused, reset, timed-out and terminated connections as plain Errors.
  return new StoreUnavailableError(`PostgreSQL at ${display} is unavailable: ${errorMessage(error)}`);
}

export async function openPostgresStore(databaseUrl: string, options: PostgresOptions = {}): Promise<UserStore> {
  const { poolSize = 10, statementTimeoutMs = 5000, connectTimeoutMs = 2000, now = Date.now } = options;
  const target = parsePostgresUrl(databaseUrl);
  const translate = (error: unknown) => translatePostgresError(error, target.display);
  const searchPath = target.schema && { options: `-c search_path=${target.schema}` };

  await migrate(target, connectTimeoutMs).catch((error: unknown) => {
    throw translate(error);
  });

  const pool = new Pool({
    connectionString: target.connectionString,
    ...searchPath,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
    keepAlive: true,
    application_name: 'pacerpro-auth',
  });
  // An idle connection that dies (database restart, network cut) is dropped by the pool, which opens
  // a new one on the next query. Without a listener, the event would crash the process.
  pool.on('error', () => {});

  async function query<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      // A name makes pg prepare the statement once per connection.
      return await pool.query<R>({ name, text, values });
    } catch (error) {
      throw translate(error);
    }
  }
  const userById = createBatchLoader<number, User>(async (ids) => {
    const { rows } = await query<UserRow>('users-by-ids', 'SELECT * FROM users WHERE id = ANY($1::bigint[])', [ids]);
    return new Map(rows.map((row) => [Number(row.id), toUser(row)]));
  });
  const updated = (result: pg.QueryResult) => result.rowCount === 1;
  const at = () => new Date(now());

  return {
    dialect: 'postgres',
    async findUserByEmail(email) {
      const { rows } = await query<UserRow>('user-by-email', 'SELECT * FROM users WHERE email_key = $1', [emailKey(email)]);
      return rows[0] && toUser(rows[0]);
    },
    // The hot path (every refresh and logout): batched, see batch-loader.ts.
    findUserById: userById,
    async listUsers() {
      return (await query<UserRow>('list-users', 'SELECT * FROM users ORDER BY id')).rows.map(toUser);
    },
    async createUser(user: NewUser) {
      const time = at();
      try {
        const { rows } = await query<UserRow>(
          'create-user',
          `INSERT INTO users (email, email_key, password_hash, jti, jti_issued_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING *`,
          [user.email.trim(), emailKey(user.email), user.passwordHash, user.jti, time],
        );
        return toUser(rows[0]!);
      } catch (error) {
        if (error instanceof DatabaseError && error.constraint === 'users_email_key_unique') {
          throw new DuplicateEmailError(user.email.trim());
        }
        throw error;
      }
    },
    updatePasswordHash: async (id, hash) =>
      updated(await query('set-hash', 'UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3', [hash, at(), id])),
    changePassword: async (id, hash, jti) =>
      updated(
        await query(
          'change-password',
          'UPDATE users SET password_hash = $1, jti = $2, jti_issued_at = $3, updated_at = $3 WHERE id = $4',
          [hash, jti, at(), id],
        ),
      ),
    setLocked: async (id, locked) =>
      updated(await query('set-locked', 'UPDATE users SET locked = $1, updated_at = $2 WHERE id = $3', [locked, at(), id])),
    rotateJti: async (id, jti) =>
      updated(
        await query('rotate-jti', 'UPDATE users SET jti = $1, jti_issued_at = $2, updated_at = $2 WHERE id = $3', [jti, at(), id]),
      ),
    deleteUser: async (id) => updated(await query('delete-user', 'DELETE FROM users WHERE id = $1', [id])),
    async importUser(user: ImportedUser) {
      // The sequence moves first, so a user created on another node meanwhile never takes this id.
      // It only ever moves up: ids of deleted users stay retired.
      await query(
        'bump-user-id',
        `SELECT setval(s.seq, $1) FROM (SELECT pg_get_serial_sequence('users', 'id')::regclass AS seq) s
         WHERE $1 > COALESCE(pg_sequence_last_value(s.seq), 0)`,
        [user.id],
      );
      const time = at();
      const result = await query(
        'import-user',
        `INSERT INTO users (id, email, email_key, password_hash, jti, jti_issued_at, locked, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $6) ON CONFLICT DO NOTHING`,
        [user.id, user.email.trim(), emailKey(user.email), user.passwordHash, user.jti, time, user.locked],
      );
      return updated(result);
    },
    async getOrCreateJwtSecret(candidate) {
      // Every node starting at once offers its own candidate; the first insert wins and all read it.
      await query('offer-secret', `INSERT INTO settings (key, value) VALUES ('jwt_secret', $1) ON CONFLICT (key) DO NOTHING`, [candidate]);
      const { rows } = await query<{ value: string }>('read-secret', `SELECT value FROM settings WHERE key = 'jwt_secret'`);
      return rows[0]!.value;
    },
    async getLoginFailures(key) {
      const { rows } = await query<{ failures: number; blocked_until: Date | null }>(
        'get-failures',
        'SELECT failures, blocked_until FROM login_failures WHERE email_key = $1',
        [key],
      );
      return rows[0] && { failures: rows[0].failures, blockedUntil: rows[0].blocked_until ?? undefined };
    },
    async recordLoginFailure(key) {
      const { rows } = await query<{ failures: number }>(
        'record-failure',
        `INSERT INTO login_failures (email_key, failures, last_failure_at) VALUES ($1, 1, $2)
         ON CONFLICT (email_key) DO UPDATE SET failures = login_failures.failures + 1, last_failure_at = EXCLUDED.last_failure_at
         RETURNING failures`,
        [key, at()],
      );
      return rows[0]!.failures;
    },
    async blockLogins(key, until) {
      await query(
        'block-logins',
        'UPDATE login_failures SET blocked_until = GREATEST(blocked_until, $1) WHERE email_key = $2',
        [until, key],
      );
    },
    async clearLoginFailures(key) {
      await query('clear-failures', 'DELETE FROM login_failures WHERE email_key = $1', [key]);
    },
    async pruneLoginFailures(before, keepAtMost) {
      const stale = await query(
        'prune-stale-failures',
        'DELETE FROM login_failures WHERE last_failure_at < $1 AND (blocked_until IS NULL OR blocked_until < $2)',
        [before, at()],
      );
      const excess = await query(
        'prune-excess-failures',
        `DELETE FROM login_failures WHERE email_key IN (
           SELECT email_key FROM login_failures ORDER BY blocked_until NULLS FIRST, last_failure_at
           LIMIT GREATEST(0, (SELECT count(*) FROM login_failures) - $1))`,
        [keepAtMost],
      );
      return (stale.rowCount ?? 0) + (excess.rowCount ?? 0);
    },
    async appendAuditEvents(events) {
      if (events.length === 0) return;
      // One statement for the whole batch: column arrays unnested into rows.
      await query(
        'append-audit',
        `INSERT INTO audit_events (at, event, user_id, email_key, ip, user_agent, request_id)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          events.map((e) => e.at),
          events.map((e) => e.event),
          events.map((e) => e.userId ?? null),
          events.map((e) => e.email ?? null),
          events.map((e) => e.ip ?? null),
          events.map((e) => e.userAgent ?? null),
          events.map((e) => e.requestId ?? null),
        ],
      );
    },
    async listAuditEvents({ userId, email, since, limit }) {
      const { rows } = await query<AuditRow>(
        'list-audit',
        `SELECT * FROM (
           SELECT * FROM audit_events
           WHERE ($1::bigint IS NULL AND $2::text IS NULL OR user_id = $1 OR email_key = $2) AND at >= $3
           ORDER BY at DESC, id DESC LIMIT $4
         ) newest ORDER BY at, id`,
        [userId ?? null, email ?? null, since ?? new Date(0), limit],
      );
      return rows.map((row) => ({
        at: row.at,
        event: row.event,
        userId: row.user_id === null ? undefined : Number(row.user_id),
        email: row.email_key ?? undefined,
        ip: row.ip ?? undefined,
        userAgent: row.user_agent ?? undefined,
        requestId: row.request_id ?? undefined,
      }));
    },
    async pruneAuditEvents(before) {
      return (await query('prune-audit', 'DELETE FROM audit_events WHERE at < $1', [before])).rowCount ?? 0;
    },
    async ping() {
      const { rows } = await query<{ version: number | null }>('ping', 'SELECT max(version) AS version FROM schema_migrations');
      const behind = schemaBehind(rows[0]!.version, 'postgres');
      if (behind) throw new StoreUnavailableError(behind);
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * Applies the numbered migrations not yet recorded, in one transaction under an advisory lock: nodes
 * starting together queue on the lock, and each later one finds the work recorded. The lock is a
 * transaction lock, so a node that dies half-way releases it with its connection.
 */
async function migrate(target: PostgresTarget, connectTimeoutMs: number): Promise<void> {
  // Its own connection without the statement timeout: a migration may rightly take long, and a
  // node waiting for another node's migration waits on the lock.
  const client = new Client({
    connectionString: target.connectionString,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    application_name: 'pacerpro-auth migrate',
  });
  client.on('error', () => {}); // a lost connection also fails the pending query, which reports it
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('pacerpro-auth migrations'))`);
    if (target.schema) {
      // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
      const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [target.schema]);
      if (rowCount === 0) await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(target.schema)}`);
      await client.query(`SET LOCAL search_path TO ${pg.escapeIdentifier(target.schema)}`);
    }
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    for (const migration of loadMigrations('postgres')) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}
