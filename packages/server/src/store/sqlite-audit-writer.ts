import { fileURLToPath } from 'node:url';
import { startRequestThread, type RequestThread, type ThreadError, type ThreadFailure } from '../request-thread.js';
import type { AuditEvent } from './audit.js';

// Writes the SQLite store's audit batches on a thread of its own (workers/sqlite-audit-writer.js).
// better-sqlite3 is synchronous: on the event loop a batch of rows held every request back,
// most of it for the per-user index (each row lands on a random page of it) and now and then a
// WAL checkpoint. The thread starts with the first batch, so a CLI run that audits nothing never
// starts it, and it keeps the process alive only while a batch is in flight.

const WORKER = fileURLToPath(new URL('../../workers/sqlite-audit-writer.js', import.meta.url));

export interface AuditWriter {
  append(events: readonly AuditEvent[]): Promise<void>;
  /** Waits for the batches in flight, then closes the thread's connection. */
  close(): Promise<void>;
}

/** The insert's parameters, in the order of AUDIT_INSERT's columns. */
export type AuditRow = [number, string, number | null, string | null, string | null, string | null, string | null, string | null];

export const AUDIT_INSERT =
  'INSERT INTO audit_events (at, event, user_id, email_key, ip, user_agent, request_id, lane) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

export const auditRow = (e: AuditEvent): AuditRow => [
  e.at.getTime(),
  e.event,
  e.userId ?? null,
  e.email ?? null,
  e.ip ?? null,
  e.userAgent ?? null,
  e.requestId ?? null,
  e.lane ?? null,
];

export interface AuditWriterOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Turns the thread's report (SQLite's message and code, SQLITE_BUSY, …) or its loss into the error the store's callers see. */
  readonly failed: (failure: ThreadFailure) => Error;
}

export function startAuditWriter({ path, busyTimeoutMs, failed }: AuditWriterOptions): AuditWriter {
  let thread: RequestThread | undefined; // started by the first batch; after a loss, by the next one
  const current = () => {
    if (!thread || thread.lost()) thread = startRequestThread(WORKER, 'audit writer', { path, busyTimeoutMs, insert: AUDIT_INSERT });
    return thread;
  };
  return {
    async append(events) {
      if (events.length === 0) return;
      await current()
        .request({ rows: events.map(auditRow) })
        .catch((failure: ThreadError) => {
          throw failed(failure);
        });
    },
    async close() {
      const closing = thread;
      thread = undefined;
      await closing?.close({ close: true });
    },
  };
}
