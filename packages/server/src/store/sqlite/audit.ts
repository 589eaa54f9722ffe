import type { LoginLaneKind } from '../../auth/login-lane.js';
import type { AuditEvent, AuditEventType, AuditStore } from '../audit.js';
import { AUDIT_INSERT, auditRow, startAuditWriter, type AuditRow as AuditInsert } from '../sqlite-audit-writer.js';
import { StoreUnavailableError } from '../store-errors.js';
import { storageFault, type SqliteConnection } from './connection.js';

interface AuditRow {
  at: number;
  event: AuditEventType;
  user_id: number | null;
  email_key: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  lane: LoginLaneKind | null;
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
    lane: row.lane ?? undefined,
  };
}

export interface SqliteAudit {
  readonly audit: AuditStore;
  /** Stops the audit writer thread, if one started: before the store's own connection closes. */
  closeWriter(): Promise<void>;
}

export function sqliteAudit({ db, path, busyTimeoutMs, run, write, translate, health }: SqliteConnection): SqliteAudit {
  const statements = {
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
            const error = translate(reported);
            // The thread's storage faults count for readiness as the main connection's do; a lock does not.
            if (error instanceof StoreUnavailableError && storageFault(reported) !== 'busy') health.failed(error);
            return error instanceof Error ? error : Object.assign(new Error(reported.message), { code: reported.code });
          },
        });
  const appendAuditEvents = (events: readonly AuditEvent[]) => {
    for (const e of events) {
      statements.appendAudit.run(...auditRow(e));
    }
  };

  return {
    audit: {
      concurrentAppends: 1,
      appendAuditEvents: (events) => (auditWriter ? auditWriter.append(events) : write(() => appendAuditEvents(events))),
      listAuditEvents: ({ userId, email, since, limit }) =>
        run(() =>
          statements.listAudit.all({ userId: userId ?? null, email: email ?? null, since: since?.getTime() ?? 0, limit }).map(toAuditEvent),
        ),
      pruneAuditEvents: (before) => write(() => statements.pruneAudit.run(before.getTime()).changes),
    },
    closeWriter: async () => {
      await auditWriter?.close();
    },
  };
}
