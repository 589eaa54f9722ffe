import type { LoginLaneKind } from '../../auth/login-lane.js';
import type { AuditEvent, AuditEventType, AuditStore } from '../audit.js';
import type { SqliteConnection } from './connection.js';

// The audit part on SQLite. A batch is one write transaction on the store's own connection, on the
// event loop, like every other write: the audit trail commits one batch per turn and the request
// waits for it, and a batch of a few rows costs less here than the hop to a writer thread and back
// did (bench/NOTES.md, "The durable audit trail on SQLite: the event loop, not a thread").

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

/** An insert's parameters, in the order of its columns. */
type AuditInsert = [number, string, number | null, string | null, string | null, string | null, string | null, string | null];

const insertOf = (e: AuditEvent): AuditInsert => [
  e.at.getTime(),
  e.event,
  e.userId ?? null,
  e.email ?? null,
  e.ip ?? null,
  e.userAgent ?? null,
  e.requestId ?? null,
  e.lane ?? null,
];

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

export function sqliteAudit({ db, run, write }: SqliteConnection): AuditStore {
  const statements = {
    appendAudit: db.prepare<AuditInsert>(
      'INSERT INTO audit_events (at, event, user_id, email_key, ip, user_agent, request_id, lane) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    listAudit: db.prepare<[{ userId: number | null; email: string | null; since: number; limit: number }], AuditRow>(
      `SELECT * FROM (
         SELECT * FROM audit_events
         WHERE (@userId IS NULL AND @email IS NULL OR user_id = @userId OR email_key = @email) AND at >= @since
         ORDER BY at DESC, id DESC LIMIT @limit
       ) ORDER BY at, id`,
    ),
    pruneAudit: db.prepare<[number]>('DELETE FROM audit_events WHERE at < ?'),
  };

  return {
    appendAuditEvents: (events) =>
      write(() => {
        for (const e of events) statements.appendAudit.run(...insertOf(e));
      }),
    listAuditEvents: ({ userId, email, since, limit }) =>
      run(() =>
        statements.listAudit.all({ userId: userId ?? null, email: email ?? null, since: since?.getTime() ?? 0, limit }).map(toAuditEvent),
      ),
    pruneAuditEvents: (before) => write(() => statements.pruneAudit.run(before.getTime()).changes),
  };
}
