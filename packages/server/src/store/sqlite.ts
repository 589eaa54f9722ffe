import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadMigrations, schemaBehind } from './migrations.js';
import { sqliteAudit } from './sqlite/audit.js';
import { auditSettler } from './sqlite/audit-settler.js';
import { sqliteConnection, translate } from './sqlite/connection.js';
import { sqliteKnownClients } from './sqlite/known-clients.js';
import { sqliteLoginFailures } from './sqlite/login-failures.js';
import { sqliteSettings } from './sqlite/settings.js';
import { sqliteUsers } from './sqlite/users.js';
import { writeProbe } from './sqlite/write-probe.js';
import type { Store } from './store.js';
import { StoreUnavailableError } from './store-errors.js';

// The embedded default: one SQLite file in WAL mode, so readers (refresh) never wait for the writer
// (logout), and several processes can share the file. Every statement is prepared once, by the
// part of the store it belongs to (sqlite/*.ts), over this one connection.

export interface SqliteOptions {
  /**
   * How long a write waits for another process's lock before failing with StoreUnavailableError: on
   * timers (sqlite/busy-retry.ts), never inside SQLite on the event loop, except while opening.
   */
  readonly busyTimeoutMs?: number;
  readonly now?: () => number;
  /** Where a failure no request waits for goes (the audit settler's): the server's log; by default a process warning. */
  readonly warn?: (message: string) => void;
}

const processWarning = (message: string) => process.emitWarning(message, 'PacerproAuditWarning');

/** The path a DATABASE_URL names when it is not a postgres:// URL: a plain path or sqlite:/file: URL. */
export function sqlitePath(databaseUrl: string): string {
  const match = /^(?:sqlite|file):(?:\/\/)?(.*)$/.exec(databaseUrl);
  return match ? match[1]! : databaseUrl;
}

/**
 * mkdir -p, but failing with the real cause: a recursive mkdir on a read-only filesystem reports
 * ENOENT for the missing directory, which hides EROFS. Made one level at a time, the first level
 * that cannot be made says why.
 */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const missing: string[] = [];
    for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
    for (const d of missing) mkdirSync(d);
    throw error;
  }
}

export function openSqliteStore(
  databaseUrl: string,
  { busyTimeoutMs = 5000, now = Date.now, warn = processWarning }: SqliteOptions = {},
): Store {
  const path = sqlitePath(databaseUrl);
  if (path !== ':memory:') makeDirectory(dirname(path));
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new StoreUnavailableError(`cannot open the SQLite database at ${path}: ${(error as Error).message}`, { cause: error });
  }
  let probe: () => void;
  try {
    // While opening, SQLite's own busy wait: nothing is served yet, and nodes starting together
    // queue for the migrations.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives any process crash (SIGKILL included); only a power loss
    // can lose the last transactions. FULL would add an fsync to every logout.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    // A database that cannot be written stops start-up here, naming the file and the cause, rather
    // than starting ready and failing every logout (docs/operations.md).
    probe = writeProbe(db, path);
    probe();
    db.pragma('busy_timeout = 0');
  } catch (error) {
    db.close();
    throw translate(error, busyTimeoutMs, path);
  }

  const connection = sqliteConnection(db, path, busyTimeoutMs, now, probe);
  const settler = auditSettler({ db, path, busyTimeoutMs, failed: warn });
  const ping = db.prepare<[], { version: number | null }>('SELECT max(version) AS version FROM schema_migrations');

  return {
    dialect: 'sqlite',
    users: sqliteUsers(connection),
    loginFailures: sqliteLoginFailures(connection),
    knownClients: sqliteKnownClients(connection),
    audit: sqliteAudit(connection, settler),
    settings: sqliteSettings(connection),
    ping: () =>
      connection.run(() => {
        const behind = schemaBehind(ping.get()!.version, 'sqlite');
        if (behind) throw new StoreUnavailableError(behind);
        connection.health.check();
      }),
    close: async () => {
      await settler.close();
      await connection.run(() => void (db.open && db.close()));
    },
  };
}

/** Applies the numbered migrations not yet recorded, each in its own write transaction. */
function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = db.prepare<[number], { version: number }>('SELECT version FROM schema_migrations WHERE version = ?');
  const record = db.prepare<[number, string, number]>('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of loadMigrations('sqlite')) {
    // IMMEDIATE takes the write lock before checking, so two processes starting together apply each
    // migration once: the second waits (busy_timeout), then sees it recorded.
    db.transaction(() => {
      if (applied.get(migration.version)) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    }).immediate();
  }
}
