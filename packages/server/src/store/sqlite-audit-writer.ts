import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditEvent } from './user-store.js';

// Writes the SQLite store's audit batches on a thread of its own (workers/sqlite-audit-writer.js).
// better-sqlite3 is synchronous: on the event loop a batch of 100 rows held every request back for
// ~1-2 ms, most of it the per-user index (each row lands on a random page of it) and now and then a
// WAL checkpoint. The thread starts with the first batch, so a CLI run that audits nothing never
// starts it, and it keeps the process alive only while a batch is in flight.

const WORKER = fileURLToPath(new URL('../../workers/sqlite-audit-writer.js', import.meta.url));

/** A failure as the thread reports it: SQLite's message and code (SQLITE_BUSY, …). */
export interface AuditWriteError {
  readonly message: string;
  readonly code?: string;
}

export interface AuditWriter {
  append(events: readonly AuditEvent[]): Promise<void>;
  /** Waits for the batches in flight, then closes the thread's connection. */
  close(): Promise<void>;
}

/** The insert's parameters, in the order of AUDIT_INSERT's columns. */
export type AuditRow = [number, string, number | null, string | null, string | null, string | null, string | null];

export const AUDIT_INSERT = 'INSERT INTO audit_events (at, event, user_id, email_key, ip, user_agent, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)';

export const auditRow = (e: AuditEvent): AuditRow => [e.at.getTime(), e.event, e.userId ?? null, e.email ?? null, e.ip ?? null, e.userAgent ?? null, e.requestId ?? null];

export interface AuditWriterOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Turns the thread's report (or its crash) into the error the store's callers see. */
  readonly failed: (error: AuditWriteError) => Error;
}

export function startAuditWriter({ path, busyTimeoutMs, failed }: AuditWriterOptions): AuditWriter {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  const settle = (id: number, outcome: { error?: AuditWriteError }) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker?.unref();
    if (outcome.error) waiter?.reject(failed(outcome.error));
    else waiter?.resolve();
  };

  function started(): Worker {
    if (worker) return worker;
    const thread = new Worker(WORKER, { workerData: { path, busyTimeoutMs, insert: AUDIT_INSERT }, execArgv: [] }); // the parent's flags (--eval, --cpu-prof, …) are not the thread's
    thread.on('message', (message: { id: number; error?: AuditWriteError }) => settle(message.id, message));
    const lost = (error: AuditWriteError) => {
      if (worker === thread) worker = undefined; // the next batch starts a new thread
      for (const id of [...pending.keys()]) settle(id, { error });
    };
    thread.on('error', (error) => lost({ message: `the audit writer thread failed: ${error.message}` }));
    thread.on('exit', (code) => lost({ message: `the audit writer thread exited (code ${code})` }));
    worker = thread;
    return thread;
  }

  return {
    append(events) {
      if (events.length === 0) return Promise.resolve();
      const thread = started();
      const id = nextId++;
      thread.ref();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.postMessage({ id, rows: events.map(auditRow) });
      });
    },
    async close() {
      const thread = worker;
      if (!thread) return;
      worker = undefined;
      thread.ref();
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      // Messages are handled in order: every batch sent before this one is written first.
      thread.postMessage({ close: true });
      await exited;
    },
  };
}
