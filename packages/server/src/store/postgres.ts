import pg from 'pg';
import { ConfigError } from '../config.js';
import { loadMigrations, schemaBehind } from './migrations.js';
import { postgresAudit } from './postgres/audit.js';
import { postgresConnection, translatePostgresError } from './postgres/connection.js';
import { postgresKnownClients } from './postgres/known-clients.js';
import { postgresLoginFailures } from './postgres/login-failures.js';
import { postgresSettings } from './postgres/settings.js';
import { postgresUsers } from './postgres/users.js';
import { postgresDeviseUsers } from './postgres/devise-users.js';
import { inspectDeviseTable } from './postgres/devise-table.js';
import type { DeviseLockable } from '../auth/devise-lockable.js';
import { postgresUrlProblem } from './postgres-url.js';
import type { Store } from './store.js';
import { StoreUnavailableError } from './store-errors.js';

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
  /** Attached mode: the users are the rows of a live Devise app's table (schema.table) in the same database. */
  readonly devise?: { readonly usersTable: string; readonly lockable: DeviseLockable } | undefined;
}

const { Pool, Client } = pg;

// Past the server-side statement timeout, the client gives up on its own: when the network is cut,
// not even the server's cancellation can arrive. The margin lets the server's cleaner error win.
const CLIENT_TIMEOUT_MARGIN_MS = 500;

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
  const problem = postgresUrlProblem(databaseUrl);
  if (problem !== undefined) throw new ConfigError(`DATABASE_URL ${problem}`);
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema !== undefined) url.searchParams.delete('schema'); // deleting re-encodes the whole query
  return { connectionString: url.toString(), schema, display: `${url.host}${url.pathname}` };
}

export async function openPostgresStore(databaseUrl: string, options: PostgresOptions = {}): Promise<Store> {
  const { poolSize = 10, statementTimeoutMs = 5000, connectTimeoutMs = 2000, now = Date.now, devise } = options;
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

  const connection = postgresConnection(pool, target.display, now);
  // Attached mode reads the Rails table's columns once: a missing one refuses start-up, named.
  const users = devise
    ? postgresDeviseUsers(
        connection,
        await inspectDeviseTable((text, values) => pool.query(text, values), devise.usersTable, target.display).catch(
          async (error: unknown) => {
            await pool.end();
            throw error instanceof ConfigError ? error : translate(error);
          },
        ),
        devise.lockable,
      )
    : postgresUsers(connection);

  return {
    dialect: 'postgres',
    users,
    loginFailures: postgresLoginFailures(connection),
    knownClients: postgresKnownClients(connection),
    audit: postgresAudit(connection),
    settings: postgresSettings(connection),
    async ping() {
      // Readiness means writes can succeed: a session that is read-only (a standby after a failover,
      // default_transaction_read_only) is not ready. Its connection is closed, not reused, so the next
      // check and the next write open a new one, which finds the database writable again once it is.
      const client = await pool.connect().catch((error: unknown) => Promise.reject(translate(error)));
      let readOnly = false;
      try {
        const { rows } = await client.query<{ version: number | null; read_only: string }>({
          name: 'ping',
          text: `SELECT max(version) AS version, current_setting('transaction_read_only') AS read_only FROM schema_migrations`,
        });
        readOnly = rows[0]!.read_only === 'on';
        client.release(readOnly);
        const behind = schemaBehind(rows[0]!.version, 'postgres');
        if (behind) throw new StoreUnavailableError(behind);
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) client.release(error as Error);
        throw translate(error);
      }
      if (readOnly)
        throw new StoreUnavailableError(
          `PostgreSQL at ${target.display} takes no writes: the session is read-only (transaction_read_only is on)`,
        );
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
