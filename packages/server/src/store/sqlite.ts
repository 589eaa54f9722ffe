import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { emailKey } from '../auth/email.js';
import { createBatchLoader } from './batch-loader.js';
import { createBatchWriter } from './batch-writer.js';
import { loadMigrations, schemaBehind } from './migrations.js';
import { AUDIT_INSERT, auditRow, startAuditWriter, type AuditRow as AuditInsert } from './sqlite-audit-writer.js';
import {
  DuplicateEmailError,
  StoreUnavailableError,
  type AuditEvent,
  type AuditEventType,
  type ImportedUser,
  type NewUser,
  type User,
  type UserStore,
} from './user-store.js';

// The embedded default: one SQLite file in WAL mode, so readers (refresh) never wait for the writer
// (logout), and several processes can share the file. Every statement is prepared once.

interface UserRow {
  id: number;
  email: string;
  email_key: string;
  password_hash: string;
  jti: string;
  jti_issued_at: number;
  locked: number;
  created_at: number;
  updated_at: number;
}

export interface SqliteOptions {
  /** How long a write waits for another process's lock before failing with StoreUnavailableError. */
  readonly busyTimeoutMs?: number;
  readonly now?: () => number;
}

interface AuditRow {
  at: number;
  event: AuditEventType;
  user_id: number | null;
  email_key: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    at: new Date(row.at),
    event: row.event,
    userId: row.user_id ?? undefined,
    email: row.email_key ?? undefined,
    ip: row.ip ?? undefined,
    userAgent: row.user_agent ?? undefined,
    requestId: row.request_id ?? undefined,
  };
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    jti: row.jti,
    jtiIssuedAt: new Date(row.jti_issued_at),
    locked: row.locked === 1,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Turns SQLite's busy/locked errors into StoreUnavailableError; everything else passes through. */
function translate(error: unknown, busyTimeoutMs: number): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_SNAPSHOT') {
    return new StoreUnavailableError(
      `the SQLite database is locked by another process (waited ${busyTimeoutMs} ms); retry, or stop the other writer`,
    );
  }
  return error;
}

/** The path a DATABASE_URL names when it is not a postgres:// URL: a plain path or sqlite:/file: URL. */
export function sqlitePath(databaseUrl: string): string {
  const match = /^(?:sqlite|file):(?:\/\/)?(.*)$/.exec(databaseUrl);
  return match ? match[1]! : databaseUrl;
}

export function openSqliteStore(databaseUrl: string, { busyTimeoutMs = 5000, now = Date.now }: SqliteOptions = {}): UserStore {
  const path = sqlitePath(databaseUrl);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new StoreUnavailableError(`cannot open the SQLite database at ${path}: ${(error as Error).message}`);
  }
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives any process crash (SIGKILL included); only a power loss
    // can lose the last transactions. FULL would add an fsync to every logout.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw translate(error, busyTimeoutMs);
  }

  const statements = {
    byEmail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE email_key = ?'),
    byId: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
    // The ids as a JSON array: one prepared statement for any number of them.
    byIds: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id IN (SELECT value FROM json_each(?))'),
    list: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY id'),
    insert: db.prepare<[string, string, string, string, number, number, number], UserRow>(
      `INSERT INTO users (email, email_key, password_hash, jti, jti_issued_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    setHash: db.prepare<[string, number, number]>('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?'),
    changePassword: db.prepare<[string, string, number, number, number]>(
      'UPDATE users SET password_hash = ?, jti = ?, jti_issued_at = ?, updated_at = ? WHERE id = ?',
    ),
    setLocked: db.prepare<[number, number, number]>('UPDATE users SET locked = ?, updated_at = ? WHERE id = ?'),
    rotateJti: db.prepare<[string, number, number, number]>(
      'UPDATE users SET jti = ?, jti_issued_at = ?, updated_at = ? WHERE id = ?',
    ),
    delete: db.prepare<[number]>('DELETE FROM users WHERE id = ?'),
    // AUTOINCREMENT records the largest id ever inserted (sqlite_sequence), explicit ones included,
    // so users created after an import get ids above the imported ones.
    importUser: db.prepare<[number, string, string, string, string, number, number, number, number]>(
      `INSERT INTO users (id, email, email_key, password_hash, jti, jti_issued_at, locked, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    insertSetting: db.prepare<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    ping: db.prepare<[], { version: number | null }>('SELECT max(version) AS version FROM schema_migrations'),
    getFailures: db.prepare<[string], { failures: number; blocked_until: number }>(
      'SELECT failures, blocked_until FROM login_failures WHERE email_key = ?',
    ),
    recordFailure: db.prepare<[string, number], { failures: number }>(
      `INSERT INTO login_failures (email_key, failures, last_failure_at) VALUES (?, 1, ?)
       ON CONFLICT (email_key) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
       RETURNING failures`,
    ),
    block: db.prepare<[number, string]>('UPDATE login_failures SET blocked_until = max(blocked_until, ?) WHERE email_key = ?'),
    clearFailures: db.prepare<[string]>('DELETE FROM login_failures WHERE email_key = ?'),
    pruneStaleFailures: db.prepare<[number, number]>('DELETE FROM login_failures WHERE last_failure_at < ? AND blocked_until < ?'),
    pruneExcessFailures: db.prepare<[number]>(
      `DELETE FROM login_failures WHERE email_key IN (
         SELECT email_key FROM login_failures ORDER BY blocked_until, last_failure_at
         LIMIT max(0, (SELECT count(*) FROM login_failures) - ?))`,
    ),
    appendAudit: db.prepare<AuditInsert>(AUDIT_INSERT),
    listAudit: db.prepare<[{ userId: number | null; email: string | null; since: number; limit: number }], AuditRow>(
      `SELECT * FROM (
         SELECT * FROM audit_events
         WHERE (@userId IS NULL AND @email IS NULL OR user_id = @userId OR email_key = @email) AND at >= @since
         ORDER BY at DESC, id DESC LIMIT @limit
       ) ORDER BY at, id`,
    ),
    pruneAudit: db.prepare<[number]>('DELETE FROM audit_events WHERE at < ?'),
  };
  // Audit batches go to a thread with its own connection; an in-memory database has no file to share.
  const auditWriter =
    path === ':memory:'
      ? undefined
      : startAuditWriter({
          path,
          busyTimeoutMs,
          failed: (reported) => {
            const error = translate(reported, busyTimeoutMs);
            return error instanceof Error ? error : Object.assign(new Error(reported.message), { code: reported.code });
          },
        });
  const appendAuditEvents = db.transaction((events: readonly AuditEvent[]) => {
    for (const e of events) {
      statements.appendAudit.run(...auditRow(e));
    }
  });

  // better-sqlite3 is synchronous; the interface is async so the PostgreSQL store fits the same shape.
  function run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(translate(error, busyTimeoutMs));
    }
  }

  // The hot path (every refresh and logout), batched as in the PostgreSQL store (batch-loader.ts):
  // the ids asked for in one turn of the event loop are read by one statement. Each statement pays
  // SQLite's WAL read lock (two fcntl calls) and a call into the native module; fifty refreshes in
  // flight came to 5-10 ids a turn, and 59 -> 46 µs of CPU per refresh (bench/NOTES.md).
  const userById = createBatchLoader<number, User>((ids) =>
    run(() => {
      if (ids.length > 1) return new Map(statements.byIds.all(JSON.stringify(ids)).map((row) => [row.id, toUser(row)]));
      const row = statements.byId.get(ids[0]!); // alone in its turn: the plain statement is cheaper than json_each
      return new Map(row ? [[row.id, toUser(row)]] : []);
    }),
  );

  // Logouts: the jti rotations asked for in one turn commit as one transaction (batch-writer.ts);
  // 48 -> 41 µs of CPU per logout (bench/NOTES.md).
  type Rotation = { readonly id: number; readonly jti: string };
  const rotateAll = db.transaction((rotations: readonly Rotation[]) =>
    rotations.map(({ id, jti }) => {
      const at = now();
      return statements.rotateJti.run(jti, at, at, id).changes === 1;
    }),
  );
  const rotateJti = createBatchWriter<Rotation, boolean>((rotations) => run(() => rotateAll.immediate(rotations)));

  return {
    dialect: 'sqlite',
    findUserByEmail: (email) =>
      run(() => {
        const row = statements.byEmail.get(emailKey(email));
        return row && toUser(row);
      }),
    findUserById: userById,
    listUsers: () => run(() => statements.list.all().map(toUser)),
    createUser: (user: NewUser) =>
      run(() => {
        const at = now();
        try {
          const row = statements.insert.get(user.email.trim(), emailKey(user.email), user.passwordHash, user.jti, at, at, at);
          return toUser(row!);
        } catch (error) {
          if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DuplicateEmailError(user.email.trim());
          throw error;
        }
      }),
    updatePasswordHash: (id, hash) => run(() => statements.setHash.run(hash, now(), id).changes === 1),
    changePassword: (id, hash, jti) =>
      run(() => {
        const at = now();
        return statements.changePassword.run(hash, jti, at, at, id).changes === 1;
      }),
    setLocked: (id, locked) => run(() => statements.setLocked.run(locked ? 1 : 0, now(), id).changes === 1),
    rotateJti: (id, jti) => rotateJti({ id, jti }),
    deleteUser: (id) => run(() => statements.delete.run(id).changes === 1),
    importUser: (user: ImportedUser) =>
      run(() => {
        const at = now();
        const { id, email, passwordHash, jti, locked } = user;
        return statements.importUser.run(id, email.trim(), emailKey(email), passwordHash, jti, at, locked ? 1 : 0, at, at).changes === 1;
      }),
    getOrCreateJwtSecret: (candidate) =>
      run(() => {
        statements.insertSetting.run('jwt_secret', candidate);
        return statements.getSetting.get('jwt_secret')!.value;
      }),
    getLoginFailures: (key) =>
      run(() => {
        const row = statements.getFailures.get(key);
        return row && { failures: row.failures, blockedUntil: row.blocked_until > 0 ? new Date(row.blocked_until) : undefined };
      }),
    recordLoginFailure: (key) => run(() => statements.recordFailure.get(key, now())!.failures),
    blockLogins: (key, until) => run(() => void statements.block.run(until.getTime(), key)),
    clearLoginFailures: (key) => run(() => void statements.clearFailures.run(key)),
    pruneLoginFailures: (before, keepAtMost) =>
      run(() => statements.pruneStaleFailures.run(before.getTime(), now()).changes + statements.pruneExcessFailures.run(keepAtMost).changes),
    appendAuditEvents: (events) => (auditWriter ? auditWriter.append(events) : run(() => appendAuditEvents(events))),
    listAuditEvents: ({ userId, email, since, limit }) =>
      run(() =>
        statements.listAudit.all({ userId: userId ?? null, email: email ?? null, since: since?.getTime() ?? 0, limit }).map(toAuditEvent),
      ),
    pruneAuditEvents: (before) => run(() => statements.pruneAudit.run(before.getTime()).changes),
    ping: () =>
      run(() => {
        const behind = schemaBehind(statements.ping.get()!.version, 'sqlite');
        if (behind) throw new StoreUnavailableError(behind);
      }),
    close: async () => {
      await auditWriter?.close();
      await run(() => void (db.open && db.close()));
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
