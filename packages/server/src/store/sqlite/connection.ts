import type Database from 'better-sqlite3';
import { StoreUnavailableError } from '../store-errors.js';

// What the parts of the SQLite store share: the one connection, the clock, and the one place where
// SQLite's errors are translated.

export interface SqliteConnection {
  readonly db: Database.Database;
  /** The database file, for the audit writer's own connection. */
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly now: () => number;
  /** Runs synchronous work on the connection; its errors pass through translate(). */
  run<T>(work: () => T): Promise<T>;
  translate(error: unknown): unknown;
}

/** Turns SQLite's busy/locked errors into StoreUnavailableError; everything else passes through. */
export function translate(error: unknown, busyTimeoutMs: number): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_SNAPSHOT') {
    return new StoreUnavailableError(
      `the SQLite database is locked by another process (waited ${busyTimeoutMs} ms); retry, or stop the other writer`,
    );
  }
  return error;
}

export function sqliteConnection(db: Database.Database, path: string, busyTimeoutMs: number, now: () => number): SqliteConnection {
  return {
    db,
    path,
    busyTimeoutMs,
    now,
    // better-sqlite3 is synchronous; the interface is async so the PostgreSQL store fits the same shape.
    run<T>(work: () => T): Promise<T> {
      try {
        return Promise.resolve(work());
      } catch (error) {
        return Promise.reject(translate(error, busyTimeoutMs));
      }
    },
    translate: (error) => translate(error, busyTimeoutMs),
  };
}
