import type Database from 'better-sqlite3';
import { StoreUnavailableError } from '../store-errors.js';
import { busyRetry, busyRetryInOrder } from './busy-retry.js';
import { writeHealth, type WriteHealth } from './write-health.js';

// What the parts of the SQLite store share: the one connection, the clock, and the one place where
// SQLite's errors are translated.

export interface SqliteConnection {
  readonly db: Database.Database;
  readonly now: () => number;
  /** Runs synchronous reads on the connection; its errors pass through translate(). */
  run<T>(work: () => T): Promise<T>;
  /**
   * Runs synchronous writes as one BEGIN IMMEDIATE transaction, after the writes asked for before.
   * Resolves only once COMMIT succeeded: a statement's own result (a RETURNING row) is never taken
   * for the outcome, since better-sqlite3's get() returns the row even when the implicit commit
   * after it fails (disk full), and the change is then silently gone.
   */
  write<T>(work: () => T): Promise<T>;
  /** The outcome of the writes so far, for readiness. */
  readonly health: WriteHealth;
}

/** The SQLite result codes that mean "the storage cannot take writes now", extended codes included. */
export type StorageFault = 'busy' | 'full' | 'readonly' | 'ioerr' | 'cantopen';

export function storageFault(error: unknown): StorageFault | undefined {
  const code = String((error as { code?: unknown } | null)?.code);
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return 'busy';
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_READONLY')) return 'readonly';
  if (code.startsWith('SQLITE_IOERR')) return 'ioerr';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cantopen';
  return undefined;
}

/** What to tell the operator, per fault: where, why, and what to do. */
function faultMessage(fault: StorageFault, path: string, busyTimeoutMs: number, cause: string): string {
  switch (fault) {
    case 'busy':
      return `the SQLite database is locked by another process (waited ${busyTimeoutMs} ms); retry, or stop the other writer`;
    case 'full':
      return `the disk holding the SQLite database ${path} is full (${cause}); free space there: writes resume by themselves`;
    case 'readonly':
      return `the SQLite database ${path} cannot be written (${cause}); make the file, its directory and its -wal and -shm files writable by this process`;
    case 'ioerr':
      return `the SQLite database ${path} met an I/O error (${cause}); check the disk and the system log`;
    case 'cantopen':
      return `the SQLite database ${path} cannot be opened (${cause}); check that its directory exists and that this process may create and write the -wal and -shm files beside it`;
  }
}

/** Turns SQLite's busy, locked, full, read-only, I/O and cannot-open errors into StoreUnavailableError; everything else passes through. */
export function translate(error: unknown, busyTimeoutMs: number, path = 'file'): unknown {
  const fault = storageFault(error);
  if (fault === undefined) return error;
  const { code, message } = error as { code: string; message: string };
  return new StoreUnavailableError(faultMessage(fault, path, busyTimeoutMs, `${code}: ${message}`), { cause: error });
}

export function sqliteConnection(
  db: Database.Database,
  path: string,
  busyTimeoutMs: number,
  now: () => number,
  probe: () => void,
): SqliteConnection {
  const translateError = (error: unknown) => translate(error, busyTimeoutMs, path);
  const health = writeHealth(() => {
    try {
      probe();
    } catch (error) {
      throw translateError(error);
    }
  });
  const read = busyRetry(busyTimeoutMs);
  const writeInOrder = busyRetryInOrder(busyTimeoutMs);
  // One transaction function for every write: better-sqlite3 throws when COMMIT fails (after rolling back).
  const inTransaction = db.transaction(<T>(work: () => T): T => work());
  return {
    db,
    now,
    // better-sqlite3 is synchronous; the interface is async so the PostgreSQL store fits the same shape.
    run: (work) => read(work).catch((error: unknown) => Promise.reject(translateError(error))),
    write<T>(work: () => T): Promise<T> {
      return writeInOrder(() => inTransaction.immediate(work) as T).catch((error: unknown) => {
        const translated = translateError(error);
        const fault = storageFault(error);
        if (fault !== undefined && fault !== 'busy') health.failed(translated as StoreUnavailableError);
        return Promise.reject(translated);
      });
    },
    health,
  };
}
