import type Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SETTLE_INTERVAL_MS, SETTLE_ROWS, SETTLE_SQL } from './audit-settling.js';

// Who moves the audit rows on (audit-settling.ts): for a database file, a thread of its own
// (workers/sqlite-audit-settler.js), which also runs the WAL's checkpoints, so neither the moves'
// index pages nor a checkpoint's wait for the disk land on the event loop. It starts a round after
// the first audit row, so a CLI run never starts it, and it never keeps the process alive.
// An in-memory database cannot be shared with a thread: its rows stay where they were committed,
// which the readers take too (only tests and the OpenAPI document's throwaway store use one).

const WORKER = fileURLToPath(new URL('../../../workers/sqlite-audit-settler.js', import.meta.url));

/** What the thread is given (workers/sqlite-audit-settler.js reads it). */
export interface SettlerThreadData {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly sql: typeof SETTLE_SQL;
  readonly rows: number;
  readonly intervalMs: number;
  /** The WAL's size, in frames (pages), past which the thread restarts it (see the worker). */
  readonly restartFrames: number;
}

/** Past this size (frames of 4 KiB) the thread makes the WAL start over: 16 MiB. */
export const RESTART_FRAMES = 4096;

/**
 * The event loop's own checkpoints while the thread runs: only if the WAL grew to this many frames
 * (the thread failing, say), instead of SQLite's default of 1000.
 */
const BACKSTOP_FRAMES = 4 * RESTART_FRAMES;

export interface AuditSettler {
  /** Starts the settling, if not started yet (called with each batch of audit rows). */
  start(): void;
  /** Stops it; rows not yet moved stay, committed, in audit_events_incoming. */
  close(): Promise<void>;
}

export interface AuditSettlerOptions {
  readonly db: Database.Database;
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Told when a move or checkpoint fails (once per kind of failure until one succeeds). */
  readonly failed: (message: string) => void;
}

export function auditSettler({ db, path, busyTimeoutMs, failed }: AuditSettlerOptions): AuditSettler {
  if (path === ':memory:') return { start() {}, close: async () => {} };
  let thread: Worker | undefined;
  let starting: NodeJS.Timeout | undefined;
  let stopped = false; // the thread died: not started again (every batch would), the warning said so

  function spawn(): void {
    starting = undefined;
    const workerData: SettlerThreadData = {
      path,
      busyTimeoutMs,
      sql: SETTLE_SQL,
      rows: SETTLE_ROWS,
      intervalMs: SETTLE_INTERVAL_MS,
      restartFrames: RESTART_FRAMES,
    };
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_FRAMES}`);
    thread = new Worker(WORKER, { workerData, name: 'pacerpro audit settler' });
    thread.unref();
    thread.on('message', (message: { failed?: { code?: string; message: string } }) => {
      if (message.failed) failed(describe(path, message.failed));
    });
    thread.on('error', (error) => {
      failed(
        `the audit settler thread of ${path} stopped: ${error.message}; new audit rows stay committed in ` +
          'audit_events_incoming, where they are read too, until the server is restarted',
      );
      if (db.open) db.pragma('wal_autocheckpoint = 1000'); // the event loop checkpoints again, as SQLite does by default
      stopped = true;
      thread = undefined;
    });
  }

  return {
    start() {
      // A round after the first row: the rows wait that long anyway, and a short-lived store (a CLI
      // command, a test) that closes before then never pays for a thread.
      if (!thread && !starting && !stopped) starting = setTimeout(spawn, SETTLE_INTERVAL_MS).unref();
    },
    async close() {
      clearTimeout(starting);
      starting = undefined;
      const closing = thread;
      thread = undefined;
      if (!closing) return;
      const exited = new Promise((resolve) => closing.once('exit', resolve));
      closing.ref(); // the wait for its exit keeps the process up
      closing.postMessage('close');
      await exited;
    },
  };
}

function describe(path: string, { code, message }: { code?: string; message: string }): string {
  return (
    `moving audit rows into audit_events of ${path} failed (${code ?? 'error'}: ${message}); ` +
    'they stay committed in audit_events_incoming and are moved once the database takes writes again'
  );
}
